"""How alike two labels are: a variable label against a codebook text, an answer label against an
answer. Dutch and English, typos, abbreviations ("Soc. zaken"), a question text around an option
("Met welke groepen ...? - Allochtonen").

Words are compared one by one (rapidfuzz for the typo distance) and weighted by how rare they are
in the codebook, so that "overlegvormen" counts for more than "van"; a label scores high against a
codebook text when it contains the text's words (precision) and little else (recall).
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

_WORD = re.compile(r"[a-z0-9]+\.?")
_QUESTION_NUMBER = re.compile(r"^(?:[a-z]{0,2}\d+[a-z]?)$")  # q4, v12, 4b: a number, not a word
_SLASHED_INITIALS = re.compile(r"(?<![A-Za-z])([A-Za-z])/([A-Za-z])(?![A-Za-z])")  # p/w: per week


INITIAL = 0.6  # "p/w" ~ "per week": a first letter names its word less surely than "soc." names "sociale"


@dataclass(frozen=True)
class Word:
    text: str
    abbreviated: bool  # written with a full stop ("soc.") or very short: may stand for a longer word
    initial: bool = False  # one letter with a full stop or in "p/w": the first letter of a word


@lru_cache(maxsize=50_000)
def normalise(text: str) -> str:
    """Lower case, no accents, words separated by single spaces (coördinator -> coordinator)."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    plain = re.sub(r"[_/\-]", " ", plain)
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9. ]", " ", plain)).strip()


@lru_cache(maxsize=50_000)
def words(text: str) -> tuple[Word, ...]:
    """The words of a label; question numbers (Q4_1, V12) are not words."""
    found = []
    for match in _WORD.finditer(normalise(_SLASHED_INITIALS.sub(r"\1. \2.", str(text)))):
        token = match.group(0)
        word = token.rstrip(".")
        if not word or (_QUESTION_NUMBER.match(word) and not word.isdigit()):
            continue
        found.append(Word(word, token.endswith(".") or len(word) <= 4, len(word) == 1 and token.endswith(".") and word.isalpha()))
    # a number alone is a word only beside other words ("Politieke factor 3"), not in "Q4_1"
    return tuple(found) if any(not w.text.isdigit() for w in found) else ()


@lru_cache(maxsize=200_000)
def word_similarity(a: str, b: str, a_abbreviated: bool = False) -> float:
    """1 for the same word, 0.85 for an abbreviation of it, down to 0 for a typo distance
    beyond one or two letters ("overlegvromen" ~ "overlegvormen", not "aanwezigheid" ~
    "afwezigheid", which scores about 0.5: they mean opposite things)."""
    if a == b:
        return 1.0
    if a_abbreviated and len(a) >= 2 and b.startswith(a):
        return 0.85
    if min(len(a), len(b)) < 4:
        return 0.0
    ratio = fuzz.ratio(a, b) / 100
    return max(0.0, (ratio - 0.8) / 0.2)


def phrase_similarity(a: str, b: str) -> float:
    """Whole-text similarity, for compounds written apart ("beleids sector") and short labels."""
    ratio = fuzz.ratio(normalise(a).replace(" ", ""), normalise(b).replace(" ", "")) / 100
    return max(0.0, (ratio - 0.6) / 0.4)


class Scorer:
    """Similarity of labels weighted by the rarity of their words in `corpus` (e.g. the texts of
    every codebook item)."""

    def __init__(self, corpus: list[str]):
        documents = [{w.text for w in words(doc)} for doc in corpus]
        frequency: dict[str, int] = {}
        for doc in documents:
            for word in doc:
                frequency[word] = frequency.get(word, 0) + 1
        self.n = max(len(documents), 1)
        self.idf = {word: math.log(1 + self.n / df) for word, df in frequency.items()}
        self.unknown_idf = math.log(1 + self.n)
        self._scores: dict[tuple[str, str, str], float] = {}

    def weight(self, word: str) -> float:
        return self.idf.get(word, self.unknown_idf)

    def _covered(self, needles: list[Word], haystack: list[Word]) -> float:
        """Weighted share of `needles` found (allowing typos and abbreviations) in `haystack`."""
        if not needles:
            return 0.0
        total = found = 0.0
        for n in needles:
            weight = self.weight(n.text)
            total += weight
            if n in haystack:
                found += weight
            else:
                found += weight * max((self._pair(n, h) for h in haystack), default=0.0)
        return found / total

    @staticmethod
    @lru_cache(maxsize=500_000)
    def _pair(a: Word, b: Word) -> float:
        initials = max(INITIAL if x.initial and len(y.text) > 1 and y.text.startswith(x.text) else 0.0 for x, y in ((a, b), (b, a)))
        return max(initials, word_similarity(a.text, b.text, a.abbreviated), word_similarity(b.text, a.text, b.abbreviated))

    def score(self, label: str, text: str, context: str = "") -> float:
        """How well `label` names `text`: 0..1. `context` (a question text, a block title) may
        explain the label's other words without being required in it."""
        key = (label, text, context)
        if key not in self._scores:
            self._scores[key] = self._score(label, text, context)
        return self._scores[key]

    def _score(self, label: str, text: str, context: str) -> float:
        label_words, text_words = words(label), words(text)
        if not label_words or not text_words:
            return 0.0
        precision = self._covered(text_words, label_words)
        recall = self._covered(label_words, text_words + words(context))
        tokens = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        return max(tokens, phrase_similarity(label, text))

    def best(self, label: str, texts: list[str], context: str = "") -> float:
        return max((self.score(label, t, context) for t in texts if t), default=0.0)

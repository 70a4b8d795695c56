"""Export column -> codebook item, by three kinds of evidence combined into one score:

- text: the column's variable label (else its name) against the item's labels (nl, en, short),
  with its question text and block title as context;
- values: whether the column's codes and value labels fit the item's answers (a number, an id,
  a municipality id of the sheet, a sector, a yes/no, ...);
- position: members of a numbered group (`Q9_1 … Q9_10`) against the items of one codebook block
  in codebook order, the group's block chosen from all its members at once.

Then one global one-to-one assignment (Hungarian, scipy) with a "new question" option per column,
so two columns never map to one item, and every decision carries its score, its evidence and the
runner-up.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from analysis.core.codebook import Codebook, Item
from analysis.core.io.draft.columns import ColumnProfile, code_map
from analysis.core.io.draft.text import Scorer, words
from analysis.core.vocabulary import natural_key

W_TEXT, W_VALUES, W_POSITION = 0.6, 0.25, 0.15
NEW_QUESTION = 0.45  # a column whose best item scores below this is proposed as a new question
HIGH, LOW = 0.7, 0.55  # score bounds of the confidence levels
NEAR = 0.9  # the most a label other than an item's name word for word scores: "Gezondheid als prioriteit ..."
# is health_priority's label, not a near miss of segv_priority's "Gezondheidsachterstanden als prioriteit ..."
CLOSE = 0.1  # a runner-up within this margin is named; within half of it, the decision is low-confidence
# Bare codes (Q15_1, no label): the best a column can score on values alone is
# W_VALUES / (W_TEXT + W_VALUES) = 0.29, so they need floors of their own to form and align runs.
CANDIDATE = 0.3  # a column's best items, if scoring above this, name its candidate blocks
BARE_CANDIDATE = 0.14  # a bare column: every block whose answers its values fit (values 0.5 and up) is a candidate
RUN_FIT, BARE_RUN_FIT = 0.4, 0.2  # a run aligned with a block fitting it less than this is left unaligned
POSITION_AS_TEXT = 0.5  # a bare column's place in a run aligned with a block stands in for its missing words
GAP_ITEMS = 2  # a bare column between two matched neighbours: at most this many free items between theirs
SHEET_IDS = 0.95  # the share of a column's values that are sheet ids for it to be the municipality column
_NUMBERED = re.compile(r"^(.*?)(\d+)$")
_NUMBERED_CODE = re.compile(r"^([A-Za-z]{0,3}\d+[_.#-])(\d+)(?=[\s.:)]|$)")  # "Q11_1. det income?": Q11_, 1


def item_texts(item: Item, book: Codebook) -> tuple[list[str], str]:
    """The names an item goes by, and the context that may surround them in a variable label."""
    names = [item.nl, item.en, item.extra.get("short_nl"), item.extra.get("short_en"), item.id.replace("_", " ")]
    block = book.blocks.get(item.block or "", {})
    context = " ".join(str(t) for t in (item.extra.get("question_nl"), item.extra.get("question_en"),
                                        block.get("nl"), block.get("en")) if t)
    return [str(n) for n in names if n], context


def codebook_scorer(book: Codebook) -> Scorer:
    corpus = []
    for item in book.items:
        names, context = item_texts(item, book)
        corpus.append(" ".join(names) + " " + context)
    return Scorer(corpus)


def informative(profile: ColumnProfile) -> bool:
    """A label or a name with words in it (not just Q4_1 or V12)."""
    return bool(words(profile.text))


def text_score(profile: ColumnProfile, item: Item, book: Codebook, scorer: Scorer) -> float:
    names, context = item_texts(item, book)
    # a column name's words may be cut short (gezondheidsa_prio): mark them as abbreviations
    # (a single letter only where the name itself marks it an initial: "p/w", not "V 12")
    name = " ".join(f"{w.text}." if len(w.text) > 1 or w.initial else w.text for w in words(profile.name))
    candidates = [t for t in (profile.label, name) if t and words(t)]
    if any(_same_words(t, n) for t in candidates for n in names):
        return 1.0
    return max((min(NEAR, scorer.best(t, names, context)) for t in candidates), default=0.0)


def _same_words(label: str, name: str) -> bool:
    """The label is the name word for word (question numbers, case and punctuation aside)."""
    return [w.text for w in words(label)] == [w.text for w in words(name)]


def value_score(profile: ColumnProfile, item: Item, scorer: Scorer, municipality_ids: set[str] | None) -> float:
    """0 (cannot hold this item) .. 1 (fits exactly)."""
    if not profile.values:
        return 0.3  # an empty column fits anything a little: a question nobody was routed to
    if item.type == "id":
        return 1.0 if profile.unique else 0.0
    if profile.unique and len(profile.values) > 20:
        return 0.0  # an id-like column is no answer
    if item.type == "wave":
        return 0.6 if len(profile.values) == 1 and not profile.numeric else 0.0
    if item.type == "municipality":
        if municipality_ids:
            share = sum(v in municipality_ids for v in profile.values) / len(profile.values)
            return share if share >= 0.8 else share * 0.5
        return 0.6 if 2 <= len(profile.values) <= max(2, profile.n_rows // 2) else 0.1
    if item.type == "number":
        if not profile.numeric or any(_number(code) is None for code in profile.values):
            return 0.0
        numbers = [_number(v) for v in profile.values]
        inside = np.mean([(item.min is None or v >= item.min) and (item.max is None or v <= item.max) for v in numbers])
        labelled = set(profile.value_labels) - profile.user_missing
        many = len(numbers) > max(len(labelled), 6) or any(v != int(v) for v in numbers)
        return float(inside) * (1.0 if many else 0.4)
    if item.answers:
        if not profile.numeric and not profile.value_labels and len(profile.values) > 3 * len(item.answers) + 2:
            return 0.0  # free text
        mapped = code_map(profile, item, scorer)
        if mapped.choice_text is not None:  # a ticked option's text: fits any member, its own best
            return 0.5 + 0.5 * option_naming(mapped.choice_text, item, scorer)
        if mapped.guessed and not mapped.unmapped:
            return 0.5
        present_unmapped = [c for c in mapped.unmapped if c in profile.values]
        if present_unmapped and len(present_unmapped) / max(len(profile.values), 1) > 0.5:
            return 0.0
        keys = {k for k in mapped.codes.values() if k}
        coverage = len(keys) / len(item.answers)
        return mapped.quality * (0.6 + 0.4 * coverage)
    return 0.0


def option_naming(text: str, item: Item, scorer: Scorer) -> float:
    """How well a multiple-choice option's text ("Laag inkomen") names the item (its labels)."""
    names = [str(n) for n in (item.nl, item.en, item.extra.get("short_nl"), item.extra.get("short_en")) if n]
    return scorer.best(text, names)


def own_answer_lists(book: Codebook) -> set[tuple]:
    """Answer lists of four or more answers that only one item has (the sectors, the functions)."""
    counts: dict[tuple, int] = {}
    for item in book.items:
        if item.answers:
            counts[item.answers] = counts.get(item.answers, 0) + 1
    return {answers for answers, n in counts.items() if n == 1 and len(answers) >= 4}


def identity_score(profile: ColumnProfile, item: Item, scorer: Scorer, own: set[tuple],
                   municipality_ids: set[str] | None = None) -> float:
    """How surely the values alone name the item: a column whose values name three or more
    answers of a list no other item has, and mostly such answers, is that item whatever its name
    says ("Q1 Beleidsterrein" holding Onderwijs, Wonen, Jeugdbeleid, ... is the sector); and a
    column with no words of its own (Q10_1) holding a multiple-choice option's text when ticked,
    which names the option ("Laag inkomen": det_income); and a column whose values are (nearly) all
    the municipality sheet's ids, if its name names no other item ("gemcode"; see evidence). 0 .. 1."""
    if item.type == "municipality":
        if not municipality_ids or not profile.values:
            return 0.0
        share = sum(v in municipality_ids for v in profile.values) / len(profile.values)
        return share if share >= SHEET_IDS else 0.0
    if item.answers and not informative(profile):
        choice = code_map(profile, item, scorer).choice_text
        if choice is not None:
            return option_naming(choice, item, scorer)
    if item.answers not in own or len(profile.values) < 3:
        return 0.0
    mapped = code_map(profile, item, scorer)
    if mapped.guessed:  # bare numbers: which answers they name is a guess
        return 0.0
    naming = [v for v in profile.values if mapped.codes.get(v)]
    share = len(naming) / len(profile.values)
    if len({mapped.codes[v] for v in naming}) < 3 or share < 0.5:
        return 0.0
    return 0.5 + 0.5 * share


def _number(value: str) -> float | None:
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


@dataclass
class Evidence:
    text: np.ndarray  # columns x items
    values: np.ndarray
    position: np.ndarray
    runs: list[dict] = field(default_factory=list)  # numbered runs and the block each was aligned to
    identity: np.ndarray | None = None  # values that name the item (identity_score); stand in for text
    bare: np.ndarray | None = None  # per column: no label and no words in its name (Q15_1)

    @property
    def named(self) -> np.ndarray:
        """The text evidence, or the values' where they name the item surely (identity_score), or
        for a bare column (no words to compare) its place in a run aligned with the item's block."""
        named = self.text if self.identity is None else np.maximum(self.text, self.identity)
        if self.bare is not None:
            named = np.maximum(named, POSITION_AS_TEXT * self.position * self.bare[:, None])
        return named

    @property
    def combined(self) -> np.ndarray:
        score = W_TEXT * self.named + W_VALUES * self.values + W_POSITION * self.position
        return np.where(self.values > 0, score, 0.0)


def evidence(profiles: list[ColumnProfile], book: Codebook, scorer: Scorer, municipality_ids: set[str] | None) -> Evidence:
    items = list(book.items)
    own = own_answer_lists(book)
    text = np.array([[text_score(p, it, book, scorer) for it in items] for p in profiles])
    values = np.array([[value_score(p, it, scorer, municipality_ids) for it in items] for p in profiles])
    identity = np.array([[identity_score(p, it, scorer, own, municipality_ids) for it in items] for p in profiles])
    # sheet ids as values name the municipality column only where its name names no other item:
    # small numeric ids (1 … 16) are also the codes of sector and function columns
    municipality = [j for j, it in enumerate(items) if it.type == "municipality"]
    for i in np.flatnonzero(text.max(axis=1, initial=0.0) >= 0.5):
        identity[i, municipality] = np.minimum(identity[i, municipality], text[i, municipality])
    position = np.zeros_like(text)
    named = np.maximum(text, identity)
    base = np.where(values > 0, (W_TEXT * named + W_VALUES * values) / (W_TEXT + W_VALUES), 0.0)
    bare = np.array([not informative(p) for p in profiles], dtype=bool)
    runs = numbered_runs(profiles, book, base, bare)
    for run in runs:
        for col, item in run["aligned"]:
            position[col, item] = 1.0
    return Evidence(text, values, position, runs, identity, bare)


# --- position --------------------------------------------------------------------------------


def numbered_groups(profiles: list[ColumnProfile]) -> list[list[int]]:
    """Columns sharing a prefix and ending in a number (Q9_1 … Q9_10, V1 … V80), or starting with
    such a code before their words ("Q9_1. pos clear roles?"), by number."""
    groups: dict[str, list[tuple[int, int]]] = {}
    for i, p in enumerate(profiles):
        m = _NUMBERED.match(p.name) or _NUMBERED_CODE.match(p.name)
        if m:
            groups.setdefault(m.group(1), []).append((int(m.group(2)), i))
    return [[i for _, i in sorted(members)] for _, members in sorted(groups.items()) if len(members) >= 2]


def numbered_runs(profiles: list[ColumnProfile], book: Codebook, base: np.ndarray,
                  bare: np.ndarray | None = None) -> list[dict]:
    """Cut each numbered group into runs of consecutive columns whose best items lie in one
    block, then give runs to blocks one-to-one (identical-looking blocks, such as two lists of
    the same target groups, go in the order of the columns' numbers) and align each run with its block's items.
    Bare columns (`bare`: no words, only values to go by) are held to lower floors."""
    bare = np.zeros(len(profiles), dtype=bool) if bare is None else bare
    block_of = [it.block for it in book.items]
    blocks = {b: [j for j, ob in enumerate(block_of) if ob == b] for b in book.blocks}
    blocks = {b: idx for b, idx in blocks.items() if len(idx) >= 2}
    runs: list[list[int]] = []
    for group in numbered_groups(profiles):
        runs += _cut(group, base, block_of, {b: len(idx) for b, idx in blocks.items()}, bare)
    runs = [r for r in runs if len(r) >= 2]
    if not runs or not blocks:
        return []
    names = list(blocks)
    fits = np.zeros((len(runs), len(names)))
    alignments: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for r, run in enumerate(runs):
        for b, name in enumerate(names):
            aligned, total = _align(run, blocks[name], base)
            alignments[r, b] = aligned
            fits[r, b] = total / len(run)
    # the tool's numbering breaks ties (the file's column order may be shuffled): the k-th run,
    # by the name of its first column (vraag7_1 before vraag8_1), to the k-th block
    ranked = sorted(range(len(runs)), key=lambda r: natural_key(profiles[runs[r][0]].name))
    order = np.empty(len(runs))
    order[ranked] = np.arange(len(runs))
    tie_break = -1e-3 * np.abs(order[:, None] / len(runs) - np.arange(len(names))[None, :] / len(names))
    rows, cols = linear_sum_assignment(-(fits + tie_break))
    out = []
    for r, b in zip(rows, cols):
        if fits[r, b] < (BARE_RUN_FIT if bare[runs[r]].all() else RUN_FIT):
            continue
        others = [fits[r, o] for o in range(len(names)) if o != b]
        out.append({"columns": runs[r], "block": names[b], "fit": float(fits[r, b]),
                    "tie": bool(others) and max(others) >= fits[r, b] - 0.01, "aligned": alignments[r, b]})
    return out


def _cut(group: list[int], base: np.ndarray, block_of: list[str | None], sizes: dict[str, int],
         bare: np.ndarray) -> list[list[int]]:
    """Consecutive members that share a best block form one run, at most as long as the block
    (V11 … V18 over two lists of four alike options are two runs)."""
    def candidates(col: int) -> set[str]:
        top = base[col].max()
        if bare[col]:  # values alone cannot tell alike blocks apart: the run's alignment will
            return {block_of[j] for j in np.flatnonzero(base[col] > BARE_CANDIDATE) if block_of[j]}
        return {block_of[j] for j in np.flatnonzero(base[col] >= top - 0.02) if block_of[j]} if top > CANDIDATE else set()

    runs, current, shared = [], [], set()
    for col in group:
        mine = candidates(col)
        room = max((sizes.get(b, 0) for b in mine & shared), default=0)
        if current and mine & shared and len(current) < room:
            current.append(col)
            shared &= mine
        else:
            if current:
                runs.append(current)
            current, shared = [col], mine
    if current:
        runs.append(current)
    return runs


def _align(run: list[int], items: list[int], base: np.ndarray) -> tuple[list[tuple[int, int]], float]:
    """The k-th column to the k-th item when the counts agree; otherwise the order-keeping
    alignment with the highest total score (items the wave did not ask leave gaps); between
    alignments of equal score, the one pairing the first columns with the first items (bare codes
    Q4 … Q12 over a block of five: the numbering's own order, the last column left over)."""
    if len(run) == len(items):
        pairs = list(zip(run, items))
        return pairs, float(sum(base[c, j] for c, j in pairs))
    n, m = len(run), len(items)
    best = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best[i, j] = max(best[i - 1, j], best[i, j - 1], best[i - 1, j - 1] + base[run[i - 1], items[j - 1]])
    pairs, i, j = [], n, m
    while i and j:
        if best[i, j] == best[i - 1, j]:
            i -= 1
        elif best[i, j] == best[i, j - 1]:
            j -= 1
        else:
            pairs.append((run[i - 1], items[j - 1]))
            i, j = i - 1, j - 1
    return pairs[::-1], float(best[n, m])


def between_neighbours(profiles: list[ColumnProfile], book: Codebook, ev: Evidence, decisions: list["Decision"]) -> bool:
    """Position evidence for a bare column left without an item (Q12 between Q11_8 and Q13_1):
    the items its values fit that lie, in codebook order, between the items of the nearest
    matched columns before and after it in the tool's numbering, and that no column took; at
    most GAP_ITEMS of them, else its place says too little. True if any was added."""
    index = {it.id: j for j, it in enumerate(book.items)}
    by_column = {d.column: d.item for d in decisions}
    order = sorted(range(len(profiles)), key=lambda i: natural_key(profiles[i].name))
    taken = {d.item for d in decisions if d.item}
    added = False
    for k, col in enumerate(order):
        if by_column.get(profiles[col].name) or ev.bare is None or not ev.bare[col]:
            continue
        before = next((by_column[profiles[c].name] for c in reversed(order[:k]) if by_column.get(profiles[c].name)), None)
        after = next((by_column[profiles[c].name] for c in order[k + 1:] if by_column.get(profiles[c].name)), None)
        if before is None or after is None or index[before] >= index[after]:
            continue
        fits = [j for j in range(index[before] + 1, index[after])
                if book.items[j].id not in taken and ev.values[col, j] >= 0.5]
        if 0 < len(fits) <= GAP_ITEMS:
            ev.position[col, fits] = 1.0
            added = True
    return added


# --- assignment ------------------------------------------------------------------------------


@dataclass
class Decision:
    column: str
    item: str | None  # None: a candidate new question
    score: float
    confidence: str  # high | medium | low
    text: float
    values: float
    position: float
    runner_up: str | None  # item id or "new question"
    runner_up_score: float | None
    notes: list[str] = field(default_factory=list)

    @property
    def margin(self) -> float:
        return self.score - (self.runner_up_score or 0.0)


def assign(profiles: list[ColumnProfile], book: Codebook, ev: Evidence) -> list[Decision]:
    """One item per column at most and one column per item, maximising the total score; a
    column whose best item scores below NEW_QUESTION becomes a candidate new question."""
    score = ev.combined
    n, m = score.shape
    new = np.full((n, n), -1.0)
    np.fill_diagonal(new, NEW_QUESTION)
    rows, cols = linear_sum_assignment(-np.hstack([score, new]))
    items = list(book.items)
    tied = {c for run in ev.runs if run["tie"] for c, _ in run["aligned"]}
    in_runs = {c for run in ev.runs for c, _ in run["aligned"]}
    decisions = []
    for r, c in sorted(zip(rows, cols)):
        chosen = items[c].id if c < m else None
        s = float(score[r, c]) if c < m else NEW_QUESTION
        alternatives = [(float(score[r, j]), items[j].id) for j in range(m) if j != c]
        if c < m:
            alternatives.append((NEW_QUESTION, "new question"))
        best_other = max(alternatives, default=(0.0, None))
        # a new question: the evidence of its nearest item (by its words where its values fit none)
        shown = c if c < m else int(np.argmax(score[r])) if score[r].max() > 0 else int(np.argmax(ev.named[r]))
        d = Decision(profiles[r].name, chosen, s, "", float(ev.text[r, shown]), float(ev.values[r, shown]),
                     float(ev.position[r, shown]), best_other[1], best_other[0])
        identified = c < m and ev.identity is not None and ev.identity[r, c] > ev.text[r, c]
        d.confidence = _confidence(d, profiles[r], r in tied, float(ev.named[r, shown]))
        if identified:
            d.notes.append(f"named by its values ({ev.identity[r, c]:.2f}): they name {items[c].id}'s own answers or option")
        if chosen and r not in in_runs and ev.position[r, c] > 0:
            d.notes.append("placed by the numbering: its item lies between those of its matched neighbours")
        if r in tied and chosen:
            d.notes.append("its numbered group fits two blocks equally well: the block was chosen by the columns' numbering")
        if chosen and not informative(profiles[r]):
            d.notes.append("no variable label or descriptive name: matched on values and position only")
        decisions.append(d)
    return decisions


def _confidence(d: Decision, profile: ColumnProfile, tied: bool, named: float) -> str:
    if d.item is None:  # always a person's decision: a missed match, or a stanza to add to the codebook
        return "low"
    if d.score < LOW or d.margin < CLOSE / 2 or tied or not informative(profile) or named < 0.5:
        return "low"
    if d.score >= HIGH and d.margin >= CLOSE:
        return "high"
    return "medium"

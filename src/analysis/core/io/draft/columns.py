"""What one export column holds, and which answer each of its codes means for a given item.

A column's profile: its name, variable label, SPSS value labels and user-missing codes, and the
distinct values it holds (read by `core/io/readers.read_export`, so a draft reads exactly what
validation will read). A code map is proposed from value labels, or from text values, by a
one-to-one assignment of codes to the item's answers on label similarity.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from analysis.core.codebook import Answer, Item
from analysis.core.io.draft.text import Scorer, normalise, phrase_similarity
from analysis.core.io.readers import HEADER_RECORD, ExportReadError, RawExport, normalise_cell, read_export

# Common ways survey tools label the answers the codebook keys ja / nee / weet_niet, and labels
# that mean "no answer". Matching aids only: the codebook's own nl/en labels are matched too.
ANSWER_ALIASES = {
    "ja": ["ja", "yes", "j", "y", "wel", "aangevinkt", "aangekruist", "gekozen", "genoemd", "checked",
           "ticked", "selected", "mentioned"],
    "nee": ["nee", "no", "n", "niet", "niet aangevinkt", "niet aangekruist", "niet gekozen", "niet genoemd",
            "unchecked", "not checked", "not ticked", "not selected", "not mentioned"],
    "weet_niet": ["weet niet", "weet ik niet", "dont know", "don t know", "do not know", "dk", "geen idee"],
}
NO_ANSWER_LABELS = ["geen antwoord", "no answer", "missing", "ontbrekend", "niet ingevuld", "not answered",
                    "nvt", "n v t", "niet van toepassing", "not applicable", "wil niet zeggen", "refused",
                    "onbekend", "unknown", "system missing", "sysmis"]
MATCHED = 0.5  # a code whose label is less like any answer than this is left unmapped
# The labels an answer set gives "ticked" (codebook nl/en): its items are members of a multiple-choice
# question, which survey tools write as the option's own text (Qualtrics: "Laag inkomen") or "Y"
# when ticked and leave empty when not (LimeSurvey, Qualtrics).
TICKED_LABELS = {"aangekruist", "aangevinkt", "gekozen", "genoemd", "geselecteerd", "ticked", "checked",
                 "selected", "chosen", "mentioned"}
CHOICE_TEXT = 0.8  # the one text a multiple-choice member holds: "ticked", by how tools write them
EMPTY_NOT_TICKED = 0.6  # an empty cell of such a member read as "not ticked": the tools' convention, to check
CONTAINED = 0.65  # a label that holds an answer's whole name ("Sport en recreatie" ~ Sport): likely, to check

# A survey tool's own bookkeeping columns (Qualtrics, LimeSurvey, SurveyMonkey, Google Forms,
# Survalyzer): never answers. Names compared without case, spaces or punctuation. The one list of them.
TOOL_METADATA_NAMES = {
    "timestamps": ["StartDate", "EndDate", "RecordedDate", "submitdate", "startdate", "datestamp", "Timestamp",
                   "Tijdstempel", "Start time", "End time", "Completion time", "Date Created", "Date Modified"],
    "tool bookkeeping": ["Status", "Progress", "Finished", "Duration (in seconds)", "Duration", "interviewtime",
                         "UserLanguage", "startlanguage", "lastpage", "IPAddress", "ipaddr", "IP Address",
                         "ResponseId", "Response ID", "RespondentID", "CollectorID", "ExternalReference",
                         "RecipientLastName", "RecipientFirstName", "RecipientEmail", "LocationLatitude",
                         "LocationLongitude", "DistributionChannel", "refurl", "seed", "token", "Q_RecaptchaScore",
                         "Q_RelevantIDDuplicate", "Q_RelevantIDFraudScore"],
}
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?|\d{1,2}[-/]\d{1,2}[-/]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?")


def _bare_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


_METADATA_KIND = {_bare_name(n): kind for kind, names in TOOL_METADATA_NAMES.items() for n in names}


def tool_metadata(profile: "ColumnProfile") -> str | None:
    """Why the column is the survey tool's bookkeeping rather than an answer (None: it may be an
    answer): by its values (dates and times) or by a tool's own column name, the values said too."""
    values = profile.values
    dates = bool(values) and all(_DATE.fullmatch(v.strip()) for v in values)
    kind = _METADATA_KIND.get(_bare_name(profile.name))
    if not dates and kind is None:
        return None
    if dates:
        what = "dates and times"
    elif not values:
        what = "empty"
    elif len(values) == 1:
        what = f"always {values[0]!r}"
    elif {v.lower() for v in values} <= {"true", "false", "0", "1"}:
        what = "True/False flags"
    elif profile.numeric and all(0 <= float(v.replace(",", ".")) <= 100 for v in values):
        what = "numbers 0-100"
    elif profile.numeric:
        what = "numbers (durations, counts)"
    elif profile.unique:
        what = "a different value per row (an id)"
    else:
        what = f"{len(values)} distinct values"
    return f"{kind or 'timestamps'}: {what}" + ("; a survey tool's own column name" if kind else "")


@dataclass
class ColumnProfile:
    name: str
    position: int  # place in the file (0-based)
    label: str | None  # SPSS variable label
    values: list[str]  # distinct non-missing values, most frequent first
    n_rows: int
    n_present: int
    value_labels: dict[str, str] = field(default_factory=dict)  # code -> label (SPSS)
    user_missing: set[str] = field(default_factory=set)  # SPSS user-missing codes (read as missing)
    present: pd.Series | None = None  # which rows hold a value

    @property
    def numeric(self) -> bool:
        return bool(self.values) and all(_is_number(v) for v in self.values)

    @property
    def unique(self) -> bool:
        return self.n_present == self.n_rows and len(self.values) == self.n_rows

    @property
    def text(self) -> str:
        """What the column says about itself: its variable label, else its name."""
        return self.label or self.name

    def coded_values(self) -> dict[str, str | None]:
        """Every code the column may hold -> its label (None: no label)."""
        codes: dict[str, str | None] = {code: label for code, label in self.value_labels.items()}
        for v in self.values:
            codes.setdefault(v, None if _is_number(v) else v)
        return codes


def _is_number(value: str) -> bool:
    return re.fullmatch(r"-?\d+(?:[.,]\d+)?", str(value)) is not None


def header_rows_of(path: str | Path) -> RawExport:
    """The export read with as many header rows as it has: a file whose columns hold values under
    no name (SurveyMonkey's options on row 2 below a question over several columns), or whose
    first row reads as header (Qualtrics' question texts under bare ids, its ImportId records), is
    read again with 2 or 3 header rows: the fewest after which neither is left."""
    raw = read_export(path)
    if Path(path).suffix.lower() == ".sav" or not (_unnamed(raw) or _header_like(raw)):
        return raw
    for rows in (2, 3):
        try:
            again = read_export(path, rows)
        except ExportReadError:
            break
        if not _unnamed(again) and not _header_like(again) and len(again.data):
            return again
    return raw


def _unnamed(raw: RawExport) -> bool:
    return any(p.rule == "unnamed_column" for p in raw.problems)


def _header_like(raw: RawExport) -> bool:
    """The first row read as a respondent is more header: mostly ImportId records, or long texts
    (questions) under bare ids such as Q4, Q11_1."""
    if raw.data.empty:
        return False
    first = raw.data.iloc[0].astype("string").fillna("")
    filled = [c for c in raw.data.columns if first[c]]
    if filled and sum(bool(HEADER_RECORD.match(first[c])) for c in filled) >= 0.5 * len(filled):
        return True
    ids = [c for c in raw.data.columns if re.fullmatch(r"[A-Za-z]{0,3}\d+([_.#-]\d+)*", str(c))]
    return len(ids) >= 2 and sum(len(first[c]) > 25 for c in ids) >= 0.8 * len(ids)


def read_profiles(path: str | Path) -> tuple[RawExport, list[ColumnProfile]]:
    """Profiles of every column of an export (.csv, .sav, .xlsx), read with as many header rows as
    it has (header_rows_of; the draft proposes that number)."""
    raw = header_rows_of(path)
    labels, missing = _spss_metadata(Path(path))
    profiles = []
    for position, name in enumerate(raw.data.columns):
        col = raw.data[name]
        present = col.notna()
        counts = col.dropna().astype(str).value_counts(sort=False)
        values = sorted(counts.index, key=lambda v: (-counts[v], v))
        profiles.append(ColumnProfile(
            name=str(name), position=position, label=labels.get(name) or None, values=list(values),
            n_rows=len(col), n_present=int(present.sum()), value_labels=dict(raw.value_labels.get(name, {})),
            user_missing=missing.get(name, set()), present=present.reset_index(drop=True)))
    return raw, profiles


def _spss_metadata(path: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Variable labels and user-missing codes of a .sav (the reader turns user-missing into
    missing values; the draft needs to know which codes they were)."""
    if path.suffix.lower() != ".sav":
        return {}, {}
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(path), metadataonly=True, user_missing=True)
    labels = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    missing: dict[str, set[str]] = {}
    for col, ranges in (meta.missing_ranges or {}).items():
        labelled = [float(c) for c in (meta.variable_value_labels or {}).get(col, {}) if isinstance(c, (int, float))]
        for r in ranges:
            lo, hi = r["lo"], r["hi"]
            codes = {normalise_cell(lo)} if lo == hi else {normalise_cell(c) for c in labelled if lo <= c <= hi}
            missing.setdefault(col, set()).update(codes)
    for col, values in (meta.missing_user_values or {}).items():
        missing.setdefault(col, set()).update(normalise_cell(v) for v in values)
    return labels, missing


@dataclass
class CodeMap:
    codes: dict[str, str | None]  # tool code -> answer key (None = no answer)
    similarity: dict[str, float]  # per code: how sure (1 = the label is the answer's name)
    unmapped: list[str]  # codes present or labelled that match no answer
    guessed: bool  # no labels and no text: mapped by convention
    choice_text: str | None = None  # a multiple-choice member's option text ("Laag inkomen" when ticked)

    @property
    def quality(self) -> float:
        """0..1: how well the column's codes fit the item's answers."""
        sims = [s for code, s in self.similarity.items()] + [0.0] * len(self.unmapped)
        return float(np.mean(sims)) if sims else 0.0


def answer_names(answer: Answer) -> list[str]:
    return [answer.nl, answer.en, answer.key.replace("_", " "), *answer.aliases, *ANSWER_ALIASES.get(answer.key, [])]


def label_similarity(label: str, answer: Answer, scorer: Scorer) -> float:
    names = answer_names(answer)
    exact = normalise(label).replace(".", "") in {normalise(n).replace(".", "") for n in names}
    if exact:
        return 1.0
    similar = max(max(scorer.score(label, n), phrase_similarity(label, n)) for n in names)
    return max(similar, CONTAINED if contains_answer(label, answer) else 0.0)


def contains_answer(label: str, answer: Answer) -> bool:
    """The label holds the answer's own name (nl or en, 4 letters or more) word for word, a word
    of it perhaps as the start of a compound: "Sport en recreatie" ~ Sport, "Jeugdbeleid" ~ Jeugd,
    "Ruimtelijke ordening" ~ Ruimte. Not a label that means no answer ("Niet van toepassing")."""
    if is_no_answer(label):
        return False
    have = [w.strip(".") for w in normalise(label).split()]
    for name in (answer.nl, answer.en):
        wanted = [w.strip(".") for w in normalise(name).split()]
        if not wanted or len("".join(wanted)) < 4:
            continue
        if all(any(h == w or (len(w) >= 4 and len(h) >= len(w) + 3 and h.startswith(w)) for h in have) for w in wanted):
            return True
    return False


def is_choice_member(item: Item) -> bool:
    """An item whose answers are ticked / not ticked (ja / nee, ja labelled "Aangekruist" or "Ticked")."""
    keys = {a.key: a for a in item.answers}
    return set(keys) == {"ja", "nee"} and any(normalise(t) in TICKED_LABELS for t in (keys["ja"].nl, keys["ja"].en))


def is_no_answer(label: str) -> bool:
    text = normalise(label).replace(".", " ").strip()
    return any(text == normalise(w) or phrase_similarity(text, w) >= 0.85 for w in NO_ANSWER_LABELS)


def code_map(profile: ColumnProfile, item: Item, scorer: Scorer) -> CodeMap:
    """The tool's codes of one column -> the item's answer keys."""
    cache = profile.__dict__.setdefault("_code_maps", {})
    key = (item.answers, item.answer_set, id(scorer))
    if key not in cache:
        cache[key] = _code_map(profile, item, scorer)
    return cache[key]


def _code_map(profile: ColumnProfile, item: Item, scorer: Scorer) -> CodeMap:
    coded = profile.coded_values()
    result: dict[str, str | None] = {}
    similarity: dict[str, float] = {}
    for code in sorted(profile.user_missing, key=_code_order):
        result[code] = None
        similarity[code] = 1.0
    named = {c: lab for c, lab in coded.items() if lab is not None and c not in result}
    unnamed = [c for c, lab in coded.items() if lab is None and c not in result]
    unmapped: list[str] = []
    if named:
        assigned = _assign_labels(named, item.answers, scorer)
        for code, label in named.items():
            if code in assigned:
                result[code], similarity[code] = assigned[code]
            elif is_no_answer(label):
                result[code], similarity[code] = None, 0.9
            elif code in profile.values or not unnamed:
                unmapped.append(code)
    guessed = False
    if unnamed:
        guessed = True
        taken = {k for k in result.values() if k}
        for code, key, sim in _by_convention(unnamed, item, taken):
            if key is None and sim == 0:
                unmapped.append(code)
            else:
                result[code], similarity[code] = key, sim
    choice = None
    if is_choice_member(item):
        choice = _choice_text(profile, unmapped)
        if choice is not None:  # the option's own text, the only value the column holds: ticked
            unmapped.remove(choice)
            result[choice], similarity[choice] = "ja", CHOICE_TEXT
        if "ja" in result.values() and "nee" not in result.values() and profile.n_present < profile.n_rows:
            result[""], similarity[""] = "nee", EMPTY_NOT_TICKED  # never a "not ticked" code: empty is
    order = sorted(result, key=_code_order)
    return CodeMap({c: result[c] for c in order}, {c: similarity[c] for c in order}, unmapped, guessed, choice)


def _choice_text(profile: ColumnProfile, unmapped: list[str]) -> str | None:
    """The one text value of a column that holds nothing else, matching no answer by its label."""
    if len(profile.values) != 1 or profile.value_labels or profile.user_missing:
        return None
    value = profile.values[0]
    return value if value in unmapped and not _is_number(value) else None


def _code_order(code: str):
    return (0, float(code.replace(",", "."))) if _is_number(code) else (1, code)


def _assign_labels(named: dict[str, str], answers: tuple[Answer, ...], scorer: Scorer) -> dict[str, tuple[str, float]]:
    """One-to-one: each answer is named by at most one code (the best-fitting one)."""
    codes = list(named)
    sims = np.array([[label_similarity(named[c], a, scorer) for a in answers] for c in codes])
    rows, cols = linear_sum_assignment(-sims)
    return {codes[r]: (answers[k].key, float(sims[r, k])) for r, k in zip(rows, cols) if sims[r, k] >= MATCHED}


def _by_convention(codes: list[str], item: Item, taken: set[str]) -> list[tuple[str, str | None, float]]:
    """Numeric codes without labels: 9, 99, -1 … = no answer when there are more codes than
    answers; the codebook's own codes where they occur; the rest by the usual survey convention
    (in code order: yes, no, don't know last). A guess, and shown as one."""
    if not item.answers:
        return [(c, None, 0.0) for c in codes]
    numbered = sorted(codes, key=_code_order)
    free = [a.key for a in item.answers if a.key not in taken]
    out: list[tuple[str, str | None, float]] = []
    if len(numbered) > len(free):
        out += [(c, None, 0.4) for c in numbered if c in {"9", "99", "999", "-1", "-9", "-99"}]
    rest = [c for c in numbered if c not in {o[0] for o in out}]
    by_code = {str(a.code): a.key for a in item.answers}
    for code in list(rest):
        if by_code.get(code) in free:
            out.append((code, by_code[code], 0.6))
            free.remove(by_code[code])
            rest.remove(code)
    if "weet_niet" in free:  # tools list "weet niet" after yes and no
        free = [k for k in free if k != "weet_niet"] + ["weet_niet"]
    out += [(code, key, 0.4) for code, key in zip(rest, free)]
    out += [(c, None, 0.0) for c in rest[len(free):]]
    return out

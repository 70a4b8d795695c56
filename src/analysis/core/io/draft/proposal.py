"""The draft itself: column map, code maps per answer set, items not asked, candidate new
questions with ready codebook stanzas, and the municipality sheet's map."""
from __future__ import annotations

import math
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import linear_sum_assignment

from analysis.core.codebook import Answer, Codebook, CodebookError, Item, load_codebook
from analysis.core.io.draft.columns import (
    CodeMap,
    ColumnProfile,
    code_map,
    read_profiles,
    tool_metadata,
)
from analysis.core.io.draft.matching import (
    Decision,
    assign,
    between_neighbours,
    codebook_scorer,
    evidence,
    value_score,
)
from analysis.core.io.draft.text import Scorer, normalise, words
from analysis.core.vocabulary import SHEET_SIZE_CLASSES, SHEET_VALUE_WORDS, YES_NO_UNKNOWN

# The municipality sheet's columns (README "Municipality sheet") and the words a sheet may use
# for them and for their values. Matching aids: the canonical names are matched too.
SHEET_COLUMNS = {
    "municipality_id": ["gemeente id", "gemeentecode", "gemeentenummer", "gemeente", "gem", "municipality id",
                        "municipality", "code"],
    "name": ["naam", "gemeentenaam", "name", "municipality name"],
    "size_class": ["grootteklasse", "grootte", "omvang", "klasse", "size class", "size", "type gemeente"],
    "krachtwijk": ["krachtwijk", "krachtwijken", "aandachtswijk", "prachtwijk", "deprived neighbourhood"],
    "questionnaires_sent": ["vragenlijsten verzonden", "verzonden", "verstuurd", "aantal verstuurd", "uitgezet",
                            "questionnaires sent", "sent"],
    "note": ["opmerking", "toelichting", "notitie", "note", "remark", "comment"],
    "reconstructed": ["gereconstrueerd", "reconstructed"],
}
# Extra spellings the draft recognises beside the words validation accepts (SHEET_VALUE_WORDS, the
# one list of those): what it proposes is then written into the wave's municipality_map.codes.
_SHEET_VALUE_AIDS = {
    "size_class": {"G4": ["g 4", "grote vier", "big four"], "G32": ["g 32"], "small": ["kleine gemeente", "other"],
                   "unknown": ["nvt", "n v t"]},
    "krachtwijk": {"yes": ["j", "y", "1", "true", "waar"], "no": ["n", "0", "false", "onwaar"], "unknown": ["nvt"]},
}


def _sheet_value_names() -> dict[str, dict[str, list[str]]]:
    names: dict[str, dict[str, list[str]]] = {}
    for column, aids in _SHEET_VALUE_AIDS.items():
        by_key = names.setdefault(column, {})
        for word, key in SHEET_VALUE_WORDS[column].items():
            by_key.setdefault(key, []).append(word)
        for key, extra in aids.items():
            by_key.setdefault(key, []).extend(extra)
    return names


SHEET_VALUES = _sheet_value_names()
assert set(SHEET_VALUES["size_class"]) == set(SHEET_SIZE_CLASSES) and set(SHEET_VALUES["krachtwijk"]) == set(YES_NO_UNKNOWN)


@dataclass
class CodeDecision:
    scope: str  # answer set name, "sector", or an item id for a column that codes differently
    code: str
    key: str | None
    similarity: float
    label: str | None
    columns: list[str]
    confidence: str

    @property
    def line(self) -> str:
        return f"codes.{self.scope}.{self.code}"


@dataclass
class NewQuestion:
    column: str
    stanza: dict
    answer_set: dict | None  # a new answer set the stanza needs, {name: [answers]}
    code_map: dict[str, str | None]
    valid: str  # "" if the codebook with the stanza loads, else the error


@dataclass
class SheetDecision:
    column: str
    target: str | None
    score: float
    confidence: str
    values: dict[str, str] = field(default_factory=dict)
    unmapped_values: list[str] = field(default_factory=list)


@dataclass
class Draft:
    wave: str
    export: str
    sheet: str | None
    decisions: list[Decision]
    codes: dict[str, dict[str, str | None]]
    code_decisions: list[CodeDecision]
    not_asked: list[tuple[str, str, str]]  # item, confidence, note
    new_questions: list[NewQuestion]
    codebook_edits: list[str]
    sheet_decisions: list[SheetDecision]
    profiles: dict[str, ColumnProfile]
    ignored: list[tuple[str, str]] = field(default_factory=list)  # the tool's bookkeeping columns, and why
    header_rows: int = 1  # the export's header rows, as found (columns.header_rows_of)

    @property
    def columns(self) -> dict[str, str]:
        """Tool column -> codebook id (new questions: the proposed id)."""
        new = {q.column: q.stanza["id"] for q in self.new_questions}
        return {d.column: d.item or new[d.column] for d in self.decisions if d.item or d.column in new}

    @property
    def low(self) -> set[str]:
        """Every column and code line the researcher should check."""
        out = {d.column for d in self.decisions if d.confidence == "low"}
        out |= {c.line for c in self.code_decisions if c.confidence == "low"}
        return out


def draft_wave(export: str | Path, book: Codebook, wave: str, sheet: str | Path | None = None,
               codebook_path: str | Path | None = None, sectors_path: str | Path | None = None) -> Draft:
    raw, profiles = read_profiles(export)
    scorer = codebook_scorer(book)
    sheet_profiles = read_profiles(sheet)[1] if sheet else None
    sheet_ids = _sheet_ids(sheet_profiles, profiles)
    ev = evidence(profiles, book, scorer, sheet_ids)
    decisions = assign(profiles, book, ev)
    if between_neighbours(profiles, book, ev, decisions):  # bare columns left over: their neighbours' items bound them
        decisions = assign(profiles, book, ev)
    by_name = {p.name: p for p in profiles}
    # a column no item took that is the tool's bookkeeping (StartDate, Progress, ...): ignore, not a new question
    ignored = [(d.column, why) for d in decisions if d.item is None and (why := tool_metadata(by_name[d.column]))]
    for d in decisions:
        if any(d.column == c for c, _ in ignored):
            d.notes.append(f"proposed under `ignore:` ({dict(ignored)[d.column]})")
    ignored_columns = {c for c, _ in ignored}
    codes, code_decisions = _code_maps(decisions, by_name, book, scorer)
    taken = {d.item for d in decisions if d.item}
    not_asked = _not_asked(book, wave, taken, [d for d in decisions if d.column not in ignored_columns], ev, profiles)
    new_questions = [_new_question(by_name[d.column], d, book, wave, scorer, raw.data, decisions, codes,
                                   codebook_path, sectors_path)
                     for d in decisions if d.item is None and d.column not in ignored_columns]
    _dedupe_ids(new_questions, book)
    edits = [f"item `{book[i].id}` is restricted to waves {list(book[i].only_in_waves)}: add `{wave}` to its "
             f"`only_in_waves` in config/codebook.yaml" for i in taken
             if book[i].only_in_waves and wave not in book[i].only_in_waves]
    sheet_decisions = _sheet_map(sheet_profiles, profiles, decisions) if sheet_profiles else []
    return Draft(wave, str(export), str(sheet) if sheet else None, decisions, codes, code_decisions, not_asked,
                 new_questions, edits, sheet_decisions, by_name, ignored, raw.header_rows)


def _sheet_ids(sheet: list[ColumnProfile] | None, export: list[ColumnProfile]) -> set[str] | None:
    """The sheet column most like municipality ids: its values as a set."""
    if not sheet:
        return None
    best, best_share = None, 0.0
    for col in sheet:
        if not col.values:
            continue
        for other in export:
            if not other.values or other.unique:
                continue
            share = sum(v in set(col.values) for v in other.values) / len(other.values)
            if share > best_share and len(col.values) >= 2:
                best, best_share = col, share
    return set(best.values) if best is not None and best_share >= 0.8 else None


# --- code maps -------------------------------------------------------------------------------


def _code_maps(decisions: list[Decision], profiles: dict[str, ColumnProfile], book: Codebook,
               scorer: Scorer) -> tuple[dict[str, dict], list[CodeDecision]]:
    """One code map per answer set where the tool codes every item of the set alike; an item
    whose column codes otherwise gets its own map (by item id)."""
    per_scope: dict[str, list[tuple[Decision, Item, CodeMap]]] = {}
    for d in decisions:
        if not d.item or not book[d.item].answers:
            continue
        item = book[d.item]
        per_scope.setdefault(item.answer_set or item.type, []).append((d, item, code_map(profiles[d.column], item, scorer)))
    maps: dict[str, dict] = {}
    notes: list[CodeDecision] = []
    for scope, members in sorted(per_scope.items()):
        signatures = Counter(tuple(cm.codes.items()) for _, _, cm in members)
        merged: dict[str, str | None] = {}
        for sig, _ in signatures.most_common():
            group = [m for m in members if tuple(m[2].codes.items()) == sig]
            if all(merged.get(c, k) == k for c, k in sig):
                merged.update(dict(sig))
                notes += [n for d, it, cm in group for n in _code_notes(scope, cm, [d.column], profiles[d.column], it)]
            else:  # codes this set's other columns use otherwise: a map for these items only
                for d, item, cm in group:
                    maps[item.id] = dict(cm.codes)
                    notes += _code_notes(item.id, cm, [d.column], profiles[d.column], item)
        own = {str(a.code): a.key for a in members[0][1].answers}
        canonical = all(d.column == it.id for d, it, _ in members)
        if merged and canonical and all(own.get(c) == k for c, k in merged.items()):
            continue  # a canonical export (codebook names and codes): validation reads it without a map
        maps[scope] = dict(sorted(merged.items(), key=lambda kv: _order(kv[0])))
    for d in decisions:  # a number's no-answer code (-99 hours) would fail validation as out of range
        if d.item and book[d.item].type == "number":
            missing = _number_no_answer_codes(profiles[d.column], book[d.item])
            if missing:
                maps[d.item] = {code: None for code in missing}
                notes += [CodeDecision(d.item, code, None, 0.6, None, [d.column], "low") for code in missing]
    return dict(sorted(maps.items())), _merge_notes(notes)


def _number_no_answer_codes(profile: ColumnProfile, item: Item) -> list[str]:
    """Unlabelled values of a number column outside the item's range that tools use for no
    answer (-1, -9, -99, 99, 999, ...): proposed as null, a guess to check."""
    out = []
    for value in profile.values:
        if value in profile.value_labels or not re.fullmatch(r"-?9+|-1", value):
            continue
        number = int(value)
        if (item.min is not None and number < item.min) or (item.max is not None and number > item.max):
            out.append(value)
    return sorted(out, key=_order)


def _order(code: str):
    try:
        return (0, float(code), "")
    except ValueError:
        return (1, 0.0, code)


def _code_notes(scope: str, cm: CodeMap, columns: list[str], profile: ColumnProfile, item: Item) -> list[CodeDecision]:
    out = []
    own = {str(a.code): a.key for a in item.answers}
    codebook_codes = profile.name == item.id and bool(cm.codes) and all(own.get(c) == k for c, k in cm.codes.items())
    for code, key in cm.codes.items():
        sim = cm.similarity.get(code, 0.0)
        label = profile.value_labels.get(code) or (code if not code.lstrip("-").isdigit() else None)
        if code == "":  # a multiple-choice member's empty cell (columns.code_map)
            label = "(empty cell: not ticked)"
        # a column named by its item id holding exactly the codebook's codes is a canonical export;
        # other unlabelled codes may be the same numbers in another order (sectors alphabetically)
        low = not codebook_codes and (sim < 0.7 or cm.guessed and label is None)
        out.append(CodeDecision(scope, code, key, sim, label, columns, "low" if low else "high"))
    for code in cm.unmapped:
        out.append(CodeDecision(scope, code, "?", 0.0, profile.value_labels.get(code), columns, "low"))
    return out


def _merge_notes(notes: list[CodeDecision]) -> list[CodeDecision]:
    merged: dict[tuple, CodeDecision] = {}
    for n in notes:
        key = (n.scope, n.code, n.key)
        if key in merged:
            m = merged[key]
            m.columns = m.columns + [c for c in n.columns if c not in m.columns]
            m.similarity = min(m.similarity, n.similarity)
            m.confidence = "low" if "low" in (m.confidence, n.confidence) else "high"
        else:
            merged[key] = CodeDecision(n.scope, n.code, n.key, n.similarity, n.label, list(n.columns), n.confidence)
    # two columns of one scope that read the same code as different answers: both low
    keys_per_code: dict[tuple, set] = {}
    for (scope, code, key) in merged:
        keys_per_code.setdefault((scope, code), set()).add(key)
    for (scope, code, key), n in merged.items():
        if len(keys_per_code[(scope, code)]) > 1:
            n.confidence = "low"
    return sorted(merged.values(), key=lambda n: (n.confidence != "low", n.scope, _order(n.code)))


# --- items not asked, new questions ----------------------------------------------------------


def _not_asked(book: Codebook, wave: str, taken: set[str], decisions: list[Decision], ev, profiles) -> list[tuple[str, str, str]]:
    """Codebook items no column was matched to; low confidence where some column came close, or
    where columns with nothing to compare by name (bare codes such as Q05_1, no label) matched no
    item: one of them may be this item, so "not asked" is a guess."""
    items = list(book.items)
    blind = [d.column for d in decisions if d.item is None and d.text == 0]
    unsure = (f"; {len(blind)} columns whose name or label resembles no item matched nothing "
              f"({', '.join(blind[:3])}{', …' if len(blind) > 3 else ''}): one may be this item") if blind else ""
    out = []
    for j, item in enumerate(items):
        if item.id in taken or item.type in ("wave",) or (item.only_in_waves and wave not in item.only_in_waves):
            continue
        scores = ev.combined[:, j]
        best = int(np.argmax(scores)) if len(scores) else None
        close = best is not None and scores[best] >= 0.45
        note = f"closest column {profiles[best].name} ({scores[best]:.2f})" if best is not None else ""
        if item.type in ("id", "municipality"):
            note = "required: the export must have this column. " + note
        low = close or bool(blind) or item.type in ("id", "municipality", "sector")
        out.append((item.id, "low" if low else "high", note + unsure))
    return out


def _slug(text: str, limit: int = 40) -> str:
    parts = [w.text for w in words(text) if len(w.text) > 2][:5]
    slug = "_".join(parts) or "new_question"
    slug = re.sub(r"[^a-z0-9_]", "", slug)[:limit].strip("_")
    return slug if slug[0].isalpha() else f"q_{slug}"


def _answer_sets(book: Codebook) -> dict[str, tuple[Answer, ...]]:
    sets: dict[str, tuple[Answer, ...]] = {}
    for it in book.items:
        if it.type == "categorical" and it.answer_set and it.answer_set not in sets:
            sets[it.answer_set] = it.answers
    return sets


def _new_question(profile: ColumnProfile, d: Decision, book: Codebook, wave: str, scorer: Scorer, data: pd.DataFrame,
                  decisions: list[Decision], codes: dict, codebook_path, sectors_path) -> NewQuestion:
    """A ready codebook stanza for a column that matched no item."""
    text = profile.label or profile.name
    stanza: dict = {"id": _slug(text)}
    answer_set, cmap = None, {}
    best_set, best_quality = None, 0.0
    for name, answers in _answer_sets(book).items():
        probe = Item(id=stanza["id"], type="categorical", nl=text, en=text, answers=answers, answer_set=name)
        quality = value_score(profile, probe, scorer, None)
        if quality > best_quality + 1e-9:
            best_set, best_quality = (name, probe), quality
    numeric_many = profile.numeric and len(profile.values) > 8
    if best_set and best_quality >= 0.6 and not numeric_many:
        stanza.update(type="categorical", answer_set=best_set[0])
        cmap = code_map(profile, best_set[1], scorer).codes
    elif profile.numeric:
        numbers = [float(v.replace(",", ".")) for v in profile.values]
        stanza.update(type="number", min=math.floor(min(numbers)), max=math.ceil(max(numbers)))
    else:
        set_name = f"{stanza['id']}_answers"
        labels = profile.coded_values()
        answers, used = [], set()
        for k, (code, label) in enumerate(sorted(labels.items(), key=lambda kv: _order(kv[0])), start=1):
            if code in profile.user_missing:
                cmap[code] = None
                continue
            key = _slug(label or code, 30)
            while key in used:
                key += "_"
            used.add(key)
            num = int(code) if code.lstrip("-").isdigit() else k
            answers.append({"code": num, "key": key, "nl": str(label or code), "en": str(label or code)})
            cmap[code] = key
        answer_set = {set_name: answers}
        stanza.update(type="categorical", answer_set=set_name)
    stanza["question_nl"] = text
    stanza["nl"] = text
    stanza["en"] = text  # to translate: the draft does not invent English
    parent = _asked_if(profile, data, decisions, codes, book)
    if parent:
        stanza["asked_if"] = parent
    elif profile.n_present < profile.n_rows:
        stanza["required"] = False
    stanza["only_in_waves"] = [wave]
    q = NewQuestion(profile.name, stanza, answer_set, cmap, "")
    if codebook_path and sectors_path:
        q.valid = validate_stanza(q, codebook_path, sectors_path)
    return q


def _asked_if(profile: ColumnProfile, data: pd.DataFrame, decisions: list[Decision], codes: dict, book: Codebook) -> dict | None:
    """A lead question that explains exactly who answered this one: answered only where the
    lead's answer is `key`, and (nearly) everyone with that answer answered."""
    if profile.present is None or profile.n_present == profile.n_rows:
        return None
    present = profile.present.to_numpy()
    best = None
    for d in decisions:
        if not d.item or d.column == profile.name or book[d.item].type != "categorical":
            continue
        item = book[d.item]
        table = codes.get(item.id) or codes.get(item.answer_set) or {}
        lead = data[d.column].reset_index(drop=True).map(lambda v, t=table: t.get(v, v) if isinstance(v, str) else None)
        for key in item.keys:
            has = lead.eq(key).fillna(False).to_numpy()
            if has.sum() == 0 or (present & ~has).any():
                continue
            if (has & ~present).sum() <= 0.1 * has.sum() and (best is None or has.sum() < best[0]):
                best = (has.sum(), {item.id: key})
    return best[1] if best else None


def _dedupe_ids(questions: list[NewQuestion], book: Codebook) -> None:
    used = set(book.ids)
    for q in questions:
        base, k = q.stanza["id"], 2
        while q.stanza["id"] in used:
            q.stanza["id"] = f"{base}_{k}"
            k += 1
        used.add(q.stanza["id"])


def validate_stanza(q: NewQuestion, codebook_path, sectors_path) -> str:
    """"" when config/codebook.yaml with the stanza (and its answer set) added still loads."""
    raw = yaml.safe_load(Path(codebook_path).read_text(encoding="utf-8"))
    raw["items"].append(q.stanza)
    if q.answer_set:
        raw["answer_sets"].update(q.answer_set)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "codebook.yaml"
        path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
        try:
            load_codebook(path, sectors_path)
        except (CodebookError, KeyError, TypeError, ValueError) as err:
            return f"{type(err).__name__}: {err}"
    return ""


# --- municipality sheet ----------------------------------------------------------------------


def _sheet_map(sheet: list[ColumnProfile], export: list[ColumnProfile], decisions: list[Decision]) -> list[SheetDecision]:
    """Sheet column -> sheet field, and its values -> the sheet's words (klein -> small)."""
    scorer = Scorer([" ".join(v) for v in SHEET_COLUMNS.values()])
    targets = list(SHEET_COLUMNS)
    municipality = next((d.column for d in decisions if d.item == "municipality_id"), None)
    export_ids = set(next((p.values for p in export if p.name == municipality), []))
    score = np.zeros((len(sheet), len(targets)))
    for i, col in enumerate(sheet):
        for j, target in enumerate(targets):
            names = SHEET_COLUMNS[target] + [target.replace("_", " ")]
            text = scorer.best(col.name, names)
            score[i, j] = 0.5 * text + 0.5 * _sheet_value_fit(col, target, export_ids)
    rows, cols = linear_sum_assignment(-score)
    chosen = dict(zip(rows, cols))
    out = []
    for i, col in enumerate(sheet):
        j = chosen.get(i)
        s = float(score[i, j]) if j is not None else 0.0
        if j is None or s < 0.35:
            out.append(SheetDecision(col.name, None, s, "low"))
            continue
        target = targets[j]
        others = [score[i, k] for k in range(len(targets)) if k != j]
        values, unmapped = _sheet_values(col, target)
        low = s < 0.6 or (others and max(others) > s - 0.1) or bool(unmapped)
        out.append(SheetDecision(col.name, target, s, "low" if low else "high", values, unmapped))
    return out


def _vocabulary_key(value: str, target: str) -> str | None:
    text = normalise(value).replace(".", " ").strip()
    for key, names in SHEET_VALUES[target].items():
        if text == normalise(key) or text in names:
            return key
    return None


def _sheet_values(col: ColumnProfile, target: str) -> tuple[dict[str, str], list[str]]:
    if target not in SHEET_VALUES:
        return {}, []
    values, unmapped = {}, []
    for v in col.values:
        key = _vocabulary_key(v, target)
        if key is None:
            unmapped.append(v)
        elif key != v:
            values[v] = key
    return values, unmapped


def _sheet_value_fit(col: ColumnProfile, target: str, export_ids: set[str]) -> float:
    if not col.values:
        return 0.0
    if target == "municipality_id":
        return sum(v in export_ids for v in col.values) / len(col.values) if export_ids else float(col.unique) * 0.5
    if target in SHEET_VALUES:
        return sum(_vocabulary_key(v, target) is not None for v in col.values) / len(col.values)
    if target == "questionnaires_sent":
        return sum(v.isdigit() or _vocabulary_key(v, "size_class") == "unknown" for v in col.values) / len(col.values)
    if target == "name":
        return 0.8 if col.unique and not col.numeric else 0.0
    if target in ("note", "reconstructed"):
        return 0.3 if not col.numeric else 0.0
    return 0.0

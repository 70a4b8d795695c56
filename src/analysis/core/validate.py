"""Validate one wave's export and municipality sheet against the codebook, lazily: every problem
is collected and reported at once, each with file, row, respondent, column, value, rule and what
was expected. Only a wave without problems becomes a responses table.
"""
from __future__ import annotations

import json
import os
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.core.codebook import Codebook
from analysis.core.disclosure.settings import disclosure_settings
from analysis.core.io.ingest import (answer_empty_cells, answer_names, code_table, column_map_problems, decode, doubly_mapped_items,
                                     layout_problem, rename_columns, text_key, tool_codes_of,
                                     unmatched_code_columns)
from analysis.core.io.readers import ExportReadError, RawExport, read_export
from analysis.core.io.sheet import SHEET_FIELDS, map_sheet, sheet_map_problems
from analysis.core.nonresponse import empty_questionnaires, item_nonresponse as count_item_nonresponse
from analysis.core.provenance import file_sha256
from analysis.core.responses import typed_responses
from analysis.core.schema import export_schema, municipality_sheet_schema, skip_logic_failures
from analysis.core.text import CODE_READING_WORDS, code_reading_lines
from analysis.core.vocabulary import SHEET_SIZE_CLASSES, YES_NO_UNKNOWN, natural_key

FAILURE_COLUMNS = ["file", "row", "respondent_id", "column", "value", "rule", "expected"]


@dataclass
class WaveValidation:
    wave: str
    failures: pd.DataFrame  # FAILURE_COLUMNS, one row per problem
    responses: pd.DataFrame | None  # typed canonical table, only when there are no failures
    municipalities: pd.DataFrame | None
    # warnings: the wave builds, the report says so
    nonresponse: pd.DataFrame | None = None  # per item: asked, answered, no_answer, pct_no_answer
    empty_rows: list = field(default_factory=list)  # file rows of empty questionnaires (unit nonresponse)
    reading: dict = field(default_factory=dict)  # how the export's codes were read (text.code_reading_lines)

    @property
    def ok(self) -> bool:
        return self.failures.empty


def validate_wave(wave: str, export_path: str, sheet_path: str, book: Codebook, column_map: dict | None,
                  not_asked: list[str] | tuple = (), *, item_nonresponse=None,
                  municipality_map: dict | None = None) -> WaveValidation:
    """`not_asked`: items the wave's questionnaire did not contain (their columns may be absent
    or empty; they become missing, shown downstream as "not asked"). `item_nonresponse`: the
    wave's policy (accept, the default, or error; or per item). `municipality_map`: columns,
    codes and ignored columns of the municipality sheet."""
    problems: list[dict] = []
    sheet_raw = _read_or_report(sheet_path, problems, (municipality_map or {}).get("header_rows", 1))
    export = _read_or_report(export_path, problems, (column_map or {}).get("header_rows", 1))
    if sheet_raw is not None:
        problems += [_problem(f"config: waves.{wave}.municipality_map", None, None, column, None, rule, expected)
                     for column, rule, expected in sheet_map_problems(sheet_raw, municipality_map, "municipality_map")]
        sheet_raw = map_sheet(sheet_raw, municipality_map)
    empty_rows: list[int] = []
    decoded = None  # the export in codebook terms: decoded once, read by every check below
    map_problems = [] if export is None else [
        _problem(f"config: waves.{wave}.column_map", None, None, column, value, rule, expected)
        for column, value, rule, expected in column_map_problems(export, book, column_map)]
    problems += map_problems
    if export is not None and not export.data.empty and not map_problems:
        export, decoded, seen, empty_rows = _without_empty_questionnaires(export, book, column_map, wave, not_asked)
    sheet = None if sheet_raw is None else sheet_raw.data
    if sheet is not None:
        problems += _sheet_failures(sheet, sheet_raw, sheet_path)
    if sheet is not None and sheet.empty:
        problems.append(_problem(sheet_path, None, None, None, None, "municipality_sheet:no_rows",
                                 "one row per municipality of the wave"))
    if sheet is not None and sheet.empty:
        sheet = None  # a sheet without rows is one problem, not one more per respondent
    if export is not None and export.data.empty:
        # a header without respondents would otherwise pass as a complete, empty wave
        problems.append(_problem(export_path, None, None, None, None, "no_respondents", "at least one respondent row"))
    elif export is not None and not map_problems:
        # an unreadable sheet is reported once, not once more for every respondent's municipality
        municipality_ids = None if sheet is None or "municipality_id" not in sheet.columns else sorted(
            sheet["municipality_id"].dropna().unique().tolist())
        problems += _export_failures(export, decoded, book, column_map, municipality_ids, wave, not_asked,
                                     item_nonresponse)
        problems += _value_label_conflicts(export, book, column_map)
    if not problems:
        problems += _more_respondents_than_sent(export, decoded, sheet_raw, sheet_path)
    failures = _as_failure_table(problems)
    warnings = {"empty_rows": empty_rows}
    if export is not None and not export.data.empty and not map_problems:
        decoded = _for_wave(decoded, export, book, column_map, wave, not_asked)
        warnings["nonresponse"] = count_item_nonresponse(decoded, book.items_in_wave(wave, not_asked))
        warnings["reading"] = how_codes_were_read(export, decoded, book, column_map, seen)
    if not failures.empty:
        return WaveValidation(wave, failures, None, None, **warnings)
    if "wave" not in decoded:
        decoded["wave"] = wave
    return WaveValidation(wave, failures, typed_responses(decoded, book), _sheet_table(sheet), **warnings)


def _without_empty_questionnaires(raw: RawExport, book: Codebook, column_map, wave,
                                  not_asked) -> tuple[RawExport, pd.DataFrame, dict, list[int]]:
    """The export and its decoded form without its empty questionnaires (nothing answered beyond
    id and municipality): returned but not filled in, they are unit nonresponse, reported with
    their file rows. Decoding is row by row, so the rows kept decode as they did in the whole."""
    seen: dict = {}
    decoded = decode(raw, book, column_map, seen)  # before empty cells are read as "not ticked": an empty row is empty
    empty = empty_questionnaires(decoded, book.items_in_wave(wave, not_asked)).to_numpy()
    if not empty.any():
        return raw, decoded, seen, []
    rows = [int(r) for r in raw.file_rows[empty]]
    kept = replace(raw, data=raw.data[~empty].reset_index(drop=True), file_rows=raw.file_rows[~empty].reset_index(drop=True))
    seen = {item: (codes[~empty], values) for item, (codes, values) in seen.items()}
    return kept, decoded[~empty].reset_index(drop=True), seen, rows


def how_codes_were_read(raw: RawExport, decoded: pd.DataFrame, book: Codebook, column_map: dict | None,
                        seen: dict | None = None) -> dict:
    """Every value of every coded column and the answer it was read as, grouped by columns read
    alike, and the wave's own categories: the mapping the validation report and the wave's
    report.html list (code maps, value labels, labels in the text), as data that
    core.text.code_reading_lines puts into words ({"groups": [...], "own": [...]}, JSON-ready).
    `seen`: decode's numbers of the raw values, where it kept them."""
    original = {v: k for k, v in ((column_map or {}).get("columns") or {}).items()}
    renamed = rename_columns(raw, column_map)
    groups: dict[tuple, list[str]] = {}
    for item in book.items:
        if not item.answers or item.id not in renamed or item.id not in decoded:
            continue  # not in decoded: the empty column of an item the wave did not ask
        raw_values = renamed[item.id]
        # a value reads as one answer wherever it occurs: its first occurrence stands for all
        first = (_first_occurrences(*seen[item.id]) if seen and item.id in seen else ~raw_values.duplicated()
                 if isinstance(raw_values, pd.Series) else slice(None))
        if isinstance(raw_values, pd.Series) and not isinstance(first, slice):
            # an empty cell is listed only where the code map made it an answer (`"": nee`)
            first = first | (raw_values.isna() & decoded[item.id].notna()).to_numpy()
        pairs = pd.DataFrame({"raw": raw_values[first], "key": decoded[item.id][first]})
        pairs = pairs[pairs["raw"].notna() | pairs["key"].notna()].fillna({"raw": ""}).drop_duplicates()
        pairs = pairs.assign(_k=pairs["raw"].map(lambda v: (0, int(v), "") if str(v).lstrip("-").isdigit() else (1, 0, str(v))))
        pairs = pairs.sort_values("_k")
        reading = tuple((str(r), None if pd.isna(k) else str(k)) for r, k in zip(pairs["raw"], pairs["key"]))
        shown = f"{original[item.id]} ({item.id})" if item.id in original else item.id
        groups.setdefault(reading, []).append(shown)
    return {"groups": [{"columns": cols, "pairs": [list(p) for p in reading]} for reading, cols in groups.items()],
            "own": [{"item": it.id, "answers": [[a.key, a.nl, a.en] for a in it.answers if a.key in it.wave_answers]}
                    for it in book.items if it.wave_answers]}


def _first_occurrences(codes: np.ndarray, values) -> np.ndarray:
    """True on the row of each distinct value's first occurrence (as ~Series.duplicated(), from
    decode's numbers of the values; missing values, code -1, are never first)."""
    rows = np.arange(len(codes))
    present = codes >= 0
    first = np.full(len(values), len(codes), dtype=np.int64)
    np.minimum.at(first, codes[present], rows[present])
    mask = np.zeros(len(codes), dtype=bool)
    mask[first[first < len(codes)]] = True
    return mask


def _read_or_report(path: str, problems: list[dict], header_rows: int = 1) -> RawExport | None:
    """The file's raw form, or None when it could not be read whole: then its records are
    reported (which row, how many fields) and its cells are not judged, since they may be shifted.
    `header_rows`: the rows its header takes (the wave's column_map / municipality_map)."""
    try:
        raw = read_export(path, header_rows)
    except ExportReadError as err:
        problems.append(_problem(path, err.line, None, None, None, err.rule, str(err)))
        return None
    problems += [_problem(path, p.line, None, p.column, p.value, p.rule, p.expected) for p in raw.problems]
    return None if raw.problems else raw


def _problem(file, row, respondent, column, value, rule, expected) -> dict:
    return dict(zip(FAILURE_COLUMNS, [file, row, respondent, column, value, rule, expected]))


def _for_wave(decoded: pd.DataFrame, raw: RawExport, book: Codebook, column_map, wave: str, not_asked) -> pd.DataFrame:
    """The decoded export as the wave asked it: empty columns of items it did not ask dropped,
    empty cells the code map names (`"": nee`) read for those asked."""
    decoded = _drop_empty_not_asked(decoded, book, wave, not_asked)
    return answer_empty_cells(decoded, raw, book.items_in_wave(wave, not_asked), column_map)


def _drop_empty_not_asked(decoded: pd.DataFrame, book: Codebook, wave: str, not_asked) -> pd.DataFrame:
    """Survey tools often export a question's column even when it was switched off: an empty
    column of an item the wave did not ask is harmless; one with answers is reported."""
    in_wave = {it.id for it in book.items_in_wave(wave, not_asked)}
    empty = [c for c in decoded.columns if c in book and c not in in_wave and decoded[c].isna().all()]
    return decoded.drop(columns=empty)


def _export_failures(raw: RawExport, decoded: pd.DataFrame, book: Codebook, column_map: dict | None,
                     municipality_ids: list[str], wave: str, not_asked=(), item_nonresponse=None) -> list[dict]:
    doubled = doubly_mapped_items(raw, column_map)
    if doubled:
        return [_problem(raw.path, None, None, item, None, "two_columns_one_item",
                         f"one column per item: columns {' and '.join(names)} both become {item} "
                         "(config column_map.columns): map only one of them") for item, names in doubled]
    decoded = _for_wave(decoded, raw, book, column_map, wave, not_asked)
    in_wave = [it.id for it in book.items_in_wave(wave, not_asked) if it.type != "wave"]
    layout = layout_problem(raw, list(decoded.columns), in_wave, column_map)
    if layout:
        return [_problem(raw.path, None, None, None, None, "export_layout", layout)]
    schema = export_schema(book, municipality_ids, wave, not_asked, item_nonresponse)
    skipped = skip_logic_failures(decoded, book, wave, not_asked, item_nonresponse)
    try:
        schema.validate(decoded, lazy=True)
        cases = skipped
    except pa.errors.SchemaErrors as err:
        cases = pd.concat([err.failure_cases, skipped], ignore_index=True) if len(skipped) else err.failure_cases
    if cases.empty:
        return []
    unmatched = unmatched_code_columns(raw, book, column_map)
    cases = cases[~(cases["column"].isin(list(unmatched)) & cases["check"].astype(str).str.startswith("isin("))]
    renamed = rename_columns(raw, column_map)
    tool_name = {v: k for k, v in ((column_map or {}).get("columns") or {}).items()}
    explain = _Explainer(book, municipality_ids, wave, column_map)
    problems = [_unmatched_codes(raw, renamed, column, tool_name.get(column), codes, explain)
                for column, codes in unmatched.items()]
    wrong_wave = cases["column"].eq("wave") & cases["check"].astype(str).str.startswith("isin(")
    if wrong_wave.sum() == len(renamed) > 1 and cases.loc[wrong_wave, "failure_case"].nunique() == 1:
        # the export of another wave (or a wave renamed in the config): one problem, not one per row
        said = str(cases.loc[wrong_wave, "failure_case"].iloc[0])
        problems.append(_problem(raw.path, None, None, "wave", said, "wave_id",
                                 f"{explain('wave_id', 'wave', said)}: every row says {said!r}"))
        cases = cases[~wrong_wave]
    for case in _distinct_cases(cases).itertuples(index=False):
        rule, column = _rule_and_column(case, book)
        if rule == "unknown_column" and column in book and column in renamed:
            # answers to a question the wave did not ask: name every answer, not just the column
            problems += _stray_answers(raw, renamed, column, tool_name.get(column), explain(rule, column, None))
            continue
        row_index = None if pd.isna(case.index) else int(case.index)
        value = _raw_value(renamed, row_index, column, case.failure_case)
        shown = f"{tool_name[column]} ({column})" if column in tool_name else column
        respondent = _respondent(renamed, row_index)
        row = None if row_index is None else int(raw.file_rows.iloc[row_index])
        problems.append(_problem(raw.path, row, respondent, shown, value, rule, explain(rule, column, value)))
    return problems


def _unmatched_codes(raw: RawExport, renamed: pd.DataFrame, column: str, tool_column: str | None, codes: list[str],
                     explain) -> dict:
    shown = f"{tool_column} ({column})" if tool_column else column
    first = int(renamed[column].notna().to_numpy().nonzero()[0][0])
    listed = ", ".join(codes[:12]) + (", …" if len(codes) > 12 else "")
    return _problem(raw.path, int(raw.file_rows.iloc[first]), None, shown, listed, "no_known_code",
                    f"{explain('allowed_code', column, None)}; not one value of the column is a known code "
                    f"(codes seen: {listed}): add or correct the wave's column_map codes")


def _stray_answers(raw: RawExport, renamed: pd.DataFrame, column: str, tool_column: str | None,
                   expected: str) -> list[dict]:
    shown = f"{tool_column} ({column})" if tool_column else column
    answered = renamed[column].notna().to_numpy().nonzero()[0]
    return [_problem(raw.path, int(raw.file_rows.iloc[i]), _respondent(renamed, i), shown, renamed[column].iloc[i],
                     "unknown_column", expected) for i in answered]


def _value_label_conflicts(raw: RawExport, book: Codebook, column_map: dict | None) -> list[dict]:
    """An SPSS file labels its codes: where the wave's code map says code 1 = ja but the file
    labels code 1 'Nee', one of the two is wrong, and every count of the item would be."""
    original = {v: k for k, v in ((column_map or {}).get("columns") or {}).items()}
    code_maps = (column_map or {}).get("codes") or {}
    problems = []
    for item in book.items:
        labels = raw.value_labels.get(original.get(item.id, item.id)) or {}
        # without a code map of its own, labels that name the answers are how the codes are read
        if not item.answers or not labels or not (code_maps.get(item.id) or code_maps.get(item.answer_set or item.type)):
            continue
        table = code_table(item, column_map, None)
        names = answer_names(item)
        for code, label in labels.items():
            said, mapped = names.get(text_key(label)), table.get(text_key(code))
            if said is not None and text_key(code) in table and (pd.isna(mapped) or mapped != said):
                column = original.get(item.id, item.id)
                shown = f"{column} ({item.id})" if column != item.id else column
                meaning = "no answer" if pd.isna(mapped) else mapped
                problems.append(_problem(raw.path, None, None, shown, code, "value_label_contradicts_code_map",
                                         f"code {code} = {meaning} (config column_map), but the file labels it {label!r}"))
    return problems


def _more_respondents_than_sent(raw: RawExport, decoded: pd.DataFrame, sheet_raw: RawExport,
                                sheet_path: str) -> list[dict]:
    """A municipality cannot return more questionnaires than it was sent: either the sheet's
    number or the export's municipality ids are wrong (response would read above 100%)."""
    sheet = sheet_raw.data
    if "questionnaires_sent" not in sheet:
        return []
    ids = decoded["municipality_id"].astype(str)
    received = ids.value_counts()
    problems = []
    for i, (m, sent) in enumerate(zip(sheet["municipality_id"].astype(str), sheet["questionnaires_sent"])):
        n = int(received.get(m, 0))
        if isinstance(sent, str) and sent.isascii() and sent.isdigit() and n > int(sent):
            problems.append(_problem(sheet_path, int(sheet_raw.file_rows.iloc[i]), None, "questionnaires_sent", sent,
                                     "municipality_sheet:fewer_sent_than_received",
                                     f"at least {n}: the export {raw.path} has {n} respondents of municipality {m}"))
    return problems


def _distinct_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """Frame-level checks report every column of a failing row: keep one line per row and check."""
    frame_level = cases["schema_context"].eq("DataFrameSchema") & cases["check"].astype(str).str.startswith("skip_logic")
    return pd.concat([cases[~frame_level], cases[frame_level].drop_duplicates(["check", "index"])])


ISIN_RULE = {"municipality": "municipality_in_sheet", "sector": "known_sector", "wave": "wave_id", "categorical": "allowed_code"}


def _rule_and_column(case, book: Codebook) -> tuple[str, str | None]:
    check = str(case.check)
    if check.startswith("skip_logic:"):
        _, rule, item = check.split(":")
        return rule, item
    if check == "column_in_dataframe":
        return "missing_column", str(case.failure_case)
    if check == "column_in_schema":
        return "unknown_column", str(case.failure_case)
    if check == "field_uniqueness":
        return "duplicate_respondent_id", case.column
    if check == "not_nullable":
        return "missing_value", case.column
    if check.startswith("isin("):
        return ISIN_RULE[book[case.column].type], case.column
    return check, case.column


def _raw_value(frame: pd.DataFrame, row_index: int | None, column: str | None, fallback) -> object:
    if row_index is None or column not in frame:
        return None if row_index is not None else fallback if isinstance(fallback, str) else None
    value = frame[column].iloc[row_index]
    return None if pd.isna(value) else value


def _respondent(frame: pd.DataFrame, row_index: int | None) -> object:
    if row_index is None or "respondent_id" not in frame:
        return None
    value = frame["respondent_id"].iloc[row_index]
    return None if pd.isna(value) else value


def _edits(a: str, b: str) -> int:
    """Levenshtein distance: characters inserted, deleted or changed to make a into b."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


# Up to this many municipality ids a problem lists them all (the 16 of 2009 fit on a line).
SHEET_IDS_LISTED = 40


class _Explainer:
    """What was expected, in words a survey researcher recognises."""

    def __init__(self, book: Codebook, municipality_ids: list[str], wave: str, column_map: dict | None = None):
        self.book, self.municipality_ids, self.wave, self.column_map = book, municipality_ids, wave, column_map

    def __call__(self, rule: str, column: str | None, value) -> str:
        item = self.book[column] if column in self.book else None
        if rule == "missing_column":
            return f"column {column} is required by the codebook ({item.nl if item else ''})"
        if rule == "unknown_column" and item is not None:
            return f"no answers: {column} is not asked in wave {self.wave} (config not_asked or codebook only_in_waves)"
        if rule == "unknown_column":
            return "a codebook item id, or a column named in the wave's column_map"
        if rule == "duplicate_respondent_id":
            return "each respondent_id once"
        if rule in ("allowed_code", "known_sector"):
            return self._wave_codes(item) or "one of " + ", ".join(f"{a.code}={a.key}" for a in item.answers)
        if rule == "municipality_in_sheet":
            return "a municipality_id of the municipality sheet" + self._sheet_ids(value) + self._padding_hint(value)
        if rule == "wave_id":
            return f"the wave id {self.wave!r} of the config"
        if rule == "type:number":
            return "a number (decimal point or comma)"
        if rule.startswith("range:"):
            return f"a number from {item.min} to {item.max}"
        if rule == "missing_value" and item is not None and item.type in ("id", "municipality", "sector"):
            return "an answer: it places the respondent in every table"
        if rule == "missing_value":
            return "an answer: asked of every respondent, and answers are compulsory (item_nonresponse: error)"
        condition = " and ".join(f"{p} = {k}" for p, k in item.asked_if.items()) if item else ""
        if rule == "answered_but_not_asked":
            return f"empty: asked only if {condition}"
        if rule == "missing_but_asked":
            return f"an answer: asked because {condition}, and answers are compulsory (item_nonresponse: error)"
        return rule

    def _wave_codes(self, item) -> str | None:
        """Where the wave's column_map reads the item's codes, the tool's codes are what the export
        should hold (the codebook's own codes would be read as nothing, or as something else)."""
        table = tool_codes_of(item, self.column_map)
        if not table:
            return None

        def shown(code) -> str:  # an empty code (an unticked box) as ""
            return str(code) or '""'

        answers = [f"{shown(code)}={key}" for code, key in table.items() if key is not None]
        missing = [shown(code) for code, key in table.items() if key is None]  # YAML null: no answer
        return ("one of the wave's codes " + ", ".join(answers) + (f"; {', '.join(missing)}: no answer" if missing else "")
                + " (config column_map codes)")

    def _sheet_ids(self, value) -> str:
        """The sheet's ids, all of them for a short sheet; for a national one (342 ids, 2,700
        characters in every such problem) their number and range, and the ids most like the value."""
        ids = [str(m) for m in self.municipality_ids]
        if len(ids) <= SHEET_IDS_LISTED:
            return ": " + ", ".join(ids)
        ordered = sorted(ids, key=natural_key)
        said = str(value).strip()
        # a typo is one or two characters off (GM0349 for GM0348); nearer the start matters more
        distance = {m: (_edits(said, m), -len(os.path.commonprefix([said, m]))) for m in ids}
        close = sorted((m for m in ids if distance[m][0] <= 2), key=lambda m: (*distance[m], natural_key(m)))[:3]
        return (f" ({len(ids)} ids, {ordered[0]} … {ordered[-1]})"
                + (f"; the most similar: {', '.join(close)}" if close else ""))

    def _padding_hint(self, value) -> str:
        """A code that is a sheet's id but for leading zeros: a spreadsheet keeps CBS codes as numbers
        (0344 -> 344) while the export writes them as text. Said, not matched silently."""
        said = str(value).strip()
        if not said.isdigit():
            return ""
        same = [m for m in self.municipality_ids if str(m).isdigit() and str(m).lstrip("0") == said.lstrip("0")]
        if not same:
            return ""
        return (f" ({said} is {same[0]} of the sheet but for leading zeros, as a spreadsheet saves codes as numbers: "
                f"map the sheet's ids under the wave's municipality_map, codes: {{municipality_id: {{{same[0]}: '{said}'}}}})")


def _sheet_failures(sheet: pd.DataFrame, raw: RawExport, path: str) -> list[dict]:
    try:
        municipality_sheet_schema().validate(sheet, lazy=True)
        return []
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    expected = {
        "size_class": "one of " + ", ".join(SHEET_SIZE_CLASSES),
        "krachtwijk": "one of " + ", ".join(YES_NO_UNKNOWN),
        "questionnaires_sent:count_or_unknown": "a whole number >= 0 or 'unknown'",
        "field_uniqueness": "each municipality_id once",
        "not_nullable": "a municipality_id",
        "column_in_schema": ("one of " + ", ".join(SHEET_FIELDS) + ": map the column in the wave's "
                             "municipality_map.columns, or list it under municipality_map.ignore"),
        "column_in_dataframe": "column municipality_id",
    }
    problems = []
    for case in cases.itertuples(index=False):
        check = str(case.check)
        rule = "duplicate_municipality_id" if check == "field_uniqueness" else check.split("(")[0].replace("isin", str(case.column))
        row_index = None if pd.isna(case.index) else int(case.index)
        row = None if row_index is None else int(raw.file_rows.iloc[row_index])
        column = str(case.failure_case) if check in ("column_in_schema", "column_in_dataframe") or not isinstance(
            case.column, str) else case.column
        key = check if check in expected else str(case.column)
        problems.append(_problem(path, row, None, column, case.failure_case, f"municipality_sheet:{rule}", expected.get(key, check)))
    return problems


def _sheet_table(sheet: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"municipality_id": sheet["municipality_id"].astype(str)})
    for col, default in (("name", ""), ("size_class", "unknown"), ("krachtwijk", "unknown"), ("questionnaires_sent", "unknown")):
        out[col] = sheet[col].fillna(default).astype(str) if col in sheet else default
    if "cbs_code" in sheet:  # only where the sheet has one: the outputs of other sheets stay as they were
        out["cbs_code"] = sheet["cbs_code"].fillna("").astype(str)
    return out.sort_values("municipality_id", key=_numeric_first).reset_index(drop=True)


def _numeric_first(ids: pd.Series) -> pd.Series:
    """Sort municipality ids 1, 2, ..., 10 rather than 1, 10, 2."""
    return ids.map(lambda v: (0, int(v), "") if str(v).isdigit() else (1, 0, str(v)))


def _as_failure_table(problems: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(problems, columns=FAILURE_COLUMNS)
    table["row"] = table["row"].astype("Int64")
    order = table.assign(_row=table["row"].fillna(0)).sort_values(["file", "_row", "column", "rule"], kind="stable")
    return order.drop(columns="_row").reset_index(drop=True)


def render_report(result: WaveValidation, inputs: dict[str, str]) -> str:
    """The validation report a person reads (results/<wave>/validation/report.md)."""
    lines = [f"# Validation of wave `{result.wave}`", ""]
    for role, path in inputs.items():
        lines.append(f"- {role}: `{path}` (sha256 `{file_sha256(path)[:16]}…`)" if Path(path).is_file() else f"- {role}: `{path}` (missing)")
    lines.append("")
    if result.ok:
        lines += [f"No problems: {len(result.responses)} respondents passed every codebook rule.", ""]
        return "\n".join(lines + _warnings_section(result) + _reading_section(result))
    f = result.failures
    lines += [f"**{len(f)} problems; no responses table was written for this wave.** "
              "Nothing in the input files was changed.", "", "## Problems per rule", ""]
    lines += [f"- {rule}: {n}" for rule, n in f["rule"].value_counts().sort_index().items()]
    lines += ["", "## Every problem", "", "| file | row | respondent | column | value | rule | expected |", "|---|---|---|---|---|---|---|"]
    for p in f.itertuples(index=False):
        cells = [p.file, p.row, p.respondent_id, p.column, p.value, p.rule, p.expected]
        lines.append("| " + " | ".join("" if pd.isna(c) else str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines + [""] + _warnings_section(result) + _reading_section(result)) + "\n"


def _warnings_section(result: WaveValidation) -> list[str]:
    """Item and unit nonresponse: not errors (the wave builds), but a reader of the tables must
    know them: the percentages are of those who answered."""
    lines = ["## Warnings", ""]
    nr = result.nonresponse
    if nr is None and not result.empty_rows:  # the answers were never read: nothing to say of them
        return lines + ["Item nonresponse not counted: the export was not read as answers (see the problems above).", ""]
    with_gaps = nr[nr["no_answer"] > 0] if nr is not None else pd.DataFrame()
    if with_gaps.empty and not result.empty_rows:
        return lines + ["None: every respondent answered every question asked of them.", ""]
    if not with_gaps.empty:
        missing, items = int(with_gaps["no_answer"].sum()), len(with_gaps)
        lines += [f"### Item nonresponse: {missing} answer{'s' if missing > 1 else ''} missing in {items} "
                  f"item{'s' if items > 1 else ''}", "",
                  "Asked but not answered (left empty, or the tool's no-answer code). Accepted and counted: "
                  "cells.csv has `asked`, `answered` and `no_answer`, and every percentage is of those who "
                  "answered (`base` = answered). `item_nonresponse: error` in the wave's config makes answers compulsory.",
                  "", "| item | asked | answered | no answer | % no answer |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {r.item} | {r.asked} | {r.answered} | {r.no_answer} | {r.pct_no_answer:.1f} |"
                  for r in with_gaps.itertuples(index=False)]
        lines.append("")
    if result.empty_rows:
        n = len(result.empty_rows)
        rows = ", ".join(str(r) for r in result.empty_rows)
        lines += [f"### Unit nonresponse: {n} empty questionnaire{'s' if n > 1 else ''}", "",
                  f"{'Rows' if n > 1 else 'Row'} {rows} of the export answer{'' if n > 1 else 's'} nothing beyond "
                  "respondent id and municipality: returned empty, not counted as respondents.", ""]
    return lines


def _reading_section(result: WaveValidation) -> list[str]:
    lines = code_reading_lines(result.reading, "en")
    if not lines:
        return []
    words = CODE_READING_WORDS["en"]
    return [f"## {words['title']}", "", words["intro"], ""] + [f"- {line}" for line in lines] + [""]


def _stopped(wave: str, export_path: str, err: Exception) -> WaveValidation:
    """An error no rule foresaw, as one problem: the report still says what and where."""
    where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(traceback.extract_tb(err.__traceback__))
                  if "analysis" in f.filename), "")
    problem = _problem(export_path, None, None, None, None, "validation_stopped",
                       f"validation stopped at {where or 'an unforeseen error'}: {type(err).__name__}: "
                       f"{str(err).strip()[:300] or 'no detail'} (an input this version cannot judge: please report it)")
    return WaveValidation(wave, _as_failure_table([problem]), None, None)


def run_validation(wave, export_path, sheet_path, book, column_map, report_dir, responses_out, municipalities_out,
                   not_asked=(), disclosure: dict | None = None, item_nonresponse=None,
                   municipality_map: dict | None = None, reading_out=None) -> tuple[bool, str]:
    """Validate and write: the report always; the responses table (and, to `reading_out`, how the
    export's codes were read, for the wave's report.html) only when nothing failed.

    In public mode — the default when `disclosure` says nothing else — the municipality ids of both
    outputs are pseudonyms from here on, and the sheet loses its names: every later step sees only
    the pseudonyms. Real ids only with `disclosure={"mode": "restricted"}`."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    report = report_dir / "report.md"
    # nothing of an earlier run may survive to look like this run's result
    for stale in (responses_out, municipalities_out, report, report_dir / "failures.csv"):
        Path(stale).unlink(missing_ok=True)
    try:
        result = validate_wave(wave, export_path, sheet_path, book, column_map, not_asked,
                               item_nonresponse=item_nonresponse, municipality_map=municipality_map)
    except Exception as err:  # noqa: BLE001 - a damaged input must give a report, never a traceback
        result = _stopped(wave, export_path, err)
    report.write_text(render_report(result, {"export": export_path, "municipality sheet": sheet_path}), encoding="utf-8")
    # failures.csv names respondents: written only when there is something to fix, so that after
    # a successful build no file under results/ but responses.parquet holds a respondent id
    failures = report_dir / "failures.csv"
    failures.unlink(missing_ok=True)
    if not result.ok:
        result.failures.to_csv(failures, index=False, lineterminator="\n")
        return False, f"Wave {wave}: validation failed with {len(result.failures)} problems; see {report} and {failures}"
    responses, sheet = result.responses, result.municipalities
    settings = disclosure_settings(disclosure)
    if settings["mode"] == "public":
        from analysis.core.disclosure.pseudonyms import public_wave

        responses, sheet = public_wave(responses, sheet, settings["pseudonym_salt"])
    responses.to_parquet(responses_out, index=False)
    sheet.to_csv(municipalities_out, index=False, lineterminator="\n")
    if reading_out:
        Path(reading_out).write_text(json.dumps(result.reading, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return True, f"Wave {wave}: {len(result.responses)} respondents valid; report {report}"

"""The municipality sheet in the shape it comes in: its own column names and values (CSV, .xlsx or
.sav), translated by the wave's `municipality_map` (columns, codes, ignore: the same shape as the
export's column_map). Every column of the sheet is mapped, declared ignored, or reported.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analysis.core.io.ingest import text_key
from analysis.core.io.readers import RawExport
from analysis.core.vocabulary import SHEET_VALUE_WORDS

SHEET_FIELDS = ("municipality_id", "name", "size_class", "krachtwijk", "questionnaires_sent", "reconstructed", "note", "cbs_code")


def map_sheet(raw: RawExport, sheet_map: dict | None) -> RawExport:
    """The sheet in the project's terms: columns renamed, ignored ones dropped, values translated
    (the map's codes first, then the Dutch words every sheet may use: klein, ja, nee, onbekend).
    A value that translates to nothing known is kept as it is, so validation names it."""
    sheet_map = sheet_map or {}
    data = raw.data.drop(columns=[c for c in sheet_map.get("ignore") or [] if c in raw.data])
    data = data.rename(columns=sheet_map.get("columns") or {})
    codes = sheet_map.get("codes") or {}
    for field in ("size_class", "krachtwijk", "questionnaires_sent"):
        if field not in data:
            continue
        words = {**SHEET_VALUE_WORDS.get(field, {}),
                 **{text_key(k): (pd.NA if v is None else str(v)) for k, v in (codes.get(field) or {}).items()}}
        data[field] = data[field].map(lambda v, w=words: v if pd.isna(v) else w.get(text_key(v), v))
    for field, table in codes.items():  # codes of the municipality id (the export's ids may differ)
        if field == "municipality_id" and field in data:
            table = {text_key(k): str(v) for k, v in table.items()}
            data[field] = data[field].map(lambda v, t=table: v if pd.isna(v) else t.get(text_key(v), v))
    return replace(raw, data=data)


def sheet_map_problems(raw: RawExport, sheet_map: dict | None, where: str) -> list[tuple[str, str, str]]:
    """(column, rule, expected) for a map that cannot be right: two sheet columns sent to one
    field, a map to a field the sheet does not have, a code map of an unknown field."""
    sheet_map = sheet_map or {}
    problems = []
    columns = sheet_map.get("columns") or {}
    for target in set(columns.values()):
        if target not in SHEET_FIELDS:
            problems.append((target, "config:municipality_map_unknown_field", f"{where}.columns maps to one of {', '.join(SHEET_FIELDS)}"))
        present = [c for c, t in columns.items() if t == target and c in raw.data]
        present += [c for c in raw.data if c == target and c not in columns]
        if len(present) > 1:
            problems.append((", ".join(present), "config:two_columns_one_field",
                             f"one column of the sheet per field: {', '.join(present)} are all {target}"))
    for field in sheet_map.get("codes") or {}:
        if field not in ("size_class", "krachtwijk", "questionnaires_sent", "municipality_id"):
            problems.append((field, "config:municipality_map_unknown_field",
                             f"{where}.codes is for size_class, krachtwijk, questionnaires_sent or municipality_id"))
    return problems

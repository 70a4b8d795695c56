"""Translate a raw export into codebook terms: column names via the wave's column map, answer
codes via the codebook (or the wave's code map), decimal commas into points.

Values that cannot be translated are kept as they are, so that validation reports them with the
value the file really holds.
"""
from __future__ import annotations

import re

import pandas as pd

from analysis.core.codebook import Codebook, Item
from analysis.core.io.readers import RawExport

DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


def rename_columns(raw: RawExport, column_map: dict | None) -> pd.DataFrame:
    """The tool's column names -> codebook ids. Without a map, canonical names are expected."""
    columns = (column_map or {}).get("columns") or {}
    return raw.data.rename(columns=columns)


def code_table(item: Item, column_map: dict | None, value_labels: dict[str, str] | None) -> dict[str, object]:
    """Raw value -> answer key (or <NA> for a code that means 'no answer') for one item.

    Precedence: the wave's code map for this item, then for its answer set; else the codebook's
    own codes, or, for an SPSS column whose value labels all name codebook answers, those labels.
    A canonical export may always give the answer key itself.
    """
    table: dict[str, object] = {a.key: a.key for a in item.answers}
    codes = (column_map or {}).get("codes") or {}
    tool_codes = codes.get(item.id) or codes.get(item.answer_set or item.type)
    if tool_codes:
        for code, key in tool_codes.items():
            table[str(code)] = pd.NA if key is None else key
        return table
    table.update({str(a.code): a.key for a in item.answers})
    by_label = _keys_by_label(item, value_labels or {})
    if by_label:
        table.update(by_label)
    return table


def _keys_by_label(item: Item, value_labels: dict[str, str]) -> dict[str, str]:
    names = {}
    for a in item.answers:
        for name in (a.key, a.nl, a.en):
            names[name.strip().lower()] = a.key
    found = {code: names.get(label.strip().lower()) for code, label in value_labels.items()}
    return found if found and all(found.values()) else {}


def decode(raw: RawExport, book: Codebook, column_map: dict | None) -> pd.DataFrame:
    """The raw export in codebook terms: canonical columns, answer keys, numbers as text."""
    frame = rename_columns(raw, column_map)
    original_names = {v: k for k, v in ((column_map or {}).get("columns") or {}).items()}
    out = frame.copy()
    for item in book.items:
        if item.id not in frame:
            continue
        col = frame[item.id]
        if item.answers:
            labels = raw.value_labels.get(original_names.get(item.id, item.id))
            table = code_table(item, column_map, labels)
            out[item.id] = col.map(lambda v, t=table: v if pd.isna(v) else t.get(v, v))
        elif item.type == "number":
            out[item.id] = col.map(lambda v: v.replace(",", ".") if isinstance(v, str) and DECIMAL_COMMA.match(v) else v)
    return out

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


def _decoded(table: dict, value: str):
    found = _lookup(table, value)  # an unknown value stays as it is, for validation to report
    return value if found is None else found


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
            out[item.id] = col.map(lambda v, t=table: v if pd.isna(v) else _decoded(t, v))
        elif item.type == "number":
            out[item.id] = col.map(lambda v: v.replace(",", ".") if isinstance(v, str) and DECIMAL_COMMA.match(v) else v)
    return out


# --- problems of the file as a whole, reported once instead of once per cell --------------------

def doubly_mapped_items(raw: RawExport, column_map: dict | None) -> list[tuple[str, list[str]]]:
    """(item, the file's columns) for every item that two columns of the file would become: the
    column map sends two tool columns onto it, or a tool column onto a name the file also has."""
    columns = (column_map or {}).get("columns") or {}
    sources: dict[str, list[str]] = {}
    for name in dict.fromkeys(raw.data.columns):  # a name twice in the file is the reader's problem
        sources.setdefault(columns.get(name, name), []).append(name)
    return [(item, names) for item, names in sources.items() if len(names) > 1]


def unmatched_code_columns(raw: RawExport, book: Codebook, column_map: dict | None) -> dict[str, list[str]]:
    """Coded items of which not one value of the file is a known code (of the codebook or the
    wave's code map): the codes of another tool or questionnaire version, or a code map for
    another wave. One problem per column says more than one per respondent."""
    frame = rename_columns(raw, column_map)
    original_names = {v: k for k, v in ((column_map or {}).get("columns") or {}).items()}
    out = {}
    for item in book.items:
        if not item.answers or item.id not in frame or not isinstance(frame[item.id], pd.Series):
            continue
        table = code_table(item, column_map, raw.value_labels.get(original_names.get(item.id, item.id)))
        seen = frame[item.id].dropna().astype(str)
        if len(seen) > 1 and not any(_lookup(table, v) is not None for v in seen.unique()):
            out[item.id] = sorted(seen.unique().tolist(), key=lambda v: (len(v), v))
    return out


def _lookup(table: dict, value: str):
    """The answer of a raw value, or None; '01' is code 1 (zero-padded codes of some tools)."""
    if value in table:
        return table[value]
    unpadded = value.lstrip("0") or "0"
    return table.get(unpadded) if value.isdigit() else None


def layout_problem(raw: RawExport, columns: list[str], expected: list[str], column_map: dict | None) -> str | None:
    """When most of the codebook's columns are missing, the file was read the wrong way (another
    separator or encoding, a header not on the first line, the tool's own names without a
    column map): say so once, with how it was read, rather than once per missing column."""
    missing = [c for c in expected if c not in columns]
    if len(missing) <= len(expected) / 2:
        return None
    found = [str(c) for c in raw.data.columns]
    mapped = ((column_map or {}).get("columns") or {})
    text = " ".join(found)
    if len(found) <= 1:
        cause = ("the file has a single column: its separator is none of comma, semicolon and tab, "
                 "or the header is not the first non-blank line")
    elif "\ufffd" in text or "Ã" in text:
        cause = f"the column names look garbled: the file is in another encoding than it was read with"
    elif not mapped:
        cause = ("the columns have other names than the codebook's item ids (a survey tool's own?): "
                 "add a column_map to the wave's entry in config/config.yaml")
    else:
        cause = ("few of the column_map's names are in the file: the map (or the export) belongs to "
                 "another tool or questionnaire version")
    shown = ", ".join(found[:5]) + (", …" if len(found) > 5 else "")
    return (f"{len(missing)} of the {len(expected)} codebook columns are missing; the file was read as "
            f"{raw.layout} and gave {len(found)} columns ({shown}). Likely cause: {cause}")

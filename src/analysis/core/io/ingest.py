"""Translate a raw export into codebook terms: column names via the wave's column map, answer
codes via the codebook (or the wave's code map), decimal commas into points.

Values that cannot be translated are kept as they are, so that validation reports them with the
value the file really holds.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.core.codebook import Codebook, Item
from analysis.core.io.readers import RawExport, map_distinct, normalise_cell
from analysis.core.nonresponse import asked_mask
from analysis.core.vocabulary import NO_ANSWER_LABELS

DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


def rename_columns(raw: RawExport, column_map: dict | None) -> pd.DataFrame:
    """The tool's column names -> codebook ids. Without a map, canonical names are expected."""
    columns = (column_map or {}).get("columns") or {}
    ignored = [c for c in (column_map or {}).get("ignore") or [] if c in raw.data]
    return raw.data.drop(columns=ignored).rename(columns=columns)


def text_key(value) -> str:
    """How a code, key or label is compared: '1.0' as '1', case and spacing ignored."""
    return " ".join(str(normalise_cell(value)).split()).casefold()


def answer_names(item: Item) -> dict[str, str]:
    """Every name of an answer (key, nl and en label), as text_key -> answer key."""
    return {text_key(name): a.key for a in item.answers for name in (a.key, a.nl, a.en)}


def tool_codes_of(item: Item, column_map: dict | None) -> dict | None:
    """The wave's code map for this item: its own, else its answer set's (or its type's)."""
    codes = (column_map or {}).get("codes") or {}
    return codes.get(item.id) or codes.get(item.answer_set or item.type)


def code_table(item: Item, column_map: dict | None, value_labels: dict[str, str] | None) -> dict[str, object]:
    """text_key(raw value) -> answer key (or <NA> for a code that means 'no answer') for one item.

    An answer key or label (nl or en, any case or spacing) is always understood, so a text
    export ("Ja", "Volksgezondheid") needs no map. Then the wave's code map for this item or its
    answer set, which decides alone where it exists; else the codebook's own codes, overruled by
    the SPSS value labels that name a codebook answer (or no answer), whatever else is labelled.
    """
    table: dict[str, object] = {**{said: pd.NA for said in NO_ANSWER_LABELS}, **answer_names(item)}
    tool_codes = tool_codes_of(item, column_map)
    if tool_codes:
        table.update({text_key(code): pd.NA if key is None else key for code, key in tool_codes.items()})
        return table
    table.update({str(a.code): a.key for a in item.answers})
    table.update(labelled_codes(item, value_labels or {}))
    return table


def labelled_codes(item: Item, value_labels: dict[str, str]) -> dict[str, object]:
    """The codes whose value label names a codebook answer (-> its key) or no answer (-> <NA>);
    codes with other labels are left to the codebook (and reported if they are not its codes)."""
    names = answer_names(item)
    found: dict[str, object] = {}
    for code, label in value_labels.items():
        said = text_key(label)
        if said in names:
            found[text_key(code)] = names[said]
        elif said in NO_ANSWER_LABELS:
            found[text_key(code)] = pd.NA
    return found


def _lookup(table: dict, value):
    """The answer of a raw value, or None; '01' is code 1 (zero-padded codes of some tools)."""
    key = text_key(value)
    if key in table:
        return table[key]
    unpadded = key.lstrip("0") or "0"
    return table.get(unpadded) if key.isdigit() else None


def _decode_value(value, table: dict[str, object]):
    if pd.isna(value):
        return value
    found = _lookup(table, value)  # an unknown value stays as it is, for validation to report
    return value if found is None else found


def empty_cell_answer(item: Item, column_map: dict | None):
    """The answer an empty cell is, where the wave's code map says so (`"": nee`), else None.
    LimeSurvey and Qualtrics write a multiple-choice member as "Y" or empty: empty is not ticked."""
    for code, key in (tool_codes_of(item, column_map) or {}).items():
        if key is not None and str(code).strip() == "":
            return key
    return None


def decode(raw: RawExport, book: Codebook, column_map: dict | None, seen: dict | None = None) -> pd.DataFrame:
    """The raw export in codebook terms: canonical columns, answer keys, numbers as text. `seen`, a
    dict, receives per coded item each row's raw value as a number and the distinct raw values."""
    frame = rename_columns(raw, column_map)
    original_names = {v: k for k, v in ((column_map or {}).get("columns") or {}).items()}
    decoded = {}
    for item in book.items:
        if item.id not in frame:
            continue
        col = frame[item.id]
        if item.answers:
            labels = raw.value_labels.get(original_names.get(item.id, item.id))
            table = code_table(item, column_map, labels)
            known = raw.distinct_values(original_names.get(item.id, item.id), len(col))
            decoded[item.id] = _answer_column(col, lambda v, t=table: _decode_value(v, t), seen, item.id, known)
        elif item.type == "number":
            # a code the file labels as no answer (99 "Geen antwoord") is no answer, not 99 hours
            labels = raw.value_labels.get(original_names.get(item.id, item.id)) or {}
            no_answer = {text_key(c) for c, label in labels.items() if text_key(label) in NO_ANSWER_LABELS}
            # so is a code the wave's code map sends to null (-99 of a CSV export has no label)
            no_answer |= {text_key(c) for c, key in (tool_codes_of(item, column_map) or {}).items() if key is None}
            decoded[item.id] = _each_distinct(col, lambda v, gone=no_answer: pd.NA if not pd.isna(v) and text_key(v) in gone else
                                              v.replace(",", ".") if isinstance(v, str) and DECIMAL_COMMA.match(v) else v)
    if frame.columns.is_unique:  # a new frame of the columns: no copy of the whole export
        return pd.DataFrame({name: decoded.get(name, frame[name]) for name in frame.columns}, index=frame.index)
    out = frame.copy()  # a name twice (reported elsewhere): decoded as before, column by column
    for name, values in decoded.items():
        out[name] = values
    return out


def _answer_column(col: pd.Series, function, seen: dict | None = None, name: str = "",
                   known: tuple | None = None) -> pd.Series:
    """A coded column decoded, as a Categorical of what its values read as (answer keys, and any
    value no code explains, kept for validation to report): the checks of a million answers are
    then comparisons of small integers. Missing and no-answer values are missing."""
    if known is None and (not isinstance(col, pd.Series)
                          or pd.api.types.infer_dtype(col, skipna=True) not in ("string", "empty")):
        return col.map(function)
    # the reader's numbers of the values where it kept them (distinct values, some perhaps alike)
    codes, distinct = known if known is not None else pd.factorize(col, use_na_sentinel=True)
    if seen is not None:
        seen[name] = (codes, distinct)
    read_as = pd.Series([function(v) for v in distinct], dtype=object)
    answer_codes, answers = pd.factorize(read_as, use_na_sentinel=True)
    recode = np.append(answer_codes, -1)
    return pd.Series(pd.Categorical.from_codes(recode[codes], categories=answers), index=col.index)


def _each_distinct(col: pd.Series, function) -> pd.Series:
    """col.map(function), with function called once per distinct value where the values are text
    (as every reader gives them): a million answers are a few codes per column."""
    if not isinstance(col, pd.Series) or pd.api.types.infer_dtype(col, skipna=True) not in ("string", "empty"):
        return col.map(function)
    return pd.Series(map_distinct(col, function), index=col.index, dtype=object)


def answer_empty_cells(decoded: pd.DataFrame, raw: RawExport, items, column_map: dict | None) -> pd.DataFrame:
    """`decoded` with the empty cells of `items` (the wave's) that the code map names (`"": nee`)
    read as that answer, for the respondents who were asked the item (its asked_if holds on the
    decoded answers, leads first as in the codebook); for the others they stay empty, as the skip
    logic requires. A no-answer code (-99: null) stays no answer: only cells empty in the file."""
    frame = rename_columns(raw, column_map)
    out = decoded.copy()
    for item in items:
        key = empty_cell_answer(item, column_map) if item.id in out and item.answers else None
        if key is not None:
            if isinstance(out[item.id].dtype, pd.CategoricalDtype) and key not in out[item.id].cat.categories:
                out[item.id] = out[item.id].cat.add_categories([key])  # decode gives answers as categories
            out.loc[asked_mask(out, item) & frame[item.id].isna().to_numpy(), item.id] = key
    return out


def column_map_problems(raw: RawExport, book: Codebook, column_map: dict | None) -> list[tuple]:
    """(column, value, rule, expected) for a column map that cannot be right, named as a config
    problem rather than left to surface as hundreds of wrong answers: two export columns sent to
    one item, one code sent to two answers ('1' and '1.0'), an answer the item does not have, a
    code map of nothing the codebook knows."""
    column_map = column_map or {}
    columns = column_map.get("columns") or {}
    ignored = set(column_map.get("ignore") or [])
    problems = []
    for target in sorted(set(columns.values())):
        present = [c for c, t in columns.items() if t == target and c in raw.data and c not in ignored]
        present += [c for c in raw.data if c == target and c not in columns and c not in ignored]
        if len(present) > 1:
            problems.append((", ".join(present), None, "config:two_columns_one_item",
                             f"one export column per codebook item: {', '.join(present)} are all mapped to {target}"))
    named = {it.id for it in book.items} | {it.answer_set for it in book.items if it.answer_set} | {it.type for it in book.items}
    for name, table in (column_map.get("codes") or {}).items():
        users = [it for it in book.items if it.answers and name in (it.id, it.answer_set, it.type)]
        if name not in named:
            problems.append((name, None, "config:unknown_code_map",
                             "column_map.codes is per answer set or item id: " + ", ".join(sorted(n for n in named if n))))
            continue
        numbers = [it.id for it in book.items if it.type == "number" and name in (it.id, it.type)]
        for code, key in (table or {}).items() if numbers and not users else ():
            if key is not None:  # a number item has no answers to send a code to, only no answer
                why = (f"column_map.codes.{name}: {code} -> {key!r}, but {', '.join(numbers)} is a number: "
                       "its code map only names the codes that mean no answer (-99: null)")
                problems.append((name, code, "config:unknown_answer", why))
        seen: dict[str, object] = {}
        keys = {k for it in users for k in it.keys}
        for code, key in (table or {}).items():
            said = text_key(code)
            if said in seen and seen[said] != key:
                problems.append((name, code, "config:one_code_two_answers",
                                 f"code {code} once: column_map.codes.{name} maps it to {seen[said]} and to {key}"))
            seen[said] = key
            if key is not None and users and key not in keys:
                problems.append((name, code, "config:unknown_answer",
                                 f"column_map.codes.{name}: {code} -> {key!r}, but the answers are " + ", ".join(sorted(keys))
                                 + " (a category of the wave's own is declared under the wave's `categories`)"))
    return problems


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
        cause = "the column names look garbled: the file is in another encoding than it was read with"
    elif not mapped:
        cause = ("the columns have other names than the codebook's item ids (a survey tool's own?): "
                 "add a column_map to the wave's entry in config/config.yaml")
    else:
        cause = ("few of the column_map's names are in the file: the map (or the export) belongs to "
                 "another tool or questionnaire version")
    shown = ", ".join(found[:5]) + (", …" if len(found) > 5 else "")
    return (f"{len(missing)} of the {len(expected)} codebook columns are missing; the file was read as "
            f"{raw.layout} and gave {len(found)} columns ({shown}). Likely cause: {cause}")

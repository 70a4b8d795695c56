"""Audit of the published report: which printed numbers contradict each other.

The published tables of RIVM Rapport 270161002 (data/reference/rivm2010/, values as printed) are
checked against themselves: a percentage against its count and base, counts against their printed
total, the same n across tables, sector totals, figures against tables, footnotes against their
table, the domain sizes of section 4.2.2 and the numbers quoted in the prose.

Every finding gets one verdict:

- "count typo": the printed count is the odd one out (the percentage and the column total agree
  with another count);
- "percentage typo": the printed percentage is the odd one out (no count of that base gives it,
  or the count agrees with the column total);
- "wrong denominator": the percentage is right for the count over another base that exists in
  the report (e.g. all respondents of a municipality instead of its collaborators);
- "not explainable by a single cell": no change of one printed number makes the numbers agree.

Everything here is a pure function of the reference tables (a dict of DataFrames keyed by file
stem); only ``load_reference`` reads files. Percentages are recomputed with exact integer
arithmetic (analysis.rounding), with the rounding rule the tables themselves fit best.
"""
from __future__ import annotations

import re
from itertools import product
from pathlib import Path

import pandas as pd

from analysis.core.rounding import PERCENT_RULES, percent_of
from analysis.rivm2010 import reference
from analysis.rivm2010.reference import load_reference, printed_int, printed_lines, printed_text  # noqa: F401

FINDING_COLUMNS = ["check", "table", "row_type", "row_id", "col_key", "printed", "consistent",
                   "verdict", "explanation", "line"]
STATUS_COLUMNS = ["table", "row_type", "row_id", "col_key", "status"]

COUNT_TYPO = "count typo"
PCT_TYPO = "percentage typo"
WRONG_BASE = "wrong denominator"
UNEXPLAINED = "not explainable by a single cell"
VERDICTS = (COUNT_TYPO, PCT_TYPO, WRONG_BASE, UNEXPLAINED)

# The appendix tables in the report's order (file stem -> table id).
APPENDIX_TABLES = {reference.REFERENCE_FILES[t]: t for t in reference.APPENDIX_TABLES}
TABLE_ORDER = ["3.1", "Box 3.1", "4.1", "4.2", "4.2.2", "Figuur 5.1", "Figuur 6.1", "Figuur 6.4",
               "VI.1", *APPENDIX_TABLES.values(), "prose"]

# What each check compares (the md report lists them, with their number of findings).
CHECKS = {
    "pct_vs_count": "printed % against count/base under the report's rounding (appendix tables, VI.1, 4.1)",
    "column_sum": "row counts against the printed total (appendix tables, VI.1 sent, Tabel 3.1)",
    "n_sum": "row n's against the n of the total row (16 municipalities -> 123 / 98; 13 sectors -> 123)",
    "n_across_tables": "a municipality's respondents (VII.2, VII.3, VIII.2) and collaborators (VIII.2 count; n of VIII.3, IX.1-3) in every table",
    "sector_n": "Tabel VIII.1 n per sector against Tabel VI.1 received",
    "domain_size": "section 4.2.2 n per VNG domain against the VI.1 respondents of the sectors it names",
    "figure_split": "Figuur 6.1 / 6.4 Ja / Weet niet / Nee: some split of the collaborators gives all three",
    "figure_vs_table": "Figuur 6.1 / 6.4 Ja against the total row of Tabel IX.1 / IX.2",
    "figure_vs_rows": "Figuur 6.1 / 6.4 against the sum of the municipality rows of Tabel IX.1 / IX.2",
    "footnote": "'(x v/d 123)' footnotes against their table's n and total percentages",
    "table_vs_table": "Tabel 4.1 and 4.2's n's against the VII.2 totals; Tabel 3.1 VGZ row against Box 3.1",
    "pct_reachable": "percentages printed without counts (Tabel 4.2, Figuur 5.1 prose) reachable from their base",
    "row_sum": "Tabel 3.1 interviews per type against the row's number of interviews",
    "box_sum": "Box 3.1 municipality types against the 16 municipalities",
    "prose": "numbers in the text against the tables (response 79% and 85%, 100 (81%), 73 of 100, 98 of 123, ...)",
}

# Skip logic: "achterstandsgroepen" was asked only of those who work on health (VII.2 total
# "73 v/d 100"), so per municipality its base is that municipality's werken_aan_gezondheid count.
NESTED_BASE = {("VII.2", "achterstandsgroepen"): "werken_aan_gezondheid"}
# Tables whose base is the municipality's collaborators (VIII.2 count), per their footnote.
COLLABORATOR_TABLES = ("VIII.3", "IX.1", "IX.2", "IX.3")
RESPONDENT_TABLES = ("VII.2", "VII.3", "VIII.2")


# --------------------------------------------------------------------------------------------
# Reading


# One reader of the reference and of a printed value (analysis.rivm2010.reference).
_int, _text, _line = printed_int, printed_text, printed_lines


def _finding(check, table, row_type, row_id, col_key, printed, consistent, verdict, explanation, line):
    assert verdict in VERDICTS, verdict
    return dict(check=check, table=table, row_type=row_type, row_id=str(row_id), col_key=col_key,
                printed=printed, consistent=consistent, verdict=verdict, explanation=explanation,
                line=line)


# --------------------------------------------------------------------------------------------
# Cells: one row per printed percentage with its count and base


def appendix_cells(ref: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The appendix tables as one frame: table, row, column, printed pct, count, n and the base."""
    frames = [_table_cells(ref[stem]) for stem in APPENDIX_TABLES if stem in ref]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# The checks ask for the same table's cells about twenty times per audit; parsing them was most of
# its run time. Keyed by the table's content, so a table changed in place is parsed afresh.
_TABLE_CELLS: dict[tuple, pd.DataFrame] = {}


def _table_cells(df: pd.DataFrame) -> pd.DataFrame:
    key = (tuple(df.columns), pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    if key not in _TABLE_CELLS:
        _TABLE_CELLS[key] = _parse_table_cells(df)
    return _TABLE_CELLS[key].copy()


def _parse_table_cells(df: pd.DataFrame) -> pd.DataFrame:
    cells = reference.appendix_cells(df)[
        ["table", "row_type", "row_id", "col_pos", "col_key", "n", "pct", "count", "denom", "pct_raw", "count_raw",
         "extra", "line", "line_n"]].copy()
    rows = cells.to_dict("records")
    counts = {(c["row_id"], c["col_key"]): c["count"] for c in reversed(rows)}  # first printed wins
    cells["base"] = pd.Series([_cell_base(counts, c) for c in rows], dtype=object)
    return cells


def _cell_base(counts: dict[tuple[str, str], int | None], cell: dict) -> int | None:
    """Who was asked: a printed denominator, else the nested item's count (from `counts`, the
    table's counts by row and column), else the row's n."""
    if cell["denom"] is not None:
        return cell["denom"]
    parent = NESTED_BASE.get((cell["table"], cell["col_key"]))
    if parent and cell["row_type"] != "total" and (cell["row_id"], parent) in counts:
        return counts[(cell["row_id"], parent)]
    return cell["n"]


def other_cells(ref: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Count/base/pct triples outside the appendix: Tabel VI.1 (received of sent) and Tabel 4.1."""
    rows = []
    vi1 = ref.get("tab_VI1_response_per_sector")
    if vi1 is not None:
        for r in vi1.to_dict("records"):
            total = str(r["sector"]).strip().lower() == "totaal"
            rows.append(dict(table="VI.1", row_type="total" if total else "sector", row_id=str(r["sector"]),
                             col_pos=1, col_key="respons", n=_int(r["sent_printed"]),
                             pct=_int(r["pct_printed"]), count=_int(r["received_printed"]), denom=None,
                             pct_raw=_text(r["pct_printed"]), count_raw=_text(r["received_printed"]),
                             extra="", line=_line(r["line"]), line_n=_line(r["line"]),
                             base=_int(r["sent_printed"])))
    t41 = ref.get("tab_4_1_priorities")
    if t41 is not None:
        for r in t41.to_dict("records"):
            rows.append(dict(table="4.1", row_type="total", row_id=str(r["item_key"]), col_pos=1,
                             col_key=str(r["item_key"]), n=_int(r["n_printed"]), pct=_int(r["pct_printed"]),
                             count=_int(r["count_printed"]), denom=None, pct_raw=_text(r["pct_printed"]),
                             count_raw=_text(r["count_printed"]), extra="", line=_line(r["line"]),
                             line_n=_line(r["line"]), base=_int(r["n_printed"])))
    return pd.DataFrame(rows, dtype=object)


def all_cells(ref: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([f for f in (appendix_cells(ref), other_cells(ref)) if len(f)], ignore_index=True)


def _usable(cell: dict) -> bool:
    return None not in (cell["pct"], cell["count"], cell["base"]) and 0 <= cell["count"] <= cell["base"] > 0


# --------------------------------------------------------------------------------------------
# Which rounding did the report use?


def rounding_evidence(ref: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per candidate rule: how many printed (pct, count, base) cells it reproduces."""
    cells = [c for c in all_cells(ref).to_dict("records") if _usable(c)]
    rows = []
    for rule in PERCENT_RULES:
        fit = sum(percent_of(c["count"], c["base"], rule) == c["pct"] for c in cells)
        rows.append(dict(rule=rule, cells=len(cells), fit=fit, misfit=len(cells) - fit))
    return pd.DataFrame(rows)


def infer_rounding_rule(ref: dict[str, pd.DataFrame]) -> str:
    """The rule that reproduces most cells; ties go to the earlier rule in PERCENT_RULES."""
    evidence = rounding_evidence(ref)
    return str(evidence.sort_values("fit", ascending=False, kind="stable")["rule"].iloc[0])


def discriminating_cells(ref: dict[str, pd.DataFrame], rules=("half_up", "half_up_via_tenths", "half_even")) -> pd.DataFrame:
    """Cells on which the candidate rules disagree: what the report printed and what each rule gives.

    kind is "exact half" (x.5: half up vs half even) or "fraction in [0.45, 0.5)" (one-step half up
    vs half up via one decimal).
    """
    rows = []
    for c in all_cells(ref).to_dict("records"):
        if not _usable(c):
            continue
        given = {rule: percent_of(c["count"], c["base"], rule) for rule in rules}
        if len(set(given.values())) > 1:
            exact_half = (200 * c["count"]) % (2 * c["base"]) == c["base"]
            rows.append(dict(table=c["table"], row_id=c["row_id"], col_key=c["col_key"],
                             kind="exact half" if exact_half else "fraction in [0.45, 0.5)",
                             count=c["count"], base=c["base"], exact=round(100 * c["count"] / c["base"], 3),
                             printed=c["pct"], line=c["line"], **given))
    return pd.DataFrame(rows)


def rule_sensitive_findings(ref: dict[str, pd.DataFrame], rule: str, other: str = "half_up") -> pd.DataFrame:
    """Findings that appear under one rounding rule but not the other (the rule decides them)."""
    mine, theirs = find_inconsistencies(ref, rule), find_inconsistencies(ref, other)
    keys = ["check", "table", "row_id", "col_key"]
    merged = theirs.merge(mine[keys], on=keys, how="outer", indicator=True)
    merged = pd.concat([merged[merged["_merge"] == "left_only"].assign(only_under=other),
                        mine.merge(theirs[keys], on=keys, how="left", indicator=True)
                        .query("_merge == 'left_only'").assign(only_under=rule)])
    return merged.drop(columns="_merge").reset_index(drop=True)


def nested_base_evidence(ref: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """For VII.2 achterstandsgroepen: does the municipality's n or its werken-count fit the pct?"""
    rule = infer_rounding_rule(ref)
    cells = appendix_cells(ref)
    rows = []
    for (table, col_key), parent in NESTED_BASE.items():
        part = cells[(cells.table == table) & (cells.col_key == col_key) & (cells.row_type != "total")]
        for c in part.to_dict("records"):
            fits = lambda base: base and c["count"] <= base and percent_of(c["count"], base, rule) == c["pct"]
            rows.append(dict(table=table, row_id=c["row_id"], printed=f"{c['pct']}% ({c['count']})",
                             n=c["n"], parent_count=c["base"], fits_n=bool(fits(c["n"])),
                             fits_parent_count=bool(fits(c["base"]))))
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Percentage vs count/base, and counts vs their printed total


def _alternative_bases(ref: dict[str, pd.DataFrame]) -> dict[tuple[str, str], list[tuple[int, str]]]:
    """Other bases the report has for a row: where a wrong denominator could have come from."""
    alts: dict[tuple[str, str], list[tuple[int, str]]] = {}
    cells = appendix_cells(ref)
    if len(cells):
        for c in cells[cells.row_type == "municipality"].to_dict("records"):
            key = ("municipality", c["row_id"])
            if c["table"] in RESPONDENT_TABLES and c["n"]:
                alts.setdefault(key, []).append((c["n"], f"all respondents of municipality {c['row_id']}"))
            if c["table"] == "VIII.2" and c["count"] is not None:
                alts.setdefault(key, []).append((c["count"], f"collaborators of municipality {c['row_id']}"))
            if c["table"] == "VII.2" and c["col_key"] == "werken_aan_gezondheid" and c["count"] is not None:
                alts.setdefault(key, []).append((c["count"], f"those of municipality {c['row_id']} who work on health"))
        for c in cells[cells.row_type == "total"].to_dict("records"):
            for base in (c["n"], c["denom"]):
                if base:
                    alts.setdefault(("total", "*"), []).append((base, f"a total base printed in Tabel {c['table']}"))
    vi1 = ref.get("tab_VI1_response_per_sector")
    if vi1 is not None:
        for r in vi1.to_dict("records"):
            alts.setdefault(("sector", str(r["sector"])), []).extend(
                [(_int(r["received_printed"]), f"questionnaires received from {r['sector']} (VI.1)"),
                 (_int(r["sent_printed"]), f"questionnaires sent to {r['sector']} (VI.1)")])
    return {k: sorted(set(v)) for k, v in alts.items()}


def _counts_giving(pct: int, base: int, rule: str) -> list[int]:
    return [c for c in range(base + 1) if percent_of(c, base, rule) == pct]


def _show(c: dict) -> str:
    count = c["count_raw"] or "(no count)"
    return f"{c['pct_raw'] or '?'} {count}, base {c['base']}"


def _count_fixes(bad: list[dict], delta: int | None, rule: str) -> dict[str, int]:
    """Counts that, changed to what their own percentage says, make the column add up."""
    if not delta:
        return {}
    options = {c["row_id"]: [k for k in _counts_giving(c["pct"], c["base"], rule) if k != c["count"]]
               for c in bad if None not in (c["pct"], c["count"], c["base"])}
    single = [rid for rid, ks in options.items()
              if (next(c for c in bad if c["row_id"] == rid)["count"] + delta) in ks]
    if len(single) == 1:
        cell = next(c for c in bad if c["row_id"] == single[0])
        return {single[0]: cell["count"] + delta}
    # Several typos in one column: accept only if every bad cell has one candidate and they add up.
    if options and all(len(ks) == 1 for ks in options.values()):
        shift = sum(ks[0] - next(c for c in bad if c["row_id"] == rid)["count"] for rid, ks in options.items())
        if shift == delta:
            return {rid: ks[0] for rid, ks in options.items()}
    return {}


def _classify_cell(c: dict, fixed: int | None, column_adds_up: bool, alts, rule: str) -> dict:
    """The verdict on one cell whose percentage does not fit count/base."""
    base, count, pct = c["base"], c["count"], c["pct"]
    exact = f"{100 * count / base:.1f}%" if base else "?"
    if fixed is not None:
        return dict(consistent=f"{pct}% ({fixed})", verdict=COUNT_TYPO,
                    explanation=f"{pct}% of {base} is {fixed}, and with {fixed} the column adds up to its printed total")
    wrong_bases = [(b, label) for b, label in alts if b and b != base and count <= b
                   and percent_of(count, b, rule) == pct]
    if wrong_bases:
        b, label = wrong_bases[0]
        return dict(consistent=f"{percent_of(count, base, rule)}% ({count} of {base})", verdict=WRONG_BASE,
                    explanation=f"{pct}% is {count} of {b} ({label}); this cell's base is {base}")
    candidates = _counts_giving(pct, base, rule)
    if count > base:
        verdict = COUNT_TYPO if candidates else UNEXPLAINED
        return dict(consistent=f"{pct}% ({' or '.join(map(str, candidates)) or '?'})", verdict=verdict,
                    explanation=f"count {count} exceeds the base {base}")
    if not candidates:
        return dict(consistent=f"{percent_of(count, base, rule)}% ({count})", verdict=PCT_TYPO,
                    explanation=f"no count out of {base} gives {pct}%; {count} of {base} is {exact}")
    if column_adds_up:
        return dict(consistent=f"{percent_of(count, base, rule)}% ({count})", verdict=PCT_TYPO,
                    explanation=f"{count} of {base} is {exact}; the count agrees with the column total")
    return dict(consistent=f"{percent_of(count, base, rule)}% ({count}) or {pct}% ({' or '.join(map(str, candidates))})",
                verdict=UNEXPLAINED,
                explanation=f"{count} of {base} is {exact}; the column total does not say whether count or percentage is wrong")


def check_percentages(cells: pd.DataFrame, alts, rule: str, check: str = "pct_vs_count") -> list[dict]:
    """Every printed percentage against count/base; the column total decides count vs pct typo."""
    findings = []
    for (table, col_key), column in cells.groupby(["table", "col_key"], sort=False):
        parts = [c for c in column.to_dict("records") if c["row_type"] != "total"]
        totals = [c for c in column.to_dict("records") if c["row_type"] == "total"]
        delta = _column_delta(parts, totals)
        bad = [c for c in parts if _cell_misfits(c, rule)]
        fixes = _count_fixes(bad, delta, rule)
        for c in bad:
            verdict = _classify_cell(c, fixes.get(c["row_id"]), delta == 0,
                                     alts.get((c["row_type"], c["row_id"]), []), rule)
            findings.append(_finding(check, table, c["row_type"], c["row_id"], col_key, _show(c),
                                     line=c["line"], **verdict))
        for t in totals:
            findings += _check_total(t, parts, delta, fixes, alts.get(("total", "*"), []), rule)
    return findings


def _cell_misfits(c: dict, rule: str) -> bool:
    if None in (c["pct"], c["count"], c["base"]) or not c["base"]:
        return False
    return c["count"] > c["base"] or percent_of(c["count"], c["base"], rule) != c["pct"]


def _column_delta(parts: list[dict], totals: list[dict]) -> int | None:
    """Printed total count minus the sum of the printed part counts (None without a total)."""
    if not totals or not parts or totals[0]["count"] is None or any(p["count"] is None for p in parts):
        return None
    return totals[0]["count"] - sum(p["count"] for p in parts)


def _check_total(t: dict, parts: list[dict], delta, fixes, alts, rule: str) -> list[dict]:
    """The total row: its own percentage, and whether the parts add up to its count."""
    findings = []
    parts_sum = sum(p["count"] for p in parts) if delta is not None else None
    if _cell_misfits(t, rule):
        if delta and parts_sum <= t["base"] and percent_of(parts_sum, t["base"], rule) == t["pct"]:
            verdict = dict(consistent=f"{t['pct']}% ({parts_sum})", verdict=COUNT_TYPO,
                           explanation=f"the parts add up to {parts_sum}, which gives the printed {t['pct']}%")
        else:
            verdict = _classify_cell(t, None, delta == 0, alts, rule)
        findings.append(_finding("pct_vs_count", t["table"], "total", t["row_id"], t["col_key"], _show(t),
                                 line=t["line"], **verdict))
    elif delta and not fixes:
        # One cell changed in both count and percentage could still close the gap: name those rows.
        could = [p["row_id"] for p in parts if 0 <= p["count"] + delta <= p["base"]]
        hint = (f"; only a row changing count and percentage together could close it: "
                f"{', '.join(could[:6])}{' …' if len(could) > 6 else ''}") if could else "; no single row can close it"
        findings.append(_finding(
            "column_sum", t["table"], "total", t["row_id"], t["col_key"],
            printed=f"total {t['count']} vs {parts_sum} = sum of the {len(parts)} rows",
            consistent=f"total {parts_sum}, or rows adding up to {t['count']}",
            verdict=UNEXPLAINED,
            explanation=(f"the total {t['count']} agrees with {t['pct']}% of {t['base']}, but the rows "
                         f"add up to {parts_sum} ({-delta:+d}){hint}"),
            line=t["line"]))
    return findings


def check_n_sums(cells: pd.DataFrame) -> list[dict]:
    """The row n's of each table add up to the n of its total row."""
    findings = []
    for table, tab in cells.groupby("table", sort=False):
        rows = tab.drop_duplicates("row_id")
        parts, total = rows[rows.row_type != "total"], rows[rows.row_type == "total"]
        if not len(total) or parts["n"].isna().any() or total["n"].isna().any():
            continue
        n_sum, n_total = int(parts["n"].sum()), int(total["n"].iloc[0])
        if n_sum != n_total:
            findings.append(_finding("n_sum", table, "total", total["row_id"].iloc[0], "n",
                                     f"n={n_total}", f"n={n_sum} (sum of the rows)", UNEXPLAINED,
                                     f"the {len(parts)} row n's add up to {n_sum}", total["line_n"].iloc[0]))
    return findings


# --------------------------------------------------------------------------------------------
# The same n across tables


def check_n_across_tables(cells: pd.DataFrame) -> list[dict]:
    """Per municipality: respondents (VII.2, VII.3, VIII.2 n) and collaborators (VIII.2 count = n
    of VIII.3, IX.1-3) must be the same number in every table; the odd table out is flagged."""
    if not len(cells):
        return []
    rows = cells.drop_duplicates(["table", "row_id"])
    findings = []
    groups = [("respondents", RESPONDENT_TABLES, "n"), ("collaborators", COLLABORATOR_TABLES, "n")]
    for label, tables, field in groups:
        values = rows[rows.table.isin(tables)][["table", "row_type", "row_id", field, "line_n"]]
        if label == "collaborators":
            collab = cells[(cells.table == "VIII.2")][["table", "row_type", "row_id", "count", "line"]]
            collab = collab.rename(columns={"count": "n", "line": "line_n"})
            values = pd.concat([collab, values], ignore_index=True)
        # Total rows are "Gemiddeld" in one table and "Gemiddeld/Totaal" in another: one group.
        group = values["row_id"].where(values["row_type"] != "total", "total")
        for _, g in values.groupby(group, sort=False):
            findings += _odd_one_out(label, g.to_dict("records"))
    return findings


def _odd_one_out(label: str, entries: list[dict]) -> list[dict]:
    known = [e for e in entries if e["n"] is not None and not pd.isna(e["n"])]
    counts = pd.Series([int(e["n"]) for e in known]).value_counts()
    if len(counts) <= 1:
        return []
    majority = int(counts.index[0])
    agreeing = ", ".join(sorted({e["table"] for e in known if int(e["n"]) == majority}))
    unanimous = counts.iloc[0] > counts.iloc[1]
    return [_finding("n_across_tables", e["table"], e["row_type"], e["row_id"], "n", f"n={int(e['n'])}",
                     f"n={majority} as in {agreeing}", COUNT_TYPO if unanimous else UNEXPLAINED,
                     f"the number of {label} of this row differs between tables", e["line_n"])
            for e in known if int(e["n"]) != majority]


# --------------------------------------------------------------------------------------------
# Sectors: Tabel VI.1 and VIII.1; VNG domains of section 4.2.2


def check_sector_n(ref: dict[str, pd.DataFrame]) -> list[dict]:
    """Tabel VIII.1's n per sector is the number of questionnaires received in Tabel VI.1."""
    vi1, viii1 = ref.get("tab_VI1_response_per_sector"), ref.get("tab_VIII1_collaboration_per_sector")
    if vi1 is None or viii1 is None:
        return []
    received = {str(r["sector"]).strip(): _int(r["received_printed"]) for r in vi1.to_dict("records")}
    received["Gemiddeld/Totaal"] = received.get("Totaal")
    findings = []
    for r in viii1.drop_duplicates("row_id").to_dict("records"):
        rid, n = str(r["row_id"]).strip(), _int(r["n_value"])
        expected = received.get(rid)
        if expected is not None and n != expected:
            findings.append(_finding("sector_n", "VIII.1", str(r["row_type"]), rid, "n", f"n={n}",
                                     f"n={expected} (received, Tabel VI.1)", COUNT_TYPO,
                                     "Tabel VIII.1 and VI.1 give a different number of respondents for this sector",
                                     _line(r.get("line_n"))))
    return findings


def check_vi1_sums(ref: dict[str, pd.DataFrame]) -> list[dict]:
    """Tabel VI.1: the sectors' questionnaires sent add up to Totaal (received is a column sum)."""
    vi1 = ref.get("tab_VI1_response_per_sector")
    if vi1 is None:
        return []
    is_total = vi1["sector"].astype(str).str.strip().str.lower() == "totaal"
    sent_sum = sum(_int(x) for x in vi1.loc[~is_total, "sent_printed"])
    total = vi1[is_total].to_dict("records")
    if total and _int(total[0]["sent_printed"]) != sent_sum:
        return [_finding("column_sum", "VI.1", "total", "Totaal", "verstuurd", f"{total[0]['sent_printed']} sent",
                         f"{sent_sum} (sum of the sectors)", UNEXPLAINED,
                         "the questionnaires sent per sector do not add up to the total", _line(total[0]["line"]))]
    return []


def check_domain_sizes(ref: dict[str, pd.DataFrame]) -> list[dict]:
    """Section 4.2.2's n per VNG domain against the VI.1 respondents of the sectors it names.

    A difference equal to the respondents of sectors no domain names (VGZ) means the printed n
    counts them while the label does not: the n is the base of another group than the one named.
    """
    dom, vi1 = ref.get("sec_4_2_2_domain_n"), ref.get("tab_VI1_response_per_sector")
    if dom is None or vi1 is None:
        return []
    received = {str(r["sector"]).strip(): _int(r["received_printed"]) for r in vi1.to_dict("records")
                if str(r["sector"]).strip().lower() != "totaal"}
    named_all = {s.strip() for cell in dom["vi1_sectors_named"] for s in str(cell).split(";")}
    unnamed = {s: n for s, n in received.items() if s not in named_all}
    findings = []
    for r in dom.to_dict("records"):
        named = [s.strip() for s in str(r["vi1_sectors_named"]).split(";")]
        named_n, printed = sum(received.get(s, 0) for s in named), _int(r["n_printed"])
        if printed == named_n:
            continue
        extra = [s for s, n in unnamed.items() if named_n + n == printed]
        parts = " + ".join(f"{received.get(s, 0)}" for s in named)
        if extra:
            verdict, why = WRONG_BASE, (f"{printed} = {parts} + {unnamed[extra[0]]} ({extra[0]}): the n includes "
                                        f"{extra[0]}, a sector the text does not name in this domain")
        else:
            verdict, why = COUNT_TYPO, f"the sectors named have {parts} = {named_n} respondents in Tabel VI.1"
        findings.append(_finding("domain_size", "4.2.2", "domain", r["domain_id"], "n",
                                 f"n = {printed} ({r['domain_printed']})",
                                 f"n = {named_n} for {', '.join(named)}" + (f"; {printed} with {extra[0]}" if extra else ""),
                                 verdict, why, _line(r["line"])))
    return findings


# --------------------------------------------------------------------------------------------
# Figures 6.1 / 6.4 against Tabel IX.1 / IX.2


def _table_totals(cells: pd.DataFrame, table: str) -> dict[int, dict]:
    tot = cells[(cells.table == table) & (cells.row_type == "total")] if len(cells) else cells
    return {int(c["col_pos"]): c for c in tot.to_dict("records")}


def _splits(triple: tuple[int, int, int], base: int, rule: str) -> list[tuple[int, int, int]]:
    """All (ja, weet niet, nee) counts adding up to base whose percentages print as triple."""
    options = [_counts_giving(p, base, rule) for p in triple[:2]]
    return [(a, b, base - a - b) for a, b in product(*options)
            if base - a - b >= 0 and percent_of(base - a - b, base, rule) == triple[2]]


def check_figures(ref: dict[str, pd.DataFrame], cells: pd.DataFrame, rule: str) -> list[dict]:
    """Each Ja/Weet niet/Nee triple must come from a split of the collaborators, and its Ja must be
    the total of the matching column of Tabel IX.1 / IX.2."""
    findings = []
    for stem, fig in (("fig_6_1_positive_factors", "Figuur 6.1"), ("fig_6_4_negative_factors", "Figuur 6.4")):
        df = ref.get(stem)
        if df is None:
            continue
        for r in df.to_dict("records"):
            findings += _check_figure_row(r, fig, _table_totals(cells, str(r["matching_table"])), rule)
    return findings


def check_figures_vs_rows(ref: dict[str, pd.DataFrame], cells: pd.DataFrame, column_sums: list[dict], rule: str) -> list[dict]:
    """A figure that repeats a table total which contradicts its rows (a column_sum finding)
    inherits the contradiction: no set of respondents matches both the figure and the rows."""
    broken = {(f["table"], f["col_key"]) for f in column_sums if f["check"] == "column_sum"}
    findings = []
    for stem, fig in (("fig_6_1_positive_factors", "Figuur 6.1"), ("fig_6_4_negative_factors", "Figuur 6.4")):
        for r in ref.get(stem, pd.DataFrame()).to_dict("records"):
            total = _table_totals(cells, str(r["matching_table"])).get(_int(r["matching_table_col_pos"]))
            if total is not None and (total["table"], total["col_key"]) in broken:
                findings += _check_figure_vs_rows(r, fig, cells, str(r["matching_table"]), rule)
    return findings


def _check_figure_vs_rows(r: dict, fig: str, cells: pd.DataFrame, table: str, rule: str) -> list[dict]:
    """The figure's triple against what the municipality rows of its table add up to."""
    col = cells[(cells.table == table) & (cells.col_pos.astype(int) == _int(r["matching_table_col_pos"]))]
    rows, total = col[col.row_type == "municipality"], col[col.row_type == "total"]
    if total.empty or rows["count"].isna().any():
        return []
    row_sum, printed_total, base = int(rows["count"].sum()), int(total["count"].iloc[0]), int(total["base"].iloc[0])
    if row_sum == printed_total:
        return []
    return [_finding(
        "figure_vs_rows", fig, "factor", str(r["factor_label_printed"]), "",
        f"Ja {_int(r['ja_pct_printed'])}% / Weet niet {_int(r['weet_niet_pct_printed'])}% / Nee {_int(r['nee_pct_printed'])}%",
        f"Ja {percent_of(row_sum, base, rule)}% ({row_sum} of {base}) if the rows of Tabel {table} are right",
        UNEXPLAINED,
        f"the figure repeats the Gemiddeld row of Tabel {table} ({printed_total}), which contradicts the sum of its "
        f"municipality rows ({row_sum}); Weet niet / Nee shift with it",
        _line(r["line_ja"], r["line_weet_niet"], r["line_nee"]))]


def _check_figure_row(r: dict, fig: str, totals: dict[int, dict], rule: str) -> list[dict]:
    triple = (_int(r["ja_pct_printed"]), _int(r["weet_niet_pct_printed"]), _int(r["nee_pct_printed"]))
    total = totals.get(_int(r["matching_table_col_pos"]))
    base = total["n"] if total else 98
    # the printed factor label is the row, as in the figure and the replication scorecard
    row_id, lines = str(r["factor_label_printed"]), _line(r["line_ja"], r["line_weet_niet"], r["line_nee"])
    printed = f"Ja {triple[0]}% / Weet niet {triple[1]}% / Nee {triple[2]}% of {base}"
    findings = []
    splits = _splits(triple, base, rule)
    if not splits:
        findings.append(_finding("figure_split", fig, "factor", row_id, "ja/weet_niet/nee", printed,
                                 *_repair_triple(triple, base, rule), lines))
    if total and total["pct"] is not None and triple[0] != total["pct"]:
        findings.append(_finding("figure_vs_table", fig, "factor", row_id, "ja", f"Ja {triple[0]}%",
                                 f"Ja {total['pct']}% as in Tabel {total['table']} Gemiddeld ({total['count']} of {base})",
                                 PCT_TYPO, f"the figure's Ja differs from column {total['col_pos']} of Tabel {total['table']}",
                                 _line(r["line_ja"])))
    elif total and splits and total["count"] not in {s[0] for s in splits}:
        findings.append(_finding("figure_vs_table", fig, "factor", row_id, "ja", printed,
                                 f"Ja count {total['count']} (Tabel {total['table']})", UNEXPLAINED,
                                 "no split with the table's Ja count gives the printed triple", lines))
    return findings


def _repair_triple(triple, base: int, rule: str) -> tuple[str, str, str]:
    """Which single percentage of an impossible triple could be the typo (consistent, verdict, why)."""
    names = ("Ja", "Weet niet", "Nee")
    repairs = []
    for i in range(3):
        others = [j for j in range(3) if j != i]
        for a, b in product(*[_counts_giving(triple[j], base, rule) for j in others]):
            rest = base - a - b
            if rest >= 0:
                repairs.append(f"{names[i]} {percent_of(rest, base, rule)}%")
    if repairs:
        return (" or ".join(dict.fromkeys(repairs)), PCT_TYPO,
                f"no split of {base} gives all three percentages; changing one of them makes it possible")
    return ("", UNEXPLAINED, f"no split of {base} gives these percentages, even with one of them changed")


# --------------------------------------------------------------------------------------------
# Footnotes, Tabel 4.1/4.2, Tabel 3.1, Box 3.1, Figure 5.1 prose


def check_footnotes(ref: dict[str, pd.DataFrame], cells: pd.DataFrame, rule: str) -> list[dict]:
    """A footnote's "(x v/d 123)" must be the n of its table's total row, which its %'s must fit."""
    notes = ref.get("table_footnotes")
    if notes is None or not len(cells):
        return []
    findings = []
    for r in notes.to_dict("records"):
        table, note_n = str(r["table"]), _int(r["n_in_footnote"])
        totals = list(_table_totals(cells, table).values())
        if not totals or totals[0]["n"] == note_n:
            continue
        table_n = totals[0]["n"]
        fit_table = sum(percent_of(t["count"], table_n, rule) == t["pct"] for t in totals)
        fit_note = sum(t["count"] <= note_n and percent_of(t["count"], note_n, rule) == t["pct"] for t in totals)
        odd = "footnote" if fit_table >= fit_note else "table n"
        verdict = COUNT_TYPO if max(fit_table, fit_note) == len(totals) else UNEXPLAINED
        findings.append(_finding(
            "footnote", table, "footnote", odd, "n", f"({note_n} v/d {r['of_total']}); table n={table_n}",
            f"({table_n} v/d {r['of_total']})" if odd == "footnote" else f"n={note_n}", verdict,
            f"{fit_table} of {len(totals)} total percentages fit base {table_n}, {fit_note} fit base {note_n}"
            + (f"; the rows' n add up to {table_n}" if odd == "footnote" else ""),
            _line(r["line"])))
    return findings


def check_tab_4_vs_vii2(ref: dict[str, pd.DataFrame], cells: pd.DataFrame) -> list[dict]:
    """Tabel 4.1 repeats the Gemiddeld/Totaal row of Tabel VII.2 (count, n, %); Tabel 4.2's n's are
    VII.2's totals of achterstandsgroepen (73) and werken aan SEGV (69)."""
    t41 = ref.get("tab_4_1_priorities")
    if not len(cells):
        return []
    totals = {c["col_key"]: c for c in cells[(cells.table == "VII.2") & (cells.row_type == "total")].to_dict("records")}
    findings = _tab_4_2_bases(ref.get("tab_4_2_target_groups"), totals)
    if t41 is None:
        return findings
    for r in t41.to_dict("records"):
        vii2 = totals.get(str(r["item_key"]))
        if vii2 is None:
            continue
        for field, mine, theirs in (("count", _int(r["count_printed"]), vii2["count"]),
                                    ("n", _int(r["n_printed"]), vii2["base"]),
                                    ("pct", _int(r["pct_printed"]), vii2["pct"])):
            if mine != theirs:
                findings.append(_finding("table_vs_table", "4.1", "total", r["item_key"], field, f"{field} {mine}",
                                         f"{field} {theirs} as in Tabel VII.2", PCT_TYPO if field == "pct" else COUNT_TYPO,
                                         "Tabel 4.1 and the total row of Tabel VII.2 differ", _line(r["line"])))
    return findings


def _tab_4_2_bases(t42: pd.DataFrame | None, vii2_totals: dict) -> list[dict]:
    if t42 is None:
        return []
    findings = []
    bases = {"health": vii2_totals.get("achterstandsgroepen"), "segv": vii2_totals.get("werken_aan_segv")}
    for r in t42.drop_duplicates("policy_scope").to_dict("records"):
        source = bases[reference.policy_scope(r["policy_scope"])]
        if source is not None and _int(r["n_printed"]) != source["count"]:
            findings.append(_finding("table_vs_table", "4.2", "scope", r["policy_scope"], "n", f"n={r['n_printed']}",
                                     f"n={source['count']} (Tabel VII.2 total, {source['col_key']})", COUNT_TYPO,
                                     "Tabel 4.2's base differs from the Tabel VII.2 total it stands for", _line(r["line"])))
    return findings


def check_box_3_1(ref: dict[str, pd.DataFrame], cells: pd.DataFrame) -> list[dict]:
    """Box 3.1: the municipality types add up to the 16 municipalities, krachtwijk yes/no too, and
    Tabel 3.1 has one VGZ interview per municipality of each type (sixteen within VGZ)."""
    box, t31 = ref.get("box_3_1_municipality_types"), ref.get("tab_3_1_interviews_by_sector_and_type")
    if box is None:
        return []
    n_mun = cells[cells.row_type == "municipality"]["row_id"].nunique() if len(cells) else None
    sizes = box[box["kind"] == "size_type"]
    findings = []
    for kind in ("size_type", "krachtwijk"):
        part = box[box["kind"] == kind]
        total = sum(_int(v) for v in part["value"])
        if n_mun and len(part) and total != n_mun:
            findings.append(_finding("box_sum", "Box 3.1", kind, kind, "value", f"{total} municipalities",
                                     f"{n_mun} (rows of the appendix tables)", UNEXPLAINED,
                                     f"the {kind} categories do not add up to the municipalities", _line(part["line"].iloc[0])))
    if t31 is not None and len(sizes) == 4:
        vgz = t31[t31["sector_category"] == "VGZ"]
        cols = ["g4_met_krachtwijk", "g32_met_krachtwijk", "g32_zonder_krachtwijk", "kleinere_gemeenten_zonder_krachtwijk"]
        for col, r in zip(cols, sizes.to_dict("records")):
            if len(vgz) and _int(vgz[col].iloc[0]) != _int(r["value"]):
                findings.append(_finding("table_vs_table", "3.1", "sector", "VGZ", col, str(_int(vgz[col].iloc[0])),
                                         f"{_int(r['value'])} (one per municipality, Box 3.1)", COUNT_TYPO,
                                         "VGZ interviews per type differ from the municipalities of that type",
                                         _line(vgz["line"].iloc[0])))
    return findings


def check_tab_4_2(ref: dict[str, pd.DataFrame], rule: str) -> list[dict]:
    """Tabel 4.2 prints only percentages; each must be reachable as count/n for its printed n."""
    t42 = ref.get("tab_4_2_target_groups")
    if t42 is None:
        return []
    findings = []
    for r in t42.to_dict("records"):
        n, pct = _int(r["n_printed"]), _int(r["pct_printed"])
        if _counts_giving(pct, n, rule):
            continue
        near = [f"{percent_of(c, n, rule)}% ({c})" for c in range(n + 1)
                if abs(percent_of(c, n, rule) - pct) <= 1]
        findings.append(_finding("pct_reachable", "4.2", "group", r["group"], r["policy_scope"],
                                 f"{pct}% of n={n}", " or ".join(near), PCT_TYPO,
                                 f"no count out of {n} gives {pct}%", _line(r["line"])))
    return findings


def check_tab_3_1(ref: dict[str, pd.DataFrame]) -> list[dict]:
    """Tabel 3.1: interviews per sector category add up across municipality types and down to Totaal."""
    t31 = ref.get("tab_3_1_interviews_by_sector_and_type")
    if t31 is None:
        return []
    types = ["g4_met_krachtwijk", "g32_met_krachtwijk", "g32_zonder_krachtwijk", "kleinere_gemeenten_zonder_krachtwijk"]
    grid = t31.set_index("sector_category")[["aantal_interviews", *types]].map(lambda x: _int(x) or 0)
    body, total = grid.drop(index="Totaal"), grid.loc["Totaal"]
    lines = dict(zip(t31["sector_category"], t31["line"]))
    findings = []
    for name, row in body.iterrows():
        if row[types].sum() != row["aantal_interviews"]:
            findings.append(_finding("row_sum", "3.1", "sector", name, "aantal_interviews",
                                     str(row["aantal_interviews"]), f"{row[types].sum()} (sum over types)",
                                     UNEXPLAINED, "the interviews per type do not add up", _line(lines[name])))
    for col in grid.columns:
        if body[col].sum() != total[col]:
            findings.append(_finding("column_sum", "3.1", "total", "Totaal", col, str(total[col]),
                                     f"{body[col].sum()} (sum of sectors)", UNEXPLAINED,
                                     "the sector rows do not add up to Totaal", _line(lines["Totaal"])))
    return findings


def check_fig_5_1_prose(ref: dict[str, pd.DataFrame], rule: str) -> list[dict]:
    """The four Figure 5.1 percentages quoted in the prose, over the sector's collaborators (VIII.1)."""
    prose, viii1 = ref.get("fig_5_1_prose"), ref.get("tab_VIII1_collaboration_per_sector")
    if prose is None or viii1 is None:
        return []
    collaborators = {str(r["row_id"]).strip(): _int(r["count_value"]) for r in viii1.to_dict("records")}
    findings = []
    for r in prose.to_dict("records"):
        base, pct = collaborators.get(str(r["from_sector"]).strip()), _int(r["pct_printed"])
        if base and not _counts_giving(pct, base, rule):
            findings.append(_finding("pct_reachable", "Figuur 5.1", "sector_pair", f"{r['from_sector']}->{r['to_sector']}",
                                     "pct", f"{pct}% of {base}", "", PCT_TYPO,
                                     f"no count out of the {base} collaborators of {r['from_sector']} gives {pct}%",
                                     _line(r["line"])))
    return findings


# --------------------------------------------------------------------------------------------
# Numbers in the prose


def late_municipality_candidates(ref: dict[str, pd.DataFrame], rule: str) -> list[dict]:
    """Section 3.2: response is 85% without the municipality that joined late. Which municipality,
    sent how many questionnaires (6 to 11 sectors each, section 2.4), gives 85%?"""
    prose, cells, vi1 = ref.get("prose_numbers"), appendix_cells(ref), ref.get("tab_VI1_response_per_sector")
    if prose is None or vi1 is None or not len(cells):
        return []
    target = _prose_value(prose, "response_pct_excl_late_municipality")
    total = vi1[vi1["sector"].astype(str).str.strip().str.lower() == "totaal"].iloc[0]
    sent, received = _int(total["sent_printed"]), _int(total["received_printed"])
    low, high = [_int(x) for x in str(_prose_text(prose, "sectors_per_municipality") or "1-99").split("-")]
    found = []
    for r in cells[(cells.table == "VII.2") & (cells.row_type == "municipality")].drop_duplicates("row_id").to_dict("records"):
        for s in range(max(low, r["n"]), high + 1):
            if target is not None and percent_of(received - r["n"], sent - s, rule) == target:
                found.append(dict(municipality=r["row_id"], n=r["n"], sent=s,
                                  response=f"{received - r['n']}/{sent - s}"))
    return found


def _prose_value(prose: pd.DataFrame, key: str) -> int | None:
    hit = prose[prose["quantity_key"] == key]
    return _int(hit["value"].iloc[0]) if len(hit) else None


def _prose_text(prose: pd.DataFrame, key: str) -> str | None:
    hit = prose[prose["quantity_key"] == key]
    return str(hit["value"].iloc[0]) if len(hit) else None


def check_prose(ref: dict[str, pd.DataFrame], cells: pd.DataFrame, rule: str) -> list[dict]:
    """Prose numbers that a table can confirm: response, Tabel 4.1 percentages, 98 of 123, 73 of 100."""
    prose = ref.get("prose_numbers")
    if prose is None:
        return []
    expected = _prose_expectations(ref, cells, rule)
    findings = []
    for r in prose.to_dict("records"):
        key = r["quantity_key"]
        if key not in expected or expected[key] is None:
            continue
        printed = [int(x) for x in re.findall(r"\d+", str(r["value"]))]
        want, source = expected[key]
        if sorted(printed) != sorted(want):  # "73/100" and "100 ... 73" name the same pair
            findings.append(_finding("prose", "prose", "statement", str(r["id"]), key, str(r["value_printed"]),
                                     f"{'/'.join(map(str, want))} ({source})",
                                     PCT_TYPO if str(r["unit"]).strip() == "%" else COUNT_TYPO,
                                     f"the prose (section {r['section']}) differs from {source}", _line(r["lines"])))
    if expected.get("response_pct_excl_late_municipality") is None and _prose_value(prose, "response_pct_excl_late_municipality"):
        r = prose[prose["quantity_key"] == "response_pct_excl_late_municipality"].iloc[0]
        findings.append(_finding("prose", "prose", "statement", str(r["id"]), r["quantity_key"], str(r["value_printed"]),
                                 "", UNEXPLAINED, "no municipality and number sent (6-11) gives this response",
                                 _line(r["lines"])))
    return findings


def _prose_expectations(ref, cells: pd.DataFrame, rule: str) -> dict:
    """What each checkable prose number should be according to the tables."""
    exp = {}
    vi1 = ref.get("tab_VI1_response_per_sector")
    if vi1 is not None:
        total = vi1[vi1["sector"].astype(str).str.strip().str.lower() == "totaal"].iloc[0]
        sent, received = _int(total["sent_printed"]), _int(total["received_printed"])
        exp["questionnaires_sent"] = ([sent], "Tabel VI.1 Totaal")
        exp["questionnaires_returned"] = ([received], "Tabel VI.1 Totaal")
        exp["response_pct"] = ([percent_of(received, sent, rule)], f"{received} of {sent}, Tabel VI.1")
    late = late_municipality_candidates(ref, rule)
    exp["response_pct_excl_late_municipality"] = (
        ([_prose_value(ref["prose_numbers"], "response_pct_excl_late_municipality")],
         "municipality " + ", ".join(sorted({c['municipality'] for c in late})) + " left out") if late else None)
    if len(cells):
        vii2 = {c["col_key"]: c for c in cells[(cells.table == "VII.2") & (cells.row_type == "total")].to_dict("records")}
        if vii2:
            w, a = vii2.get("werken_aan_gezondheid"), vii2.get("achterstandsgroepen")
            if w:
                exp["work_on_health_n_pct"] = ([w["count"], w["pct"]], "Tabel VII.2 / 4.1")
            for key, col in (("health_priority_pct", "gezondheid_prioriteit"), ("work_on_segv_pct", "werken_aan_segv"),
                             ("segv_priority_pct", "segv_prioriteit")):
                if col in vii2:
                    exp[key] = ([vii2[col]["pct"]], "Tabel VII.2 / 4.1")
            if a:
                exp["work_on_health_and_consider_disadvantaged"] = ([a["base"], a["count"]], "Tabel VII.2")
            if "werken_aan_segv" in vii2:
                exp["work_on_segv"] = ([vii2["werken_aan_segv"]["count"]], "Tabel VII.2")
        viii2 = cells[(cells.table == "VIII.2") & (cells.row_type == "total")].to_dict("records")
        if viii2:
            t = viii2[0]
            exp["collaborate_on_segv"] = ([t["count"], t["base"]], "Tabel VIII.2 total")
            exp["respondents_collaborating"] = ([t["count"]], "Tabel VIII.2 total")
            n_mun = cells[(cells.table == "VIII.2") & (cells.row_type == "municipality")]["row_id"].nunique()
            exp["municipalities_participating"] = ([n_mun], "rows of Tabel VIII.2")
    return exp


# --------------------------------------------------------------------------------------------
# Putting it together


def find_inconsistencies(ref: dict[str, pd.DataFrame], rule: str | None = None) -> pd.DataFrame:
    """Every internal inconsistency of the published report, one row per finding.

    ``rule`` is the rounding rule (analysis.rounding.PERCENT_RULES); by default the one that fits
    most printed cells. Sorted by report line, then table, row and column.
    """
    rule = rule or infer_rounding_rule(ref)
    cells, alts = appendix_cells(ref), _alternative_bases(ref)
    extra = other_cells(ref)
    findings = []
    if len(cells):
        findings += check_percentages(cells, alts, rule)
        findings += check_n_sums(cells)
        findings += check_n_across_tables(cells)
    if len(extra):
        findings += check_percentages(extra, alts, rule)
    findings += check_vi1_sums(ref) + check_sector_n(ref) + check_domain_sizes(ref)
    findings += check_figures(ref, cells, rule) + check_footnotes(ref, cells, rule)
    findings += check_figures_vs_rows(ref, cells, findings, rule) if len(cells) else []
    findings += check_tab_4_vs_vii2(ref, cells) + check_tab_4_2(ref, rule) + check_tab_3_1(ref)
    findings += check_box_3_1(ref, cells)
    findings += check_fig_5_1_prose(ref, rule) + check_prose(ref, cells, rule)
    return _sorted(pd.DataFrame(findings, columns=FINDING_COLUMNS))


def _sorted(findings: pd.DataFrame) -> pd.DataFrame:
    first_line = findings["line"].map(lambda s: _int(str(s).split(";")[0]) or 0)
    table_rank = findings["table"].map(lambda t: TABLE_ORDER.index(t) if t in TABLE_ORDER else len(TABLE_ORDER))
    row_rank = findings["row_id"].map(lambda r: (0, int(r), "") if str(r).isdigit() else (1, 0, str(r)))
    order = pd.DataFrame({"line": first_line, "table": table_rank, "row": row_rank,
                          "col": findings["col_key"], "check": findings["check"]})
    idx = sorted(range(len(findings)), key=lambda i: tuple(order.iloc[i]))
    return findings.iloc[idx].reset_index(drop=True).astype(str)


def cell_status(ref: dict[str, pd.DataFrame], findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per printed count/pct cell of the appendix tables: "consistent" or "inconsistent".

    A cell is inconsistent when a finding names it: its percentage does not fit count/base, or it
    is the printed total of a column whose rows do not add up to it (the rows are more detailed and
    each agrees with its own percentage, so a replication can match them but not also the total).
    """
    findings = find_inconsistencies(ref) if findings is None else findings
    cells = appendix_cells(ref)
    flagged = set(zip(findings["table"], findings["row_type"], findings["row_id"], findings["col_key"]))
    status = [("inconsistent" if (c["table"], c["row_type"], c["row_id"], c["col_key"]) in flagged else "consistent")
              for c in cells.to_dict("records")]
    out = cells[["table", "row_type", "row_id", "col_key"]].assign(status=status)
    return out.reset_index(drop=True)


def summarize(ref: dict[str, pd.DataFrame], findings: pd.DataFrame) -> dict:
    """What render_markdown needs besides the findings: rounding evidence and checks that passed."""
    rule = infer_rounding_rule(ref)
    status = cell_status(ref, findings) if len(appendix_cells(ref)) else pd.DataFrame(columns=STATUS_COLUMNS)
    return dict(
        rule=rule,
        rounding_evidence=rounding_evidence(ref),
        discriminating=discriminating_cells(ref),
        nested_base=nested_base_evidence(ref) if len(appendix_cells(ref)) else pd.DataFrame(),
        late_municipality=late_municipality_candidates(ref, rule),
        rule_sensitive=rule_sensitive_findings(ref, rule) if rule != "half_up" else None,
        cells_checked=len(status),
        cells_inconsistent=int((status["status"] == "inconsistent").sum()),
        statements=contradicted_statements(ref) if reference.table(ref, "statements") is not None else None,
    )


def render_markdown(findings: pd.DataFrame, summary: dict) -> str:
    """The human report: rounding found and its evidence, findings per verdict/table/check, each finding."""
    out = ["# Internal consistency of RIVM Rapport 270161002 (2010)", "",
           "Generated by `src/analysis/audit.py` from `data/reference/rivm2010/` (values as printed). "
           "Line numbers point into the report text. Findings list only what is inconsistent.", ""]
    out += _markdown_rounding(summary)
    out += _markdown_bases(summary)
    out += ["## Findings", "", f"{len(findings)} findings; {summary.get('cells_inconsistent', 0)} of "
            f"{summary.get('cells_checked', 0)} appendix-table cells are inconsistent.", ""]
    for field in ("verdict", "table", "check"):
        counts = findings[field].value_counts().sort_index() if len(findings) else pd.Series(dtype=int)
        out += [f"### Per {field}", "", f"| {field} | findings |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in counts.items()] + [""]
    out += ["### Checks run", "", "| check | compares | findings |", "|---|---|---|"]
    per_check = findings["check"].value_counts() if len(findings) else pd.Series(dtype=int)
    out += [f"| {name} | {what} | {int(per_check.get(name, 0))} |" for name, what in CHECKS.items()] + [""]
    out += ["### Every finding", "", "| table | row | column | printed | consistent | verdict | why | line |",
            "|---|---|---|---|---|---|---|---|"]
    for f in findings.to_dict("records"):
        out.append("| " + " | ".join(_md(f[k]) for k in ("table", "row_id", "col_key", "printed", "consistent",
                                                           "verdict", "explanation", "line")) + " |")
    out += _markdown_statements(summary.get("statements"))
    return "\n".join(out) + "\n"


def contradicted_statements(ref: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Statements of the text (statements.csv) that the printed tables contradict: reported, and
    never forced on a reconstruction."""
    st = reference.table(ref, "statements")
    if st is None:
        return pd.DataFrame(columns=["id", "section", "lines", "quote_nl", "paraphrase_en", "predicate"])
    st = st.fillna("")
    return st.loc[st["tables_decide"] == "contradicted",
                  ["id", "section", "lines", "quote_nl", "paraphrase_en", "predicate"]].reset_index(drop=True)


def _markdown_statements(contradicted: pd.DataFrame | None) -> list[str]:
    if contradicted is None:
        return []
    out = ["", "## Statements of the text that the printed tables contradict", "",
           f"{len(contradicted)} of the report's checkable statements (data/reference/rivm2010/statements.csv) "
           "cannot hold together with the printed tables; a reconstruction reports them and does not force them.", "",
           "| statement | section | lines | quote | reads as | predicate |", "|---|---|---|---|---|---|"]
    out += ["| " + " | ".join(_md(r[k]) for k in ("id", "section", "lines", "quote_nl", "paraphrase_en", "predicate"))
            + " |" for r in contradicted.to_dict("records")]
    return out


def _md(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _markdown_rounding(summary: dict) -> list[str]:
    ev, disc = summary["rounding_evidence"], summary["discriminating"]
    out = ["## Rounding", "",
           f"Rule used for the audit: **{summary['rule']}** (the rule that reproduces most printed "
           "cells; `analysis.rounding`). Cells are every (percentage, count, base) printed in the "
           "appendix tables, Tabel VI.1 and Tabel 4.1, with count <= base. A rule's misses include the "
           "typos listed below, so no rule reproduces every cell.", "",
           "| rule | cells | reproduced | not reproduced |", "|---|---|---|---|"]
    out += [f"| {r.rule} | {r.cells} | {r.fit} | {r.misfit} |" for r in ev.itertuples()]
    if len(disc):
        out += ["", "Where the rules disagree (number of cells whose printed % each rule reproduces):", "",
                "| kind | cells | half_up | half_up_via_tenths | half_even |", "|---|---|---|---|---|"]
        for kind, g in disc.groupby("kind", sort=True):
            hits = {r: int((g[r] == g["printed"]).sum()) for r in ("half_up", "half_up_via_tenths", "half_even")}
            out.append(f"| {kind} | {len(g)} | {hits['half_up']} | {hits['half_up_via_tenths']} | {hits['half_even']} |")
        rare = disc[disc["kind"] != "exact half"]
        if len(rare):
            out += ["", "The cells with a fraction in [0.45, 0.5), where one-step half up and half up via one "
                    "decimal (as SPSS prints a percentage, 45.45 -> 45.5, then rounded again -> 46) differ:", "",
                    "| table | row | column | count of base | exact % | printed | half_up | via tenths | line |",
                    "|---|---|---|---|---|---|---|---|---|"]
            out += [f"| {r.table} | {r.row_id} | {r.col_key} | {r.count} of {r.base} | {r.exact} | {r.printed} | "
                    f"{r.half_up} | {r.half_up_via_tenths} | {r.line} |" for r in rare.itertuples()]
    sensitive = summary.get("rule_sensitive")
    if sensitive is not None and len(sensitive):
        out += ["", "Findings that depend on the rule (listed only under the rule named):", "",
                "| only under | table | row | column | printed | verdict |", "|---|---|---|---|---|---|"]
        out += [f"| {r.only_under} | {r.table} | {r.row_id} | {r.col_key} | {_md(r.printed)} | {r.verdict} |"
                for r in sensitive.itertuples()]
    out += ["", "Truncation and rounding every fraction up miss far more cells than either half-up rule; "
            "exact halves (1/8 = 12.5, 5/8 = 62.5) printed as 13 and 63 rule out half even.", ""]
    return out


def _markdown_bases(summary: dict) -> list[str]:
    out = []
    nb = summary.get("nested_base")
    if nb is not None and len(nb):
        out += ["## Base of VII.2 'achterstandsgroepen'", "",
                f"Per municipality, the percentage fits the count over those who work on health in "
                f"{int(nb.fits_parent_count.sum())} of {len(nb)} rows and over all respondents in "
                f"{int(nb.fits_n.sum())} (rows where both are equal count for both). "
                + ("The base is therefore the werken_aan_gezondheid count; rows that fit only the "
                   "respondents are listed below as wrong denominators." if nb.fits_parent_count.sum() >= nb.fits_n.sum()
                   else "The respondents fit better than the skip logic: check the base."), ""]
    late = summary.get("late_municipality") or []
    if late:
        out += ["## Response without the late municipality (section 3.2: 85%)", "",
                "Municipalities and numbers of questionnaires sent (6-11 per municipality, section 2.4) "
                "that give 85%: " + "; ".join(f"municipality {c['municipality']} (n={c['n']}, sent {c['sent']}: "
                                              f"{c['response']})" for c in late) + ".", ""]
    return out

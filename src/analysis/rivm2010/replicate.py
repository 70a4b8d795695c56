"""Replication: every published number next to the one this pipeline regenerates from cells.csv.

A published cell is addressed the way the report prints it (table, row, column, quantity) and
resolved to a cells.csv address (unit, unit_id, item, answer) through the codebook's `published`
entries (item -> table/col_key), not through column lists written here. Where the printed and the
regenerated number differ, the audit of the report's own consistency
(results/audit/published_consistency.csv) may already explain why (the printed number contradicts
its own table); a difference that no audit finding covers is "unexplained".
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core.aggregate import OK, OVERALL_ID, natural_key
from analysis.core.codebook import Codebook
from analysis.rivm2010 import reference

SCORECARD_COLUMNS = [
    "table", "row_type", "row", "column", "quantity", "printed", "printed_value", "regenerated",
    "match", "verdict", "explanation", "line", "unit", "unit_id", "item", "answer",
]
UNEXPLAINED = "unexplained"
NOT_REGENERATED = "not regenerated"
APPENDIX_COLUMNS = {"table", "row_type", "row_id", "col_key", "pct_value", "count_value", "n_value"}


def load_reference(ref_dir) -> dict[str, pd.DataFrame]:
    """Every CSV of the reference folder as printed text, keyed by file stem."""
    return reference.load_reference(ref_dir, as_printed=True)


# --- resolving report addresses to codebook items and units ----------------------------------

item_for_column, sector_id = reference.item_for_column, reference.sector_id


def municipality_unit(row_id: str, unit_ids: list[str]) -> str | None:
    """The municipality unit printed as number `row_id` ("1" matches "1", "01" or "G01")."""
    if row_id in unit_ids:
        return row_id
    digits = {u: re.findall(r"\d+", u) for u in unit_ids}
    hits = [u for u, d in digits.items() if d and row_id.isdigit() and int(d[-1]) == int(row_id)]
    return hits[0] if len(hits) == 1 else None


def _unit_of(row_type: str, row_id: str, book: Codebook, municipalities: list[str]) -> tuple[str, str | None]:
    if row_type == "total":
        return "overall", OVERALL_ID
    if row_type == "sector":
        return "sector", sector_id(book, row_id)
    return "municipality", municipality_unit(row_id, municipalities)


def _int(value) -> float:
    if value is None:
        return float("nan")
    try:
        return float(value) if str(value).strip() != "" else float("nan")
    except ValueError:
        return float("nan")


# --- the published cells, addressed -----------------------------------------------------------

def appendix_cells(frame: pd.DataFrame, book: Codebook, municipalities: list[str]) -> pd.DataFrame:
    """Count, % and n cells of one appendix table (long format of data/reference/rivm2010)."""
    rows, n_rows, seen = [], [], set()
    for c in reference.appendix_cells(frame).to_dict("records"):
        unit, unit_id = _unit_of(c["row_type"], c["row_id"], book, municipalities)
        item = item_for_column(book, c["table"], c["col_key"])
        common = dict(table=c["table"], row_type=c["row_type"], row=c["row_id"], column=c["col_key"], unit=unit,
                      unit_id=unit_id, item=item.id if item else None, answer="ja")
        rows.append(common | dict(quantity="count", printed=c["count_raw"], printed_value=_int(c["count"]),
                                  line=c["line_count"]))
        rows.append(common | dict(quantity="pct", printed=c["pct_raw"], printed_value=_int(c["pct"]),
                                  line=c["line_pct"]))
        if c["denom_raw"]:  # "(73 v/d 100)": the base is printed too
            rows.append(common | dict(quantity="base", printed=c["denom_raw"], printed_value=_int(c["denom"]),
                                      line=c["line_count"]))
        if (c["table"], c["row_id"]) not in seen:  # one n per printed row: the row's n, not a column's
            seen.add((c["table"], c["row_id"]))
            n_rows.append(dict(table=c["table"], row_type=c["row_type"], row=c["row_id"], column="n", unit=unit,
                               unit_id=unit_id, item=None, answer=None, quantity="n", printed=c["n_raw"],
                               printed_value=_int(c["n"]), line=c["line_n"]))
    return pd.concat([pd.DataFrame(rows), pd.DataFrame(n_rows)], ignore_index=True)


def tabel_4_1_cells(frame: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    rows = []
    for r in frame.itertuples(index=False):
        item = item_for_column(book, "4.1", r.item_key)
        common = dict(table="4.1", row_type="total", row=r.item_key, unit="overall", unit_id=OVERALL_ID,
                      item=item.id if item else None, answer="ja", line=r.line)
        rows.append(common | dict(column="count", quantity="count", printed=r.count_printed,
                                  printed_value=_int(r.count_printed)))
        rows.append(common | dict(column="pct", quantity="pct", printed=r.pct_printed,
                                  printed_value=_int(r.pct_printed.rstrip("% "))))
        rows.append(common | dict(column="n", quantity="base", printed=r.n_printed, printed_value=_int(r.n_printed)))
    return pd.DataFrame(rows)


def tabel_4_2_cells(frame: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Tabel 4.2: the scope ("... terugdringen van gezondheidsachterstanden" = segv) picks the item."""
    rows = []
    for r in frame.itertuples(index=False):
        scope = reference.policy_scope(r.policy_scope)
        item = next((it for it in book.items for p in it.published
                     if p.get("table") == "4.2" and p.get("row") == r.group and p.get("scope") == scope), None)
        common = dict(table="4.2", row_type="group", row=r.group, column=r.policy_scope, unit="overall",
                      unit_id=OVERALL_ID,
                      item=item.id if item else None, answer="ja", line=r.line)
        rows.append(common | dict(quantity="pct", printed=r.pct_printed, printed_value=_int(r.pct_printed.rstrip("% "))))
        rows.append(common | dict(quantity="base", printed=r.n_printed, printed_value=_int(r.n_printed)))
    return pd.DataFrame(rows)


def tabel_VI_1_cells(frame: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Tabel VI.1 'Ontvangen': respondents per sector (the overall count of the sector item)."""
    rows = []
    for r in frame.itertuples(index=False):
        sid = sector_id(book, r.sector)
        common = dict(table="VI.1", row_type="sector" if sid else "total", row=r.sector, column="received",
                      unit="overall", unit_id=OVERALL_ID, item="sector", line=r.line,
                      printed=r.received_printed, printed_value=_int(r.received_printed))
        rows.append(common | (dict(quantity="count", answer=sid) if sid else dict(quantity="n", answer=None)))
    return pd.DataFrame(rows)


def factor_figure_cells(frame: pd.DataFrame, labels: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Figuur 6.1 / 6.4: ja / weet niet / nee % per factor, via the matching appendix column."""
    col_key = {(r.table, r.col_pos): r.col_key for r in labels.itertuples(index=False)}
    rows = []
    for r in frame.itertuples(index=False):
        item = item_for_column(book, r.matching_table, col_key.get((r.matching_table, r.matching_table_col_pos), ""))
        for answer in ("ja", "weet_niet", "nee"):
            printed = getattr(r, f"{answer}_pct_printed")
            rows.append(dict(table=f"Figuur {r.figure}", row_type="total", row=r.factor_label_printed, column=answer,
                             quantity="pct", printed=printed, printed_value=_int(printed),
                             line=getattr(r, f"line_{answer}"), unit="overall", unit_id=OVERALL_ID,
                             item=item.id if item else None, answer=answer))
    return pd.DataFrame(rows)


def domain_n_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Section 4.2.2: respondents per VNG domain (the base of the sector item, asked of all)."""
    return pd.DataFrame([
        dict(table="4.2.2", row_type="domain", row=r.domain_id, column="n", quantity="base", printed=r.n_printed,
             printed_value=_int(r.n_printed), line=r.line, unit="domain", unit_id=r.domain_id, item="sector",
             answer=None)
        for r in frame.itertuples(index=False)
    ])


def footnote_cells(frame: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """The "(98 v/d 123)" footnotes: who answered a table's questions (its items' overall base)."""
    return pd.DataFrame([
        dict(table=r.table, row_type="footnote", row="footnote", column="n", quantity="n", printed=r.footnote_printed,
             printed_value=_int(r.n_in_footnote), line=r.line, unit="overall", unit_id=OVERALL_ID, item=None,
             answer=None)
        for r in frame.itertuples(index=False)
    ])


def figure_5_1_cells(frame: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Figuur 5.1 (prose): % of a sector's collaborators who collaborate with another sector."""
    rows = []
    for r in frame.itertuples(index=False):
        to_id = sector_id(book, r.to_sector)
        item = next((it for it in book.items if it.extra.get("partner_sector") == to_id), None)
        rows.append(dict(table="Figuur 5.1", row_type="sector", row=r.from_sector, column=r.to_sector, quantity="pct",
                         printed=r.pct_printed, printed_value=_int(r.pct_printed.rstrip("% ")), line=r.line,
                         unit="sector", unit_id=sector_id(book, r.from_sector), item=item.id if item else None,
                         answer="ja"))
    return pd.DataFrame(rows)


# Tabel 3.1 and the sent/percentage columns of Tabel VI.1 do not come from cells.csv but from the
# wave's interview register and its list of questionnaires sent: they are regenerated by the
# table builders themselves (analysis.tables) and compared cell by cell with the print.
TABEL_3_1_COLUMNS = ["aantal_interviews", "g4_met_krachtwijk", "g32_met_krachtwijk", "g32_zonder_krachtwijk",
                     "kleinere_gemeenten_zonder_krachtwijk"]
FROM_TABLE = "table"  # `unit` of a published cell regenerated from a built table, not from cells.csv


def tabel_3_1_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Tabel 3.1: interviews per sector category and municipality type; a blank cell printed 0."""
    rows = []
    for r in frame.to_dict("records"):
        total = str(r["sector_category"]).strip().casefold() == "totaal"
        for k, col in enumerate(TABEL_3_1_COLUMNS):
            printed = str(r[col]).strip()
            rows.append(dict(table="3.1", row_type="total" if total else "sector_category", row=r["sector_category"],
                             column=col, quantity="count", printed=printed,
                             printed_value=_int(printed) if printed else 0.0, line=r["line"],
                             unit=FROM_TABLE, unit_id="tabel_3_1", item=None, answer=str(k + 1)))
    return pd.DataFrame(rows)


def tabel_VI_1_sent_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Tabel VI.1 'Verstuurd' and 'Percentage' (received of sent)."""
    rows = []
    for r in frame.to_dict("records"):
        total = str(r["sector"]).strip().casefold() == "totaal"
        for k, (col, quantity) in enumerate([("sent", "n"), ("percentage", "pct")]):
            printed = str(r["sent_printed" if col == "sent" else "pct_printed"]).strip()
            rows.append(dict(table="VI.1", row_type="total" if total else "sector", row=r["sector"], column=col,
                             quantity=quantity, printed=printed, printed_value=_int(printed.rstrip("%")),
                             line=r["line"], unit=FROM_TABLE, unit_id="tabel_VI_1", item=None,
                             answer=str(1 if col == "sent" else 3)))
    return pd.DataFrame(rows)


def published_cells(ref: dict[str, pd.DataFrame], book: Codebook, municipalities: list[str]) -> pd.DataFrame:
    """Every published cell that cells.csv can regenerate, addressed in report and cells terms."""
    parts = [appendix_cells(f, book, municipalities) for _, f in sorted(ref.items())
             if APPENDIX_COLUMNS <= set(f.columns)]
    builders = {
        "tab_4_1_priorities": lambda f: tabel_4_1_cells(f, book),
        "tab_4_2_target_groups": lambda f: tabel_4_2_cells(f, book),
        "tab_VI1_response_per_sector": lambda f: pd.concat([tabel_VI_1_cells(f, book), tabel_VI_1_sent_cells(f)],
                                                           ignore_index=True),
        "tab_3_1_interviews_by_sector_and_type": tabel_3_1_cells,
        "fig_6_1_positive_factors": lambda f: factor_figure_cells(f, ref.get("column_labels", pd.DataFrame(
            columns=["table", "col_pos", "col_key"])), book),
        "fig_6_4_negative_factors": lambda f: factor_figure_cells(f, ref.get("column_labels", pd.DataFrame(
            columns=["table", "col_pos", "col_key"])), book),
        "sec_4_2_2_domain_n": domain_n_cells,
        "fig_5_1_prose": lambda f: figure_5_1_cells(f, book),
        "table_footnotes": lambda f: footnote_cells(f, book),
    }
    parts += [build(ref[stem]) for stem, build in builders.items() if stem in ref]
    return pd.concat(parts, ignore_index=True)


# --- regenerating them ------------------------------------------------------------------------

def table_n(cells: pd.DataFrame, book: Codebook) -> dict[tuple[str, str, str], int]:
    """(table, unit, unit_id) -> the table's n: the largest base among its columns' items."""
    out = {}
    for table in {p["table"] for it in book.items for p in it.published if "table" in p and "col_key" in p}:
        ids = [it.id for it in book.items if any(p.get("table") == table and "col_key" in p for p in it.published)]
        sel = cells[cells["item"].isin(ids)]
        for (unit, unit_id), base in sel.groupby(["unit", "unit_id"])["base"].max().items():
            out[(table, unit, unit_id)] = base
    return out


def from_tables(published: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Published cells of Tabel 3.1 and VI.1 (sent, %) looked up in the Dutch tables as built:
    row by its printed label, column by position (`answer`). Missing where the wave lacks the
    register or the table hides its counts (a public wave)."""
    values = []
    for r in published.itertuples(index=False):
        table = tables.get(r.unit_id)
        if table is None or table.shape[1] <= int(r.answer):
            values.append(pd.NA)
            continue
        labels = table.iloc[:, 0].astype(str).str.strip().str.casefold()
        hit = table[labels == str(r.row).strip().casefold()]
        value = str(hit.iloc[0, int(r.answer)]).rstrip("%") if len(hit) else ""
        values.append(int(value) if value.isdigit() else pd.NA)
    return pd.Series(values, index=published.index, dtype="Int64")


def regenerate(published: pd.DataFrame, cells: pd.DataFrame, book: Codebook) -> pd.Series:
    """The regenerated value of each published cell (missing if cells.csv cannot give it)."""
    keyed = cells.set_index(["unit", "unit_id", "item", "answer"])
    bases = cells.drop_duplicates(["unit", "unit_id", "item"]).set_index(["unit", "unit_id", "item"])
    n_of = table_n(cells, book)
    values = []
    for r in published.itertuples(index=False):
        if r.unit == FROM_TABLE or pd.isna(r.unit_id) or (r.quantity != "n" and pd.isna(r.item)):
            values.append(pd.NA)
        elif r.quantity == "n" and r.item == "sector":
            # respondents of the unit: everyone is asked the sector
            values.append(bases["base"].get((r.unit, r.unit_id, "sector"), pd.NA))
        elif r.quantity == "n":
            values.append(n_of.get((r.table, r.unit, r.unit_id), pd.NA))
        elif r.quantity == "base":
            values.append(bases["base"].get((r.unit, r.unit_id, r.item), pd.NA))
        else:
            row = keyed.loc[(r.unit, r.unit_id, r.item, r.answer)] if (r.unit, r.unit_id, r.item, r.answer) in \
                keyed.index else None
            ok = row is not None and row["status"] == OK
            values.append(row["count" if r.quantity == "count" else "pct_rounded"] if ok else pd.NA)
    return pd.Series(values, index=published.index, dtype="Int64")


# --- explaining mismatches ---------------------------------------------------------------------

def normalise_table(name) -> str:
    """'Tabel VII.2', 'VII.2', 'tab_VII2' -> 'vii.2'; 'Figuur 6.1' -> 'fig6.1'."""
    s = str(name).strip().casefold()
    fig = s.startswith(("fig", "figuur", "figure"))
    s = re.sub(r"^(tabel|table|tab_|tab|figuur|figure|fig_|fig|sec_|section|§)\s*", "", s)
    return ("fig" if fig else "") + s.strip()


def _key(value) -> str:
    return "" if pd.isna(value) else str(value).strip().casefold()


def attach_verdicts(scorecard: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """verdict/explanation for each mismatch from the audit's findings, else 'unexplained'.

    Every row of published_consistency.csv is an inconsistency of the report (its `consistent`
    column holds the consistent alternative; a literal "true" is skipped). A finding names
    (table, row_id, col_key). The most specific finding wins: the cell itself; then its row (a
    finding without col_key); then its column, when the finding is on a total row (a total that
    contradicts the sum of its column leaves some cell of that column wrong, which one the report
    cannot tell); then the whole table (a finding without row_id).
    """
    out = scorecard.copy()
    bad = findings[~findings["consistent"].astype(str).str.strip().str.casefold().isin(["true", "yes"])]
    index: dict[tuple[str, str, str], list] = {}
    for f in bad.itertuples(index=False):
        t, row, col = normalise_table(f.table), _key(f.row_id), _key(f.col_key)
        index.setdefault((t, row, col), []).append(f)
        if _key(getattr(f, "row_type", "")) == "total" and col:
            index.setdefault((t, "*", col), []).append(f)
    verdicts, explanations = [], []
    for r in out.itertuples(index=False):
        if r.match:
            verdicts.append("")
            explanations.append("")
            continue
        t, row, col = normalise_table(r.table), _key(r.row), _key(r.column)
        direct = index.get((t, row, col)) or index.get((t, row, ""))
        hits = direct or index.get((t, "*", col)) or index.get((t, "", ""))
        if hits:
            # an indirect explanation says so: the report's total, not this cell, is contradicted
            prefix = "" if direct else "via column total: "
            verdicts.append(prefix + "; ".join(sorted({str(h.verdict) for h in hits})))
        else:
            verdicts.append(NOT_REGENERATED if pd.isna(r.regenerated) else UNEXPLAINED)
        explanations.append(" | ".join(str(h.explanation) for h in hits) if hits else "")
    out["verdict"] = verdicts
    out["explanation"] = explanations
    return out


def build_scorecard(cells: pd.DataFrame, ref: dict[str, pd.DataFrame], findings: pd.DataFrame,
                    book: Codebook, tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One row per published cell: printed vs regenerated, match, and the audit's verdict.
    `tables`: the Dutch Tabel 3.1 and VI.1 as built (ids tabel_3_1, tabel_VI_1), for the cells
    that come from the interview register and the questionnaires sent rather than cells.csv."""
    municipalities = sorted(cells.loc[cells["unit"] == "municipality", "unit_id"].unique(), key=natural_key)
    published = published_cells(ref, book, municipalities)
    regenerated = regenerate(published, cells, book)
    built = from_tables(published, tables or {})
    published["regenerated"] = regenerated.where(published["unit"] != FROM_TABLE, built)
    printed = pd.array(published["printed_value"].round().astype("Int64"), dtype="Int64")
    published["match"] = (printed == published["regenerated"]).fillna(False).astype(bool)
    published["printed_value"] = printed
    scorecard = attach_verdicts(published.assign(verdict="", explanation=""), findings)
    return scorecard[SCORECARD_COLUMNS].reset_index(drop=True)


def summarise(scorecard: pd.DataFrame) -> pd.DataFrame:
    """Per table and in total: cells compared, exact matches, mismatches explained / unexplained.

    A published cell the pipeline cannot regenerate at all counts as unexplained too (and is
    shown separately as not_regenerated), so "unexplained: 0" means every printed number is either
    reproduced or contradicted by the report itself.
    """
    frame = scorecard.assign(
        mismatch=~scorecard["match"],
        explained=~scorecard["match"] & ~scorecard["verdict"].isin([UNEXPLAINED, NOT_REGENERATED]),
        not_regenerated=scorecard["verdict"].eq(NOT_REGENERATED),
    )
    frame["unexplained"] = frame["mismatch"] & ~frame["explained"]
    agg = {"compared": ("match", "size"), "matches": ("match", "sum"), "mismatches": ("mismatch", "sum"),
           "explained": ("explained", "sum"), "unexplained": ("unexplained", "sum"),
           "not_regenerated": ("not_regenerated", "sum")}
    per_table = frame.groupby("table", sort=False).agg(**agg).reset_index()
    total = frame.assign(table="total").groupby("table").agg(**agg).reset_index()
    return pd.concat([per_table, total], ignore_index=True)


def summary_markdown(summary: pd.DataFrame, scorecard: pd.DataFrame, wave: str) -> str:
    """The replication summary a reviewer reads first: totals, then every mismatch with its verdict."""
    total = summary.iloc[-1]
    lines = [
        f"# Replication of RIVM Rapport 270161002 (2010) — wave `{wave}`",
        "",
        f"- published cells compared: {total.compared}",
        f"- exact matches: {total.matches}",
        f"- mismatches: {total.mismatches} (explained by the audit of the report: {total.explained}; "
        f"**unexplained: {total.unexplained}**, of which not regenerated at all: {total.not_regenerated}). "
        "Explained means the audit found the printed number contradicting the report's own numbers; by verdict:",
    ]
    # "explained" means: the report contradicts itself at this cell, so no data can match it; the
    # verdict says how far the audit could pin the printing error down
    mismatched = scorecard[~scorecard["match"] & ~scorecard["verdict"].isin([UNEXPLAINED, NOT_REGENERATED])]
    lines += [f"  - {verdict}: {n}" for verdict, n in mismatched["verdict"].value_counts().sort_index().items()]
    lines += [
        "",
        "| table | compared | matches | mismatches | explained | unexplained | not regenerated |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {r.table} | {r.compared} | {r.matches} | {r.mismatches} | {r.explained} | {r.unexplained} | "
              f"{r.not_regenerated} |" for r in summary.itertuples(index=False)]
    mismatches = scorecard[~scorecard["match"]]
    if len(mismatches):
        lines += ["", "## Mismatches", "", "| table | row | column | quantity | printed | regenerated | verdict | "
                  "explanation | line |", "|---|---|---|---|---|---|---|---|---|"]
        for r in mismatches.itertuples(index=False):
            regen = "" if pd.isna(r.regenerated) else r.regenerated
            expl = str(r.explanation).replace("|", "/")
            lines.append(f"| {r.table} | {r.row} | {r.column} | {r.quantity} | {r.printed} | {regen} | {r.verdict} | "
                         f"{expl} | {r.line} |")
    return "\n".join(lines) + "\n"


def run_replication(cells_path, reference_dir, findings_path, codebook_path, sectors_path, wave: str,
                    scorecard_out, summary_out, summary_md_out, municipalities_path=None, interviews_path=None,
                    sent_by_sector_path=None, disclosure: dict | None = None) -> None:
    """The replicate step of the workflow: read, compare, write (the only I/O of this module)."""
    from analysis.core.aggregate import read_cells, write_csv
    from analysis.core.codebook import load_codebook
    from analysis.publication.tables import tabel_3_1, tabel_VI_1

    book = load_codebook(codebook_path, sectors_path)
    findings = pd.read_csv(findings_path, dtype=str, keep_default_na=False)
    cells = read_cells(cells_path)
    read = lambda path: pd.read_csv(path, dtype=str, keep_default_na=False) if path else None  # noqa: E731
    sent, interviews, sheet = read(sent_by_sector_path), read(interviews_path), read(municipalities_path)
    tables = {"tabel_VI_1": tabel_VI_1(cells, book, "nl", sent)}
    if interviews is not None and sheet is not None:
        tables["tabel_3_1"] = tabel_3_1(interviews, sheet, "nl", disclosure, book)
    scorecard = build_scorecard(cells, load_reference(reference_dir), findings, book, tables)
    summary = summarise(scorecard)
    write_csv(scorecard, scorecard_out)
    write_csv(summary, summary_out)
    Path(summary_md_out).write_text(summary_markdown(summary, scorecard, wave), encoding="utf-8")

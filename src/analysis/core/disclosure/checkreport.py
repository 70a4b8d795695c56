"""The output checker's report: results/<wave>/disclosure/report.md and report.csv.

report.csv has one row per hidden cell (and per sensitive cell): its table, address, status,
role (sensitive, complementary, linked: a follow-up row whose base is a hidden lead count, or
rule: the sector composition of a municipality or size class, hidden whole), why it is
sensitive, the width it needed and the interval [low, high] the attacker (attacker.py) gives it
on the published cells. report.md summarises per table and per unit kind, and gives the share
of municipality cells shown and each decomposed table's cost against its LP lower bound.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.disclosure.marks import UNPROTECTED_ITEMS, is_suppressed, keep_group_note
from analysis.core.vocabulary import UNITS

REPORT_COLUMNS = ["table", "item", "unit", "unit_id", "answer", "status", "role", "reason", "required",
                  "low", "high", "width", "capped"]


def checker_rows(cells: pd.DataFrame, protected: pd.DataFrame, audit: pd.DataFrame | None, decision) -> pd.DataFrame:
    """One row per hidden (or sensitive) cell, in cells.csv order."""
    guarded = cells["count"].notna() & ~cells["item"].isin(UNPROTECTED_ITEMS)
    suppressed = protected["status"].map(is_suppressed).astype(bool)
    hidden = suppressed & guarded
    by_rule = (suppressed & cells["count"].notna() & cells["item"].isin(UNPROTECTED_ITEMS)).to_numpy()
    keys = list(zip(cells["item"], cells["unit"], cells["unit_id"].astype(str), cells["answer"]))
    reasons = {} if decision is None else decision.reasons
    chosen = set() if decision is None else decision.hidden
    kept_totals = getattr(decision, "kept_totals", set())
    audit_by = {} if audit is None else {(r.item, r.unit, str(r.unit_id), r.answer): r for r in audit.itertuples(index=False)}
    rows = []
    listed = hidden.to_numpy() | by_rule | pd.Series([k in reasons for k in keys], index=cells.index).to_numpy()
    for pos in np.flatnonzero(listed):
        key = keys[pos]
        role = "sensitive" if key in reasons else ("complementary" if key in chosen else
                                                   "rule" if by_rule[pos] else "linked")
        why = reasons.get(key) or (KEEP_GROUP_REASON if key in kept_totals else ROLE_REASONS[role])
        a = audit_by.get(key)
        rows.append((cells["table"].iloc[pos], *key, protected["status"].iloc[pos], role, why,
                     a.required if a else np.nan, a.low if a else np.nan, a.high if a else np.nan,
                     a.width if a else np.nan, bool(a.capped) if a else False))
    out = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    for col in ("required", "low", "high", "width"):  # LP round-off: no -0.0 or 2.9999999 in the file
        out[col] = out[col].astype("float64").round(6) + 0.0
    return out


# Why a cell that is not itself sensitive is hidden, by role: every row of report.csv has a reason,
# so an output checker reading that column alone sees no blanks (review r16n).
ROLE_REASONS = {
    "rule": "sector composition of a municipality or size class (hidden whole in public mode)",
    "complementary": "complementary: hidden so that no sensitive cell of its sums can be recomputed or "
                     "narrowed below its width",
    "linked": "follow-up row whose base is a hidden count of its lead question",
}


# A size-class cell hidden only because keep_group kept the rows of large municipalities
# (secondary.Decision.kept_totals): the published notes find such cells by this reason (notes.py).
KEEP_GROUP_REASON = ("keep_group: a size-class total hidden so that the rows of municipalities of keep_group or "
                     "more respondents stay shown (with the size classes shown, a cell of theirs would be hidden)")


def report_csv_beside(cells_path) -> Path:
    """Where rule aggregate writes report.csv: results/<wave>/disclosure/report.csv, beside the
    wave's cells.csv and in the same job, so it is as new as the cells a later step reads."""
    return Path(cells_path).parent / "disclosure" / "report.csv"


def hidden_for_keep_group(report_csv) -> pd.DataFrame:
    """The cells report.csv lists as hidden for keep_group (KEEP_GROUP_REASON): item, unit,
    unit_id, answer. Empty where there is no report (a restricted wave, an older build)."""
    columns = ["item", "unit", "unit_id", "answer"]
    if report_csv is None or not Path(report_csv).exists():
        return pd.DataFrame(columns=columns)
    rows = pd.read_csv(report_csv, dtype=str, keep_default_na=False)
    if "reason" not in rows:
        return pd.DataFrame(columns=columns)
    return rows.loc[rows["reason"] == KEEP_GROUP_REASON, columns].reset_index(drop=True)


def keep_group_notice(cells_path, report_csv, keep_group, language: str = "nl") -> tuple[pd.DataFrame, str]:
    """What a public output needs to say keep_group's price: the cells report.csv (`report_csv`,
    default: beside cells.csv) lists as hidden for it, and the sentence (marks.keep_group_note),
    "" where it hid none or the rule is off. The one place tables, report and fact sheets read it."""
    kept = hidden_for_keep_group(report_csv or report_csv_beside(cells_path))
    return kept, keep_group_note(len(kept), keep_group, language)


def unit_summary(cells: pd.DataFrame, protected: pd.DataFrame, k: int, composition: bool = True) -> pd.DataFrame:
    """Per unit kind: cells that describe someone (base > 0), hidden as '< k', as '×', shown;
    every count of the wave, or (composition=False) only those protection decides on: without the
    sector item, whose composition by municipality and size class a rule hides whole."""
    guarded = cells["count"].notna() & (cells["base"].fillna(0) > 0)
    if not composition:
        guarded &= ~cells["item"].isin(UNPROTECTED_ITEMS)
    status = protected["status"].astype(str)
    out = []
    for unit in UNITS:
        part = guarded & (cells["unit"] == unit)
        primary = int((part & status.str.startswith("< ")).sum())
        secondary = int((part & (status == "×")).sum())
        out.append((unit, int(part.sum()), primary, secondary, int(part.sum()) - primary - secondary))
    frame = pd.DataFrame(out, columns=["unit", "cells", "hidden_primary", "hidden_complementary", "shown"])
    frame["share_shown"] = (frame["shown"] / frame["cells"].where(frame["cells"] > 0)).round(4)
    return frame


def municipality_share(cells: pd.DataFrame, protected: pd.DataFrame, k: int, composition: bool = True) -> tuple[int, int]:
    row = unit_summary(cells, protected, k, composition).set_index("unit").loc["municipality"]
    return int(row["shown"]), int(row["cells"])


def write_checker_report(cells: pd.DataFrame, protected: pd.DataFrame, audit, decision, rules, wave: str,
                         md_path, csv_path) -> None:
    from analysis.core.aggregate import write_csv

    Path(md_path).parent.mkdir(parents=True, exist_ok=True)
    rows = checker_rows(cells, protected, audit, decision)
    write_csv(rows, csv_path)
    Path(md_path).write_text(_markdown(cells, protected, rows, decision, rules, wave), encoding="utf-8")


def _markdown(cells, protected, rows, decision, rules, wave) -> str:
    k = rules.min_base
    lines = [f"# Disclosure control: {wave}", "",
             f"Mode **{rules.mode}**, method **{rules.method}**: minimum base k = {k}, minimum count c = "
             f"{rules.min_count or 'off'}, minimum group size g = {rules.group}, protection width w = "
             f"{rules.protection_width} (a sensitive count's interval on the published cells must be at least "
             f"min(w, base) wide); " + (f"keep_group {rules.keep}: municipalities of {rules.keep} or more "
                                        "respondents keep their own rows wherever a safe pattern allows."
                                        if rules.keep else "keep_group off."), ""]
    if rules.mode == "restricted":
        lines += ["Restricted: nothing is hidden; every output is marked not for publication.", ""]
        return "\n".join(lines) + "\n"
    units = unit_summary(cells, protected, k)
    shown, total = municipality_share(cells, protected, k)
    decided, of = municipality_share(cells, protected, k, composition=False)
    by_rule = int((rows["role"] == "rule").sum())
    lines += [(f"Municipality cells shown: **{shown} of {total}** ({shown / total:.0%}); of the cells small-cell "
               f"protection decides on (all but the sector composition, {by_rule} cells of municipalities and "
               f"size classes hidden whole by rule): {decided} of {of} ({decided / of:.0%}).") if total and of else
              "No municipality cells.", "", "## Hidden cells per unit kind", "",
              "| unit | cells | hidden '< k' | hidden '×' | shown | share shown |", "|---|---:|---:|---:|---:|---:|"]
    for r in units.itertuples(index=False):
        share = "" if pd.isna(r.share_shown) else f"{r.share_shown:.0%}"
        lines.append(f"| {r.unit} | {r.cells} | {r.hidden_primary} | {r.hidden_complementary} | {r.shown} | {share} |")
    if decision is not None and decision.pieces:
        pieces = pd.DataFrame(decision.pieces)
        cost, lp_bound = pieces["cost"].sum(), pieces["lp_bound"].sum()
        plain = pieces["lp_plain"].sum() if "lp_plain" in pieces else lp_bound
        bound = pieces["bound"].sum() if "bound" in pieces else lp_bound
        gap = (cost - bound) / bound if bound > 0 else 0.0
        lp_gap = (cost - lp_bound) / lp_bound if lp_bound > 0 else 0.0
        lines += ["", "## Complementary cells: cost and lower bound", "",
                  (f"{len(pieces)} tables (item x branch x size class), {int(pieces['exact'].sum())} solved to proven "
                   "optimality, the rest by a safe pattern not proven optimal (the best HiGHS found within its node "
                   "limit, or the strengthened LP optimum rounded up and pruned). Weighted cost "
                   f"{cost:.0f}{_kept_note(pieces)}."), "",
                  (f"- LP bound {lp_bound:.1f} (cost {lp_gap:.0%} above it): per table the optimum of the LP relaxation "
                   "of the strengthened model: the capacity cuts, a row cut for every relation of a sensitive cell, "
                   "cover cuts and waste cuts (optimal.py), separated until none is violated at the LP optimum or a "
                   "round limit; each one an inequality every safe pattern meets (waste cuts: once its wasted "
                   "hidden cells are shown, at no more cost)."),
                  f"- Plain LP bound {plain:.1f}: the same LP with capacity and row cuts only.",
                  (f"- Proven bound {bound:.1f} (gap {gap:.0%}): per table the integer optimum where proven, else the "
                   "larger of the bound HiGHS proved for the last integer master and the LP bound."),
                  "", ("All three bound every safe pattern of the same decomposition (the same tables, shown totals "
                       "and follow-ups of hidden leads), not patterns that hide an overall row."), ""]
    narrow = rows[(rows["role"] == "sensitive") & (rows["width"] < rows["required"] - 1e-6)]
    capped = rows[rows["capped"]]
    lines += ["", "## Check by the attacker", "",
              f"{int((rows['role'] == 'sensitive').sum())} sensitive cells; the attacker (an LP over every sum a "
              f"reader can form) leaves {len(narrow)} of them narrower than their width. {len(capped)} have a width "
              "capped at what hiding their whole table could give (a shown total of 0 or of everyone tells them; "
              "hiding more protects nobody).", ""]
    lines += _repair_lines(decision)
    lines += ["## Per table", "",
              "| table | sensitive | complementary | linked (follow-up of a hidden lead) | narrowest interval |",
              "|---|---:|---:|---:|---:|"]
    for table, part in rows.groupby("table", sort=False):
        counts = part["role"].value_counts()
        widest = part.loc[part["role"] == "sensitive", "width"]
        lines.append(f"| {table} | {counts.get('sensitive', 0)} | {counts.get('complementary', 0)} | "
                     f"{counts.get('linked', 0)} | {'' if widest.empty else f'{widest.min():.0f}'} |")
    lines += ["", "Every hidden cell, with its reason and the attacker's interval: report.csv.", ""]
    return "\n".join(lines)


def _kept_note(pieces: pd.DataFrame) -> str:
    """keep_group: the cost and bounds are net of its premium (secondary._commit)."""
    if "kept_hidden" not in pieces:
        return ""
    kept = int(pieces["kept_hidden"].sum())
    return (f", net of the keep_group premium; {kept} cells of kept municipalities hidden where no safe pattern "
            "spared them (the bounds below hold for every safe pattern hiding no more of those)")


def _repair_lines(decision) -> list[str]:
    """Which repair ran after the optimiser, for which tables and why (protect_wave)."""
    repairs = getattr(decision, "repairs", None) or []
    if not repairs:
        return [("Repair: none. The attacker's first audit of the optimiser's pattern found no sensitive cell "
                 "narrower than its width."), ""]
    lines = ["## Repairs after the attacker's audit", "",
             ("The audit found sensitive cells narrower than their width (a relation the optimiser's "
              "decomposition does not model). A targeted repair solves the cells' tables again with a cut: "
              "at least one more of the shown cells of the sums that pinned them is hidden. A whole breakdown "
              "(every cell of the item and its follow-ups below the overall row) is the last resort."), "",
             "| round | repair | item | unit | narrow cells | cuts | example (interval, need) |",
             "|---:|---|---|---|---:|---:|---|"]
    for r in repairs:
        lines.append(f"| {r['round']} | {r['repair']} | {r['item']} | {r['unit']} | {r['narrow']} | {r['cuts']} | "
                     f"{r['example']} |")
    return lines + [""]

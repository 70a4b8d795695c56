"""Small-cell suppression: primary cells (base below k) and the complementary cells that keep them
from being recomputed, checked by the attacker (attacker.py)."""
from __future__ import annotations
import logging
import time
from collections import defaultdict
import numpy as np
import pandas as pd
from analysis.core.disclosure.marks import DisclosureError, HIDDEN_COLUMNS, MODES, SECONDARY_MARK, UNPROTECTED_ITEMS, primary_mark
from analysis.core.disclosure.attacker import (attack, cell_relations, cell_values, count_key, exposed_cells, holding_relations,
                                              published_values, skip_links, unit_nesting)
from analysis.core.disclosure.rules import PublicationRules
from analysis.core.vocabulary import OVERALL, OVERALL_ID

# progress in the step's log (as secondary.py's): the audit of a national wave takes a minute
LOG = logging.getLogger(__name__)


PARENT_KIND = {"sector": "domain", "domain": "class", "municipality": "size_class"}


MAX_ESCALATIONS = 20


def protect_cells(cells: pd.DataFrame, min_base: int, mode: str, *, book=None,
                  municipalities: pd.DataFrame | None = None, rules: PublicationRules | None = None) -> pd.DataFrame:
    """cells.csv rows with small-cell protection applied (a new frame; `cells` is not changed).

    Restricted mode returns the cells unchanged. In public mode a hidden cell gets status
    "< k" (its base is below k) or "×" (hidden to protect another cell, or its count is 1 .. c),
    and count, pct, pct_rounded and the interval are missing, never 0; its base is missing too
    where the base would tell a hidden count of the lead item. The codebook gives sectors' domains
    and the skip logic; the municipality sheet gives size classes. `rules` (default: the
    defaults of PublicationRules with this k) choose the method: optimal (`protect_wave`) or
    escalation (the rule set before issue 16, kept for comparison).
    """
    rules = rules or PublicationRules(mode=mode, min_base=int(min_base))
    if mode not in MODES:
        raise ValueError(f"disclosure mode {mode!r} is not one of {MODES}")
    if mode == "restricted":
        return cells.copy()
    if rules.method == "escalation":
        return protect_by_escalation(cells, int(min_base), book=book, municipalities=municipalities)
    return protect_wave(cells, rules, book=book, municipalities=municipalities)[0]


REPAIR_ROUNDS = 3
TARGETED_ROUNDS = 2  # rounds of repair cuts before the last resort (whole breakdowns)


def protect_wave(cells: pd.DataFrame, rules: PublicationRules, *, book=None,
                 municipalities: pd.DataFrame | None = None):
    """Public mode, optimal method: (protected cells, audit, decision).

    The optimiser (secondary.py) picks the complementary cells; the attacker then checks the whole
    wave against every relation at once. `audit` has one row per sensitive cell with the
    attacker's interval and the width it needed. Should the attacker find a sensitive cell
    narrower than that (a relation the decomposition does not model), the repair is targeted
    first: each narrow cell's table is solved again with a cut — hide at least one more of the
    cells of the sums that pinned it (its answer's column among its sibling units, and its own
    unit's other answers) — and the wave is audited again. Only if that does not help within
    TARGETED_ROUNDS is the whole breakdown of the item hidden (the last resort); if even that
    does not help, DisclosureError. Every repair is listed in `decision.repairs` (the checker
    report prints them)."""
    from analysis.core.disclosure.secondary import choose_suppression

    k = int(rules.min_base)
    decision = choose_suppression(cells, rules, book, municipalities)
    nesting = unit_nesting(book, municipalities)
    truth = cell_values(cells)
    relations = holding_relations(truth, cell_relations(cells, nesting, book))
    cuts, repairs = defaultdict(list), []
    for round_ in range(1, TARGETED_ROUNDS + 1):
        hidden = set(decision.hidden) | set(decision.reasons)
        protected, audit, narrow = _audited(cells, hidden, decision, k, book, relations, truth)
        if narrow.empty:
            decision.repairs = repairs
            return hide_sector_composition(protected), audit, decision
        added = _repair_cuts(narrow, hidden, cells, nesting)
        for item, sets in added.items():
            cuts[item] += sets
        repairs += _repair_notes(round_, "targeted", narrow, added)
        decision = choose_suppression(cells, rules, book, municipalities, cuts=cuts)
    hidden = set(decision.hidden) | set(decision.reasons)
    for _ in range(REPAIR_ROUNDS + 1):
        protected, audit, narrow = _audited(cells, hidden, decision, k, book, relations, truth)
        if narrow.empty:
            decision.repairs = repairs
            return hide_sector_composition(protected), audit, decision
        grown = _whole_breakdowns(cells, narrow, book)
        if grown <= hidden:
            # Every cell of these items below the overall row is hidden already: what still narrows
            # them is the overall row and the unit sizes, which are shown by design. Hiding more
            # protects nobody (as with a unanimous total), so their need is capped at the width
            # they have, and the checker report lists them as capped — the build does not fail.
            for r in narrow.itertuples():
                key = (r.item, r.unit, r.unit_id, r.answer)
                decision.capped.add(key)
                decision.required[key] = max(float(r.width), 0.0) if pd.notna(r.width) else 0.0
            audit = audit_widths(protected, relations, decision, truth)
            decision.repairs = repairs
            return hide_sector_composition(protected), audit, decision
        repairs += _repair_notes(len(repairs) + 1, "whole breakdown (last resort)", narrow, {})
        hidden |= grown
        decision.hidden |= grown  # the checker report lists them as complementary, not as linked rows
    raise DisclosureError(f"{len(narrow)} sensitive cell(s) stay narrower than their protection width, e.g. "
                          + "; ".join(f"{r.item} {r.unit} {r.unit_id} {r.answer}" for r in narrow.head(5).itertuples()))


def _audited(cells, hidden, decision, k, book, relations, truth):
    """The cells as published with `hidden` hidden, the attacker's audit of them, and the
    sensitive cells it finds narrower than their width."""
    start = time.process_time()
    LOG.info("audit: the attacker's intervals of %d sensitive cells, %d cells hidden", len(decision.reasons), len(hidden))
    protected = _apply_cells(cells, hidden, set(decision.reasons), k, book)
    audit = audit_widths(protected, relations, decision, truth)
    narrow = audit[audit["width"] < audit["required"] - 1e-6]
    LOG.info("audit: %d narrower than their width, %.1f s CPU", len(narrow), time.process_time() - start)
    return protected, audit, narrow


def _repair_cuts(narrow: pd.DataFrame, hidden: set, cells: pd.DataFrame, nesting: pd.DataFrame) -> dict:
    """Per item, the repair cuts for its narrow cells: of the shown cells of the sums that pin a
    narrow cell (its answer among the units under the same parent, and its own unit's other
    answers), at least one more must be hidden. Every sum of the table it is part of, so the
    optimiser picks the cheapest cell that gives it room."""
    parent = {(u, str(i)): (pu, str(pi)) for u, i, pu, pi in nesting.itertuples(index=False)}
    rows = cells[_guarded(cells)]
    keys = list(zip(rows["item"], rows["unit"], rows["unit_id"].astype(str), rows["answer"]))
    by_item_unit = defaultdict(list)
    for key in keys:
        by_item_unit[(key[0], key[1])].append(key)
    out = defaultdict(list)
    for r in narrow.itertuples():
        mine = parent.get((r.unit, str(r.unit_id)))
        wanted = frozenset(c for c in by_item_unit[(r.item, r.unit)] if c not in hidden
                           and ((c[3] == r.answer and parent.get((c[1], c[2])) == mine) or c[2] == str(r.unit_id)))
        if wanted:
            out[r.item].append(wanted)
    return dict(out)


def _repair_notes(round_: int, kind: str, narrow: pd.DataFrame, added: dict) -> list[dict]:
    """What the checker report says about one repair round, per item and unit kind."""
    notes = []
    for (item, unit), part in narrow.groupby(["item", "unit"], sort=False):
        notes.append({"round": round_, "repair": kind, "item": item, "unit": unit, "narrow": len(part),
                      "cuts": len(added.get(item, [])),
                      "example": "; ".join(f"{r.unit_id} {r.answer}: [{r.low:.0f}, {r.high:.0f}] needs {r.required:.0f}"
                                           for r in part.head(3).itertuples())})
    return notes


def audit_widths(protected: pd.DataFrame, relations, decision, truth: dict | None = None) -> pd.DataFrame:
    """The attacker's interval for every sensitive cell of the published wave, with its need.
    With `truth` (every count and base of the unprotected cells) a cell that moves by its need
    along rectangles of the true table needs no LP (attacker.attack); the interval reported is
    then the span of those feasible tables, no wider than the reader's true interval."""
    values, bounds = published_values(protected)
    need = {count_key(*key): decision.required.get(key, 1.0) for key in decision.reasons}
    found = attack(values, relations, bounds, exact=False, need=need, truth=truth)
    intervals = dict(zip(found["key"], zip(found["low"].tolist(), found["high"].tolist())))
    rows = []
    for key, why in decision.reasons.items():
        ck = count_key(*key)
        low, high = intervals.get(ck, (np.nan, np.nan))
        rows.append((*key, why, need[ck], key in decision.capped, low, high))
    out = pd.DataFrame(rows, columns=["item", "unit", "unit_id", "answer", "reason", "required", "capped", "low", "high"])
    out["width"] = out["high"] - out["low"]
    return out


def _whole_breakdowns(cells: pd.DataFrame, narrow: pd.DataFrame, book) -> set:
    """Repair: every cell of the narrow cells' items in their unit kinds and follow-ups."""
    rows = cells[_guarded(cells)]
    follow = defaultdict(set)
    for child, lead, _ in skip_links(book):
        follow[lead].add(child)
    pairs = set(zip(narrow["item"], narrow["unit"]))
    grown = set(pairs)
    while True:
        more = {(f, u) for i, u in grown for f in follow[i]}
        if more <= grown:
            break
        grown |= more
    keep = pd.Series(list(zip(rows["item"], rows["unit"])), index=rows.index).isin(grown) & rows["unit"].ne(OVERALL)
    part = rows[keep]
    return set(zip(part["item"], part["unit"], part["unit_id"].astype(str), part["answer"]))


def _apply_cells(cells: pd.DataFrame, hidden_cells: set, primary: set, k: int, book) -> pd.DataFrame:
    """Hide the given (item, unit, unit_id, answer) cells, and every row of a follow-up item whose
    base is a hidden lead count (its base too, and its zeros: 0 of 0 would tell that count).
    A cell sensitive for its base below k reads "< k"; every other hidden cell "×" — also every
    row whose base is hidden: its mark must not tell that base. ("< k" there would say the hidden
    lead count is 1 .. k-1, "×" that it is 0 or at least k: in a municipality of 1 to 4 that pins
    a lead count of 0, or lifts it to at least 1 — issue 16, the 3,400 wave's first audit.)"""
    out = cells.copy()
    keys = pd.Series(list(zip(out["item"], out["unit"], out["unit_id"].astype(str), out["answer"])), index=out.index)
    guarded = _guarded(out)
    hidden = guarded & keys.isin(hidden_cells)
    base_hidden = guarded & _lead_count_hidden(out, hidden, book)
    hidden |= base_hidden
    out["status"] = out["status"].astype("string")
    small = keys.isin(primary) & (out["base"].fillna(0) < k) & ~base_hidden
    out.loc[hidden, "status"] = np.where(small[hidden], primary_mark(k), SECONDARY_MARK)
    for col in HIDDEN_COLUMNS:
        out[col] = out[col].mask(hidden)
    out["base"] = out["base"].mask(base_hidden)
    return out


def protect_by_escalation(cells: pd.DataFrame, min_base: int, *, book=None,
                          municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rule set before issue 16 (config `method: escalation`), kept for comparison: hand rules,
    then where the attacker pins a small count, hide that item's whole breakdown. Raises
    DisclosureError if the attacker can still recompute a hidden count after every escalation."""
    k = int(min_base)
    structure = _Structure(cells, book, municipalities)
    unit_hidden = structure.complete(structure.primary_units(k))
    nesting = unit_nesting(book, municipalities)
    relations = holding_relations(cell_values(cells), cell_relations(cells, nesting, book))
    whole: set[tuple[str, str]] = set()
    for _ in range(MAX_ESCALATIONS):
        protected = _apply(cells, unit_hidden | structure.units_of(whole), k, book)
        exposed = _about_answers(exposed_cells(protected, relations, nesting), cells)
        if exposed.empty:
            return hide_sector_composition(protected)
        grown = structure.close_breakdowns(whole | set(zip(exposed["item"], exposed["unit"])))
        if grown == whole:
            break
        whole = grown
    raise DisclosureError(f"{len(exposed)} hidden cell(s) remain recomputable, e.g. "
                          + "; ".join(f"{r.item} {r.unit} {r.unit_id} {r.answer}" for r in exposed.head(5).itertuples()))


def _about_answers(exposed: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Leave out recomputable cells whose base is 0: nobody in the unit answered the item (item
    nonresponse, or nobody asked), so the count of 0 tells nobody's answer."""
    empty = cells[cells["base"].fillna(0).eq(0)]
    nobody = set(zip(empty["item"], empty["unit"], empty["unit_id"].astype(str)))
    keep = [(r.item, r.unit, str(r.unit_id)) not in nobody for r in exposed.itertuples(index=False)]
    return exposed[keep]


# Who responded, by sector, is public overall and per sector (Tabel VI.1, every table's n); per
# municipality or size class it is not. The attacker above assumes nobody knows which sectors a
# municipality's officers work in, and rightly: with that composition a reader could recompute
# hidden cells (the one jeugd officer of a municipality, when all jeugd officers but one said no).
COMPOSITION_UNITS = ("municipality", "size_class")


def hide_sector_composition(cells: pd.DataFrame) -> pd.DataFrame:
    """Public mode: the sector item by municipality and size class is hidden ("×"); its base
    (the unit's number of respondents) stays, as every table prints it."""
    out = cells.copy()
    rows = out["item"].isin(UNPROTECTED_ITEMS) & out["unit"].isin(COMPOSITION_UNITS) & out["count"].notna()
    out["status"] = out["status"].astype("string")
    out.loc[rows, "status"] = SECONDARY_MARK
    for col in HIDDEN_COLUMNS:
        out[col] = out[col].mask(rows)
    return out


class _Structure:
    """What is public about a wave's cells: its units, who is in which parent, skip logic."""

    def __init__(self, cells: pd.DataFrame, book, municipalities):
        self.cells = cells
        guarded = cells["count"].notna() & ~cells["item"].isin(UNPROTECTED_ITEMS) & cells["unit"].ne(OVERALL)
        bases = cells[guarded].groupby(["item", "unit", "unit_id"], sort=True)["base"].max()
        occupied = _occupied_units(cells)
        # (item, unit kind) -> {unit id: base} over units with respondents: the candidates to hide
        self.units = defaultdict(dict)
        for (item, unit, uid), b in bases.items():
            if (unit, str(uid)) in occupied:
                self.units[(item, unit)][str(uid)] = 0 if pd.isna(b) else int(b)
        self.follow_ups = defaultdict(set)
        for it in (book.items if book is not None else []):
            for lead in it.asked_if:
                self.follow_ups[lead].add(it.id)
        self.parent = {kind: _parent_of(kind, book, municipalities) for kind in PARENT_KIND}

    def primary_units(self, k: int) -> set[tuple[str, str, str]]:
        return {(item, unit, uid) for (item, unit), ids in self.units.items() for uid, b in ids.items() if b < k}

    def complete(self, hidden: set) -> set:
        """Rule 2 to a fixed point (every choice ordered, so the result is deterministic)."""
        hidden = set(hidden)
        while True:
            grown = set(hidden)
            for item, unit, uid in sorted(hidden):
                grown |= {(f, unit, uid) for f in self.follow_ups[item] if uid in self.units.get((f, unit), {})}
                grown |= self._lone_parent(item, unit, uid)
            for (item, unit), ids in sorted(self.units.items()):
                shown = {u: b for u, b in ids.items() if (item, unit, u) not in grown}
                if len(ids) - len(shown) == 1 and shown:
                    grown.add((item, unit, min(shown, key=lambda u: (shown[u], u))))
            if grown == hidden:
                return hidden
            hidden = grown

    def _lone_parent(self, item: str, unit: str, uid: str) -> set:
        if unit not in PARENT_KIND:
            return set()
        parent_kind, parent_of = PARENT_KIND[unit], self.parent[unit]
        if uid not in parent_of:
            return set()
        siblings = [u for u in self.units.get((item, unit), {}) if parent_of.get(u) == parent_of[uid]]
        if len(siblings) != 1:
            return set()
        parents = self.units.get((item, parent_kind), {})
        if parent_of[uid] in parents:  # the parent is the child
            return {(item, parent_kind, parent_of[uid])}
        if parents:  # outside every parent: overall minus the parents
            return {(item, parent_kind, min(parents, key=lambda u: (parents[u], u)))}
        return set()

    def close_breakdowns(self, whole: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """Whole breakdowns hidden, with their follow-ups and the parent breakdowns."""
        whole = {(i, u) for i, u in whole if u != OVERALL}
        while True:
            grown = set(whole)
            for item, unit in whole:
                grown |= {(f, unit) for f in self.follow_ups[item]}
                if unit in PARENT_KIND:
                    grown.add((item, PARENT_KIND[unit]))
            if grown == whole:
                return whole
            whole = grown

    def units_of(self, whole: set[tuple[str, str]]) -> set[tuple[str, str, str]]:
        return {(item, unit, uid) for item, unit in whole for uid in self.units.get((item, unit), {})}


def _apply(cells: pd.DataFrame, unit_hidden: set[tuple[str, str, str]], k: int, book) -> pd.DataFrame:
    """Hide the counts (and where needed the bases) of the given item x unit cells."""
    out = cells.copy()
    keys = pd.Series(list(zip(out["item"], out["unit"], out["unit_id"].astype(str))), index=out.index)
    hidden = _guarded(out) & keys.isin(unit_hidden)
    base_hidden = hidden & _lead_count_hidden(out, hidden, book)
    out["status"] = out["status"].astype("string")
    small = out["base"].fillna(0) < k
    out.loc[hidden, "status"] = np.where(small[hidden], primary_mark(k), SECONDARY_MARK)
    for col in HIDDEN_COLUMNS:
        out[col] = out[col].mask(hidden)
    out["base"] = out["base"].mask(base_hidden)
    return out


def _guarded(cells: pd.DataFrame) -> pd.Series:
    """Cells that describe answers (not the items a wave did not ask, not who responded)."""
    return cells["count"].notna() & ~cells["item"].isin(UNPROTECTED_ITEMS)


def _occupied_units(cells: pd.DataFrame) -> set[tuple[str, str]]:
    """Units with at least one respondent: the zeros of an empty unit say nothing about anyone."""
    largest = cells.groupby(["unit", "unit_id"], sort=False)["base"].max()
    return {(u, str(i)) for (u, i), b in largest.items() if pd.notna(b) and b > 0}


def _parent_of(child: str, book, municipalities) -> dict[str, str]:
    """{child unit id: parent unit id, or '' for a unit in no parent (e.g. size unknown)}."""
    if child == "sector" and book is not None:
        return {s.id: str(s.domain) for s in book.sectors}
    if child == "domain" and book is not None:
        return {str(s.domain): s.social_class for s in book.sectors}
    if child == "municipality" and municipalities is not None and "size_class" in municipalities:
        sizes = municipalities["size_class"].astype(str).replace("unknown", "")
        return dict(zip(municipalities["municipality_id"].astype(str), sizes))
    return {}


def _lead_count_hidden(cells: pd.DataFrame, hidden: pd.Series, book) -> pd.Series:
    """Rows of a follow-up item whose base is the count of a hidden lead cell in the same unit."""
    hidden_counts = set(zip(cells.loc[hidden, "item"], cells.loc[hidden, "unit"],
                            cells.loc[hidden, "unit_id"].astype(str), cells.loc[hidden, "answer"]))
    lead = {child: (item, answer) for child, item, answer in skip_links(book)}
    return pd.Series([(lead[i][0], u, str(uid), lead[i][1]) in hidden_counts if i in lead else False
                      for i, u, uid in zip(cells["item"], cells["unit"], cells["unit_id"])], index=cells.index)


def protect_hours(hours: pd.DataFrame, min_base: int, mode: str) -> pd.DataFrame:
    """Hours per week by sector (Figuur VI.1). In public mode: no minimum or maximum anywhere (each
    is one officer's own answer), and no median of an odd number of officers (the middle one's
    own answer); a sector of fewer than k officers shows no statistics, and then neither does the
    next smallest sector (the overall mean times n minus the other sectors would give it back)."""
    out = hours.copy()
    out["status"] = ""
    if mode == "restricted":
        return out
    out[[c for c in ("min", "max") if c in out]] = np.nan
    if "median" in out:
        out["median"] = out["median"].mask(out["n"] % 2 == 1)
    stats = [c for c in ("mean", "median") if c in out]
    sectors = out["sector"] != OVERALL_ID
    small = sectors & out["n"].between(1, min_base - 1)
    if small.sum() == 1:
        rest = out[sectors & ~small & (out["n"] > 0)]
        if len(rest):
            small |= out.index == rest["n"].idxmin()
    out.loc[small, stats] = np.nan
    out["status"] = np.where(small, np.where(out["n"] < min_base, primary_mark(min_base), SECONDARY_MARK), "")
    return out

"""Disclosure control: small-cell suppression, an attacker that audits it, pseudonyms, a leak scan.

With 4 to 12 officers per municipality and often one per sector, a cell with a small base
describes one or two identifiable people. Two modes (config `disclosure: {mode, min_base}`):

- restricted: the cells as published in 2009 (the replication needs them); every output says
  it is restricted.
- public (the default for new waves): no count or percentage whose base is below `min_base` (k)
  is shown, and no set of shown cells lets a reader recompute one (secondary suppression).

The rule is *base* < k, not *count* < k. A count of 1 out of a base of 12 does not say which of
the 12 officers gave the answer: the group of k or more is what protects the person. The one
exception is a unanimous group the tables show anyway: when 0% or 100% of all respondents (or of
a shown parent unit) gave an answer, so did every member, and hiding the parts protects nobody.

What a reader can add up (the relations the suppression must withstand):
  (a) the units of one kind (municipalities, sectors, ...) add up to their parent unit
      (size class, VNG domain, class, overall) for every item and answer;
  (b) within a unit and item, the answer counts add up to the base (ja + nee = n);
  (c) the bases add up the same way as the counts;
  (d) skip logic: the base of a follow-up item in a unit is the count of the answer that leads
      to it (n of the pos_* items = number answering collaborates = ja).
`recomputable` is the attacker: for every hidden value it solves min and max over all shown
values and these relations (an LP, HiGHS). A hidden value is safe when max - min >= 1.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

MODES = ("public", "restricted")
OVERALL, OVERALL_ID = "overall", "all"
HIDDEN_COLUMNS = ["count", "pct", "pct_rounded", "ci_low", "ci_high"]
# The unit kinds whose units are a full partition of the respondents (every respondent has
# exactly one sector, domain, class and municipality). Size classes are not: a municipality of
# unknown size belongs to none, so size classes are related to their municipalities instead.
PARTITION_UNITS = ("sector", "domain", "class", "municipality")
# The sector item counts who responded, by sector: the n every table prints and Tabel VI.1
# publishes. Its cells inside a sector unit are fixed by the unit itself (a VGZ officer's sector
# is VGZ), so they can be neither hidden nor defended; it is left out of disclosure control.
# By municipality (a municipality x sector count) public mode hides it: hide_sector_composition.
UNPROTECTED_ITEMS = ("sector",)
SECONDARY_MARK = "×"
SAFE_WIDTH = 1 - 1e-6  # LP round-off must not make an interval of width 1 look like a point


class DisclosureError(RuntimeError):
    """A hidden cell could be recomputed from what is shown."""


@dataclass(frozen=True)
class Relation:
    """sum(coef * value) (= or <=) 0 over value keys. The first term is the total (coef +1)."""

    terms: tuple[tuple[tuple, float], ...]
    sense: str = "="


# --- values and relations ------------------------------------------------------------------------


def count_key(item, unit, unit_id, answer) -> tuple:
    return ("count", str(item), str(unit), str(unit_id), str(answer))


def base_key(item, unit, unit_id) -> tuple:
    return ("base", str(item), str(unit), str(unit_id), "")


def _counted_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """Rows that carry a count: not the items a wave did not ask (count missing, not hidden)."""
    hidden = cells["status"].map(is_suppressed).astype(bool)
    return cells[(cells["count"].notna() | hidden) & ~cells["item"].isin(UNPROTECTED_ITEMS)]


def cell_values(cells: pd.DataFrame) -> dict[tuple, float | None]:
    """Every count and every base of the cells by key; None where the value is not shown."""
    rows = _counted_rows(cells)
    out: dict[tuple, float | None] = {}
    for r in rows.itertuples(index=False):
        out[count_key(r.item, r.unit, r.unit_id, r.answer)] = None if pd.isna(r.count) else float(r.count)
        out[base_key(r.item, r.unit, r.unit_id)] = None if pd.isna(r.base) else float(r.base)
    return out


def unit_nesting(book=None, municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Which unit lies inside which (unit, unit_id, parent_unit, parent_id): public structure.

    Every unit of a partition kind lies in the overall unit; with the codebook, sectors lie in
    their VNG domain and domains in their social/physical class; with the municipality sheet,
    municipalities lie in their size class. Relations that turn out not to hold in the data are
    dropped later (`holding_relations`), so a doubtful nesting costs nothing.
    """
    rows = []
    if book is not None:
        for s in book.sectors:
            rows.append(("sector", s.id, "domain", s.domain))
        classes_of = defaultdict(set)
        for s in book.sectors:
            classes_of[s.domain].add(s.social_class)
        rows += [("domain", d, "class", next(iter(c))) for d, c in classes_of.items() if len(c) == 1]
    if municipalities is not None and "size_class" in municipalities:
        for m, size in zip(municipalities["municipality_id"].astype(str), municipalities["size_class"].astype(str)):
            if size != "unknown":
                rows.append(("municipality", m, "size_class", size))
    return pd.DataFrame(rows, columns=["unit", "unit_id", "parent_unit", "parent_id"])


def _groups(cells: pd.DataFrame, nesting: pd.DataFrame | None) -> list[tuple[tuple[str, str], list[tuple[str, str]], str]]:
    """(parent unit, [child units], sense) groups whose children add up to the parent ("=") or
    to at most the parent ("<="). Which one is public structure, never read off the values: the
    size classes add up to the overall only when every municipality has a size class. (An
    attacker told that a sum holds exactly where it holds only by chance would learn that the
    municipalities outside it have a count of 0.)"""
    units = cells[["unit", "unit_id"]].drop_duplicates()
    sized = set() if nesting is None else set(nesting.loc[nesting["parent_unit"] == "size_class", "unit_id"].astype(str))
    municipalities = set(units.loc[units["unit"] == "municipality", "unit_id"].astype(str))
    groups = []
    for kind in PARTITION_UNITS + ("size_class",):
        ids = units.loc[units["unit"] == kind, "unit_id"].astype(str).tolist()
        partial = kind == "size_class" and not municipalities <= sized
        if ids:
            groups.append(((OVERALL, "all"), [(kind, i) for i in ids], "<=" if partial else "="))
    if nesting is not None and len(nesting):
        for (pu, pid), part in nesting.groupby(["parent_unit", "parent_id"], sort=True):
            groups.append(((pu, str(pid)), [(u, str(i)) for u, i in zip(part["unit"], part["unit_id"])], "="))
    return groups


def skip_links(book) -> list[tuple[str, str, str]]:
    """(follow-up item, lead item, lead answer) for items asked on one condition (skip logic)."""
    if book is None:
        return []
    return [(it.id, *next(iter(it.asked_if.items()))) for it in book.items if len(it.asked_if) == 1]


def cell_relations(cells: pd.DataFrame, nesting: pd.DataFrame | None = None, book=None) -> list[Relation]:
    """Every linear relation (a)-(d) a reader could use, over the keys of `cells` (no values)."""
    rows = _counted_rows(cells)
    present = set(cell_values(cells))
    relations: list[Relation] = []
    # (b) answers add up to the base, per unit and item
    for (item, unit, uid), part in rows.groupby(["item", "unit", "unit_id"], sort=False):
        terms = [(base_key(item, unit, uid), 1.0)] + [(count_key(item, unit, uid, a), -1.0) for a in part["answer"]]
        relations.append(Relation(tuple(terms)))
    # (a) and (c): children add up to their parent, for counts and for bases
    items_answers = rows[["item", "answer"]].drop_duplicates().itertuples(index=False)
    items = rows["item"].drop_duplicates().tolist()
    groups = _groups(rows, nesting)
    for item, answer in items_answers:
        for parent, children, sense in groups:
            relations.append(_sum_relation(count_key(item, *parent, answer),
                                           [count_key(item, u, i, answer) for u, i in children], present, sense))
    for item in items:
        for parent, children, sense in groups:
            relations.append(_sum_relation(base_key(item, *parent), [base_key(item, u, i) for u, i in children], present, sense))
    # (d) the base of a follow-up item is the lead item's count of the leading answer
    units = rows[["unit", "unit_id"]].drop_duplicates().itertuples(index=False)
    units = list(units)
    for child, lead, answer in skip_links(book):
        for u, uid in units:
            b, c = base_key(child, u, uid), count_key(lead, u, uid, answer)
            if b in present and c in present:
                relations.append(Relation(((b, 1.0), (c, -1.0))))
    return [r for r in relations if r is not None and all(k in present for k, _ in r.terms)]


def _sum_relation(total: tuple, parts: list[tuple], present: set, sense: str = "=") -> Relation | None:
    parts = [p for p in parts if p in present]
    if total not in present or not parts:
        return None
    if sense == "<=":  # sum(parts) - total <= 0
        return Relation(((total, -1.0),) + tuple((p, 1.0) for p in parts), "<=")
    return Relation(((total, 1.0),) + tuple((p, -1.0) for p in parts))


def holding_relations(values: dict[tuple, float | None], relations: list[Relation]) -> list[Relation]:
    """The relations that hold in the full data. All of them should; one that does not (a
    nesting that the data contradict) is dropped, since it would give the attacker a falsehood."""
    out = []
    for rel in relations:
        lhs = sum(coef * values[k] for k, coef in rel.terms)
        if abs(lhs) < 1e-9 or (rel.sense == "<=" and lhs < 0):
            out.append(rel)
    return out


# --- suppression ---------------------------------------------------------------------------------
#
# 1. primary: every cell of a unit x item whose base is below k (in a unit with respondents);
# 2. complementary, by rules a reviewer can follow by hand, to a fixed point:
#    - a hidden lead item hides its follow-up items in the same unit, with their bases (a
#      follow-up's base is the lead's count: "n of the pos_* items" = "collaborates = ja");
#    - a breakdown (unit kind: sector, municipality, ...) of an item with exactly one hidden unit
#      also hides its smallest other unit (one hidden unit is the overall minus the others);
#    - a hidden unit alone in its parent (the only sector of its VNG domain, the only
#      municipality of unknown size) hides a parent unit: parent = child, or overall minus parents;
# 3. the attacker (`exposed_cells`, an LP over every sum a reader can form) looks for a hidden
#    count it can still pin down; the item's whole breakdown is then hidden (and its parents'
#    and follow-ups'), and the attacker looks again. With a whole breakdown hidden only its sum
#    (the overall) is known, so this ends; if it did not, the step fails rather than publish.

PARENT_KIND = {"sector": "domain", "domain": "class", "municipality": "size_class"}
MAX_ESCALATIONS = 20


def primary_mark(min_base: int) -> str:
    """The status (and the printed text) of a cell whose base is below k."""
    return f"< {int(min_base)}"


def is_suppressed(status) -> bool:
    status = "" if pd.isna(status) else str(status)
    return status.startswith("< ") or status == SECONDARY_MARK


def protect_cells(cells: pd.DataFrame, min_base: int, mode: str, *, book=None,
                  municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """cells.csv rows with small-cell protection applied (a new frame; `cells` is not changed).

    Restricted mode returns the cells unchanged. In public mode a hidden cell gets status
    "< k" (its base is below k) or "×" (hidden to protect another cell), and count, pct,
    pct_rounded and the interval are missing, never 0; its base is missing too where the base
    would tell a hidden count of the lead item. The codebook gives sectors' domains and the skip
    logic; the municipality sheet gives size classes. Raises DisclosureError if the attacker
    can still recompute a hidden count after every escalation.
    """
    if mode not in MODES:
        raise ValueError(f"disclosure mode {mode!r} is not one of {MODES}")
    if mode == "restricted":
        return cells.copy()
    k = int(min_base)
    structure = _Structure(cells, book, municipalities)
    unit_hidden = structure.complete(structure.primary_units(k))
    nesting = unit_nesting(book, municipalities)
    relations = holding_relations(cell_values(cells), cell_relations(cells, nesting, book))
    whole: set[tuple[str, str]] = set()
    for _ in range(MAX_ESCALATIONS):
        protected = _apply(cells, unit_hidden | structure.units_of(whole), k, book)
        exposed = exposed_cells(protected, relations, nesting)
        if exposed.empty:
            return hide_sector_composition(protected)
        grown = structure.close_breakdowns(whole | set(zip(exposed["item"], exposed["unit"])))
        if grown == whole:
            break
        whole = grown
    raise DisclosureError(f"{len(exposed)} hidden cell(s) remain recomputable, e.g. "
                          + "; ".join(f"{r.item} {r.unit} {r.unit_id} {r.answer}" for r in exposed.head(5).itertuples()))


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


def exposed_cells(cells_published: pd.DataFrame, relations: list[Relation], nesting: pd.DataFrame | None = None,
                  exact: bool = False) -> pd.DataFrame:
    """Small hidden counts the attacker pins down (interval narrower than 1), except those a shown,
    unanimous ancestor already tells (everyone in the overall or the parent unit gave that
    answer, or nobody did: a group disclosure the tables print anyway)."""
    intervals = recomputable(cells_published, relations, exact=exact)
    # only the small cells must stay unknown; a complementary cell (base >= k) may be recomputed
    small = cells_published[cells_published["status"].astype(str).str.startswith("< ")]
    small_keys = {count_key(r.item, r.unit, r.unit_id, r.answer) for r in small.itertuples(index=False)}
    pinned = intervals[(intervals["kind"] == "count") & (intervals["width"] < SAFE_WIDTH) & intervals["key"].isin(small_keys)]
    unanimous = _unanimous_cells(cells_published)
    parents = {} if nesting is None else {(u, str(i)): (pu, str(pi)) for u, i, pu, pi in nesting.itertuples(index=False)}

    def told(row) -> bool:
        ancestors = [(OVERALL, "all")]
        if (row.unit, row.unit_id) in parents:
            ancestors.append(parents[(row.unit, row.unit_id)])
        return any((row.item, pu, pi, row.answer) in unanimous for pu, pi in ancestors)

    return pinned[[not told(r) for r in pinned.itertuples(index=False)]]


def _unanimous_cells(cells: pd.DataFrame) -> set[tuple]:
    shown = cells[cells["count"].notna() & cells["base"].notna() & (cells["base"] > 0)]
    extreme = shown[(shown["count"] == 0) | (shown["count"] == shown["base"])]
    return set(zip(extreme["item"], extreme["unit"], extreme["unit_id"].astype(str), extreme["answer"]))


# --- the attacker ----------------------------------------------------------------------------------


def published_values(cells_published: pd.DataFrame) -> tuple[dict, dict]:
    """Shown values of protected cells, and the bounds a '< k' mark gives on hidden bases."""
    values = cell_values(cells_published)
    status = cells_published["status"].astype(str)
    primary = cells_published[status.str.startswith("< ") & cells_published["base"].isna()]
    return values, {base_key(r.item, r.unit, r.unit_id): int(r.status[2:]) - 1 for r in primary.itertuples(index=False)}


def recomputable(cells_published: pd.DataFrame, relations: list[Relation], exact: bool = True) -> pd.DataFrame:
    """The attacker: for every hidden count or base, the interval [low, high] it can lie in given
    everything shown and every relation (LP relaxation, non-negative, counts <= bases, and a
    '< k' base at most k - 1).

    Returns key, kind, item, unit, unit_id, answer, low, high, width. A hidden value is safe
    when width >= 1; width < 1 means it is recomputed (exactly, since values are integers).
    exact=False is the fast audit `protect_cells` runs: a value seen at two feasible points at
    least 1 apart is reported with those points (an interval no wider than the true one).
    """
    values, bounds = published_values(cells_published)
    return attack(values, relations, bounds, exact=exact)


def attack(values: dict[tuple, float | None], relations: list[Relation], upper: dict | None = None,
           exact: bool = True, cache: dict | None = None) -> pd.DataFrame:
    """LP intervals of the hidden (None) values; see `recomputable`. `cache` (component keys ->
    intervals) lets the audit rounds of `protect_cells` skip components that did not change."""
    upper = upper or {}
    cache = {} if cache is None else cache
    unknown = sorted(k for k, v in values.items() if v is None)
    rows = _linear_rows(values, relations + _count_within_base(values, unknown))
    out = []
    for component, comp_rows in _components(unknown, rows):
        signature = (tuple(component), exact)
        if signature not in cache:
            cache[signature] = _solve_component(component, comp_rows, upper, exact)
        out += cache[signature]
    frame = pd.DataFrame(out, columns=["key", "low", "high"])
    frame["width"] = frame["high"] - frame["low"]
    for pos, name in enumerate(["kind", "item", "unit", "unit_id", "answer"]):
        frame[name] = [k[pos] for k in frame["key"]]
    return frame[["key", "kind", "item", "unit", "unit_id", "answer", "low", "high", "width"]]


def _count_within_base(values: dict, unknown: list[tuple]) -> list[Relation]:
    """count - base <= 0 for hidden counts (a hidden base cannot be smaller than its counts)."""
    out = []
    for k in unknown:
        if k[0] == "count":
            b = base_key(k[1], k[2], k[3])
            if b in values:
                out.append(Relation(((k, 1.0), (b, -1.0)), "<="))
    return out


def _linear_rows(values: dict, relations: list[Relation]) -> list[tuple[dict, float, str]]:
    """Relations with the shown values moved to the right-hand side: ({key: coef}, rhs, sense)."""
    rows = []
    for rel in relations:
        coefs, rhs = {}, 0.0
        for k, c in rel.terms:
            if values.get(k) is None:
                coefs[k] = coefs.get(k, 0.0) + c
            else:
                rhs -= c * values[k]
        if coefs:
            rows.append((coefs, rhs, rel.sense))
    return rows


def _components(unknown: list[tuple], rows: list) -> list[tuple[list[tuple], list]]:
    """Hidden values that share no relation can be solved apart: much smaller LPs."""
    parent = {k: k for k in unknown}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for coefs, _, _ in rows:
        keys = list(coefs)
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
    groups, group_rows = defaultdict(list), defaultdict(list)
    for k in unknown:
        groups[find(k)].append(k)
    for row in rows:
        group_rows[find(next(iter(row[0])))].append(row)
    return [(sorted(g), group_rows[root]) for root, g in sorted(groups.items())]


SCREENING_OBJECTIVES = 6


def _solve_component(keys: list[tuple], rows: list, upper: dict, exact: bool) -> list[tuple]:
    """Min and max of every hidden value of one component. Without `exact`, a few objectives
    (sum, random directions) first give feasible points; a value that already varies by 1 or
    more between them is safe and needs no solves of its own."""
    import highspy  # only here: a process that never audits does not load the solver

    h = _component_lp(keys, rows, upper)
    n = len(keys)
    low, high = np.full(n, np.inf), np.full(n, -np.inf)
    if not exact:
        rng = np.random.default_rng(len(keys))  # deterministic per component
        directions = [np.ones(n)] + [rng.normal(size=n) for _ in range(SCREENING_OBJECTIVES)]
        for cost in directions:
            for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                point = _solve(h, cost, sense)
                if point is not None:
                    low, high = np.minimum(low, point), np.maximum(high, point)
    for j in range(n):
        if high[j] - low[j] >= 1:
            continue
        unit = np.zeros(n)
        unit[j] = 1.0
        low[j] = _extreme(h, unit, highspy.ObjSense.kMinimize, j, -np.inf)
        high[j] = _extreme(h, unit, highspy.ObjSense.kMaximize, j, np.inf)
    return [(k, float(low[j]), float(high[j])) for j, k in enumerate(keys)]


def _component_lp(keys: list[tuple], rows: list, upper: dict):
    import highspy

    from analysis.solver import new_highs

    index = {k: i for i, k in enumerate(keys)}
    h = new_highs()
    ub = np.array([float(upper.get(k, highspy.kHighsInf)) for k in keys])
    h.addVars(len(keys), np.zeros(len(keys)), ub)
    for coefs, rhs, sense in rows:
        idx = np.array([index[k] for k in coefs], dtype=np.int32)
        val = np.array(list(coefs.values()), dtype=np.float64)
        lower = rhs if sense == "=" else -highspy.kHighsInf
        h.addRow(lower, rhs, len(idx), idx, val)
    return h


def _solve(h, cost: np.ndarray, sense) -> np.ndarray | None:
    """The optimal point for one objective, or None when unbounded in that direction."""
    import highspy

    n = h.getNumCol()
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost.astype(np.float64))
    h.changeObjectiveSense(sense)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kUnbounded:
        return None
    if status != highspy.HighsModelStatus.kOptimal:
        raise DisclosureError(f"attacker LP not solved: {status}")
    return np.array(h.getSolution().col_value)


def _extreme(h, cost: np.ndarray, sense, column: int, unbounded: float) -> float:
    point = _solve(h, cost, sense)
    return unbounded if point is None else float(point[column])


# --- display ----------------------------------------------------------------------------------------

WORDS = {
    "nl": {"marks": "'< {k}' = minder dan {k} respondenten, niet getoond; '×' = verborgen zodat zo'n cel niet uit totalen te herleiden is",
           "restricted": "Vertrouwelijk (restricted): kan cellen met minder dan {k} respondenten bevatten; niet voor publicatie",
           "public": "Openbaar (public): geen cel met minder dan {k} respondenten getoond of te herleiden"},
    "en": {"marks": "'< {k}' = fewer than {k} respondents, not shown; '×' = hidden so that such a cell cannot be recomputed from totals",
           "restricted": "Restricted: may contain cells of fewer than {k} respondents; not for publication",
           "public": "Public: no cell of fewer than {k} respondents is shown or recomputable"},
}


def disclosure_note(mode: str, min_base: int, language: str = "nl") -> str:
    """The line every output of a wave carries: restricted or public, and what the marks mean."""
    words = WORDS[language]
    if mode == "restricted":
        return words["restricted"].format(k=min_base)
    return f"{words['public'].format(k=min_base)}. {words['marks'].format(k=min_base)}."


DATA_NOTES = {
    "nl": {"synthetic": "Synthetische gegevens (verzonnen, voor tests en demonstratie): niet de gegevens van het "
                        "RIVM-onderzoek.",
           "reconstructed": "Gereconstrueerde microdata (herbouwd uit de gepubliceerde tabellen; wat die niet "
                            "vastleggen is vrij gekozen, zie RECONSTRUCTION.md), niet de originele gegevens."},
    "en": {"synthetic": "Synthetic data (invented, for tests and demonstration): not the RIVM study's data.",
           "reconstructed": "Reconstructed microdata (rebuilt from the published tables; what they do not fix was "
                            "chosen freely, see RECONSTRUCTION.md), not the original data."},
}


def data_note(language: str = "nl", synthetic: bool = False, reconstructed: bool = False) -> str:
    """The line every table and feedback page of an invented or reconstructed wave carries."""
    if synthetic:
        return DATA_NOTES[language]["synthetic"]
    return DATA_NOTES[language]["reconstructed"] if reconstructed else ""


# --- pseudonyms ----------------------------------------------------------------------------------


def pseudonym(municipality_id: str, salt: str, length: int = 6) -> str:
    return "G-" + hashlib.sha256(f"{salt}{municipality_id}".encode("utf-8")).hexdigest()[:length]


def pseudonym_among(municipality_id: str, salt: str, pseudonyms: set[str]) -> str | None:
    """The pseudonym `pseudonymise` gave this id, read off the pseudonyms it gave (their length
    grows when a sheet has collisions); None when the id is not in that sheet. For files that
    still carry raw ids, such as an interview register, joined to a public wave's sheet."""
    for length in range(6, 65, 2):
        name = pseudonym(municipality_id, salt, length)
        if name in pseudonyms:
            return name
    return None


def pseudonymise(municipalities: pd.DataFrame, salt: str, mode: str = "public") -> pd.DataFrame:
    """The municipality sheet with a `pseudonym` column ("G-" + 6 hex of sha256(salt + id)).

    Stable: the same salt and id give the same pseudonym in every run and wave, so a
    municipality can follow itself over waves. Collisions lengthen all pseudonyms of the sheet
    until they are distinct. In public mode the `name` column (and any `note`) is dropped.

    The salt is config (`disclosure: {pseudonym_salt: ...}`). A salt committed in the repo is not
    secret: anyone with the list of candidate municipality ids and the salt can recompute every
    pseudonym. Pseudonyms therefore protect against casual reading of published tables, not
    against a determined attacker with the sheet; for that, pass the salt at run time
    (`snakemake --config ...` or an untracked config file) and keep it with the raw data. Size
    class and n can still narrow a pseudonym down (there are only four G4 cities).
    """
    out = municipalities.copy()
    ids = out["municipality_id"].astype(str)
    length = 6
    while True:
        names = [pseudonym(m, salt, length) for m in ids]
        if len(set(names)) == len(set(ids)):
            break
        length += 2
    out["pseudonym"] = names
    if mode == "public":
        out = out.drop(columns=[c for c in ("name", "note") if c in out])
    return out


def public_wave(responses: pd.DataFrame, municipalities: pd.DataFrame, salt: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Responses and sheet of a public wave: every municipality id replaced by its pseudonym and
    names dropped, so that nothing built from them can name a municipality (new frames)."""
    sheet = pseudonymise(municipalities, salt, "public")
    mapping = dict(zip(municipalities["municipality_id"].astype(str), sheet["pseudonym"]))
    out = responses.copy()
    out["municipality_id"] = out["municipality_id"].astype(str).map(mapping).astype("string")
    sheet["municipality_id"] = sheet["pseudonym"]
    return out, sheet


# --- the leak scan ------------------------------------------------------------------------------------

TEXT_SUFFIXES = {".csv", ".md", ".html", ".htm", ".svg", ".json", ".txt", ".log", ".tsv", ".yaml", ".yml", ".rst", ".tex"}
SKIPPED_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".pdf"}
ROW_LEVEL_SUFFIXES = {".parquet", ".sav", ".dta", ".feather", ".pkl", ".pickle", ".rds", ".sas7bdat"}
ID_COLUMNS = {"respondent_id", "respondent", "resp_id", "respondentnummer", "respondentid"}


@dataclass(frozen=True)
class Problem:
    path: str
    kind: str  # "respondent id" | "row-level export" | "unreadable"
    detail: str


def scan_results_for_respondent_rows(results_dir, respondent_ids, item_ids=(), allowed=("*/responses.parquet",)) -> list[Problem]:
    """Every file under results/ that shows a respondent id or looks like a respondent-level export.

    Text files (CSV, MD, HTML, SVG, JSON, logs) are searched for each id as a whole token;
    workbooks (.xlsx) cell by cell; tables (CSV, xlsx sheets) are flagged when they have a
    respondent id column, or at least three codebook item columns and a row per respondent.
    Data formats that hold rows (.parquet, .sav, ...) are flagged outright. Images are skipped.
    Ids made of digits only (e.g. 1..123) would match every number, so they are found through
    the column checks only. `allowed` are glob patterns relative to results_dir.
    """
    root = Path(results_dir)
    ids = [str(i) for i in respondent_ids if pd.notna(i)]
    pattern = _id_pattern([i for i in ids if not i.isdigit()])
    n_rows = len(set(ids))
    problems = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(rel.match(g) for g in allowed):
            continue
        problems += _scan_file(path, str(rel), pattern, set(item_ids), n_rows)
    return problems


def _id_pattern(ids: list[str]) -> re.Pattern | None:
    if not ids:
        return None
    alternatives = "|".join(re.escape(i) for i in sorted(set(ids), key=len, reverse=True))
    # whole token: SYN-001 must not match inside SYN-0012 or XSYN-001
    return re.compile(rf"(?<![A-Za-z0-9_-])(?:{alternatives})(?![A-Za-z0-9_-])", re.IGNORECASE)


def _scan_file(path: Path, rel: str, pattern, item_ids: set, n_rows: int) -> list[Problem]:
    suffix = path.suffix.lower()
    if suffix in SKIPPED_SUFFIXES:
        return []
    if suffix in ROW_LEVEL_SUFFIXES:
        return [Problem(rel, "row-level export", f"{suffix} data file outside responses.parquet")]
    if suffix == ".xlsx":
        return _scan_workbook(path, rel, pattern, item_ids, n_rows)
    if suffix not in TEXT_SUFFIXES:
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    problems = _ids_in_text(text, rel, pattern)
    if suffix in (".csv", ".tsv"):
        problems += _row_level_table(_csv_header(text, suffix), _line_count(text) - 1, rel, item_ids, n_rows)
    return problems


def _ids_in_text(text: str, where: str, pattern) -> list[Problem]:
    if pattern is None:
        return []
    found = sorted({m.group(0) for m in pattern.finditer(text)})
    return [Problem(where, "respondent id", f"{len(found)} respondent id(s), e.g. {found[:3]}")] if found else []


def _csv_header(text: str, suffix: str) -> list[str]:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = "\t" if suffix == ".tsv" else (";" if first.count(";") > first.count(",") else ",")
    return [c.strip().strip('"') for c in first.split(sep)]


def _line_count(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def _row_level_table(columns: list[str], n: int, where: str, item_ids: set, n_respondents: int) -> list[Problem]:
    lowered = {c.lower() for c in columns}
    if lowered & ID_COLUMNS:
        return [Problem(where, "row-level export", f"respondent id column {sorted(lowered & ID_COLUMNS)}")]
    items = [c for c in columns if c in item_ids]
    if len(items) >= 3 and n_respondents and n >= n_respondents:
        return [Problem(where, "row-level export", f"{n} rows with item columns {items[:5]}")]
    return []


def _scan_workbook(path: Path, rel: str, pattern, item_ids: set, n_rows: int) -> list[Problem]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # a workbook we cannot read is a workbook we cannot vouch for
        return [Problem(rel, "unreadable", str(err))]
    problems = []
    for ws in wb.worksheets:
        rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        where = f"{rel}[{ws.title}]"
        problems += _ids_in_text("\n".join("\t".join(r) for r in rows), where, pattern)
        if rows:
            problems += _row_level_table(rows[0], len(rows) - 1, where, item_ids, n_rows)
    wb.close()
    return problems

"""Optimal secondary suppression of a wave's cells: which cells to hide besides the sensitive ones.

The wave's cells are cut into tables that a reader cannot link, each solved exactly by
`optimal.solve_table` (HiTaS-style decomposition):

- one item at a time, lead items before their follow-ups (skip logic). Where a lead item's count
  is hidden in a unit, the follow-ups' rows in that unit are hidden too: their base is that count.
  In a follow-up's own table its bases count as known, which only makes the reader stronger
  (the pattern is safe for a reader who knows more than the published tables tell);
- the overall row is shown (unless it is itself sensitive; then every cell of the item is), so
  the sector branch (sector, VNG domain, social/physical) and the municipality branch (municipality,
  size class) are separate tables;
- where no size-class cell of the item is sensitive or hidden already, the size-class totals are
  shown and each size class (and the municipalities of unknown size, whose total is the overall
  minus the size classes) is a table of its own.

The combined pattern is then audited by the attacker (attacker.py) against every relation at
once; it is the independent check. Information loss (the objective) weighs a hidden cell by its
unit kind (`UNIT_WEIGHTS`: municipality, sector 1; VNG domain, size class 3; social/physical 5),
times its unit's base over k (`_size_weight`, at least 1), times one plus the follow-up cells a
hidden lead count takes along (`_lost_follow_ups`).

keep_group (rules.py): a free cell of a municipality with at least that many respondents
(`KEPT_UNITS`) costs, on top, a premium of one more than all free cells of its table together
(`Table.first`, `optimal._premium`), so a pattern that hides fewer such cells always wins: the
objective is lexicographic, kept cells first, then the weights above. Where the size classes are solved apart
and a kept municipality is the only partner of a small one in its size class, the item's joint
table (municipalities and size-class totals) is solved too and taken if it hides fewer kept
cells: there two size-class totals (or one and a municipality of unknown size) can protect the
small one instead. Cost and bounds are reported without the premium (optimal.solve_table); the
bounds then hold for every safe pattern of the decomposition that hides no more kept cells.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core.disclosure.marks import UNPROTECTED_ITEMS
from analysis.core.disclosure.optimal import FREE, HIDDEN, SENSITIVE, TOLERANCE, Table, solve_table, widths
from analysis.core.disclosure.rules import PublicationRules
from analysis.core.vocabulary import OVERALL

# Cost of hiding one cell, by unit kind: a municipality or sector cell describes a few officers;
# a VNG domain or size class is a total over several of them that a reader of the report's main
# text (Figuren 4.1, 5.1) uses; the social/physical split is the report's headline comparison.
# The overall row is never hidden to protect another cell.
UNIT_WEIGHTS = {"municipality": 1.0, "sector": 1.0, "domain": 3.0, "size_class": 3.0, "class": 5.0}

# The units whose own rows the keep_group rule keeps (rules.py): those an officer belongs to; the
# totals over them (VNG domain, size class, social/physical) are what it hides instead.
KEPT_UNITS = ("municipality",)

BRANCHES = {"sector": ("sector", "domain", "class"), "municipality": ("municipality", "size_class")}

# progress in the step's log: protecting a national wave takes minutes, and an empty log looks hung
LOG = logging.getLogger(__name__)


@dataclass
class Decision:
    """What the optimiser decided: hidden cells (item, unit, unit_id, answer), why each sensitive
    cell is sensitive, the width it needs (min(w, base), capped at what hiding every cell of its
    table could give), and per table the cost and LP bound of the complementary cells."""

    hidden: set = field(default_factory=set)
    reasons: dict = field(default_factory=dict)
    required: dict = field(default_factory=dict)
    capped: set = field(default_factory=set)
    pieces: list = field(default_factory=list)
    # repair (suppression.protect_wave): per item, sets of cells of which at least one must be hidden
    cuts: dict = field(default_factory=dict)
    repairs: list = field(default_factory=list)
    # keep_group's price: size-class cells hidden only because the rule kept the rows of large
    # municipalities (see _keep_group_totals); the published notes say so (publication/notes.py)
    kept_totals: set = field(default_factory=set)


def sensitive_reasons(cells: pd.DataFrame, rules: PublicationRules) -> pd.Series:
    """Per cell, why it is sensitive ("" if not): base < k, count <= c, or a unit of < g."""
    guarded = cells["count"].notna() & ~cells["item"].isin(UNPROTECTED_ITEMS)
    base = cells["base"].astype("float64").fillna(0)
    count = cells["count"].astype("float64").fillna(0)
    n = unit_sizes(cells)
    size = pd.Series([n.get((u, str(i)), 0) for u, i in zip(cells["unit"], cells["unit_id"])], index=cells.index)
    k, c, g = rules.min_base, rules.min_count, rules.group
    out = pd.Series("", index=cells.index, dtype=object)
    out[guarded & (base >= 1) & (size < g)] = f"unit of fewer than {g} respondents"
    out[guarded & (count >= 1) & (count <= c)] = f"count of 1 to {c}"
    out[guarded & (base >= 1) & (base < k)] = f"base below {k}"
    return out


def unit_sizes(cells: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Respondents per unit: the largest base of any item in it (every respondent has a sector)."""
    largest = cells.groupby(["unit", "unit_id"], sort=False)["base"].max()
    return {(u, str(i)): int(b) for (u, i), b in largest.items() if pd.notna(b)}


def choose_suppression(cells: pd.DataFrame, rules: PublicationRules, book=None,
                       municipalities: pd.DataFrame | None = None, cuts: dict | None = None) -> Decision:
    """The hidden cells of a public wave (see the module doc). `cuts` (item -> sets of cells, at
    least one of each to be hidden) are the repair cuts of an earlier audit; a table they do not
    touch is solved as without them (deterministic), so only the tables they touch change."""
    reasons = sensitive_reasons(cells, rules)
    rows = cells[cells["count"].notna() & ~cells["item"].isin(UNPROTECTED_ITEMS)]
    structure = _Structure(rows, book, municipalities)
    decision = Decision(cuts={item: list(sets) for item, sets in (cuts or {}).items()})
    flagged = rows[reasons[rows.index] != ""]
    for key, why in zip(zip(flagged["item"].tolist(), flagged["unit"].tolist(), flagged["unit_id"].astype(str).tolist(),
                            flagged["answer"].tolist()), reasons[flagged.index].tolist()):
        decision.reasons[key] = why
    by_item = {item: part for item, part in rows.groupby("item", sort=False)}
    order = structure.item_order(list(by_item))
    LOG.info("complementary cells: %d sensitive cells in %d items", len(decision.reasons), len(order))
    for n, item in enumerate(order, 1):
        start, tables = time.process_time(), len(decision.pieces)
        _protect_item(item, by_item[item], structure, rules, decision)
        LOG.info("  item %d/%d %s: %d tables, %d cells hidden so far (sensitive and complementary), %.1f s CPU",
                 n, len(order), item, len(decision.pieces) - tables, len(decision.hidden), time.process_time() - start)
    return decision


class _Structure:
    """What is public about the wave: units and their parents, skip logic, follow-ups' sizes."""

    def __init__(self, rows: pd.DataFrame, book, municipalities):
        from analysis.core.disclosure.attacker import skip_links, unit_nesting

        nesting = unit_nesting(book, municipalities)
        self.parent = {(u, str(i)): (pu, str(pi)) for u, i, pu, pi in nesting.itertuples(index=False)}
        self.leads = {child: (lead, answer) for child, lead, answer in skip_links(book)}
        self.follow_ups = defaultdict(list)  # (lead, answer) -> follow-up items
        for child, (lead, answer) in self.leads.items():
            self.follow_ups[(lead, answer)].append(child)
        self.answers = {item: list(dict.fromkeys(part["answer"])) for item, part in rows.groupby("item", sort=False)}
        first = rows.drop_duplicates(["item", "unit", "unit_id"])
        bases = first["base"].astype("float64").fillna(0).astype(int).tolist()
        self.base = {(i, u, str(uid)): b for i, u, uid, b in zip(first["item"].tolist(), first["unit"].tolist(),
                                                                 first["unit_id"].astype(str).tolist(), bases)}
        self.size = unit_sizes(rows)
        self.base_of = defaultdict(dict)
        for (i, u, uid), b in self.base.items():
            self.base_of[i][(u, uid)] = b

    def item_order(self, items: list[str]) -> list[str]:
        """Lead items before their follow-ups (codebook order otherwise)."""
        depth = {}

        def level(item):
            if item not in depth:
                depth[item] = 0 if item not in self.leads else level(self.leads[item][0]) + 1
            return depth[item]

        return sorted(items, key=lambda i: (level(i), items.index(i)))

    def descendants(self, item: str, answer: str) -> list[str]:
        out, todo = [], list(self.follow_ups.get((item, answer), []))
        while todo:
            f = todo.pop(0)
            out.append(f)
            for a in self.answers.get(f, []):
                todo += self.follow_ups.get((f, a), [])
        return out


@dataclass
class _Piece:
    """One table of an item: its units, cells and (once solved) pattern."""

    units: list
    cells: list
    table: Table
    pattern: object = None
    split: bool = False  # one size class (or the unknown-size municipalities) of a decomposition

    @property
    def kept_hidden(self) -> int:
        """Cells of municipalities keep_group keeps that the pattern hides (not sensitive ones)."""
        return int(self.pattern.first_hidden)


def _protect_item(item: str, part: pd.DataFrame, structure: _Structure, rules: PublicationRules,
                  decision: Decision) -> None:
    keys = [(item, u, i, a) for u, i, a in zip(part["unit"].tolist(), part["unit_id"].astype(str).tolist(),
                                                part["answer"].tolist())]
    value = dict(zip(keys, part["count"].astype("float64").tolist()))
    base = structure.base_of[item]
    forced = set()
    if item in structure.leads:
        lead, answer = structure.leads[item]
        forced = {(u, i) for (u, i) in base if (lead, u, i, answer) in decision.hidden}
    args = (item, value, base, forced, structure, rules, decision)
    solved, whole, joint = [], None, None
    for units, sums, in_joint in _pieces(item, part, structure, base, forced, decision):
        piece = _piece(*args, units, sums, restrict=True)
        if piece is None:
            continue
        if piece.table.capped and (in_joint is not None or len(piece.cells) < len(units) * len(structure.answers[item])
                                   or _restricted(item, units, base, forced, decision, structure)):
            # the decomposition (size classes shown) or the candidate list cost width: the whole
            # branch, every unit a candidate, instead
            if in_joint is not None:
                joint = _solved(_piece(*args, *in_joint, restrict=False))
                break
            piece = _piece(*args, units, sums, restrict=False)
        piece.split, whole = in_joint is not None, in_joint or whole
        solved.append(_solved(piece))
    split = [p for p in solved if p.split]
    if joint is None and whole is not None and sum(p.kept_hidden for p in split):
        # keep_group: with the size-class totals shown, a large unit that is the only partner of a
        # small one in its size class must be hidden; in the joint table the totals can be hidden
        # instead. Taken where it hides fewer cells of kept units.
        joint = _piece(*args, *whole, restrict=True)
        if joint.table.capped and _restricted(item, whole[0], base, forced, decision, structure):
            joint = _piece(*args, *whole, restrict=False)
        joint = _solved(joint)
        if joint.kept_hidden >= sum(p.kept_hidden for p in split):
            joint = None
        kept_joint = joint is not None
    else:
        kept_joint = False
    if joint is not None:
        solved = [p for p in solved if not p.split] + [joint]
    for piece in solved:
        _commit(item, piece, decision)
    if kept_joint or _touched_by_kept_totals(item, part, structure, forced, decision):
        _keep_group_totals(item, decision)


def _touched_by_kept_totals(item, part, structure, forced, decision) -> bool:
    """A follow-up whose size-class rows are hidden only because keep_group hid its lead's
    size-class counts (no size-class cell of its own sensitive): its joint table, and what it
    hides among the totals, follow from the rule too."""
    lead = structure.leads.get(item)
    sizes = {s for s in forced if s[0] == "size_class"}
    if lead is None or not sizes:
        return False
    own = any(r == "size_class" and (item, r, i, a) in decision.reasons for r, i, a in
              zip(part["unit"].tolist(), part["unit_id"].astype(str).tolist(), part["answer"].tolist()))
    return not own and all((lead[0], *s, lead[1]) in decision.kept_totals for s in sizes)


def _keep_group_totals(item, decision) -> None:
    """Record the item's hidden size-class cells (not sensitive) as keep_group's price: the item's
    joint table was taken because it hides fewer cells of kept municipalities than the size
    classes solved apart, where every size-class total is shown (or it was solved jointly only
    because that happened to its lead). Without the rule these totals would be shown."""
    decision.kept_totals |= {c for c in decision.hidden
                             if c[0] == item and c[1] == "size_class" and c not in decision.reasons}


def _piece(item, value, base, forced, structure, rules, decision, units, sums, restrict: bool) -> _Piece | None:
    """One table of the item over `units` (not solved yet: see _solved)."""
    if restrict:
        units = _candidates(item, units, base, forced, decision, structure, rules)
        sums = [(t if t in set(units) else None, [p for p in parts if p in set(units)]) for t, parts in sums]
    cells = [(item, u, i, a) for u, i in units for a in structure.answers[item] if (item, u, i, a) in value]
    if not cells:
        return None
    table = _table(cells, units, sums, value, base, forced, structure, rules, decision)
    table.first = _kept_cells(table, structure, rules)
    return _Piece(units, cells, table)


def _solved(piece: _Piece) -> _Piece:
    piece.pattern = solve_table(piece.table)
    return piece


def _commit(item: str, piece: _Piece, decision: Decision) -> None:
    """Record a solved table: its hidden cells, cost and bounds (without the keep_group premium:
    bounds on every safe pattern that hides no more kept cells; optimal.solve_table)."""
    table, pattern, cells = piece.table, piece.pattern, piece.cells
    decision.capped |= table.capped
    decision.required.update(table.required)
    decision.hidden |= {cells[j] for j in np.flatnonzero(pattern.hidden)}
    sensitive = table.state == SENSITIVE
    decision.pieces.append({"item": item, "unit": piece.units[0][0], "cells": len(cells),
                            "sensitive": int(sensitive.sum()),
                            "complementary": int((pattern.hidden & (table.state == FREE)).sum()),
                            "cost": pattern.cost, "lp_bound": pattern.lp_bound,
                            "lp_plain": pattern.lp_plain, "bound": pattern.bound,
                            "rounds": pattern.rounds, "exact": pattern.exact, "kept_hidden": piece.kept_hidden})


def _restricted(item, units, base, forced, decision, structure) -> bool:
    return len(_candidates(item, units, base, forced, decision, structure)) < len(units)


# A table of more units than this keeps as candidates for complementary cells only the units with
# a sensitive or hidden cell and this many others, the largest (most room to hide a change in);
# the rest count as shown, which only makes the reader stronger: the pattern stays safe.
MAX_PARTNER_UNITS = 12


def _candidates(item, units, base, forced, decision, structure, rules=None):
    """With keep_group, units it keeps come after the others: their cells are the dearest."""
    touched = [u for u in units if u in forced
               or any((item, *u, a) in decision.reasons for a in structure.answers[item])]
    others = [u for u in units if u not in set(touched)]
    if len(others) <= MAX_PARTNER_UNITS:
        return units
    kept = (lambda u: _is_kept(u, structure, rules)) if rules is not None else (lambda u: False)
    keep = set(touched) | set(sorted(others, key=lambda u: (kept(u), -base[u], u))[:MAX_PARTNER_UNITS])
    return [u for u in units if u in keep]


def _pieces(item, part, structure, base, forced, decision):
    """(units, sums) of each table of one item; a sum is (total unit or None if shown, parts)."""
    occupied = [(u, i) for u, i in dict.fromkeys(zip(part["unit"].tolist(), part["unit_id"].astype(str).tolist()))
                if base.get((u, i), 0) > 0]
    kinds = defaultdict(list)
    for u, i in occupied:
        kinds[u].append((u, i))
    children = defaultdict(list)
    for u, i in occupied:
        if (u, i) in structure.parent:
            children[structure.parent[(u, i)]].append((u, i))
    if any((item, *o, a) in decision.reasons for o in kinds[OVERALL] for a in structure.answers[item]):
        # the overall base is below k, and so is every unit's: all of it in one table, all hidden
        units = [x for k in kinds for x in kinds[k]]
        sums = [(p, c) for p, c in children.items() if p in set(units)]
        sums += [(o, kinds[k]) for o in kinds[OVERALL] for k in ("sector", "domain", "class", "municipality") if kinds[k]]
        yield units, sums, None
        return
    # sector branch: one table
    units = kinds["sector"] + kinds["domain"] + kinds["class"]
    if units:
        sums = [(p, c) for p, c in children.items() if p[0] in ("domain", "class") and p in set(units)]
        sums += [(None, kinds[k]) for k in ("sector", "domain", "class") if kinds[k]]
        yield units, sums, None
    munis = kinds["municipality"]
    sizes = kinds["size_class"]
    if not munis:
        return
    touched = any((item, u, i, a) in decision.reasons for u, i in sizes for a in structure.answers[item]) \
        or any(s in forced for s in sizes)
    in_size = {s: children.get(s, []) for s in sizes}
    unknown = [m for m in munis if structure.parent.get(m, (None,))[0] != "size_class"
               or structure.parent[m] not in in_size]
    joint = (munis + sizes, [(s, c) for s, c in in_size.items() if c] + [(None, munis)])
    if touched:
        yield (*joint, None)
        return
    for s, c in in_size.items():
        if c:
            yield c, [(None, c)], joint
    if unknown:
        yield unknown, [(None, unknown)], joint


def _table(cells, units, sums, value, base, forced, structure, rules, decision) -> Table:
    item = cells[0][0]
    index = {c: j for j, c in enumerate(cells)}
    n = len(cells)
    val = np.array([value[c] for c in cells])
    upper = np.array([float(base[c[1:3]]) for c in cells])
    state = np.full(n, FREE)
    width = np.zeros(n)
    cost = np.zeros(n)
    for j, c in enumerate(cells):
        if c in decision.reasons:
            state[j], width[j] = SENSITIVE, min(rules.protection_width, base[c[1:3]])
        elif c[1:3] in forced:
            state[j] = HIDDEN
        cost[j] = UNIT_WEIGHTS.get(c[1], 10.0) * (1 + _lost_follow_ups(c, structure, decision)) * _size_weight(base[c[1:3]], rules)
    rows = []
    for u, i in units:  # answers add up to the (known) base
        idx = [index[(item, u, i, a)] for a in structure.answers[item] if (item, u, i, a) in index]
        rows.append((np.array(idx), np.ones(len(idx))))
    for total, parts in sums:
        for a in structure.answers[item]:
            idx = [index[(item, u, i, a)] for u, i in parts if (item, u, i, a) in index]
            coef = [1.0] * len(idx)
            if total is not None and (item, *total, a) in index:
                idx.append(index[(item, *total, a)])
                coef.append(-1.0)
            if idx:
                rows.append((np.array(idx), np.array(coef)))
    # a hidden lead count is the hidden base of its follow-ups, whose rows all read "×" whatever
    # that base is (suppression._apply_cells): their mark tells the reader no range
    table = Table(cells, val, upper, cost, state, width, rows, np.zeros(n))
    _cap_widths(table)
    for wanted in decision.cuts.get(item, []):
        g = np.zeros(n)
        g[[index[c] for c in wanted if c in index and state[index[c]] == FREE]] = 1.0
        if g.any():
            table.extra.append((g, 1.0))
    return table


def _is_kept(unit, structure, rules) -> bool:
    """A unit the keep_group rule keeps: one of KEPT_UNITS (municipalities) of at least that many
    respondents."""
    return bool(rules.keep) and unit[0] in KEPT_UNITS and structure.size.get(unit, 0) >= rules.keep


def _kept_cells(table: Table, structure, rules) -> np.ndarray:
    """keep_group (rules.py): the cells of units it keeps, which the optimiser hides as few of as
    it can before anything else counts (Table.first: a premium above every other cell of the
    table, optimal._premium)."""
    return np.array([_is_kept(c[1:3], structure, rules) for c in table.keys], dtype=bool)


def _lost_follow_ups(cell, structure, decision) -> int:
    """Follow-up cells (not sensitive anyway) that hiding this lead count would take along."""
    item, unit, uid, answer = cell
    lost = 0
    for f in structure.descendants(item, answer):
        if structure.base.get((f, unit, uid), 0) > 0:
            lost += sum((f, unit, uid, a) not in decision.reasons for a in structure.answers[f])
    return lost


def _cap_widths(table: Table) -> None:
    """A sensitive cell needs no more width than hiding its whole table could give it: a shown
    total of 0 or of everyone (a unanimous group the tables print anyway) fixes its parts, and
    hiding more would protect nobody. Such cells are listed in the report as capped."""
    table.capped, table.required = set(), {}
    sensitive = np.flatnonzero(table.state == SENSITIVE)
    if not len(sensitive):
        return
    low, high = widths(table, np.ones(len(table.keys), dtype=bool), sensitive, need=table.width)
    for s in sensitive:
        reach = high[s] - low[s]
        if reach < table.width[s] - TOLERANCE:
            table.width[s] = max(0.0, np.floor(reach + TOLERANCE))
            table.capped.add(table.keys[s])
        table.required[table.keys[s]] = float(table.width[s])


def _size_weight(base: int, rules: PublicationRules) -> float:
    """Hiding a cell loses the answers of its base: a unit of 2k respondents costs twice one of k
    (as tau-ARGUS's frequency cost), so complementary cells fall on the smaller units and the
    rows of large municipalities (Tabel VIII.2) stay shown. Never below 1."""
    return max(1.0, base / rules.min_base)

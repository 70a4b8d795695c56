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
import math
from collections import defaultdict
from dataclasses import dataclass
import numpy as np
import pandas as pd
from analysis.core.disclosure.marks import DisclosureError, PARTITION_UNITS, UNPROTECTED_ITEMS, is_suppressed
from analysis.core.vocabulary import OVERALL




SAFE_WIDTH = 1 - 1e-6  # LP round-off must not make an interval of width 1 look like a point


@dataclass(frozen=True)
class Relation:
    """sum(coef * value) (= or <=) 0 over value keys. The first term is the total (coef +1)."""

    terms: tuple[tuple[tuple, float], ...]
    sense: str = "="


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
    counts = rows["count"].astype("float64").tolist()
    bases = rows["base"].astype("float64").tolist()
    for item, unit, uid, answer, count, base in zip(rows["item"].astype(str).tolist(), rows["unit"].astype(str).tolist(),
                                                    rows["unit_id"].astype(str).tolist(), rows["answer"].astype(str).tolist(),
                                                    counts, bases):
        out[("count", item, unit, uid, answer)] = None if math.isnan(count) else count  # NaN: not shown
        out[("base", item, unit, uid, "")] = None if math.isnan(base) else base
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
    answers_of = defaultdict(list)
    for item, unit, uid, answer in zip(rows["item"].tolist(), rows["unit"].tolist(), rows["unit_id"].tolist(),
                                       rows["answer"].tolist()):
        answers_of[(item, unit, uid)].append(answer)
    for (item, unit, uid), answers in answers_of.items():
        terms = [(base_key(item, unit, uid), 1.0)] + [(count_key(item, unit, uid, a), -1.0) for a in answers]
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
    # (d) the base of a follow-up item is at most the lead item's count of the leading answer:
    # only those who gave it are asked, and some of them may skip the follow-up (item
    # nonresponse). Equal where nobody skipped — but which units those are the reader cannot see
    # (issue 16: an attacker given '=' exactly where it held, from the true data, pinned lead
    # counts of 1 that no published table tells). Where the shown sums say nobody skipped (an
    # overall follow-up base equal to the lead count), the LP derives the equality itself.
    units = rows[["unit", "unit_id"]].drop_duplicates().itertuples(index=False)
    units = list(units)
    for child, lead, answer in skip_links(book):
        for u, uid in units:
            b, c = base_key(child, u, uid), count_key(lead, u, uid, answer)
            if b in present and c in present:
                relations.append(Relation(((b, 1.0), (c, -1.0)), "<="))
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
           exact: bool = True, cache: dict | None = None, need: dict | None = None,
           truth: dict | None = None) -> pd.DataFrame:
    """LP intervals of the hidden (None) values; see `recomputable`. `cache` (component keys ->
    intervals) lets the audit rounds of `protect_cells` skip components that did not change.

    With `need` (and exact=False) only the values in `need` are attacked (the others get nan).
    With `truth` too (every value, hidden ones included), a value is first moved from the true
    table along rectangles of sibling units (certify.py); where two such feasible points are
    `need` apart no LP is solved for it, and its interval is reported as those two points."""
    upper = upper or {}
    cache = {} if cache is None else cache
    unknown = sorted(k for k, v in values.items() if v is None)
    rows = _linear_rows(values, relations + _count_within_base(values, unknown))
    siblings = _sibling_signatures(relations) if truth is not None and need else None
    out = []
    for component, comp_rows in _components(unknown, rows):
        signature = (tuple(component), exact)
        if signature not in cache:
            cache[signature] = _solve_component(component, comp_rows, upper, exact, need or {}, truth, siblings)
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


def _solve_component(keys: list[tuple], rows: list, upper: dict, exact: bool, need: dict | None = None,
                     truth: dict | None = None, siblings: dict | None = None) -> list[tuple]:
    """Min and max of every hidden value of one component. Without `exact`, a few objectives
    (sum, random directions) first give feasible points; a value that already varies by its
    `need` (default 1) or more between them is safe and needs no solves of its own. (Not for a
    few targets: 2 * SCREENING_OBJECTIVES solves to spare fewer than that.)"""
    need = need or {}
    n = len(keys)
    low, high = np.full(n, np.inf), np.full(n, -np.inf)
    targets = [j for j in range(n) if keys[j] in need] if need and not exact else list(range(n))
    if siblings is not None and targets:
        proven = _proven_by_moves(keys, rows, upper, need, truth, siblings, targets, low, high)
        targets = [j for j in targets if not proven[j]]
        if targets and n > LOCAL_LP_ABOVE:
            targets = _proven_by_item(keys, rows, upper, need, truth, targets, low, high)
        if targets and n > LOCAL_LP_ABOVE:
            targets = _proven_by_units(keys, rows, upper, need, truth, siblings, targets, low, high)
    if not targets:
        return [(k, float(low[j]) if np.isfinite(low[j]) else np.nan,
                 float(high[j]) if np.isfinite(high[j]) else np.nan) for j, k in enumerate(keys)]
    import highspy  # only here: a process that never audits does not load the solver

    h = _component_lp(keys, rows, upper)
    if n > LOCAL_LP_ABOVE:
        # HiGHS's dual simplex stalled for over 20 minutes on one such LP (52,716 values, sums of
        # hundreds of municipalities, highly degenerate: review r16n); the interior point method
        # with crossover solved each of its objectives in about 2 s, to the same optimal values
        h.setOptionValue("solver", "ipm")
    if not exact and len(targets) > SCREENING_OBJECTIVES:  # for fewer, their own two solves each are cheaper
        rng = np.random.default_rng(len(keys))  # deterministic per component
        directions = [np.ones(n)] + [rng.normal(size=n) for _ in range(SCREENING_OBJECTIVES)]
        for cost in directions:
            for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                point = _solve(h, cost, sense)
                if point is not None:
                    low, high = np.minimum(low, point), np.maximum(high, point)
    for j in targets:
        if high[j] - low[j] >= need.get(keys[j], 1):
            continue
        unit = np.zeros(n)
        unit[j] = 1.0
        for sense, unbounded in ((highspy.ObjSense.kMinimize, -np.inf), (highspy.ObjSense.kMaximize, np.inf)):
            point = _solve(h, unit, sense)
            if point is None:
                (low if unbounded < 0 else high)[j] = unbounded
            elif not exact:  # the optimum for one value is a feasible point for every other
                low, high = np.minimum(low, point), np.maximum(high, point)
            else:
                (low if unbounded < 0 else high)[j] = point[j]
    skipped = np.ones(n, dtype=bool)
    skipped[targets] = False
    low[skipped & ~np.isfinite(low)], high[skipped & ~np.isfinite(high)] = np.nan, np.nan
    return [(k, float(low[j]), float(high[j])) for j, k in enumerate(keys)]


# A component of more hidden values than this (a lead item with all its follow-ups, by every
# municipality) is first attacked item by item, the other items' hidden values fixed at their
# true values: a smaller polytope inside the reader's, so an interval found wide enough there is
# at least as wide for the reader. Only values still too narrow get the whole component's LP.
LOCAL_LP_ABOVE = 3000


def _proven_by_item(keys, rows, upper, need, truth, targets, low, high) -> list[int]:
    """Targets not proven wide enough by one LP per item (see LOCAL_LP_ABOVE); sets low/high
    of the proven ones."""
    if any(truth.get(k) is None for k in keys):
        return targets
    by_item = defaultdict(list)
    for j in targets:
        by_item[keys[j][1]].append(j)
    rows_of = defaultdict(list)
    for r, (coefs, _, _) in enumerate(rows):
        for item in {k[1] for k in coefs}:
            rows_of[item].append(r)
    left = []
    for item, js in by_item.items():
        local = [k for k in keys if k[1] == item]
        local_rows = []
        for r in rows_of[item]:
            coefs, rhs, sense = rows[r]
            kept = {k: c for k, c in coefs.items() if k[1] == item}
            rhs -= sum(c * truth[k] for k, c in coefs.items() if k[1] != item)
            local_rows.append((kept, rhs, sense))
        want = {keys[j]: need[keys[j]] for j in js}
        found = {k: (lo, hi) for k, lo, hi in _solve_component(local, local_rows, upper, False, want)}
        for j in js:
            lo, hi = found[keys[j]]
            if hi - lo >= want[keys[j]] - 1e-9:
                low[j], high[j] = lo, hi
            else:
                left.append(j)
    return sorted(left)


def _range(h, i: int, n: int) -> tuple[float, float]:
    """Min and max of value i over the LP `h` of n values (-inf / inf where unbounded)."""
    import highspy

    unit = np.zeros(n)
    unit[i] = 1.0
    ends = []
    for sense, unbounded in ((highspy.ObjSense.kMinimize, -np.inf), (highspy.ObjSense.kMaximize, np.inf)):
        point = _solve(h, unit, sense)
        ends.append(unbounded if point is None else float(point[i]))
    return ends[0], ends[1]


# Sibling units a neighbourhood LP (`_proven_by_units`) takes beside the target's own unit and
# its totals: half with the least of the target's answer (room to take more), half with the most.
NEIGHBOURS = 6


def _proven_by_units(keys, rows, upper, need, truth, siblings, targets, low, high) -> list[int]:
    """Targets not proven wide enough by one LP per unit over its neighbourhood: the unit, the
    totals it is part of and up to NEIGHBOURS sibling units, every item of them (a lead count
    moves with its follow-ups' bases), everything else fixed at its true value. That polytope
    lies inside the reader's (its points, completed with the true values, meet every row), so an
    interval wide enough there is wide enough for the reader; what is still too narrow gets the
    whole component's LP. Why: a count that must reach both ends of its range (a unanimous group
    of 3 with w = 3) needs a path through several siblings that rectangles do not find, and the
    whole component's LP per such count made the audit quadratic in the municipalities. A target
    the first LP leaves too narrow gets a second one over a wider area: its totals' other groups
    of parts too (see _neighbourhood)."""
    if siblings is None or any(truth.get(k) is None for k in keys):
        return targets
    by_unit, members = defaultdict(list), defaultdict(list)
    for j, k in enumerate(keys):
        by_unit[k[2:4]].append(j)
        if k[0] == "count" and k in siblings:
            members[siblings[k]].append(k)
    # per row its terms by unit, and its value at the true table: a local row is then the terms
    # of the area's units, its right-hand side less the true value of every other term (a sum
    # over a size class of 300 municipalities is not walked again for each of them)
    terms_of = defaultdict(lambda: defaultdict(list))
    at_truth = []
    for r, (coefs, _, _) in enumerate(rows):
        for k, c in coefs.items():
            terms_of[r][k[2:4]].append((k, c))
        at_truth.append(sum(c * truth[k] for k, c in coefs.items()))
    rows_of = defaultdict(list)
    for r, by in terms_of.items():
        for unit in by:
            rows_of[unit].append(r)
    parts_of = defaultdict(list)  # total count key -> the count keys it sums
    for k, signature in siblings.items():
        for role, total, _ in signature:
            if role == "part of":
                parts_of[total].append(k)
    left = targets
    for wide in (False, True):
        wanted = defaultdict(list)
        for j in left:
            wanted[keys[j][2:4]].append(j)
        left = []
        for unit, js in wanted.items():
            area = {unit}
            for j in js:
                area |= _neighbourhood(keys[j], siblings, members, truth, parts_of if wide else None)
            local = [keys[i] for u in sorted(area) for i in by_unit.get(u, [])]
            local_rows = []
            for r in sorted({r for u in area for r in rows_of.get(u, [])}):
                kept = dict(t for u in area for t in terms_of[r].get(u, ()))
                inside_value = sum(c * truth[k] for k, c in kept.items())
                local_rows.append((kept, rows[r][1] - (at_truth[r] - inside_value), rows[r][2]))
            h, at = _component_lp(local, local_rows, upper), {k: i for i, k in enumerate(local)}
            for j in js:
                lo, hi = _range(h, at[keys[j]], len(local))
                if hi - lo >= need[keys[j]] - 1e-9:
                    low[j], high[j] = lo, hi
                else:
                    left.append(j)
        if not left:
            break
    return sorted(left)


def _neighbourhood(key, siblings, members, truth, parts_of: dict | None = None) -> set:
    """The units of the totals `key` is part of, and NEIGHBOURS of its sibling units (the same
    sums): those with the least and the most of this answer, by id on ties (deterministic).

    With `parts_of` (total key -> the keys it sums) also, per such total, NEIGHBOURS of its parts
    in each other group of siblings (another size class, or no size class at all), and the totals
    those are part of: where the count's own total is hidden too, it can trade with a unit of
    another group through that total. That is the only way out for a unanimous group whose
    siblings are all unanimous the same way (the 4 cities of G4, 3 of 3 say ja each, trading with
    a municipality of unknown size class: review r16n). Without it such a count went to the whole
    component's LP, which HiGHS did not solve in 20 minutes (342 municipalities x 3: 52,716 values)."""
    signature = siblings.get(key, ())
    totals = [total for role, total, _ in signature if role == "part of"]
    area = {total[2:4] for total in totals} | _extremes(key, members.get(signature, []), truth)
    if parts_of is not None:
        for total in totals:
            groups = defaultdict(list)
            for part in parts_of.get(total, []):
                groups[siblings.get(part, ())].append(part)
            for other, group in groups.items():
                if other != signature:
                    area |= _extremes(key, group, truth)
                    area |= {t[2:4] for role, t, _ in other if role == "part of"}
    return area


def _extremes(key, group: list, truth) -> set:
    """NEIGHBOURS units of `group` (count keys) other than key's own: half with the least of the
    answer, half with the most, by id on ties (deterministic)."""
    others = sorted((truth[k], k[2:4]) for k in group if k[2:4] != key[2:4])
    half = NEIGHBOURS // 2
    return {u for _, u in others[:half] + others[-half:]}


def _sibling_signatures(relations: list[Relation]) -> dict[tuple, tuple]:
    """Per count key, the sums it enters and how (part of which total, total of which sum):
    two units of an item whose count keys of one answer have the same signature are siblings."""
    role = defaultdict(list)
    for rel in relations:
        total, parts = rel.terms[0][0], [k for k, _ in rel.terms[1:]]
        if total[0] != "count" or not parts or parts[0][0] != "count":
            continue
        for p in parts:
            role[p].append(("part of", total, rel.sense))
        role[total].append(("total", total, rel.sense))
    return {k: tuple(sorted(v)) for k, v in role.items()}


def _proven_by_moves(keys, rows, upper, need, truth, siblings, targets, low, high) -> np.ndarray:
    """Targets that feasible moves from the true table prove at least `need` wide (certify.py);
    their low/high are set to the two end points (each a feasible table). Three passes: each
    cell on its own (rectangles within its item and through hidden totals); the follow-up cells
    still short, raised per unit and lead count in one walk that grows their bases; what is
    still short, each on its own with lead moves that carry its own answer."""
    from analysis.core.disclosure.certify import (
        FeasibleMoves,
        follow_through,
        lead_moves,
        lift_together,
        nested_rectangles,
        rectangles,
        skip_links,
    )

    n = len(keys)
    index = {k: i for i, k in enumerate(keys)}
    x0 = np.array([float(truth[k]) if truth.get(k) is not None else np.nan for k in keys])
    proven = np.zeros(n, dtype=bool)
    if np.isnan(x0).any():
        return proven
    lp_rows = [(np.array([index[k] for k in coefs]), np.array(list(coefs.values())), rhs, sense == "=")
               for coefs, rhs, sense in rows]
    moves = FeasibleMoves(n, lp_rows, np.zeros(n), np.array([float(upper.get(k, np.inf)) for k in keys]), x0)
    unit_of = [k[1:4] for k in keys]
    answer_of = [k[4] for k in keys]
    cell_at, members = {}, defaultdict(list)
    for j, k in enumerate(keys):
        if k[0] == "count":
            cell_at.setdefault(unit_of[j], {})[answer_of[j]] = j
            if k in siblings:
                members[siblings[k]].append(unit_of[j])
    is_count = [k[0] == "count" for k in keys]
    links = skip_links(lp_rows, keys)
    lead_of = defaultdict(list)  # follow-up base index -> the lead counts it hangs from
    for c, bases in links.items():
        for b, _, _ in bases:
            lead_of[b].append(c)
    base_at = {unit_of[j]: j for j, k in enumerate(keys) if k[0] == "base"}
    children_of = defaultdict(list)  # hidden total count -> the hidden counts that are part of it
    totals_alike = defaultdict(list)  # hidden totals that are part of the same sums: siblings one level up
    for j, k in enumerate(keys):
        for role, total, _ in siblings.get(k, ()) if is_count[j] else ():
            if role == "part of" and total in index:
                children_of[index[total]].append(j)
        if is_count[j] and any(role == "total" for role, _, _ in siblings.get(k, ())):
            totals_alike[_part_of(siblings[k])].append(unit_of[j])
    sibling_units = lambda c: members[siblings[keys[c]]]  # noqa: E731
    totals_of = lambda t: totals_alike[_part_of(siblings[keys[t]])]  # noqa: E731

    def own(j, usable=is_count.__getitem__):  # rectangles within the item
        return rectangles(j, unit_of, answer_of, cell_at, sibling_units, usable, moves)

    def nested(j):  # rectangles through a hidden total
        parents = [index[t] for role, t, _ in siblings[keys[j]] if role == "part of" and t in index and t in siblings]
        return nested_rectangles(j, parents, children_of, unit_of, answer_of, cell_at, totals_of,
                                 is_count.__getitem__, moves) if parents else (lambda: iter(()))

    def prove(j, up, down):
        if up + down >= float(need[keys[j]]) - 1e-9:
            proven[j] = True
            low[j], high[j] = x0[j] - down, x0[j] + up
        return proven[j]

    # 1. each cell on its own: rectangles within its item, then through a hidden total
    reached, short = {}, []
    for j in targets:
        if not is_count[j] or keys[j] not in siblings:
            continue

        def directions(j=j):  # a move of a lead count carried on to its follow-ups
            for d in own(j)():
                yield follow_through(d, links, cell_at, unit_of, moves)
            for d in nested(j)():
                yield follow_through(d, links, cell_at, unit_of, moves)
        reached[j] = moves.reach(j, directions, float(need[keys[j]]))
        if not prove(j, *reached[j]):
            short.append(j)
    # 2. follow-up cells whose base is too small: the cells of one unit hanging from one lead
    # count are raised together, their bases grown by rectangles on the lead count
    groups = defaultdict(list)
    for j in short:
        chain = _lead_chain(j, unit_of, base_at, lead_of, siblings, keys)
        if chain:
            groups[chain[0]].append(j)
    for c, js in groups.items():
        wants, per_item = {}, {}
        for j in js:  # one cell per item and walk: two answers of one item would take from each other
            if unit_of[j] not in per_item:
                per_item[unit_of[j]] = j
                wants[j] = float(need[keys[j]]) - reached[j][1]
        carried = {unit_of[j][0]: None for j in wants}
        targets_here = set(wants)

        def lead_directions(c=c, carried=carried):
            for d in rectangles(c, unit_of, answer_of, cell_at, sibling_units, is_count.__getitem__, moves)():
                full = follow_through(d, links, cell_at, unit_of, moves, carried)
                if moves.all_movable(full):
                    yield full
        rose = lift_together(moves, wants, lambda j, h=targets_here: own(j, lambda i: is_count[i] and i not in h),
                             lead_directions, rounds=2 * int(max(wants.values())) + 2)
        for j, up in rose.items():  # the highest point of either walk: both are feasible tables
            prove(j, max(up, reached[j][0]), reached[j][1])
    # 3. what is left, each on its own again with moves of its lead count that carry its answer
    for j in short:
        if proven[j]:
            continue
        chain = _lead_chain(j, unit_of, base_at, lead_of, siblings, keys)
        if not chain:
            continue
        leads = lead_moves(j, chain, unit_of, answer_of, cell_at, sibling_units, is_count.__getitem__, links, moves)

        def directions(j=j, leads=leads):
            for d in own(j)():
                yield follow_through(d, links, cell_at, unit_of, moves)
            yield from leads()
            for d in nested(j)():
                yield follow_through(d, links, cell_at, unit_of, moves)
        prove(j, *moves.reach(j, directions, float(need[keys[j]])))
    return proven


def _part_of(signature: tuple) -> tuple:
    return tuple(x for x in signature if x[0] == "part of")


def _lead_chain(j: int, unit_of, base_at: dict, lead_of: dict, siblings: dict, keys) -> list[int]:
    """The lead counts count j's base hangs from, nearest first (one per level of the skip chain;
    only leads with sibling units, which a rectangle needs)."""
    chain, seen = [], {j}
    while True:
        b = base_at.get(unit_of[j])
        leads = [c for c in lead_of.get(b, ()) if c not in seen and keys[c] in siblings]
        if not leads or len(chain) >= 4:
            return chain
        j = leads[0]
        chain.append(j)
        seen.add(j)


def _component_lp(keys: list[tuple], rows: list, upper: dict):
    import highspy

    from analysis.core.solver import new_highs

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

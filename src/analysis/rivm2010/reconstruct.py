"""Reconstruction of the 2009 questionnaire export from the published tables of RIVM 270161002.

The RIVM microdata are not public. This module rebuilds a respondent-level export (123 officers,
16 municipalities, 13 sectors, every codebook item) that reproduces the report's published
counts and percentages as far as they agree with each other. It is a reconstruction, not the
original data: everything the report does not determine is chosen deterministically and marked.

The work is split in three steps:

1. ``published_cells``: every published number (a count, a percentage or an n) becomes one row of
   a tidy cell table with the item, answer and unit it describes, all derived from the codebook.
2. ``solve_counts``: one integer program (HiGHS) over counts, not respondents. Municipality x
   sector occupancy ``N[m,s]`` is a variable (named sectors at most one officer per municipality);
   answers are counted per municipality, or per municipality x sector for the items that a
   sector-level table needs (collaborates, Figure 5.1). Every published number is a soft
   constraint with a binary "unmet" indicator; the program minimises the weighted number of unmet
   numbers, then their distance to what is printed.
3. ``allocate.allocate``: a second integer program over respondents that keeps the counts the
   printed numbers read, meets the report's statements (soft, below every printed number), and
   otherwise chooses the least informative split over sectors (issue 17; allocate.py).
   ``realize_respondents`` (a fixed rotating order) remains for problems without a codebook.

The pure functions take and return DataFrames / dataclasses; file I/O is in the ``write_*`` and
``load_*`` functions at the end and in ``run_reconstruction``.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from analysis.core.codebook import Codebook, Item
from analysis.core.rounding import REPORT_RULE
from analysis.rivm2010 import reference

# --------------------------------------------------------------------------------------------
# Weights of the soft constraints (see RECONSTRUCTION.md, "Weights"). An unmet cell of weight w
# costs w * UNMET_SCALE; one unit of distance between an unmet count and its printed value costs
# DEVIATION_COST. The objective is integer, so a gap below 1 proves optimality.
# --------------------------------------------------------------------------------------------
# A municipality or sector row is the detailed tabulation: its count, percentage and n agree
# with each other far more often than a total agrees with the sum of its rows. So a row's numbers
# weigh 3 each, and a total (or a number printed from one: Tabel 4.1, Figuren 6.1/6.4, the prose
# numbers of 4.2 and 5.1, domain sizes, footnotes) weighs 1. Consequences, which match the audit:
# rows that each agree with their own percentage beat a total they do not add up to (2 x 3 > 1+1),
# and a row whose count and percentage disagree keeps the one that lets the column add up.
WEIGHT_HEADLINE = 1      # totals rows, Tabel 4.1/4.2, Figuren 5.1/6.1/6.4, domain n, footnotes
WEIGHT_ROW_COUNT = 3     # a municipality or sector row's count, and its printed n
WEIGHT_ROW_PCT = 3       # a municipality or sector row's percentage
UNMET_SCALE = 1000
DEVIATION_COST = 1
WAVE = "rivm2009"  # the wave id the reconstructed export carries
TIME_LIMIT_S = 60.0

PARTS = ("n", "count", "pct")
CELL_COLUMNS = [
    "table", "row_type", "row_id", "col_key", "part", "target", "printed",
    "item", "answer", "unit", "unit_id", "weight", "line",
]


# ============================================================================================
# 1. The problem: structure + items + published cells (independent of the RIVM report)
# ============================================================================================

@dataclass(frozen=True)
class ItemSpec:
    """An item as the integer program sees it: answer keys (last = the residual answer) and the
    skip rule (asked only if parent == key)."""
    id: str
    answers: tuple[str, ...]
    parent: tuple[str, str] | None = None


@dataclass(frozen=True)
class Problem:
    """What the reconstruction must reproduce.

    municipalities / sectors: hard sizes (respondents per municipality, per sector).
    multi_sectors: sectors that may hold several officers in one municipality ("anders": a catch-all
      for officers of sectors the study did not name, e.g. welzijn and cultuur in one town).
    max_categories: most sector categories one municipality can have (anders counted once).
    pins: (municipality, sector, minimum officers) chosen on purpose, not published.
    domains: name -> sectors, for cells with unit "domain".
    cells: published numbers, columns CELL_COLUMNS. unit is municipality | sector | domain | total.
    """
    municipalities: dict[str, int]
    sectors: dict[str, int]
    items: tuple[ItemSpec, ...]
    cells: pd.DataFrame
    multi_sectors: frozenset[str] = frozenset()
    multi_cap: int = 3
    max_categories: int | None = None
    pins: tuple[tuple[str, str, int], ...] = ()
    domains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pct_rule: str = REPORT_RULE  # the one rule (core/rounding.py); the bounds re-encode it

    def item(self, item_id: str) -> ItemSpec:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)


def pct_bounds(pct: int, rule: str) -> tuple[int, int]:
    """Count c out of base b prints as `pct` iff lo*b <= 2000*c < hi*b (integer arithmetic).

    half_up: 100c/b in [p-0.5, p+0.5). half_up_via_tenths (round to 0.1 first, then to a whole
    percent, as SPSS output retyped would be): 100c/b in [p-0.55, p+0.45).
    """
    if rule == "half_up":
        return 20 * pct - 10, 20 * pct + 10
    if rule == "half_up_via_tenths":
        return 20 * pct - 11, 20 * pct + 9
    raise ValueError(f"unknown percentage rule {rule!r}")


def prints_as(count: int, base: int, pct: int, rule: str) -> bool:
    """Whether count/base prints as pct under the rule (False for base 0)."""
    if base <= 0:
        return False
    lo, hi = pct_bounds(pct, rule)
    return lo * base <= 2000 * count < hi * base


# ============================================================================================
# 2. The integer program
# ============================================================================================

class _Expr:
    """A linear expression: {column index: coefficient} + constant."""

    def __init__(self, terms: dict[int, float] | None = None, const: float = 0.0):
        self.terms = dict(terms or {})
        self.const = const

    def __add__(self, other: "_Expr") -> "_Expr":
        out = _Expr(self.terms, self.const + other.const)
        for k, v in other.terms.items():
            out.terms[k] = out.terms.get(k, 0.0) + v
        return out

    def __sub__(self, other: "_Expr") -> "_Expr":
        return self + other.scaled(-1.0)

    def scaled(self, f: float) -> "_Expr":
        return _Expr({k: v * f for k, v in self.terms.items()}, self.const * f)


class _Model:
    """Columns and rows collected in Python, handed to HiGHS in one go."""

    def __init__(self):
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.cost: list[float] = []
        self.integer: list[int] = []
        self.rows: list[tuple[float, _Expr, float]] = []

    def var(self, lb: float, ub: float, cost: float = 0.0, integer: bool = True) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(cost)
        self.integer.append(1 if integer else 0)
        return len(self.lb) - 1

    def row(self, lo: float, expr: _Expr, hi: float) -> None:
        """lo <= expr <= hi (the expression's constant is moved to the bounds)."""
        self.rows.append((lo - expr.const, _Expr(expr.terms), hi - expr.const))

    def bounds(self, expr: _Expr) -> tuple[float, float]:
        lo = hi = expr.const
        for k, v in expr.terms.items():
            a, b = v * self.lb[k], v * self.ub[k]
            lo += min(a, b)
            hi += max(a, b)
        return lo, hi

    def highs(self, threads: int = 1):
        """The model as a HiGHS instance with fixed, deterministic options."""
        import highspy

        from analysis.core.solver import new_highs

        h = new_highs(threads)
        h.setOptionValue("mip_rel_gap", 0.0)
        # Every objective here is integer-valued: a gap below 1 means the incumbent is optimal.
        h.setOptionValue("mip_abs_gap", 0.999)
        n = len(self.lb)
        h.addVars(n, np.array(self.lb, dtype=float), np.array(self.ub, dtype=float))
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array(self.integer, dtype=np.uint8))
        lo, hi, starts, idx, val = [], [], [], [], []
        for r_lo, expr, r_hi in self.rows:
            lo.append(r_lo)
            hi.append(r_hi)
            starts.append(len(idx))
            for k in sorted(expr.terms):
                if expr.terms[k] != 0:
                    idx.append(k)
                    val.append(expr.terms[k])
        inf = highspy.kHighsInf
        h.addRows(
            len(lo), np.array([x if x > -1e29 else -inf for x in lo], dtype=float),
            np.array([x if x < 1e29 else inf for x in hi], dtype=float), len(idx),
            np.array(starts, dtype=np.int32), np.array(idx, dtype=np.int32), np.array(val, dtype=float),
        )
        return h


def _run(h, cost: np.ndarray, lb: np.ndarray, ub: np.ndarray, time_limit: float) -> dict:
    """One HiGHS solve with the given objective and column bounds."""
    n = len(cost)
    cols = np.arange(n, dtype=np.int32)
    h.changeColsCost(n, cols, cost.astype(float))
    h.changeColsBounds(n, cols, lb.astype(float), ub.astype(float))
    h.setOptionValue("time_limit", float(max(time_limit, 0.1)))
    h.clearSolver()
    started = time.perf_counter()
    h.run()
    info = h.getInfo()
    ok = info.primal_solution_status > 0
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": float(info.objective_function_value) if ok else math.inf,
        "bound": float(info.mip_dual_bound),
        "seconds": time.perf_counter() - started,
        "values": np.round(np.array(h.getSolution().col_value)).astype(int) if ok else None,
    }


INF = 1e30


@dataclass
class CountSolution:
    """Result of the integer program: occupancy, answer counts and the status of every cell."""
    occupancy: pd.DataFrame          # municipality x sector -> officers
    counts: dict                      # (item, answer, m[, s]) -> count, for non-residual answers
    item_level: dict[str, str]        # item -> "cell" (per municipality x sector) | "municipality"
    cells: pd.DataFrame               # CELL_COLUMNS + value, met
    solve: dict                       # status, objective, bound, gap, seconds, size


def _item_levels(problem: Problem) -> dict[str, str]:
    """Items that a sector- or domain-level cell counts, and their ancestors, are counted per
    municipality x sector; all others per municipality (fewer variables, no symmetry)."""
    fine = set(problem.cells.loc[problem.cells["unit"].isin(["sector", "domain"]), "item"].dropna())
    fine.discard("")
    changed = True
    while changed:
        changed = False
        for it in problem.items:
            if it.id in fine and it.parent and it.parent[0] not in fine:
                fine.add(it.parent[0])
                changed = True
    return {it.id: ("cell" if it.id in fine else "municipality") for it in problem.items}


class _CountModel:
    """Builds the count IP for a Problem."""

    def __init__(self, problem: Problem):
        self.p = problem
        self.m = _Model()
        self.level = _item_levels(problem)
        self.munis = list(problem.municipalities)
        self.sectors = list(problem.sectors)
        self.N: dict[tuple[str, str], int] = {}
        self.X: dict[tuple, int] = {}
        self._occupancy()
        for it in problem.items:
            self._answers(it)

    # -- occupancy: who sits where -------------------------------------------------------------
    def _occupancy(self) -> None:
        p = self.p
        for m in self.munis:
            for s in self.sectors:
                cap = min(p.multi_cap, p.municipalities[m]) if s in p.multi_sectors else 1
                cap = min(cap, p.sectors[s], p.municipalities[m])
                self.N[m, s] = self.m.var(0, cap)
        for m in self.munis:
            n = p.municipalities[m]
            self.m.row(n, _Expr({self.N[m, s]: 1 for s in self.sectors}), n)
        for s in self.sectors:
            n = p.sectors[s]
            self.m.row(n, _Expr({self.N[m, s]: 1 for m in self.munis}), n)
        for m, s, least in p.pins:
            self.m.lb[self.N[m, s]] = max(self.m.lb[self.N[m, s]], least)
        if p.max_categories is not None:
            # a multi sector counts as one category when it is present at all
            for m in self.munis:
                expr = _Expr({self.N[m, s]: 1 for s in self.sectors if s not in p.multi_sectors})
                for s in p.multi_sectors:
                    present = self.m.var(0, 1)
                    self.m.row(-INF, _Expr({self.N[m, s]: 1, present: -p.multi_cap}), 0)
                    expr = expr + _Expr({present: 1})
                self.m.row(-INF, expr, p.max_categories)

    # -- answers: counts per unit, skip logic as child <= parent ----------------------------------
    def _keys(self, it: ItemSpec) -> list[tuple]:
        if self.level[it.id] == "cell":
            return [(m, s) for m in self.munis for s in self.sectors]
        return [(m,) for m in self.munis]

    def _answers(self, it: ItemSpec) -> None:
        for key in self._keys(it):
            base = self._base_at(it, key)
            lo, hi = self.m.bounds(base)
            total = _Expr()
            for a in it.answers[:-1]:
                self.X[(it.id, a) + key] = v = self.m.var(0, max(0, hi))
                total = total + _Expr({v: 1})
            self.m.row(-INF, total - base, 0)

    def _at(self, item_id: str, answer: str, key: tuple) -> _Expr:
        """Count of item == answer at a municipality (m,) or municipality x sector (m, s) key."""
        it = self.p.item(item_id)
        fine = self.level[item_id] == "cell"
        if len(key) == 1 and fine:
            return sum((self._at(item_id, answer, (key[0], s)) for s in self.sectors), _Expr())
        if len(key) == 2 and not fine:
            raise ValueError(f"{item_id} is counted per municipality, not per sector")
        if answer != it.answers[-1]:
            return _Expr({self.X[(item_id, answer) + key]: 1})
        out = self._base_at(it, key)
        for a in it.answers[:-1]:
            out = out - _Expr({self.X[(item_id, a) + key]: 1})
        return out

    def _base_at(self, it: ItemSpec, key: tuple) -> _Expr:
        if it.parent:
            return self._at(it.parent[0], it.parent[1], key)
        if len(key) == 2:
            return _Expr({self.N[key]: 1})
        return _Expr({self.N[key[0], s]: 1 for s in self.sectors})

    def _unit_keys(self, unit: str, unit_id: str) -> list[tuple]:
        if unit == "municipality":
            return [(m, s) for m in [unit_id] for s in self.sectors]
        if unit == "sector":
            return [(m, unit_id) for m in self.munis]
        if unit == "domain":
            return [(m, s) for m in self.munis for s in self.p.domains[unit_id]]
        if unit == "total":
            return [(m, s) for m in self.munis for s in self.sectors]
        raise ValueError(f"unknown unit {unit!r}")

    def count(self, item_id: str, answer: str, unit: str, unit_id: str) -> _Expr:
        keys = self._unit_keys(unit, unit_id)
        if self.level[item_id] == "municipality":
            keys = [(m,) for m in dict.fromkeys(k[0] for k in keys)]
        return sum((self._at(item_id, answer, k) for k in keys), _Expr())

    def base(self, item_id: str | None, unit: str, unit_id: str) -> _Expr:
        if item_id:
            it = self.p.item(item_id)
            if it.parent:
                return self.count(it.parent[0], it.parent[1], unit, unit_id)
        return sum((_Expr({self.N[k]: 1}) for k in self._unit_keys(unit, unit_id)), _Expr())

    # -- published cells as soft constraints -----------------------------------------------------
    def add_cells(self) -> list["_Part"]:
        """One unmet indicator per cell part (and a distance for counts and n's)."""
        out = []
        for c in self.p.cells.itertuples(index=False):
            item = c.item or None
            base = self.base(item, c.unit, str(c.unit_id))
            value = base if c.part == "n" else self.count(item, c.answer, c.unit, str(c.unit_id))
            u = self.m.var(0, 1)
            dev = None
            target = int(c.target)
            if c.part in ("n", "count"):
                lo, hi = self.m.bounds(value)
                big = max(hi - target, target - lo, 0)
                dev = self.m.var(0, big)
                self.m.row(-INF, value - _Expr({u: big}, target), 0)
                self.m.row(0, value + _Expr({u: big}, -target), INF)
                self.m.row(0, _Expr({dev: 1}) - value + _Expr({}, target), INF)
                self.m.row(0, _Expr({dev: 1}) + value - _Expr({}, target), INF)
            else:
                lo_k, hi_k = pct_bounds(target, self.p.pct_rule)
                low = value.scaled(2000) - base.scaled(lo_k)     # >= 0 when met
                high = value.scaled(2000) - base.scaled(hi_k)    # <= -1 when met
                m_low = max(0.0, -self.m.bounds(low)[0])
                m_high = max(0.0, self.m.bounds(high)[1] + 1)
                self.m.row(0, low + _Expr({u: m_low}), INF)
                self.m.row(-INF, high - _Expr({u: m_high}), -1)
            out.append(_Part(u, dev, value, base, int(c.weight) * UNMET_SCALE))
        return out


@dataclass(frozen=True)
class _Part:
    unmet: int
    deviation: int | None
    value: _Expr
    base: _Expr
    cost: int

    def costs(self) -> dict[int, int]:
        out = {self.unmet: self.cost}
        if self.deviation is not None:
            out[self.deviation] = DEVIATION_COST
        return out

    def columns(self) -> set[int]:
        return set(self.value.terms) | set(self.base.terms) | set(self.costs())


def cell_blocks(problem: Problem) -> list[tuple[str, list[int]]]:
    """Cells grouped by the item whose answers they count, parents before children.

    A printed n is the count of the items' parent answer (the collaborators for IX.1), so it goes
    with the parent item; an n without item (a municipality or domain size) goes to "structure".
    Blocks share only occupancy and parent counts, which is what makes the decomposition exact
    when the blocks' separate optima add up (see solve_counts).
    """
    order = ["structure"] + [it.id for it in problem.items]
    keys = []
    for c in problem.cells.itertuples(index=False):
        if not c.item:
            keys.append("structure")
        elif c.part == "n":
            parent = problem.item(c.item).parent
            keys.append(parent[0] if parent else "structure")
        else:
            keys.append(c.item)
    blocks = {k: [] for k in order}
    for i, k in enumerate(keys):
        blocks[k].append(i)
    return [(k, v) for k, v in blocks.items() if v]


PARENT_BLOCK = "parents"


def _proof_blocks(problem: Problem, level: dict[str, str], merged: set[str]) -> list[tuple[str, list[int]]]:
    """The blocks of the proof: one "parents" block, solved jointly, then one block per leaf.

    Leaves are items counted per municipality that no other item depends on, that have
    municipality cells and that are not in `merged`. Everything else (structure, parent items
    such as collaborates, per-sector items, leaves with totals only such as Tabel 4.2, and the
    merged leaves) is in the parents block.
    """
    parent_ids = {it.parent[0] for it in problem.items if it.parent}
    muni_items = set(problem.cells.loc[problem.cells["unit"] == "municipality", "item"])
    parents, leaves = [], []
    for name, idx in cell_blocks(problem):
        leaf = (name in level and name not in parent_ids and level[name] == "municipality"
                and name in muni_items and name not in merged)
        (leaves.append((name, idx)) if leaf else parents.extend(idx))
    return [(PARENT_BLOCK, sorted(parents))] + leaves


def solve_counts(problem: Problem, time_limit: float = TIME_LIMIT_S, threads: int = 1) -> CountSolution:
    """Solve the count IP: the fewest (weighted) unmet published numbers, proven optimal.

    The full program is one MIP, but its cells fall apart into blocks that share only occupancy
    and parent counts (collaborators per municipality, ...). HiGHS proves a block's optimum in
    well under a second, while a joint branch-and-bound multiplies the blocks' trees. So:

    1. every block alone, all columns free: its optimum LB_b; the sum is a lower bound on the
       joint optimum (any partition of the cells gives one);
    2. the blocks in order, parents first, each with the columns of earlier blocks fixed: a
       feasible joint solution whose objective is the sum of the blocks' costs S_b;
    3. a leaf that does worse with the parents fixed than alone (S_b > LB_b) wants other parent
       counts: it is merged into the parents block and both steps are repeated. When every
       S_b equals LB_b, the solution is proven optimal (upper bound = lower bound).
    If that does not happen within the time limit, the joint program is solved from the best
    start and the remaining gap is reported.
    """
    started = time.perf_counter()
    left = lambda: time_limit - (time.perf_counter() - started)  # noqa: E731
    cm = _CountModel(problem)
    parts = cm.add_cells()
    h = cm.m.highs(threads)
    lb0, ub0 = np.array(cm.m.lb, dtype=float), np.array(cm.m.ub, dtype=float)
    n = len(lb0)
    merged: set[str] = set()
    free: dict[str, float] = {}
    while True:
        blocks = _proof_blocks(problem, cm.level, merged)
        seq, x = {}, None
        for name, idx in blocks:
            if name == PARENT_BLOCK or name not in free:   # a leaf's own optimum never changes
                res = _run(h, _costs(parts, idx, n), lb0, ub0, left())
                free[name] = res["objective"] if res["status"] == "Optimal" else max(res["bound"], 0.0)
        free = {b: free[b] for b, _ in blocks}
        lb, ub = lb0.copy(), ub0.copy()
        for name, idx in blocks:
            res = _run(h, _costs(parts, idx, n), lb, ub, left())
            if res["values"] is None:
                raise RuntimeError(f"reconstruction IP, block {name}: {res['status']}")
            x = res["values"]
            seq[name] = float(_costs(parts, idx, n) @ x)
            for i in idx:
                for k in parts[i].columns():
                    lb[k] = ub[k] = x[k]
        regret = {b: seq[b] - free[b] for b, _ in blocks if b != PARENT_BLOCK and seq[b] > free[b] + 0.5}
        if not regret or left() < 1:
            break
        merged |= set(regret)
    full_cost = _costs(parts, list(range(len(parts))), n)
    upper = float(full_cost @ x)
    lower = sum(free.values())
    status = "Optimal" if upper <= lower + 0.5 else "Feasible"
    if status != "Optimal" and left() > 1:
        h.setSolution(highs_solution(x))
        res = _run(h, full_cost, lb0, ub0, left())
        if res["values"] is not None and res["objective"] < upper:
            x, upper = res["values"], res["objective"]
        lower = max(lower, res["bound"])
        status = "Optimal" if upper <= lower + 0.5 else f"{res['status']}: gap reported"

    def evaluate(expr: _Expr) -> int:
        return int(round(expr.const + sum(v * x[k] for k, v in expr.terms.items())))

    occupancy = pd.DataFrame(
        [[int(x[cm.N[m, s]]) for s in cm.sectors] for m in cm.munis], index=cm.munis, columns=cm.sectors
    )
    counts = {key: int(x[v]) for key, v in cm.X.items()}
    cells = problem.cells.copy()
    cells["value"] = [evaluate(p.value) for p in parts]
    cells["met"] = [bool(x[p.unmet] == 0) for p in parts]
    solve = {
        "status": status, "objective": upper, "bound": lower,
        "gap": 0.0 if upper <= lower + 0.5 else (upper - lower) / max(upper, 1.0),
        "seconds": time.perf_counter() - started, "columns": n, "rows": len(cm.m.rows),
        "blocks": len(blocks), "merged_into_parents": sorted(merged),
    }
    return CountSolution(occupancy, counts, cm.level, cells.reset_index(drop=True), solve)


def _costs(parts, idx, size: int) -> np.ndarray:
    cost = np.zeros(size)
    for i in idx:
        for k, v in parts[i].costs().items():
            cost[k] = v
    return cost


def highs_solution(x: np.ndarray):
    import highspy

    sol = highspy.HighsSolution()
    sol.col_value = [float(v) for v in x]
    sol.value_valid = True
    return sol


# ============================================================================================
# 3. From counts to respondents
# ============================================================================================

# chooser(item_id, answer_counts, eligible respondents DataFrame) -> ordered index of eligible rows.
# The first count(a1) rows get a1, the next count(a2) get a2, ..., the rest the residual answer.
Chooser = Callable[[str, pd.DataFrame], list]
# free(item_id, respondent row) -> answer key, for (item, sector) pairs no published cell counts.
FreeAnswer = Callable[[str, pd.Series], str]


def rotating_order(item_index: int) -> Chooser:
    """Default within-unit order: respondents in id order, rotated by the item's position, so
    that different items do not always pick the same officers."""
    def choose(item_id: str, eligible: pd.DataFrame) -> list:
        idx = list(eligible.index)
        if not idx:
            return idx
        k = (7 * item_index) % len(idx)
        return idx[k:] + idx[:k]
    return choose


def _free_pairs(problem: Problem, level: dict[str, str]) -> dict[str, set[str] | None]:
    """Per per-sector item, the sectors whose answers a published cell counts (None = all). An
    item no published cell counts at all (most of Figuur 5.1's partners) is free everywhere."""
    out: dict[str, set[str] | None] = {}
    cells = problem.cells
    for item_id, lvl in level.items():
        own = cells[cells["item"] == item_id]
        as_parent = [it.id for it in problem.items if it.parent and it.parent[0] == item_id]
        if own.empty and not as_parent:
            out[item_id] = set()
            continue
        if lvl != "cell":
            continue
        if as_parent or (own["unit"].isin(["municipality", "total"])).any():
            out[item_id] = None
            continue
        covered: set[str] = set()
        for u, uid in zip(own["unit"], own["unit_id"].astype(str)):
            covered |= {uid} if u == "sector" else set(problem.domains.get(uid, ()))
        out[item_id] = covered
    return out


def realize_respondents(
    problem: Problem,
    sol: CountSolution,
    chooser: Callable[[str, int], Chooser] | None = None,
    free_answer: FreeAnswer | None = None,
) -> pd.DataFrame:
    """Respondents (municipality, sector, one answer key per item; None = not asked) whose counts
    are exactly the solution's. Deterministic: respondents are numbered by municipality then
    sector order, and every choice goes through `chooser` / `free_answer`."""
    rows = [
        {"municipality_id": m, "sector": s}
        for m in sol.occupancy.index for s in sol.occupancy.columns
        for _ in range(int(sol.occupancy.loc[m, s]))
    ]
    df = pd.DataFrame(rows, columns=["municipality_id", "sector"])
    chooser = chooser or (lambda item_id, i: rotating_order(i))
    free = _free_pairs(problem, sol.item_level)
    for i, it in enumerate(problem.items):
        values = pd.Series([None] * len(df), index=df.index, dtype=object)
        asked = df.index if not it.parent else df.index[df[it.parent[0]] == it.parent[1]]
        groups = ["municipality_id", "sector"] if sol.item_level[it.id] == "cell" else ["municipality_id"]
        for key, grp in df.loc[asked].groupby(groups, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            counted = free.get(it.id) is None or (len(key) > 1 and key[1] in free[it.id])
            if not counted and free_answer is not None:
                for r in grp.index:
                    values[r] = free_answer(it.id, df.loc[r])
                continue
            order = chooser(it.id, i)(it.id, grp) if counted else list(grp.index)
            pos = 0
            for a in it.answers[:-1]:
                k = sol.counts.get((it.id, a) + tuple(str(x) for x in key), 0) if counted else 0
                for r in order[pos:pos + k]:
                    values[r] = a
                pos += k
            for r in order[pos:]:
                values[r] = it.answers[-1]
        df[it.id] = values
    return df


def recount(problem: Problem, respondents: pd.DataFrame) -> pd.DataFrame:
    """Recompute every cell part from respondent rows: the check that realisation kept counts."""
    out = problem.cells.copy()
    values, met = [], []
    for c in problem.cells.itertuples(index=False):
        sel = respondents
        if c.unit == "municipality":
            sel = sel[sel["municipality_id"].astype(str) == str(c.unit_id)]
        elif c.unit == "sector":
            sel = sel[sel["sector"] == c.unit_id]
        elif c.unit == "domain":
            sel = sel[sel["sector"].isin(problem.domains[c.unit_id])]
        base = len(sel)
        if c.item:
            it = problem.item(c.item)
            if it.parent:
                base = int((sel[it.parent[0]] == it.parent[1]).sum())
        if c.part == "n":
            v = base
            ok = v == int(c.target)
        else:
            v = int((sel[c.item] == c.answer).sum())
            ok = v == int(c.target) if c.part == "count" else prints_as(v, base, int(c.target), problem.pct_rule)
        values.append(v)
        met.append(bool(ok))
    out["value"] = values
    out["met"] = met
    return out


# ============================================================================================
# 4. The RIVM 2010 report as a Problem
# ============================================================================================

def load_reference(ref_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The published-number CSVs, keyed by report table ("VII.2", "4.2", "prose", ...)."""
    return reference.by_table(reference.load_reference(ref_dir))


def _item_for(book: Codebook, table: str, col_key: str) -> Item:
    it = reference.item_for_column(book, table, col_key)
    if it is None:
        raise KeyError(f"no codebook item is published in {table} column {col_key}")
    return it


def _sector_id(book: Codebook, printed: str) -> str:
    sid = reference.sector_id(book, printed)
    if sid is None:
        raise KeyError(f"sector {printed!r} is not in config/sectors.yaml")
    return sid


def _cell(table, row_type, row_id, col_key, part, target, printed, item, answer, unit, unit_id, weight, line):
    return dict(zip(CELL_COLUMNS, [table, row_type, str(row_id), col_key, part, int(target), str(printed),
                                   item or "", answer, unit, str(unit_id), weight, str(line)]))


def _appendix_cells(table: str, df: pd.DataFrame, book: Codebook) -> list[dict]:
    """Cells of a long-format appendix table: n per row, count and % per column."""
    out = []
    for row_id, row in reference.appendix_cells(df).groupby("row_id", sort=False):
        first = row.iloc[0]
        is_total = first["row_type"] == "total"
        unit = "total" if is_total else first["row_type"]
        unit_id = "" if is_total else (_sector_id(book, row_id) if unit == "sector" else row_id)
        items = [_item_for(book, table, k) for k in row["col_key"]]
        # The row's printed n counts who was asked the row's items when they share one skip rule
        # (VIII.3 and IX.*: collaborators), else everybody in the unit (VII.2 mixes bases).
        parents = {tuple(sorted(it.asked_if.items())) for it in items}
        n_item = items[0].id if len(parents) == 1 and items[0].asked_if else None
        w_count = WEIGHT_HEADLINE if is_total else WEIGHT_ROW_COUNT
        w_pct = WEIGHT_HEADLINE if is_total else WEIGHT_ROW_PCT
        if first["n"] is not None:
            out.append(_cell(table, first["row_type"], row_id, "n", "n", first["n"], first["n_raw"],
                             n_item, None, unit, unit_id, w_count, first["line_n"]))
        for r, it in zip(row.to_dict("records"), items):
            if r["denom"] is not None and it.asked_if:
                # a printed "73 v/d 100": the cell's own base
                out.append(_cell(table, r["row_type"], row_id, r["col_key"], "n", r["denom"],
                                 r["count_raw"], it.id, None, unit, unit_id, w_count, r["line_count"]))
            if r["count"] is not None:
                out.append(_cell(table, r["row_type"], row_id, r["col_key"], "count", r["count"],
                                 r["count_raw"], it.id, "ja", unit, unit_id, w_count, r["line_count"]))
            if r["pct"] is not None:
                out.append(_cell(table, r["row_type"], row_id, r["col_key"], "pct", r["pct"],
                                 r["pct_raw"], it.id, "ja", unit, unit_id, w_pct, r["line_pct"]))
    return out


def _priorities_cells(ref: dict, book: Codebook) -> list[dict]:
    """Tabel 4.1 (n=123) and Tabel 4.2 (% of n=73 / n=69)."""
    out = []
    for r in ref["4.1"].itertuples(index=False):
        it = _item_for(book, "4.1", r.item_key)
        out.append(_cell("4.1", "total", "Totaal", r.item_key, "count", r.count_printed, r.count_printed, it.id, "ja",
                         "total", "", WEIGHT_HEADLINE, r.line))
        out.append(_cell("4.1", "total", "Totaal", r.item_key, "pct", int(str(r.pct_printed).rstrip("%")),
                         r.pct_printed, it.id, "ja", "total", "", WEIGHT_HEADLINE, r.line))
    seen_n = set()
    for r in ref["4.2"].itertuples(index=False):
        scope = reference.policy_scope(r.policy_scope)
        it = next(i for i in book.items for p in i.published
                  if p.get("table") == "4.2" and p.get("row") == r.group and p.get("scope") == scope)
        if scope not in seen_n:
            seen_n.add(scope)
            out.append(_cell("4.2", "total", "n", r.policy_scope, "n", r.n_printed, f"n={r.n_printed}", it.id,
                             None, "total", "", WEIGHT_HEADLINE, r.line))
        # row = target group, column = the printed policy scope (as the audit names 4.2's cells)
        out.append(_cell("4.2", "total", r.group, r.policy_scope, "pct", int(str(r.pct_printed).rstrip("%")),
                         r.pct_printed, it.id, "ja", "total", "", WEIGHT_HEADLINE, r.line))
    return out


def _factor_figure_cells(fig: str, df: pd.DataFrame, columns: pd.DataFrame, book: Codebook) -> list[dict]:
    """Figuren 6.1 / 6.4: Ja / Weet niet / Nee % of all collaborators, per factor."""
    out = []
    for r in df.itertuples(index=False):
        col_key = columns[(columns["table"] == r.matching_table) & (columns["col_pos"] == r.matching_table_col_pos)]
        it = _item_for(book, r.matching_table, col_key["col_key"].iloc[0])
        for answer in it.keys:
            printed = getattr(r, f"{answer}_pct_printed")
            line = getattr(r, f"line_{answer}")
            out.append(_cell(fig, "total", r.factor_label_printed, answer, "pct", printed, f"{printed}%", it.id,
                             answer, "total", "", WEIGHT_HEADLINE, line))
    return out


def _collab_partner_cells(ref: dict, book: Codebook) -> list[dict]:
    """Figuur 5.1's four numbers: % of a sector's collaborators who name a partner sector."""
    out = []
    partners = {it.extra.get("partner_sector"): it for it in book.block("collab_partners")}
    for r in ref["5.1"].itertuples(index=False):
        frm, to = _sector_id(book, r.from_sector), _sector_id(book, r.to_sector)
        it = partners[to]
        out.append(_cell("Figuur 5.1", "sector", frm, to, "pct", int(str(r.pct_printed).rstrip("%")), r.pct_printed, it.id,
                         "ja", "sector", frm, WEIGHT_HEADLINE, r.line))
    return out


def _structure_cells(ref: dict, book: Codebook) -> list[dict]:
    """Section 4.2.2's domain sizes and the "(98 v/d 123)" footnotes."""
    out = []
    for r in ref["domains"].itertuples(index=False):
        out.append(_cell("4.2.2", "domain", r.domain_id, "n", "n", r.n_printed, r.n_printed, None, None, "domain",
                         str(r.domain_id), WEIGHT_HEADLINE, r.line))
    for r in ref["footnotes"].itertuples(index=False):
        first = next(it for it in book.items for p in it.published if str(p.get("table")) == r.table)
        out.append(_cell(r.table, "footnote", "footnote", "n", "n", r.n_in_footnote, r.footnote_printed[-12:],
                         first.id, None, "total", "", WEIGHT_HEADLINE, r.line))
    return out


def published_cells(ref: dict[str, pd.DataFrame], book: Codebook) -> pd.DataFrame:
    """Every published number the reconstruction must meet, one row per (cell, part)."""
    rows = []
    for table in reference.APPENDIX_TABLES:
        rows += _appendix_cells(table, ref[table], book)
    rows += _priorities_cells(ref, book)
    rows += _factor_figure_cells("Figuur 6.1", ref["6.1"], ref["columns"], book)
    rows += _factor_figure_cells("Figuur 6.4", ref["6.4"], ref["columns"], book)
    rows += _collab_partner_cells(ref, book)
    rows += _structure_cells(ref, book)
    return pd.DataFrame(rows, columns=CELL_COLUMNS)


def model_items(book: Codebook) -> tuple[ItemSpec, ...]:
    """Categorical codebook items (not the sector) as the IP sees them: residual answer last."""
    out = []
    for it in book.items:
        if it.type != "categorical" or it.answer_set == "function":
            continue
        keys = it.keys
        residual = "nee" if "nee" in keys else keys[-1]
        answers = tuple(k for k in keys if k != residual) + (residual,)
        parent = next(iter(it.asked_if.items())) if it.asked_if else None
        if len(it.asked_if) > 1:
            raise ValueError(f"{it.id}: the reconstruction handles one asked_if condition per item")
        out.append(ItemSpec(it.id, answers, parent))
    return tuple(out)


LATE_MUNICIPALITY = "16"   # n=1 in every table; section 3.2's municipality that joined late


def report_problem(ref: dict[str, pd.DataFrame], book: Codebook, pct_rule: str = REPORT_RULE) -> Problem:
    """The RIVM report as a Problem: hard sizes from VII.2 and VI.1, every published cell soft."""
    vii2 = ref["VII.2"]
    muni_rows = vii2[vii2["row_type"] == "municipality"].drop_duplicates("row_id")
    municipalities = {str(r.row_id): int(r.n_value) for r in muni_rows.itertuples()}
    vi1 = ref["VI.1"][ref["VI.1"]["sector"] != "Totaal"]
    sectors = {_sector_id(book, r.sector): int(r.received_printed) for r in vi1.itertuples()}
    sectors = {s.id: sectors[s.id] for s in book.sectors}
    domains = {}
    for s in book.sectors:
        domains.setdefault(s.domain, []).append(s.id)
    multi = frozenset(s.id for s in book.sectors if s.domain == "anders")
    prose = ref["prose"].set_index("quantity_key")
    max_cat = int(str(prose.loc["sectors_per_municipality", "value"]).split("-")[1])
    # The late municipality's one respondent is taken to be its VGZ officer: VGZ officers were
    # the study's contact persons and the other sectors there were not approached personally.
    pins = ((LATE_MUNICIPALITY, "vgz", 1),) if LATE_MUNICIPALITY in municipalities else ()
    return Problem(
        municipalities=municipalities, sectors=sectors, items=model_items(book),
        cells=published_cells(ref, book), multi_sectors=multi, multi_cap=3, max_categories=max_cat,
        pins=pins, domains={k: tuple(v) for k, v in domains.items()}, pct_rule=pct_rule,
    )


# ============================================================================================
# 5. What the report does not determine: chosen freely, deterministically, and marked
# ============================================================================================

# Function (Figuur VI.1 has no numbers; section 3.2: "vooral beleidsmedewerkers en
# beleidsadviseurs", sometimes programme managers, team leaders ...): a fixed cycle of ten.
FUNCTION_CYCLE = ["beleidsmedewerker", "beleidsadviseur", "senior_beleidsmedewerker", "beleidsmedewerker",
                  "senior_beleidsadviseur", "beleidsadviseur", "coordinator", "beleidsmedewerker",
                  "beleidsadviseur", "anders"]
# Hours per week, sector means (section 3.2: sector means between 24 and 38; integratie,
# mobiliteit, zorg and sport highest; VGZ 32). Values per sector are chosen.
SECTOR_MEAN_HOURS = {"integratie": 38, "mobiliteit": 36, "zorg": 36, "sport": 35, "vgz": 32,
                     "sociale_zaken": 32, "jeugd": 30, "onderwijs": 30, "veiligheid": 28, "wonen": 28,
                     "ruimte": 27, "milieu": 26, "anders": 24}


def sector_hours(n: int, mean: float) -> list[float]:
    """n values with exactly this mean, spread by +-d pairs, none above 40."""
    values = [float(mean)] if n % 2 else []
    spreads = [d for d in (4, 2, 6) if mean + d <= 40] or [0]
    k = 0
    while len(values) < n:
        d = spreads[k % len(spreads)]
        values += [mean + d, mean - d]
        k += 1
    return values[:n]


def add_respondent_details(resp: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Respondent id, wave, function and hours (free choices) on realised respondents."""
    out = resp.copy()
    out = out.sort_values(["municipality_id", "sector"], key=lambda c: c.map(_sort_key(book, c.name)))
    out = out.reset_index(drop=True)
    out.insert(0, "respondent_id", [f"R{i + 1:03d}" for i in range(len(out))])
    out.insert(1, "wave", WAVE)
    out["function"] = [FUNCTION_CYCLE[i % len(FUNCTION_CYCLE)] for i in range(len(out))]
    hours = pd.Series(0.0, index=out.index)
    for sector, grp in out.groupby("sector", sort=False):
        hours[grp.index] = sector_hours(len(grp), SECTOR_MEAN_HOURS.get(sector, 30))
    out["hours_per_week"] = hours
    return out


def _sort_key(book: Codebook, column: str):
    if column == "sector":
        order = {s.id: s.code for s in book.sectors}
        return lambda v: order[v]
    return lambda v: int(v)


def encode_export(resp: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Answer keys -> the codebook's numeric codes, columns in codebook order."""
    out = pd.DataFrame(index=resp.index)
    sectors = {s.id: s.code for s in book.sectors}
    for it in book.items:
        col = resp[it.id] if it.id in resp else pd.Series([None] * len(resp), index=resp.index)
        if it.type == "sector":
            out[it.id] = col.map(sectors).astype("Int64")
        elif it.type == "municipality":
            out[it.id] = col.astype(int).astype("Int64")
        elif it.answers:
            codes = {a.key: a.code for a in it.answers}
            out[it.id] = col.map(lambda v: codes.get(v) if v is not None else None).astype("Int64")
        else:
            out[it.id] = col
    return out


# --- municipality sheet and interview register -----------------------------------------------

SIZE_CLASSES = [("G4", "yes"), ("G32", "yes"), ("G32", "no"), ("small", "no")]   # Box 3.1 order


def sent_by_sector(ref: dict, book: Codebook) -> pd.DataFrame:
    """Questionnaires sent per sector, as printed in Tabel VI.1 (not reconstructed: published)."""
    vi1 = ref["VI.1"]
    rows = vi1[vi1["sector"] != "Totaal"]
    return pd.DataFrame({"sector": [_sector_id(book, s) for s in rows["sector"]],
                         "questionnaires_sent": rows["sent_printed"].astype(int).to_numpy()})


# 6.1.2 (statement S6.1.2b): "krachtwijken mogelijk vaker beschikken over concrete
# uitvoeringsplannen ... Dat geldt ook voor de extra financiering": among the G32 municipalities,
# those with krachtwijk are the ones whose officers most often name these two factors (Tabel IX.1).
KRACHTWIJK_FACTORS = ("concrete_uitvoeringsplannen", "voldoende_middelen")


def _krachtwijk_by_plans(cls: dict, ref: dict) -> dict:
    ix1 = ref["IX.1"]
    rows = ix1[(ix1["row_type"] == "municipality") & ix1["col_key"].isin(KRACHTWIJK_FACTORS)]
    score = {str(m): g["count_value"].sum() / max(g["n_value"].iloc[0], 1) for m, g in rows.groupby("row_id")}
    g32 = [m for m in cls if cls[m][0] == "G32"]
    with_kw = sum(1 for m in g32 if cls[m][1] == "yes")
    ranked = sorted(g32, key=lambda m: (-score.get(str(m), 0), int(m)))
    return {**cls, **{m: ("G32", "yes" if i < with_kw else "no") for i, m in enumerate(ranked)}}


def municipality_sheet(occupancy: pd.DataFrame, ref: dict, multi: frozenset[str]) -> pd.DataFrame:
    """Size class, krachtwijk and questionnaires sent per municipality: all chosen freely.

    Published constraints honoured: Box 3.1 class counts (3 G4, 5 G32 with krachtwijk, 3 G32
    without, 5 small); 155 questionnaires sent; four municipalities with full response, one per
    class (3.2); the late municipality (16) approached in 6-11 sectors and 85% response without
    it (3.2: 122 of 143 or 144). Choices: larger municipalities (more respondents) in larger
    classes; full response in the first municipality of each class with at least six sector
    categories; the rest of the non-response spread evenly.
    """
    box = ref["box_3.1"]
    class_sizes = [int(v) for v in box["value"]]
    n = occupancy.sum(axis=1)
    categories = (occupancy[[c for c in occupancy.columns if c not in multi]] > 0).sum(axis=1) + \
        (occupancy[list(multi)].sum(axis=1) > 0).astype(int)
    order = sorted(n.index, key=lambda m: (-n[m], int(m)))
    cls = {}
    pos = 0
    for (size, kw), k in zip(SIZE_CLASSES, class_sizes):
        for m in order[pos:pos + k]:
            cls[m] = (size, kw)
        pos += k
    cls = _krachtwijk_by_plans(cls, ref)
    prose = ref["prose"].set_index("quantity_key")
    total_sent = int(ref["VI.1"].set_index("sector").loc["Totaal", "sent_printed"])
    max_cat = int(str(prose.loc["sectors_per_municipality", "value"]).split("-")[1])
    full = []
    for size_kw in SIZE_CLASSES:
        members = sorted([m for m in cls if cls[m] == size_kw and m != LATE_MUNICIPALITY], key=int)
        full.append(next(m for m in members if categories[m] >= 6))
    sent = {m: int(n[m]) for m in n.index}
    sent[LATE_MUNICIPALITY] = max_cat            # approached in the most sectors, answered by one
    rest = [m for m in sorted(n.index, key=int) if m not in full and m != LATE_MUNICIPALITY]
    missing = total_sent - sum(sent.values())
    for i in range(missing):
        sent[rest[i % len(rest)]] += 1
    rows = [{"municipality_id": int(m), "name": "", "size_class": cls[m][0], "krachtwijk": cls[m][1],
             "questionnaires_sent": sent[m], "reconstructed": "size_class;krachtwijk;questionnaires_sent"}
            for m in sorted(n.index, key=int)]
    return pd.DataFrame(rows)


def _category_sectors(category: str) -> set[str]:
    names = {"onderwijs": "onderwijs", "jeugd": "jeugd", "sport": "sport", "sociale zaken": "sociale_zaken",
             "wonen": "wonen", "ruimte": "ruimte", "vgz": "vgz"}
    return {names[p.strip().lower()] for p in category.split("/")}


def interview_register(ref: dict, sheet: pd.DataFrame, occupancy: pd.DataFrame) -> pd.DataFrame:
    """One row per interview of Tabel 3.1 with the interviewee of Tabel VI.3/VI.4.

    Published: the category x municipality-type counts of Tabel 3.1, one VGZ and one other
    interview per municipality (2.4), each interviewee's sector, function and gender. Chosen: which
    municipality of the right type, preferring one with a questionnaire respondent in the
    category ("op basis van de resultaten uit de digitale vragenlijsten", 3.3), and which
    interviewee of a category went to which municipality (in printed order).
    """
    t31 = ref["3.1"][ref["3.1"]["sector_category"] != "Totaal"]
    type_cols = ["g4_met_krachtwijk", "g32_met_krachtwijk", "g32_zonder_krachtwijk",
                 "kleinere_gemeenten_zonder_krachtwijk"]
    members = {col: [str(m) for m in sheet["municipality_id"]
                     if (sheet.set_index("municipality_id").loc[m, ["size_class", "krachtwijk"]].tolist()
                         == list(SIZE_CLASSES[i]))] for i, col in enumerate(type_cols)}
    people = ref["VI.3/VI.4"]
    people_by_cat = {frozenset(_category_sectors(c)): grp.to_dict("records") for c, grp in people.groupby("category", sort=False)}
    rows = []
    for col in type_cols:
        free = list(members[col])
        for r in t31.itertuples(index=False):
            cat = frozenset(_category_sectors(r.sector_category))
            k = int(getattr(r, col)) if pd.notna(getattr(r, col)) else 0
            for _ in range(k):
                if cat == {"vgz"}:
                    continue
                has = [m for m in free if occupancy.loc[m, list(cat)].sum() > 0]
                m = (has or free)[0]
                free.remove(m)
                rows.append({"sector_category": r.sector_category, "municipality_type": col, "municipality_id": int(m)})
        for m in members[col]:
            rows.append({"sector_category": "VGZ", "municipality_type": col, "municipality_id": int(m)})
    reg = pd.DataFrame(rows).sort_values(["sector_category", "municipality_id"]).reset_index(drop=True)
    out = []
    for cat_name, grp in reg.groupby("sector_category", sort=False):
        persons = people_by_cat[frozenset(_category_sectors(cat_name))]
        for (_, r), p in zip(grp.iterrows(), persons):
            out.append({**r.to_dict(), "table": p["table"], "nr": p["nr_printed"],
                        "sector_and_function_printed": " ".join(str(p["beleidsterrein_and_functie_printed"]).split()),
                        "gender_printed": p["geslacht"], "line": p["line"], "reconstructed": "municipality_id"})
    cols = ["table", "nr", "sector_category", "municipality_type", "municipality_id", "sector_and_function_printed",
            "gender_printed", "line", "reconstructed"]
    return pd.DataFrame(out)[cols].sort_values(["table", "nr"]).reset_index(drop=True)


# ============================================================================================
# 6. Unmet cells and the audit
# ============================================================================================

def unmet_cells(cells: pd.DataFrame, audit_findings: pd.DataFrame) -> pd.DataFrame:
    """Published numbers the reconstruction does not meet, with the audit's explanation.

    Matched to the audit's findings exactly as the replication scorecard matches them
    (analysis.replicate.attach_verdicts), so both documents give the same explanation.
    """
    from analysis.rivm2010.replicate import attach_verdicts

    out = cells.loc[~cells["met"], ["table", "row_type", "row_id", "col_key", "part", "printed", "target",
                                    "value", "weight", "line"]].copy()
    as_scorecard = out.rename(columns={"row_id": "row", "col_key": "column"}).assign(match=False, regenerated=out["value"])
    explained = attach_verdicts(as_scorecard, audit_findings)
    out["audit"] = [f"{v}: {e}" if e else "no audit finding" for v, e in zip(explained["verdict"], explained["explanation"])]
    return out.reset_index(drop=True)


def audit_findings(ref_dir: str | Path) -> pd.DataFrame:
    """The audit's inconsistencies of the published report."""
    from analysis.rivm2010 import audit

    return audit.find_inconsistencies(reference.load_reference(ref_dir))


def report_pct_rule() -> str:
    """The report's rounding rule, as the audit established it from the printed numbers."""
    return REPORT_RULE


# ============================================================================================
# 7. Files
# ============================================================================================

def write_responses_csv(export: pd.DataFrame, path: str | Path) -> None:
    """UTF-8, comma-separated, codebook order; integers as integers, hours with one decimal."""
    Path(path).write_text(export.to_csv(index=False, lineterminator="\n", float_format="%.1f"), encoding="utf-8")


def write_responses_sav(export: pd.DataFrame, book: Codebook, path: str | Path) -> None:
    """The export as SPSS: value labels (nl) from the codebook, column labels = item nl."""
    import pyreadstat

    df = export.copy()
    value_labels = {}
    for it in book.items:
        if it.answers:
            value_labels[it.id] = {float(a.code): a.nl for a in it.answers}
            df[it.id] = df[it.id].astype("float64")
        elif it.type == "municipality":
            df[it.id] = df[it.id].astype("float64")
    df["hours_per_week"] = df["hours_per_week"].astype("float64")
    labels = [book[c].nl for c in df.columns]
    pyreadstat.write_sav(df, str(path), column_labels=labels, variable_value_labels=value_labels)
    _fix_sav_timestamp(path)


# The .sav header stores when the file was written (bytes 92-108: "dd Mmm yy" + "hh:mm:ss").
# A fixed stamp (the end of fieldwork, Box 2.1: mei-juli 2009) keeps reruns byte-identical.
SAV_STAMP = b"31 Jul 0900:00:00"


def _fix_sav_timestamp(path: str | Path) -> None:
    data = bytearray(Path(path).read_bytes())
    if data[:4] in (b"$FL2", b"$FL3"):
        data[92:92 + len(SAV_STAMP)] = SAV_STAMP
        Path(path).write_bytes(bytes(data))


def _free_facts(resp: pd.DataFrame, sheet: pd.DataFrame, problem: Problem, pct_rule: str) -> dict:
    """The numbers the notes quote about the free choices, computed from the files written."""
    from analysis.core.rounding import percent_of
    from analysis.rivm2010.statements import FIGURE_4_1_DOMAINS

    domain_of = {s: d for d, members in problem.domains.items() for s in members}
    works = resp.assign(domain=resp["sector"].map(domain_of))
    health_by_domain = {
        d: percent_of(int((g["health_work"] == "ja").sum()), len(g), pct_rule)
        for d, g in works.groupby("domain", sort=True) if str(d) in FIGURE_4_1_DOMAINS}
    late = sheet["municipality_id"].astype(str) == LATE_MUNICIPALITY
    sent, sent_late = int(sheet["questionnaires_sent"].sum()), int(sheet.loc[late, "questionnaires_sent"].sum())
    n_late = int((resp["municipality_id"].astype(str) == LATE_MUNICIPALITY).sum())
    full = sheet[sheet["questionnaires_sent"] == sheet["municipality_id"].astype(str).map(
        resp["municipality_id"].astype(str).value_counts()).fillna(0).astype(int)]
    return {
        "health_by_domain": " / ".join(f"{v}%" for v in health_by_domain.values()),
        "domains": " / ".join(health_by_domain),
        "sent": sent, "sent_late": sent_late, "full_response": len(full),
        "answered_excl_late": len(resp) - n_late, "sent_excl_late": sent - sent_late,
        "response_excl_late": percent_of(len(resp) - n_late, sent - sent_late, pct_rule),
    }


def statement_check(ref: dict, resp: pd.DataFrame, sheet: pd.DataFrame, sent: pd.DataFrame,
                    book: Codebook) -> pd.DataFrame | None:
    """The report's statements (statements.csv) evaluated on the realised respondents."""
    from analysis.rivm2010 import statements

    if "statements" not in ref:
        return None
    data = statements.SurveyData(
        resp, {s.id: str(s.domain) for s in book.sectors}, {s.id: s.social_class for s in book.sectors},
        sheet, dict(zip(sent["sector"], sent["questionnaires_sent"].astype(int))))
    return statements.evaluate_statements(ref["statements"].fillna(""), data)


# Basis of a cell of the wave's cells.csv: what fixes its count (README "The 2009 wave is a
# reconstruction"): a printed number; arithmetic on printed numbers (the other answer of a printed
# yes/no, a sum of printed sectors); a statement of the text that this export meets; or nothing.
BASIS = ("printed", "derived", "statement", "free")
_CELL_UNIT = {"total": ("overall", "all"), "municipality": ("municipality", None), "sector": ("sector", None),
              "domain": ("domain", None)}


def _printed_addresses(problem: Problem, book: Codebook) -> set[tuple[str, str, str, str]]:
    out = set()
    for c in problem.cells.itertuples(index=False):
        unit, uid = _CELL_UNIT[c.unit]
        uid = uid or str(c.unit_id)
        if c.part in ("count", "pct") and c.item:
            out.add((unit, uid, c.item, c.answer))
        elif c.part == "n" and c.item:
            parent = problem.item(c.item).parent
            if parent:
                out.add((unit, uid, parent[0], parent[1]))
    for s in book.sectors:   # Tabel VI.1: respondents per sector
        out.add(("overall", "all", "sector", s.id))
        out.add(("sector", s.id, "sector", s.id))
    return out


def basis_of_cells(problem: Problem, book: Codebook, resp: pd.DataFrame, sheet: pd.DataFrame, sent: pd.DataFrame,
                   checked: pd.DataFrame | None) -> pd.DataFrame:
    """The basis of every cell the aggregate step will count from this export."""
    from analysis.core.aggregate import aggregate_cells
    from analysis.rivm2010 import statements

    cells = aggregate_cells(resp, sheet.astype({"municipality_id": str}).astype(str), book, WAVE)
    referenced: set = set()
    if checked is not None:
        data = statements.SurveyData(
            resp, {s.id: str(s.domain) for s in book.sectors}, {s.id: s.social_class for s in book.sectors},
            sheet, dict(zip(sent["sector"], sent["questionnaires_sent"].astype(int))))
        for r in checked[(checked["tables_decide"] == "no") & checked["holds"]].itertuples(index=False):
            referenced |= statements.referenced_cells(r.predicate, data)
    return cell_basis(cells, problem, book, referenced).assign(pct=cells["pct"].to_numpy(),
                                                               base=cells["base"].to_numpy())


def extreme_sector_cells(basis: pd.DataFrame) -> pd.DataFrame:
    """By-sector "ja" cells at exactly 0% or 100% (base > 0), with their basis."""
    sel = basis[(basis["unit"] == "sector") & (basis["answer"] == "ja") & (basis["base"] > 0)
                & basis["pct"].isin([0.0, 100.0])]
    return sel.reset_index(drop=True)


# Why a by-sector cell is still at 0% or 100% (first that applies), in the order RECONSTRUCTION.md lists them.
EXTREME_REASONS = {
    "printed": "printed, or arithmetic on printed numbers",
    "one_officer": "one officer of the sector was asked (any answer is 0% or 100%)",
    "forced": "forced by the counts the printed tables fix: every municipality with an officer of the sector "
              "asked has no 'ja' at all, or only 'ja'",
    "own_sector": "naming one's own sector as a partner (not asked: the question is about other sectors)",
    "independence": "the independence expectation is within half an officer of 0 or of all of them",
    "reciprocal": "partner choices kept reciprocal: as many officers of s name t as officers of t name s",
    "statement": "kept there by a statement of the text",
    "other": "none of the above (a choice of the program)",
}


def extreme_reasons(basis: pd.DataFrame, sector_cells: pd.DataFrame) -> pd.DataFrame:
    """The by-sector cells at 0% or 100% with the reason they are there (EXTREME_REASONS)."""
    ext = extreme_sector_cells(basis).rename(columns={"unit_id": "sector"})
    info = sector_cells.set_index(["item", "sector"])
    # (partner sector, sector) -> the cell "officers of the partner sector naming this sector"
    partners = sector_cells[sector_cells["partner"] != ""]
    reverse = partners.assign(key=partners["sector"]).set_index(["key", "partner"])
    reasons, expected = [], []
    for r in ext.itertuples(index=False):
        c = info.loc[(r.item, r.sector)] if (r.item, r.sector) in info.index else None
        e = float(c["expected"]) if c is not None else float("nan")
        zero = r.pct == 0.0
        if r.basis in ("printed", "derived"):
            why = "printed"
        elif r.base == 1:
            why = "one_officer"
        elif c is not None and bool(c["forced_0"] if zero else c["forced_100"]):
            why = "forced"
        elif c is not None and bool(c["own_sector"]):
            why = "own_sector"
        elif c is not None and (e < 0.5 if zero else e > r.base - 0.5):
            why = "independence"
        elif c is not None and c["partner"] and (c["partner"], r.sector) in reverse.index and \
                int(reverse.loc[(c["partner"], r.sector), "count"]) == int(c["count"]):
            why = "reciprocal"
        elif r.basis == "statement":
            why = "statement"
        else:
            why = "other"
        reasons.append(why)
        expected.append(round(e, 2))
    return ext.assign(expected=expected, reason=reasons)


def _markdown_basis(basis: pd.DataFrame, extreme: pd.DataFrame | None = None) -> list[str]:
    table = basis.groupby(["unit", "basis"]).size().unstack(fill_value=0).reindex(columns=list(BASIS), fill_value=0)
    reasons = extreme
    extreme = extreme_sector_cells(basis)
    out = ["## Which cells are printed, derived, constrained by a statement, or free", "",
           "cell_basis.csv gives each cell of the wave's cells.csv (column `basis` there) what fixes it: `printed` (a number",
           "the report prints), `derived` (arithmetic on printed numbers: the other answer of a printed yes/no, a sum of",
           "printed sectors), `statement` (a statement of the text that this export meets reads it), `free` (nothing: a",
           "choice of the reconstruction, not a finding).", "",
           "| unit | " + " | ".join(BASIS) + " |", "|---|" + "---|" * len(BASIS)]
    out += [f"| {u} | " + " | ".join(str(int(table.loc[u, b])) for b in BASIS) + " |" for u in table.index]
    n_cells = int(((basis["unit"] == "sector") & (basis["answer"] == "ja") & (basis["base"] > 0)).sum())
    out += ["", f"By-sector cells of a yes answer at exactly 0% or 100%: **{len(extreme)}** of {n_cells} with a base "
            "(254 before the least-informative stage). Why each is still there (the first reason that applies):", "",
            "| reason | cells |", "|---|---|"]
    if reasons is not None:
        counts = reasons["reason"].value_counts()
        out += [f"| {EXTREME_REASONS[k]} | {int(counts.get(k, 0))} |" for k in EXTREME_REASONS]
        other = reasons[reasons["reason"] == "other"]
        if len(other):
            out += ["", "Cells with no reason: " + ", ".join(f"{r.sector} x {r.item}" for r in other.itertuples()) + "."]
    return out + [""]





def cell_basis(cells: pd.DataFrame, problem: Problem, book: Codebook, referenced: set) -> pd.DataFrame:
    """unit, unit_id, item, answer, basis for every cell of the wave's cells.csv."""
    printed = _printed_addresses(problem, book)
    parent = {it.id: it.parent for it in problem.items}
    keys = {it.id: it.answers for it in problem.items}
    members = {("class", c): [s.id for s in book.sectors if s.social_class == c] for c in {s.social_class for s in book.sectors}}
    members |= {("domain", d): list(v) for d, v in problem.domains.items()}
    known = set(printed)

    def base_known(unit, uid, item):
        p = parent.get(item)
        return unit != "size_class" and (p is None or (unit, uid, p[0], p[1]) in known)

    changed = True
    while changed:   # derived: sums of printed sectors, and the last answer of a known base
        changed = False
        for unit, uid, item, answer in cells[["unit", "unit_id", "item", "answer"]].itertuples(index=False):
            key = (unit, uid, item, answer)
            if key in known or (item not in keys and item != "sector"):
                continue
            parts = members.get((unit, uid))
            by_sum = parts is not None and all(("sector", s, item, answer) in known for s in parts)
            if item == "sector":   # Tabel VI.1 fixes every sector's size; only municipalities are free
                by_sum = by_rest = unit in ("overall", "sector", "domain", "class")
                if by_sum:
                    known.add(key)
                    changed = True
                continue
            others = [a for a in keys[item] if a != answer]
            by_rest = base_known(unit, uid, item) and all((unit, uid, item, a) in known for a in others)
            if by_sum or by_rest:
                known.add(key)
                changed = True
    out = cells[["unit", "unit_id", "item", "answer"]].copy()
    out["basis"] = [("printed" if k in printed else "derived" if k in known else
                     "statement" if k in referenced else "free")
                    for k in out.itertuples(index=False, name=None)]
    return out.reset_index(drop=True)


def _markdown_allocation(alloc) -> list[str]:
    """The second integer program: statements, then least informative (analysis/rivm2010/allocate.py)."""
    from analysis.rivm2010.allocate import (
        COOCCURRENCE_BLOCKS,
        EXTREME_COST,
        MAX_ENTROPY_SHARE,
        NESTED,
        PATTERN_BLOCKS,
        RECIPROCITY_COST,
        STATEMENT_WEIGHT,
    )

    s1, s2 = alloc.solve["stage1"], alloc.solve["stage2"]
    st = alloc.statements
    soft = st[st["how"] == "soft constraint"]
    rule = st[st["how"] == "post-solve rule"]
    return [
        "## Who gives which answer: statements, then the least informative choice",
        "",
        "A second integer program over respondents (`x[r, item, answer]` in {0, 1}; src/analysis/rivm2010/allocate.py)",
        "keeps every count the first program fixed where a printed number reads it: per municipality for the items",
        "a municipality row prints, per municipality x sector for the items a sector row prints (VIII.1, Figuur 5.1),",
        "and only the total for the items only a total prints (Tabel 4.1, 4.2, Figuren 6.1/6.4), whose split over",
        "municipalities was itself a free choice. So every printed number the first program met stays met (recounted).",
        "",
        f"- **Stage 1, the report's statements.** {len(soft)} statements that the printed tables do not decide are soft",
        f"  constraints, each a binary 'violated' of weight {STATEMENT_WEIGHT}: all of them together weigh less than one printed",
        f"  number ({UNMET_SCALE}), so a printed number always wins, and those the tables contradict are reported, not forced.",
        "  Predicates are linearised: shares of counts over bases the first program fixes are linear; low()/high() on",
        "  the side where they bind give conjunctions, on the other side disjunctions (one binary each); both, overlap",
        f"  and lift over fixed counts use one product variable per officer, except within {' and '.join(PATTERN_BLOCKS)}:",
        "  there each officer has one binary per pattern of the block's items (16), exactly one of them 1 if asked,",
        "  and both, anyof ('names at least one group', S4.5e/f) and co-occurrences are sums of patterns, whose LP",
        "  relaxation is tight where product variables are loose. An implication with k exceptions",
        "  (both(a, b, U) + k >= cnt(a, U)) over items whose counts are fixed per municipality is one row per officer:",
        "  in each municipality the smaller of the two 'ja' sets lies in the larger (x_small <= x_large), which",
        "  leaves exactly the exceptions the counts force (max(0, A - B) per municipality); where k allows more,",
        "  a continuous excess per officer sums to at most the difference. Statements read this way:",
        f"  {', '.join(st.loc[st['why'] == NESTED, 'id']) or 'none'}.",
        f"  {len(rule)} stay rules after the solve (hours and",
        f"  function are not answers of this program): {', '.join(rule['id'])}. Status **{s1['status']}**, weighted",
        f"  violations {s1['objective']:.0f} (bound {s1['bound']:.0f}).",
        "- **Stage 2, least informative.** With stage 1's objective fixed (weighted violations <= its optimum), minimise",
        "  the L1 distance of every sector x item count from its expectation under independence within the groups",
        "  whose counts are fixed (the sector's officers asked in each municipality times that municipality's share,",
        "  or times the total share for items printed as a total only): the linear stand-in for maximum entropy.",
        "  The cost |count - expected| is interpolated between the two integers around the expectation (equal at every",
        "  integer count; a tight LP relaxation). Partner choices that no printed number counts have no margin: their",
        f"  expectation is {MAX_ENTROPY_SHARE:.0%} of those asked, and they are reciprocal in expectation (cost {RECIPROCITY_COST:g} per officer of",
        "  difference between 'officers of s name t' and 'officers of t name s'). Solved by codebook block in the",
        "  report's order, parents before children (a child's expectation needs its parent's answers), each block with",
        f"  the earlier blocks fixed: {s2['blocks']} blocks, status **{s2['status']}**, distance (and costs of cells at 0%/100%, below) {s2['objective']:.2f}",
        f"  (bound {s2['bound']:.2f}). Item x item co-occurrences are in the objective for the target groups",
        "  (|officers naming both - expected|, expected = count x count / asked, for each pair of "
        f"{' and '.join(COOCCURRENCE_BLOCKS)};",
        "  where every officer asked names at least one group (S4.5e/f), the expectation is independence among",
        "  officers who name one: count x count x Z / asked, Z the share naming at least one under independence, the",
        "  maximum-entropy joint answer with these margins and no officer without a group),",
        "  not for the factor blocks (not tried: 45 pairs of 10 items over 98 collaborators, about 4,400 product",
        "  variables per block),",
        "  where only a statement reads them (resources helped and hindered, S6.1.x).",
        "  A by-sector 'ja' cell at 0% or 100% costs "
        f"{EXTREME_COST:g} (more than moving one officer costs in distance and reciprocity) where nothing",
        "  puts it there: two or more officers asked, not forced by the fixed counts, not the own sector as a partner,",
        "  and an independence expectation at least half an officer from 0 and from all. A block is solved again with",
        "  these costs only if its optimum has such a cell (otherwise it is also the optimum with them).",
        "",
    ]


def _markdown_statements(checked: pd.DataFrame | None, vague: pd.DataFrame | None) -> list[str]:
    if checked is None:
        return []
    free = checked[checked["tables_decide"] == "no"]
    decided = checked[checked["tables_decide"] == "true"]
    contra = checked[checked["tables_decide"] == "contradicted"]
    broken = free[~free["holds"]]
    out = [
        "## The report's statements",
        "",
        f"data/reference/rivm2010/statements.csv lists {len(checked)} checkable statements of the report's text about",
        f"the questionnaire results. {len(decided)} are decided by the printed tables and hold here "
        f"({int(decided['holds'].sum())} of {len(decided)});",
        f"{len(contra)} contradict the printed tables (listed by the audit; not forced); {len(free)} are constrained by the",
        f"text alone, and this export meets {int(free['holds'].sum())} of them (soft constraints of the second program, or",
        "rules of the realisation for hours and function; see above).",
        "",
        "| statement | lines | reads as | holds here |",
        "|---|---|---|---|",
    ]
    for r in checked.itertuples(index=False):
        verdict = "yes" if r.holds else "**no**"
        if r.tables_decide == "contradicted":
            verdict += " (the printed tables contradict it)"
        out.append(f"| {r.id} | {r.lines} | {str(r.paraphrase_en).replace('|', '/')} | {verdict} |")
    if len(broken):
        out += ["", "Violated here although the printed tables allow them: " + ", ".join(broken["id"]) + "."]
    if vague is not None:
        out += ["", "### How the vague words were read", "", "| word | reading | why |", "|---|---|---|"]
        out += [f"| {r.vague_word} | {r.reading} | {r.why} |" for r in vague.fillna("").itertuples(index=False)]
    return out + [""]


def reconstruction_markdown(sol: CountSolution, unmet: pd.DataFrame, problem: Problem, resp: pd.DataFrame,
                            sheet: pd.DataFrame, pct_rule: str, command: str, time_limit: float = TIME_LIMIT_S,
                            log_path: str = "results/logs/reconstruct.log", checked: pd.DataFrame | None = None,
                            vague: pd.DataFrame | None = None, basis: pd.DataFrame | None = None,
                            alloc=None, extreme: pd.DataFrame | None = None) -> str:
    s = sol.solve
    cells = sol.cells
    n_resp = len(resp)
    free = _free_facts(resp, sheet, problem, pct_rule)
    lines = [
        "# The 2009 wave: a reconstruction, not the RIVM microdata",
        "",
        "**This is not the RIVM questionnaire data.** The original microdata of RIVM Rapport 270161002 (2010)",
        "are not public. These files were rebuilt by an integer program from the numbers the report",
        "publishes, so that the pipeline can run on the 2009 wave. Any statement about a single",
        "respondent, or about combinations of answers within respondents, is an artefact of the",
        f"reconstruction. Regenerate with `{command}` (deterministic: byte-identical output).",
        "",
        f"Files: `responses.csv` / `responses.sav` ({n_resp} respondents, every codebook item, codes from",
        "config/codebook.yaml; empty = not asked), `municipalities.csv`, `interviews.csv`.",
        "",
        "## What it reproduces",
        "",
        f"- {n_resp} respondents; municipality sizes (Tabel VII.2 n) and sector sizes (Tabel VI.1 received) exactly;",
        "  at most one officer per named sector per municipality. \"Anders\" is a catch-all for officers of",
        f"  sectors the study did not name, so a municipality may have up to {problem.multi_cap} of them; a municipality",
        f"  has at most {problem.max_categories} sector categories (2.4: \"zes tot elf\"), anders counted once.",
        "- Skip logic of the codebook for every respondent (an item not asked is empty).",
        f"- Of {len(cells)} published numbers (each count, percentage and printed n of every cell of Tabel",
        "  VII.2, VII.3, VIII.1, VIII.2, VIII.3, IX.1, IX.2, IX.3 per municipality/sector and in total, Tabel 4.1,",
        "  Tabel 4.2, Figuren 6.1/6.4 Ja/Weet niet/Nee, the four numbers of Figuur 5.1, the domain sizes of",
        f"  4.2.2 and the table footnotes), **{int(cells['met'].sum())} hold** and {int((~cells['met']).sum())} cannot.",
        f"- A percentage holds when count/base prints as the published whole percent under the rule `{pct_rule}`",
        "  (src/analysis/rounding.py: round to one decimal half up, then to a whole percent half up).",
        "",
        "## The integer program",
        "",
        "Variables are counts, not respondents: `N[m,s]` officers of sector s in municipality m; per item and",
        "answer the number of respondents per municipality, or per municipality x sector for the items a",
        "sector-level number needs (collaborates for VIII.1, collab_with_* for Figuur 5.1); skip logic is",
        "child count <= parent count in the same unit. Every published number is a soft constraint with a",
        "binary 'unmet' indicator (counts and n's: equality; percentages: lo*base <= 2000*count < hi*base);",
        "the objective minimises the weighted number of unmet numbers, then (1 per unit) the distance of unmet",
        "counts to their printed value. Who gives which answer is then chosen by a second integer program (below).",
        "",
        "Weights, and why:",
        "",
        f"- {WEIGHT_ROW_COUNT} for every count, percentage and printed n of a municipality or sector row: the detailed tabulation,",
        "  whose count and percentage agree with each other far more often than a total agrees with its rows.",
        f"- {WEIGHT_HEADLINE} for every total ('Gemiddeld/Totaal' rows) and every number printed from a total or overall base:",
        "  Tabel 4.1, Tabel 4.2, Figuren 5.1, 6.1 and 6.4, the domain sizes of 4.2.2 and the footnotes.",
        "- Consequences (they match the audit, src/analysis/audit.py): when rows that each agree with their own",
        "  percentage do not add up to the printed total, the total is the unmet cell (breaking a row costs 2 x 3,",
        "  the total 1 or 2); when a row's count and percentage disagree, the part kept is the one with which the",
        "  column adds up to its total. Ties are impossible between a row part and a total part.",
        "",
        f"Solve: HiGHS (highspy), 1 thread, random_seed 0, time limit {time_limit:.0f} s. Status **{s['status']}**, objective",
        f"{s['objective']:.0f} (= {int(s['objective']) // UNMET_SCALE} weighted unmet numbers x {UNMET_SCALE} + {int(s['objective']) % UNMET_SCALE} units of distance), lower bound",
        f"{s['bound']:.0f}, gap {s['gap']:.4f} ({s['columns']} columns, {s['rows']} rows). The solve time of each run",
        f"is written to {log_path}, not here, so that reruns give byte-identical files.",
        "Optimality is proven by decomposition: the cells fall into blocks (one per item) that share only",
        "occupancy and parent counts; the sum of the blocks' separate optima is a lower bound, and the blocks",
        "solved in order with earlier columns fixed give a solution that reaches it. Leaves that wanted other",
        f"parent counts were solved jointly with the parents: {', '.join(s['merged_into_parents']) or 'none'}.",
        "",
        "## Published numbers it cannot reproduce",
        "",
        "Each row is a number the optimum leaves unmet: with its neighbours it contradicts itself (count vs %",
        "vs n, or municipality rows vs the total), so no data set can meet it. `value` is the reconstruction's count (or n) for that cell.",
        "",
        "| table | row | column | part | printed | value | weight | line | audit |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in unmet.itertuples(index=False):
        lines.append(f"| {r.table} | {r.row_id} | {r.col_key} | {r.part} | {str(r.printed).strip()} | {r.value} | "
                     f"{r.weight} | {r.line} | {str(r.audit).replace('|', '/')} |")
    lines += [
        "",
        "## What was chosen freely (marked reconstructed)",
        "",
        "- Which respondents within a municipality give which answers, hence every breakdown by sector, VNG domain",
        "  or class and every combination of answers within a respondent: chosen by the second integer program",
        "  (below), which keeps every count the printed numbers fix, meets the report's statements, and otherwise",
        "  stays as close as it can to independence.",
        f"  Figuur 4.1 of this wave shows {free['health_by_domain']} working on health for VNG domains {free['domains']}.",
        "- Which municipality has which sector (any occupancy that meets the published numbers; the late",
        "  municipality's single respondent is its VGZ officer).",
        "- collab_with_* beyond Figuur 5.1's four numbers: the statements of 3.3 and 5.1.1, reciprocity in expectation and",
        "  otherwise half of those asked (no margin is printed); nobody names their own sector.",
        "- Weet niet / nee per municipality for the factor items (only the totals of Figuren 6.1/6.4 are published).",
        "- function: a fixed cycle, mostly (senior) beleidsmedewerker/beleidsadviseur (3.2, Figuur VI.1 has no numbers).",
        "- hours_per_week: sector means " + ", ".join(f"{k} {v}" for k, v in SECTOR_MEAN_HOURS.items()) +
        " (3.2: between 24 and 38, highest in integratie, mobiliteit, zorg and sport, VGZ 32), spread +-2/4/6 within a sector.",
        "- municipalities.csv: size class and krachtwijk (Box 3.1 counts; larger municipalities in larger classes; of the G32,",
        "  those whose officers most often name concrete plans and sufficient resources (Tabel IX.1) have a krachtwijk, 6.1.2),",
        "  questionnaires",
        f"  sent ({free['sent']} in total, full response in {free['full_response']} municipalities, one of each class, "
        f"{free['sent_late']} sent to the late municipality so that the",
        f"  response without it is {free['answered_excl_late']}/{free['sent_excl_late']} = {free['response_excl_late']}%, "
        "the rest of the non-response spread evenly).",
        "- interviews.csv: the municipality of each interview (Tabel 3.1 counts per type, one VGZ and one other interview per",
        "  municipality) and which printed interviewee went where.",
        "",
    ]
    if alloc is not None:
        lines += _markdown_allocation(alloc)
    lines += _markdown_statements(checked, vague)
    if basis is not None:
        lines += _markdown_basis(basis, extreme)
    return "\n".join(lines)


def run_reconstruction(ref_dir: str | Path, codebook: str | Path, sectors: str | Path, out: dict[str, str | Path],
                       time_limit: float = TIME_LIMIT_S, command: str = "snakemake reconstruct") -> dict:
    """Everything: read the reference, solve, realise, write the four files and the notes.

    The files are written next to their destinations first and moved into place only when all
    are complete, so an interrupted run never leaves a half-written export in data/raw.
    """
    from analysis.core.codebook import load_codebook

    # only the items the 2009 questionnaire contained (later waves may add items)
    book = load_codebook(codebook, sectors).for_wave(WAVE)
    ref = load_reference(ref_dir)
    rule = report_pct_rule()
    problem = report_problem(ref, book, pct_rule=rule)
    sol = solve_counts(problem, time_limit=time_limit)
    from analysis.rivm2010.allocate import allocate

    sheet = municipality_sheet(sol.occupancy, ref, problem.multi_sectors)
    sent = sent_by_sector(ref, book)
    alloc = allocate(problem, sol, book, sheet.astype({"municipality_id": str}),
                     dict(zip(sent["sector"], sent["questionnaires_sent"].astype(int))),
                     ref["statements"].fillna("") if "statements" in ref else None, time_limit=time_limit)
    resp = alloc.respondents
    check = recount(problem, resp)
    if not (check["met"].values == sol.cells["met"].values).all():
        bad = check[check["met"] != sol.cells["met"]]
        raise AssertionError(f"realised respondents do not keep the solved counts:\n{bad.head()}")
    resp = add_respondent_details(resp, book)
    export = encode_export(resp, book)
    interviews = interview_register(ref, sheet, sol.occupancy)
    unmet = unmet_cells(sol.cells, audit_findings(ref_dir))
    checked = statement_check(ref, resp, sheet, sent, book)
    basis = basis_of_cells(problem, book, resp, sheet, sent, checked)
    extreme = extreme_reasons(basis, alloc.sector_cells)
    staged = {key: Path(p).with_name(Path(p).name + ".partial") for key, p in out.items()}
    for p in staged.values():
        p.parent.mkdir(parents=True, exist_ok=True)
    write_responses_csv(export, staged["csv"])
    write_responses_sav(export, book, staged["sav"])
    sheet.to_csv(staged["municipalities"], index=False, lineterminator="\n")
    interviews.to_csv(staged["interviews"], index=False, lineterminator="\n")
    sent.to_csv(staged["sent_by_sector"], index=False, lineterminator="\n")
    if "basis" in staged:
        basis[["unit", "unit_id", "item", "answer", "basis"]].to_csv(staged["basis"], index=False, lineterminator="\n")
    staged["notes"].write_text(
        reconstruction_markdown(sol, unmet, problem, resp, sheet, rule, command, time_limit, checked=checked,
                                vague=ref.get("vague_words"), basis=basis, alloc=alloc, extreme=extreme),
        encoding="utf-8")
    for key, p in staged.items():
        os.replace(p, out[key])
    return {"solve": sol.solve, "allocation": alloc.solve, "unmet": unmet, "statements": checked, "basis": basis,
            "extreme": extreme}

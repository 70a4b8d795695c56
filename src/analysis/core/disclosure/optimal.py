"""Optimal secondary suppression of one table: the Fischetti-Salazar model, solved by cutting planes.

A table is a set of cells with true values a_i >= 0, public bounds L_i <= a_i <= U_i (a count is at
most its unit's base) and linear relations a reader knows (sum of parts = total, answers = base). A
reader who sees every shown cell can move the hidden ones by any deviation z with

    A z = 0 (the relations; shown cells have z_i = 0),   (L_i - a_i) x_i <= z_i <= (U_i - a_i) x_i,

where x_i = 1 when cell i is hidden. The interval a reader can give a hidden sensitive cell s is
[a_s - P-(x), a_s + P+(x)], with P+(x) = max z_s and P-(x) = max -z_s over that polytope. The
suppression pattern must give every sensitive cell a width P+(x) + P-(x) >= W_s, at the least
weighted cost sum(c_i x_i).

P+ and P- are LP values whose right-hand sides are linear in x, so each is a concave piecewise
linear function of x: the minimum, over the dual's vertices, of const + sum(g_i x_i). For a
pattern x* that leaves s too narrow, the two optimal duals give a cut

    (const+ + const-) + sum((g+_i + g-_i) x_i) >= W_s

that every safe pattern satisfies and x* violates (Benders / Fischetti-Salazar capacity cuts).
`solve_table` alternates a master integer program (HiGHS) over x with these cuts and the two LPs
per sensitive cell, until no cell is too narrow: the pattern is then optimal for the table.

The LP relaxation of that model alone is weak (a cell hidden "a third" gives a third of its room),
so the master also holds inequalities that every safe 0/1 pattern meets (the strengthened model):

- row cuts: a sensitive cell with every other cell of one of its relations shown is recomputed
  exactly, so each of its relations holds another hidden cell;
- cover cuts: a capacity cut sum(g_i x_i) >= W with g_i capped at W is a knapsack row; for a set D
  of cells with g(D) < W the pattern must hide at least m cells outside D, m the fewest whose
  largest g reach W - g(D): sum(x_i, i in C) >= m, C = the cells with g_i > 0 outside D. The cuts
  are taken at the rounded-down LP point (where they bind), and at every failing integer pattern
  (D = its hidden cells);
- waste cuts: a free cell hidden while every other cell of one of its relations is shown cannot
  move (the relation pins it), so showing it leaves every reader's interval as it was and costs
  less: x_i <= sum(x_j, j in the relation, j != i). Every safe pattern turns into one that meets
  them, at no more cost, by showing its wasted cells; so the minimum is the same.

A cut that the cells hidden anyway (sensitive, forced) meet by themselves holds at every pattern:
the master never gets it (on a wave of small municipalities nearly every relation holds two
sensitive cells, and carrying those cuts was half the optimiser's time).

Lexicographic costs (`Table.first`, secondary.py's keep_group): the master gives each free cell
of `first` a premium of one more than all free cells together, so it hides as few of them as any
safe pattern can, and among those the cheapest. Cost and bounds are reported without the premium:
with K such cells hidden, each bound minus K premiums bounds every safe pattern that hides at most
K of them, and so does the LP over the cuts found with "at most K" as a row (`_Master.lp_within`),
which is the tight one (the plain LP only by subtraction, so weak where K > 0).

`lp_plain` is the LP optimum of the model with capacity and row cuts only; `lp_bound` the LP optimum
of the strengthened model (the cuts above separated until none is violated at the LP point, or a
round limit, or STALL_ROUNDS rounds that do not raise it): both are lower bounds on the table's
minimum cost, `lp_bound` the stronger. The integer master is a relaxation too (it knows only some
of the cuts), so its proven bound is a lower bound as well: `bound` is the integer optimum where
the loop ended with a safe pattern solved to optimality (then cost = bound), else the best of
HiGHS's bound for the last integer master and `lp_bound`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.core.disclosure.marks import DisclosureError

FREE, HIDDEN, SENSITIVE = 0, 1, 2  # a cell the solver may hide, one already hidden, a sensitive one
TOLERANCE = 1e-6
MAX_ROUNDS = 200
LP_ROUNDS = 60
MIP_GAP = 0.0     # each master is solved to optimality ...
MIP_NODES = 200  # ... unless that takes more branch-and-bound nodes (then: best found, flagged)
# Tables whose integer cuts do not converge in this many rounds (fewer for tables of more free
# cells) keep the strengthened LP optimum rounded up: safe, its gap to the bound reported (Benders
# rounds on a symmetric table can each find another equally cheap pattern that fails).
MAX_EXACT_CELLS = 400
INTEGER_ROUNDS = 60
LARGE_INTEGER_ROUNDS = 12
# ... or, with more than MAX_EXACT_CELLS free cells, whose integer rounds have spent this many
# simplex iterations between them (a count, not seconds: the pattern must not depend on the
# machine). Review r16n's 342 x 30 wave: a follow-up table of 999 cells ran 12 rounds of 1-3 s
# each (23 s for the item) without converging, and kept the fallback pattern, which the rounds do
# not change. Every large table of the benchmark waves that converges does so within 3,400
# iterations. A small table is worth its rounds: field25's one of 150 cells is exact after 18
# rounds and 51,000 iterations.
INTEGER_ITERATIONS = 10_000
STRONG_ROUNDS = 40  # separation rounds of the strengthened LP (cover and waste cuts) ...
STALL_ROUNDS, STALL_GAIN = 5, 1e-3  # ... ended early after this many rounds that raise its bound no more
ROUNDED_WITNESSES = 64  # feasible points kept for the rounded-down patterns of those rounds


@dataclass
class Table:
    """One table to protect. `rows`: relations in deviation form, each (cell indices, coefficients)
    with sum(coef * z) = 0. `state`: FREE, HIDDEN or SENSITIVE per cell; `width`: the protection
    width each sensitive cell needs (0 for the others)."""

    keys: list
    value: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    state: np.ndarray
    width: np.ndarray
    rows: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    lower: np.ndarray | None = None  # public lower bound per cell (default 0)
    # repair cuts from the wave's attacker audit (suppression.protect_wave): rows sum(g_i x_i) >= rhs
    extra: list = field(default_factory=list)
    # cells to hide as few of as possible before the cost counts (lexicographic; None: none), e.g.
    # the rows of large municipalities (secondary.py, keep_group): see `_premium`
    first: np.ndarray | None = None

    def __post_init__(self):
        if self.lower is None:
            self.lower = np.zeros(len(self.keys))


@dataclass
class Pattern:
    hidden: np.ndarray          # bool per cell
    width: np.ndarray           # the interval width a reader gets per cell (nan for shown cells)
    low: np.ndarray
    high: np.ndarray
    cost: float                 # weighted cost of the complementary cells
    lp_bound: float             # LP lower bound on that cost
    rounds: int
    exact: bool = True          # False: a node limit was hit; the pattern is safe, not proven optimal
    bound: float | None = None  # the best proven lower bound (see the module doc; default lp_bound)
    lp_plain: float | None = None  # LP optimum with capacity and row cuts only (default lp_bound)
    first_hidden: int = 0       # free cells of Table.first hidden

    def __post_init__(self):
        if self.bound is None:
            self.bound = self.lp_bound
        if self.lp_plain is None:
            self.lp_plain = self.lp_bound


class _Attacker:
    """The reader's LP over one table's deviations: bounds change with the pattern x."""

    def __init__(self, table: Table):
        import highspy

        from analysis.core.solver import new_highs

        self.table = table
        n = len(table.keys)
        self.h = new_highs()
        self.h.addVars(n, np.zeros(n), np.zeros(n))
        for idx, coef in table.rows:
            self.h.addRow(0.0, 0.0, len(idx), idx.astype(np.int32), coef.astype(np.float64))
        self.cols = np.arange(n, dtype=np.int32)
        self.kmax = highspy.ObjSense.kMaximize
        self.optimal = highspy.HighsModelStatus.kOptimal

    def set_pattern(self, x: np.ndarray) -> None:
        t = self.table
        x = np.clip(x, 0.0, 1.0)  # an LP's 1e-12 below 0 would cross the bounds
        self.h.changeColsBounds(len(x), self.cols, (t.lower - t.value) * x, (t.upper - t.value) * x)

    def point(self, cost: np.ndarray) -> np.ndarray:
        """A feasible deviation maximising `cost` (the reader's table at an extreme)."""
        self.h.changeColsCost(len(cost), self.cols, cost.astype(np.float64))
        self.h.changeObjectiveSense(self.kmax)
        self.h.run()
        if self.h.getModelStatus() != self.optimal:
            raise DisclosureError(f"protection LP not solved: {self.h.getModelStatus()}")
        return np.asarray(self.h.getSolution().col_value)

    def reach(self, s: int, sign: float) -> tuple[float, np.ndarray]:
        """max sign * z_s, and the cut coefficients g (its value is sum(g_i x_i) at this pattern:
        the rows are homogeneous, so the dual's constant is 0)."""
        t = self.table
        cost = np.zeros(len(t.keys))
        cost[s] = sign
        self.h.changeColsCost(len(cost), self.cols, cost)
        self.h.changeObjectiveSense(self.kmax)
        self.h.run()
        if self.h.getModelStatus() != self.optimal:
            raise DisclosureError(f"protection LP of cell {t.keys[s]} not solved: {self.h.getModelStatus()}")
        value = self.h.getInfo().objective_function_value
        solution = self.h.getSolution()
        self.last_point = np.asarray(solution.col_value)
        reduced = np.asarray(solution.col_dual)
        # reduced cost > 0: raising the upper bound (U_i - a_i) x_i helps; < 0: lowering the lower
        # bound -a_i x_i helps. Either way the gain per unit of x_i is |reduced| times that bound.
        g = np.where(reduced > 0, reduced * (t.upper - t.value), -reduced * (t.value - t.lower))
        return value, np.maximum(g, 0.0)


SCREENING_DIRECTIONS = 2
# Many cells to prove (a multi-answer item by 342 municipalities of 3 officers: 2,128 sensitive
# cells) take one more random direction per SCREENING_CELLS of them, up to SCREENING_MAX: each is
# one LP that moves many cells at once, against two LPs per cell left unproven (that table: 30 ->
# 6.7 s CPU, the same pattern). Up to 300 cells it stays 2, as before.
SCREENING_CELLS = 100
SCREENING_MAX = 12


def _screen(attacker: _Attacker, cells: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Cells of `cells` whose width may be below `need`: a few objectives (the sum, random
    directions; deterministic) give feasible points, and a cell already seen to vary by `need`
    between them is wide enough without LPs of its own."""
    n = len(attacker.table.keys)
    if len(cells) <= 2 * (SCREENING_DIRECTIONS + 1):  # as many LPs as the screening itself
        return cells
    low, high = np.full(n, np.inf), np.full(n, -np.inf)
    for point in _screening_points(attacker, _directions(len(cells))):
        low, high = np.minimum(low, point), np.maximum(high, point)
    return cells[(high[cells] - low[cells]) < need[cells] - TOLERANCE]


def _directions(cells: int) -> int:
    """Random screening directions for `cells` cells to prove (see SCREENING_CELLS)."""
    return min(SCREENING_MAX, max(SCREENING_DIRECTIONS, cells // SCREENING_CELLS))


def widths(table: Table, hidden: np.ndarray, cells: np.ndarray | None = None,
           need: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The reader's interval [low, high] for hidden cells of one table (LP, exact). With `need`,
    cells shown to be at least that wide (screening, other cells' optima) get [-inf, inf] instead."""
    attacker = _Attacker(table)
    attacker.set_pattern(hidden.astype(float))
    n = len(table.keys)
    low, high = np.full(n, np.nan), np.full(n, np.nan)
    cells = np.flatnonzero(hidden) if cells is None else np.asarray(cells, dtype=int)
    seen_low, seen_high = np.zeros(n), np.zeros(n)
    if need is not None and len(cells):
        # proven wide enough by the screening: reported as unbounded
        wide = np.setdiff1d(cells, _screen(attacker, cells, need))
        low[wide], high[wide] = -np.inf, np.inf
        cells = np.setdiff1d(cells, wide)
    for s in cells:
        if need is not None and seen_high[s] - seen_low[s] >= need[s] - TOLERANCE:
            low[s], high[s] = -np.inf, np.inf  # another cell's LP optimum moved it far enough
            continue
        up, _ = attacker.reach(s, 1.0)
        seen_low, seen_high = np.minimum(seen_low, attacker.last_point), np.maximum(seen_high, attacker.last_point)
        down, _ = attacker.reach(s, -1.0)
        seen_low, seen_high = np.minimum(seen_low, attacker.last_point), np.maximum(seen_high, attacker.last_point)
        low[s], high[s] = table.value[s] - down, table.value[s] + up
    return low, high


def _premium(table: Table) -> tuple[np.ndarray, float]:
    """Table.first as a mask of free cells, and the premium each of them costs in the master on top
    of its own cost: one more than all free cells together. A pattern hiding fewer of them is then
    cheaper than any hiding more (K * premium + the rest: lexicographic), whatever else it hides."""
    free = np.asarray(table.state) == FREE
    first = free & (np.zeros(len(table.keys), dtype=bool) if table.first is None else np.asarray(table.first, dtype=bool))
    return first, (1.0 + float(table.cost[free].sum()) if first.any() else 0.0)


def solve_table(table: Table) -> Pattern:
    """The cheapest pattern that gives every sensitive cell its width (see the module doc).
    The widths of the returned pattern are not computed here (the attacker audits the whole
    wave afterwards); `Pattern.width` is nan."""
    n = len(table.keys)
    state = np.asarray(table.state)
    sensitive = np.flatnonzero((state == SENSITIVE) & (table.width > TOLERANCE))
    fixed = state != FREE
    nan = np.full(n, np.nan)
    if len(sensitive) == 0 or fixed.all():
        return Pattern(fixed, nan, nan, nan, 0.0, 0.0, 0)
    attacker = _Attacker(table)
    witnesses = _Witnesses(table)
    first, premium = _premium(table)
    objective = table.cost + premium * first
    master = _Master(table, objective)
    master.add(_row_cuts(table, sensitive))
    master.add_rows(table.extra)
    # phase 1: the LP relaxation, cut until no sensitive cell is too narrow at its fractional
    # optimum: its value is the plain LP bound, and its cuts start the next phases
    plain, lp_rounds = 0.0, 0
    while lp_rounds < LP_ROUNDS:
        lp_rounds += 1
        x, plain = master.solve(integer=False)
        new = _separate(attacker, table, sensitive, x, witnesses)
        if not new:
            break
        master.add(new)
    # phase 2: the strengthened LP (cover and waste cuts, capacity cuts as they break)
    bound, converged = plain, lp_rounds < LP_ROUNDS
    rounded = _Witnesses(table, keep=ROUNDED_WITNESSES)
    stalled = 0
    for _ in range(STRONG_ROUNDS if converged else 0):
        new = _separate(attacker, table, sensitive, x, witnesses)
        if new:
            master.add(new)
        else:
            waste = _waste_cuts(table, x, fixed)
            new = _cover_cuts(attacker, table, sensitive, x, fixed, rounded) + waste
            if not new:
                break
            master.add([c for c in new if c[1] > 0])
            master.add_rows(waste)
        x, raised = master.solve(integer=False)
        stalled, bound = (stalled + 1 if raised <= bound + STALL_GAIN else 0), max(bound, raised)
        if stalled >= STALL_ROUNDS:
            # the bound has stopped rising: further rounds only move between equally cheap LP
            # optima (a 990-cell table: 40 rounds at the same bound); the integer rounds take over
            converged = not _separate(attacker, table, sensitive, x, witnesses)
            break
    else:
        converged = converged and not _separate(attacker, table, sensitive, x, witnesses)
    # the LP optimum rounded up is safe once the capacity cuts converged (a reader's width only
    # grows with x); if they did not, it is checked, and else every free cell is hidden (safe:
    # widths are capped at what hiding the whole table gives)
    fallback = np.ceil(x - 1e-6)
    if not converged and _separate(attacker, table, sensitive, fallback, witnesses):
        fallback = np.ones(n)
    rounds, exact = 0, False
    free = int((~fixed).sum())
    proven = bound
    limit, budget = (INTEGER_ROUNDS, np.inf) if free <= MAX_EXACT_CELLS else (LARGE_INTEGER_ROUNDS, INTEGER_ITERATIONS)
    master.warm_start(fallback)
    spent = 0
    while rounds < limit and spent <= budget:
        rounds += 1
        x, _ = master.solve(integer=True)
        spent += master.iterations
        proven = max(proven, master.dual_bound)
        new = _separate(attacker, table, sensitive, x, witnesses, covers=True)
        if not new:
            exact = master.exact
            break
        master.add(new)
    else:
        x = _pruned(attacker, table, sensitive, fallback, witnesses, objective)
    if rounds:
        # the cover cuts of the integer rounds are valid too: the LP with them is the strengthened
        # model's LP optimum over every cut found (never below the one before: cuts only added)
        bound = max(bound, master.solve(integer=False)[1])
        proven = max(proven, bound)
    hidden = x > 0.5
    cost = float(table.cost[hidden & ~fixed].sum())
    kept = int((hidden & first).sum())
    if premium:
        # cost and bounds without the premium: bounds on every safe pattern hiding at most `kept`
        # cells of Table.first (obj >= bound gives cost >= bound - premium * kept); the LP with
        # that limit as a row (and the cuts found) is such a bound too, and a tight one
        paid = premium * kept
        net_lp = master.lp_within(table.cost, first, kept)
        bound, proven, plain = max(bound - paid, net_lp), max(proven - paid, net_lp), plain - paid
    return Pattern(hidden, nan, nan, nan, cost, max(0.0, bound), lp_rounds + rounds, exact,
                   bound=max(0.0, min(cost, proven)), lp_plain=max(0.0, plain), first_hidden=kept)


def _pruned(attacker: _Attacker, table: Table, sensitive: np.ndarray, x: np.ndarray,
            witnesses: _Witnesses, objective: np.ndarray | None = None) -> np.ndarray:
    """A safe 0/1 pattern with its free hidden cells shown one by one (dearest first by the
    master's objective, then by position: deterministic) wherever every sensitive cell stays wide
    enough without it."""
    x = x.copy()
    objective = table.cost if objective is None else objective
    free = np.flatnonzero((x > 0.5) & (np.asarray(table.state) == FREE))
    order = sorted(free.tolist(), key=lambda i: (-objective[i], i))

    def shown_if_safe(cells: list[int]) -> None:
        # Showing more cells only narrows intervals, so if showing all of `cells` is safe, the
        # one-by-one pass would show each of them too; else halve. The same pattern as one
        # check per cell, with a few checks per run of cells that can go (most, from all hidden).
        x[cells] = 0.0
        if not (_separate(attacker, table, sensitive, x, witnesses) or _breaks_extra(table, x)):
            return
        x[cells] = 1.0
        if len(cells) > 1:
            shown_if_safe(cells[:len(cells) // 2])
            shown_if_safe(cells[len(cells) // 2:])

    for start in range(0, len(order), PRUNE_RUN):
        shown_if_safe(order[start:start + PRUNE_RUN])
    return x


PRUNE_RUN = 32  # cells `_pruned` tries to show at once


def _breaks_extra(table: Table, x: np.ndarray) -> bool:
    """Whether x misses a repair cut of the audit (Table.extra)."""
    return any(float(np.dot(g, x)) < rhs - TOLERANCE for g, rhs in table.extra)


class _Witnesses:
    """Feasible deviations of the reader's table found so far (LP optima, screening points). A
    point stays feasible for a new pattern when each of its moves fits the new bounds, and two
    points whose values of cell s lie `need` apart prove s wide enough without LPs of its own:
    the rounds of the cutting-plane loop re-prove only the cells whose witnesses broke."""

    def __init__(self, table: Table, keep: int | None = None):
        self.table, self.points, self.keep = table, [], keep  # keep: only the last so many points

    def valid(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Keep the points feasible under pattern x; the span [low, high] they give per cell."""
        t = self.table
        lo, hi = (t.lower - t.value) * x - 1e-9, (t.upper - t.value) * x + 1e-9
        low, high = np.zeros(len(t.keys)), np.zeros(len(t.keys))  # z = 0 (the truth) is feasible
        if not self.points:
            return low, high
        # every point's moves at once (a pruning pass checks thousands of points a thousand times)
        idx = np.concatenate([i for i, _ in self.points])
        val = np.concatenate([v for _, v in self.points])
        owner = np.repeat(np.arange(len(self.points)), [len(i) for i, _ in self.points])
        broken = np.zeros(len(self.points), dtype=bool)
        broken[owner[(val < lo[idx]) | (val > hi[idx])]] = True
        self.points = [p for p, b in zip(self.points, broken.tolist()) if not b]
        kept = ~broken[owner]
        np.minimum.at(low, idx[kept], val[kept])
        np.maximum.at(high, idx[kept], val[kept])
        return low, high

    def add(self, point: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
        i = np.flatnonzero(np.abs(point) > 1e-9)
        v = point[i]
        self.points.append((i, v))
        if self.keep is not None and len(self.points) > self.keep:
            del self.points[0]
        low[i], high[i] = np.minimum(low[i], v), np.maximum(high[i], v)


def _separate(attacker: _Attacker, table: Table, sensitive: np.ndarray, x: np.ndarray,
              witnesses: _Witnesses | None = None, covers: bool = False) -> list:
    """The cuts of the sensitive cells that pattern x (0/1 or fractional) leaves too narrow; with
    `covers`, each capacity cut's cover cut at x too (for a 0/1 x: D = the hidden cells)."""
    x = np.clip(x, 0.0, 1.0)
    attacker.set_pattern(x)
    witnesses = witnesses or _Witnesses(table)
    low, high = witnesses.valid(x)
    need = table.width
    todo = _screened(attacker, table, sensitive, witnesses, low, high)
    new = []
    for s in todo:
        if high[s] - low[s] >= need[s] - TOLERANCE:
            continue  # an LP optimum of another cell already moved this one far enough
        up, g_up = attacker.reach(s, 1.0)
        witnesses.add(attacker.last_point, low, high)
        down, g_down = attacker.reach(s, -1.0)
        witnesses.add(attacker.last_point, low, high)
        if up + down < need[s] - TOLERANCE:
            new.append((g_up + g_down, need[s]))
            cover = _cover(g_up + g_down, need[s], x, table.state != FREE) if covers else None
            if cover is not None and x[cover[0]].sum() < cover[1] - TOLERANCE:
                new.append(cover[2])
    return new


def _screened(attacker: _Attacker, table: Table, sensitive: np.ndarray, witnesses: _Witnesses,
              low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The sensitive cells the witnesses do not prove wide enough at the attacker's pattern. When
    many are left and no witness holds at this pattern, a few screening points first: one LP
    each, against two per cell (a table of 2,000 sensitive cells, nearly all hidden anyway)."""
    todo = sensitive[high[sensitive] - low[sensitive] < table.width[sensitive] - TOLERANCE]
    if len(todo) > 2 * (SCREENING_DIRECTIONS + 1) and not witnesses.points:
        for point in _screening_points(attacker, _directions(len(todo))):
            witnesses.add(point, low, high)
    return todo


def _cover(g: np.ndarray, need: float, x: np.ndarray, fixed: np.ndarray):
    """A cover cut of the capacity cut sum(min(g_i, need) x_i) >= need, chosen to bind at x:
    D = the fixed cells and, while g(D) stays below need, the free cells of largest x; then every
    safe pattern hides at least m cells of C (the cells with g > 0 outside D), m the fewest whose
    largest g reach need - g(D). Returns (C, m, cut) or None (no such D)."""
    g = np.minimum(g, need)
    cells = np.flatnonzero(g > 1e-9)
    room = need - g[cells[fixed[cells]]].sum() - TOLERANCE
    if room <= 0:
        return None
    outside = []
    for i in sorted(cells[~fixed[cells]].tolist(), key=lambda i: (-x[i], g[i], i)):
        if x[i] > 1e-9 and g[i] < room:
            room -= g[i]
        else:
            outside.append(i)
    short = room + TOLERANCE  # need - g(D)
    largest = np.cumsum(np.sort(g[outside])[::-1])
    m = int(np.searchsorted(largest, short - TOLERANCE)) + 1
    if m > len(outside):
        return None  # the pattern cannot be safe at all with D hidden as it is: no cut from here
    coef = np.zeros(len(g))
    coef[outside] = 1.0
    return np.array(outside, dtype=int), m, (coef, float(m))


def _cover_cuts(attacker: _Attacker, table: Table, sensitive: np.ndarray, x: np.ndarray,
                fixed: np.ndarray, witnesses: _Witnesses) -> list:
    """Cover cuts violated at the LP point x, from the capacity cuts of the patterns that hide
    only the cells x hides wholly (and those it hides at least half): there the cuts tell which
    of the partly hidden cells a safe pattern cannot do without."""
    cuts, tried = [], []
    for threshold in (1.0 - 1e-6, 0.5):
        pattern = ((x >= threshold) | fixed).astype(float)
        if any((pattern == p).all() for p in tried):
            continue  # no cell of x between the thresholds: the same pattern again
        tried.append(pattern)
        attacker.set_pattern(pattern)
        low, high = witnesses.valid(pattern)
        for s in _screened(attacker, table, sensitive, witnesses, low, high):
            if high[s] - low[s] >= table.width[s] - TOLERANCE:
                continue  # wide enough already: no cut from this pattern
            up, g_up = attacker.reach(s, 1.0)
            witnesses.add(attacker.last_point, low, high)
            down, g_down = attacker.reach(s, -1.0)
            witnesses.add(attacker.last_point, low, high)
            if up + down >= table.width[s] - TOLERANCE:
                continue
            cover = _cover(g_up + g_down, table.width[s], x, fixed)
            if cover is not None and x[cover[0]].sum() < cover[1] - TOLERANCE:
                cuts.append(cover[2])
    return cuts


def _waste_cuts(table: Table, x: np.ndarray, fixed: np.ndarray) -> list:
    """Waste cuts violated at x: x_i <= sum of the other cells of a relation of free cell i."""
    cuts = []
    for idx, coef in table.rows:
        members = idx[coef != 0]
        total = x[members].sum()
        for i in members:
            if not fixed[i] and x[i] > total - x[i] + TOLERANCE:
                g = np.zeros(len(x))
                g[members] = 1.0
                g[i] = -1.0
                cuts.append((g, 0.0))
    return cuts


def _screening_points(attacker: _Attacker, directions: int = SCREENING_DIRECTIONS) -> list[np.ndarray]:
    """Feasible points at a few objectives (the sum, random directions; deterministic)."""
    n = len(attacker.table.keys)
    rng = np.random.default_rng(n)
    return [attacker.point(sign * direction)
            for direction in [np.ones(n)] + [rng.normal(size=n) for _ in range(directions)]
            for sign in (1.0, -1.0)]


def _row_cuts(table: Table, sensitive: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Start cuts: a sensitive cell with every other cell of one of its relations shown is pinned,
    so each of its relations needs one more hidden cell (valid whenever its width is > 0). A
    relation holding another cell that is hidden anyway (sensitive or forced) meets its cut at
    every pattern: no cut (on a wave of small municipalities, nearly every relation; the master
    would only carry them)."""
    cuts = []
    n = len(table.keys)
    needs = np.zeros(n, dtype=bool)
    needs[sensitive[table.width[sensitive] > TOLERANCE]] = True
    fixed = np.asarray(table.state) != FREE
    for idx, coef in table.rows:
        members = np.unique(idx[coef != 0])
        if fixed[members].sum() != 1:
            continue  # no sensitive cell, or two hidden anyway: every cut of this relation is met
        for s in members[needs[members]]:
            g = np.zeros(n)
            g[members[members != s]] = 1.0
            cuts.append((g, 1.0))
    return cuts


class _Master:
    """min sum(cost_i x_i) over the free cells subject to the cuts (fixed cells x_i = 1); one
    HiGHS model that the cuts are added to, solved as an LP or as an integer program."""

    def __init__(self, table: Table, cost: np.ndarray | None = None):
        import highspy

        from analysis.core.solver import new_highs

        self.highspy = highspy
        n = len(table.keys)
        fixed = np.asarray(table.state) != FREE
        self.fixed = fixed
        self.n, self.cols = n, np.arange(n, dtype=np.int32)
        self.h = new_highs()
        self.h.addVars(n, fixed.astype(np.float64), np.ones(n))
        self.cost = np.where(fixed, 0.0, table.cost if cost is None else cost).astype(np.float64)
        self.h.changeColsCost(n, self.cols, self.cost)
        # a node limit, not a time limit: the pattern must not depend on the machine's load
        self.h.setOptionValue("mip_rel_gap", MIP_GAP)
        self.h.setOptionValue("mip_max_nodes", MIP_NODES)
        self.exact = True

    def add(self, cuts: list[tuple[np.ndarray, float]]) -> None:
        if not cuts:
            return
        starts, index, values, lower = [], [], [], []
        for g, rhs in cuts:
            idx = np.flatnonzero(g > 1e-9)
            if np.minimum(g[idx[self.fixed[idx]]], rhs).sum() >= rhs - TOLERANCE:
                continue  # met by the cells hidden anyway (x_i = 1): at every pattern
            starts.append(len(index))
            index += idx.tolist()
            # a coefficient above the width counts as the width (that cell alone suffices)
            values += np.minimum(g[idx], rhs).tolist()
            lower.append(rhs - TOLERANCE)
        if not lower:
            return
        self.h.addRows(len(lower), np.array(lower), np.full(len(lower), self.highspy.kHighsInf), len(index),
                       np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(values, dtype=np.float64))

    def add_rows(self, rows: list[tuple[np.ndarray, float]]) -> None:
        """Rows sum(g_i x_i) >= rhs as they are (any sign; waste cuts)."""
        for g, rhs in rows:
            idx = np.flatnonzero(g != 0)
            self.h.addRow(rhs - TOLERANCE, self.highspy.kHighsInf, len(idx), idx.astype(np.int32),
                          g[idx].astype(np.float64))

    def warm_start(self, x: np.ndarray) -> None:
        """A safe 0/1 pattern as the integer search's first incumbent (it meets every cut)."""
        self.start = np.asarray(x, dtype=np.float64)

    def solve(self, integer: bool) -> tuple[np.ndarray, float]:
        kind = self.highspy.HighsVarType.kInteger if integer else self.highspy.HighsVarType.kContinuous
        self.h.changeColsIntegrality(self.n, self.cols, np.full(self.n, kind))
        if integer and getattr(self, "start", None) is not None:
            self.h.setSolution(self.n, self.cols, self.start)
        self.h.run()
        status = self.h.getModelStatus()
        self.iterations = int(self.h.getInfo().simplex_iteration_count)
        x = np.asarray(self.h.getSolution().col_value)
        # what HiGHS proved about this master (a relaxation of the table's problem): a lower bound
        self.dual_bound = float(self.h.getInfo().mip_dual_bound) if integer else -np.inf
        if not np.isfinite(self.dual_bound):
            self.dual_bound = -np.inf
        if status == self.highspy.HighsModelStatus.kOptimal:
            if integer and self.h.getInfo().mip_gap > 1e-9:
                self.exact = False
            return (np.round(x) if integer else x), float(self.h.getInfo().objective_function_value)
        if not integer:
            raise DisclosureError(f"cell suppression master problem not solved: {status}")
        # node limit: the best pattern found, or the LP optimum rounded up (it meets every cut,
        # since no cut has a negative coefficient); safe either way, optimal no longer proven
        self.exact = False
        if self.h.getInfo().primal_solution_status == 2:
            x = np.round(x)
        else:
            self.changeColsIntegrality_continuous()
            self.h.run()
            x = np.ceil(np.asarray(self.h.getSolution().col_value) - 1e-6)
        return x, float(np.dot(self.cost, x))

    def lp_within(self, cost: np.ndarray, cells: np.ndarray, most: int) -> float:
        """The LP optimum of `cost` over the cuts so far with at most `most` of `cells` hidden (the
        master is changed: call it last)."""
        self.cost = np.where(self.fixed, 0.0, cost).astype(np.float64)
        self.h.changeColsCost(self.n, self.cols, self.cost)
        g = np.where(cells, -1.0, 0.0)
        self.add_rows([(g, -float(most))])
        return self.solve(integer=False)[1]

    def changeColsIntegrality_continuous(self) -> None:
        self.h.changeColsIntegrality(self.n, self.cols, np.full(self.n, self.highspy.HighsVarType.kContinuous))

"""Who gives which answer: the report's statements, then the least informative choice (issue 17).

The count program (reconstruct.solve_counts) fixes every number a printed cell reads: occupancy,
answer counts per municipality, and per municipality x sector for the items a sector-level table
counts. It does not say which officer of a municipality gives the counted answers, and so it does
not decide any breakdown by sector, VNG domain or social class, nor any combination of answers
within one officer. Those are decided here, by a second integer program over respondents:

    x[r, item, answer] in {0, 1}   (the residual answer, "nee", is asked - the others)

with the counts of the first program as equalities, so that every printed number it met stays met.

Stage 1 (statements): every statement of data/reference/rivm2010/statements.csv that the tables do
not decide becomes a soft constraint: a binary "violated" with weight STATEMENT_WEIGHT, much less
than one printed number (reconstruct.UNMET_SCALE), so a printed number always wins. Predicates are
linearised by `compile_statement`: shares of counts over bases that the counts fix are linear;
min/max on the right side of a comparison give conjunctions, on the other side disjunctions (one
binary each); both / overlap / lift over fixed group sizes use one product variable per officer, or,
within the small PATTERN_BLOCKS (the target groups), sums of one binary per pattern of the block's
items per officer, which also express anyof ("every officer asked names a group", S4.5e/f).
Statements on hours, function or the municipality sheet are not about these answers; they stay
rules of the realisation (reconstruct.add_respondent_details, municipality_sheet) and are listed.

Stage 2 (least informative): with stage 1's objective fixed (weighted violations <= optimum),
minimise the L1 distance of every sector x item count from its expectation under independence
within municipalities (E = sum over m of the municipality's share x the sector's officers asked
there), the stand-in for maximum entropy that keeps the problem linear. Partner choices that no
printed number counts have no margin: their expectation is half of those asked (the maximum-entropy
share of a yes/no answer without information), and choices are reciprocal in expectation: the
number of officers of s naming t is kept close to the number of officers of t naming s.
"""
from __future__ import annotations

import ast
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.rivm2010 import statements as st
from analysis.rivm2010.reconstruct import (
    INF,
    CountSolution,
    Problem,
    _Expr,
    _free_pairs,
    _Model,
    _run,
)

# All statements together weigh less than one printed number of the lowest weight (1 x UNMET_SCALE).
STATEMENT_WEIGHT = 10
STRICT = 1e-3            # "a > b" as a - b >= STRICT: distinct shares of the wave differ by >= 100/123^2
MAX_ENTROPY_SHARE = 0.5  # expected yes share of an answer no printed number or margin informs
RECIPROCITY_COST = 1.0   # per officer of difference between "s names t" and "t names s"
# Per by-sector "ja" cell at 0% or 100% that no printed number forces and independence does not put
# there (expectation at least half an officer from 0 and from all): more than moving one officer
# costs in distance and reciprocity (at most 4), so stage 2 leaves such a cell only where every
# way out breaks a printed number or a statement (issue 17: "no by-sector cell at 0% or 100% unless
# a printed number forces it").
EXTREME_COST = 5.0
# Blocks whose item x item co-occurrences stage 2 also keeps near independence: the target groups,
# whose pairs are few (4 items, 6 pairs). The factor blocks (10 items, 45 pairs over 98
# collaborators) were not tried.
COOCCURRENCE_BLOCKS = ("health_target_groups", "segv_target_groups")
# Blocks whose answers are also written as one "pattern" per officer (which of the block's items he
# ticks: 2^4 = 16 binaries, exactly one of them 1 for an officer asked). Combinations within the
# block (both, anyof, co-occurrences) are then sums of pattern variables: the LP relaxation is the
# convex hull of each officer's answers, where one product variable per pair (z <= x_a, z <= x_b,
# z >= x_a + x_b - 1) is loose. Measured on the SEGV target groups with "every officer names a
# group" (S4.5e): the block's program proven optimal at the root in 3.6 s CPU, with product
# variables not proven in 93 s.
PATTERN_BLOCKS = COOCCURRENCE_BLOCKS
MAX_PATTERN_ITEMS = 6    # 2^k variables per officer: only small blocks
NESTED = "per officer (nesting)"   # how an implication over municipality counts is compiled (nesting_rows)


class NotLinear(Exception):
    """A predicate (or part) that the allocation program cannot express: it stays a post-solve rule."""


# --- values of the symbolic evaluation --------------------------------------------------------------

@dataclass
class _Ratio:
    """100 * num / den (den variable): linear only when compared with a constant."""
    num: _Expr
    den: _Expr


@dataclass
class _Agg:
    """max / min of values (low, high, spread): comparisons become conjunctions or disjunctions."""
    kind: str             # "max" | "min"
    values: list


def _const(e) -> float | None:
    if isinstance(e, (int, float)) and not isinstance(e, bool):
        return float(e)
    if isinstance(e, _Expr) and not any(v != 0 for v in e.terms.values()):
        return float(e.const)
    return None


def _lin(v) -> _Expr:
    if isinstance(v, _Expr):
        return v
    c = _const(v)
    if c is None:
        raise NotLinear(f"{type(v).__name__} used as a number")
    return _Expr({}, c)


def _add(a, b, sign: float = 1.0):
    if isinstance(b, _Agg):
        b = _Agg(b.kind if sign > 0 else ("min" if b.kind == "max" else "max"), [_scale(v, sign) for v in b.values])
        sign = 1.0
    if isinstance(a, _Agg) and isinstance(b, _Agg):
        if a.kind != b.kind:
            raise NotLinear("max and min added")
        return _Agg(a.kind, [_add(x, y) for x in a.values for y in b.values])
    if isinstance(a, _Agg):
        return _Agg(a.kind, [_add(x, b, sign) for x in a.values])
    if isinstance(b, _Agg):
        return _Agg(b.kind, [_add(a, y) for y in b.values])
    if isinstance(a, _Ratio) or isinstance(b, _Ratio):
        raise NotLinear("a share over an undetermined base in a sum")
    return _lin(a) + _lin(b).scaled(sign)


def _scale(v, f: float):
    if isinstance(v, _Agg):
        return _Agg(v.kind if f >= 0 else ("min" if v.kind == "max" else "max"), [_scale(x, f) for x in v.values])
    if isinstance(v, _Ratio):
        return _Ratio(v.num.scaled(f), v.den)
    return _lin(v).scaled(f)


# --- formulas: ("ge", expr, strict) | ("and", [...]) | ("or", [...]) | ("const", bool) --------------

TRUE, FALSE = ("const", True), ("const", False)


def _and(parts):
    parts = [p for p in parts if p != TRUE]
    if any(p == FALSE for p in parts):
        return FALSE
    return TRUE if not parts else parts[0] if len(parts) == 1 else ("and", parts)


def _or(parts):
    parts = [p for p in parts if p != FALSE]
    if any(p == TRUE for p in parts):
        return TRUE
    return FALSE if not parts else parts[0] if len(parts) == 1 else ("or", parts)


def _ge(diff, strict: bool):
    """diff >= 0 (> 0 if strict)."""
    if isinstance(diff, _Agg):
        parts = [_ge(v, strict) for v in diff.values]
        return _or(parts) if diff.kind == "max" else _and(parts)
    if isinstance(diff, _Ratio):
        raise NotLinear("share over an undetermined base")
    e = _lin(diff)
    c = _const(e)
    if c is not None:
        if math.isnan(c):
            return FALSE
        return ("const", c > 0 if strict else c >= -1e-9)
    return ("ge", e, strict)


def _compare(a, b, op) -> tuple:
    nan = any(isinstance(v, float) and math.isnan(v) for v in (a, b))
    if nan:
        return FALSE   # as the evaluator: a comparison with an empty base never holds
    if isinstance(a, str) or isinstance(b, str):
        if isinstance(a, str) and isinstance(b, str):
            return ("const", {ast.Eq: a == b, ast.NotEq: a != b}[op])
        raise NotLinear("a unit compared with a number")
    for ratio, other, flip in ((a, b, False), (b, a, True)):
        if isinstance(ratio, _Ratio):
            c = _const(other)
            if c is None:
                raise NotLinear("share over an undetermined base compared with a variable")
            # 100 num / den  op  c  <=>  100 num - c den  op  0   (den >= 1 required)
            lin = ratio.num.scaled(100.0) - ratio.den.scaled(c)
            a2, b2 = (lin, 0.0) if not flip else (0.0, lin)
            return _and([_ge(ratio.den - _Expr({}, 1.0), False), _compare(a2, b2, op)])
    if op is ast.GtE:
        return _ge(_add(a, b, -1), False)
    if op is ast.Gt:
        return _ge(_add(a, b, -1), True)
    if op is ast.LtE:
        return _ge(_add(b, a, -1), False)
    if op is ast.Lt:
        return _ge(_add(b, a, -1), True)
    if op is ast.Eq:
        return _and([_ge(_add(a, b, -1), False), _ge(_add(b, a, -1), False)])
    if op is ast.NotEq:
        return _or([_ge(_add(a, b, -1), True), _ge(_add(b, a, -1), True)])
    raise NotLinear(f"comparison {op.__name__}")


def _negate(f):
    kind = f[0]
    if kind == "const":
        return ("const", not f[1])
    if kind == "and":
        return _or([_negate(p) for p in f[1]])
    if kind == "or":
        return _and([_negate(p) for p in f[1]])
    e, strict = f[1], f[2]
    return ("ge", e.scaled(-1.0), not strict)


# --- the respondents and their variables -------------------------------------------------------------

class Allocation:
    """The respondent-level program: variables, fixed counts, statements and the L1 objective."""

    def __init__(self, problem: Problem, sol: CountSolution, book, sheet: pd.DataFrame, sent: dict[str, int]):
        self.p, self.sol, self.book = problem, sol, book
        rows = [{"municipality_id": m, "sector": s}
                for m in sol.occupancy.index for s in sol.occupancy.columns
                for _ in range(int(sol.occupancy.loc[m, s]))]
        self.resp = pd.DataFrame(rows, columns=["municipality_id", "sector"])
        self.items = {it.id: it for it in problem.items}
        self.m = _Model()
        self.x: dict[tuple[int, str, str], int] = {}
        for it in problem.items:
            for r in range(len(self.resp)):
                for a in it.answers[:-1]:
                    self.x[r, it.id, a] = self.m.var(0, 1)
        self._both: dict[tuple[int, str, str], int] = {}
        self.patterns: dict[str, tuple[list[str], list[tuple[int, ...]]]] = {}
        self.y: dict[tuple[int, str, tuple[int, ...]], int] = {}
        attrs = st.SurveyData(self.resp.assign(hours_per_week=np.nan),
                              {s.id: str(s.domain) for s in book.sectors},
                              {s.id: s.social_class for s in book.sectors}, sheet, sent)
        self.ev = st._Evaluator(attrs)
        self.free = _free_pairs(problem, sol.item_level)
        self.groups = self._fixed_groups()
        self._skip_logic()
        self._pattern_variables()
        self._fixed_counts()

    # skip logic: the answers given add up to at most "asked" (the residual answer takes the rest)
    def asked(self, r: int, item: str) -> _Expr:
        it = self.items[item]
        if it.parent is None:
            return _Expr({}, 1.0)
        return self.answer(r, it.parent[0], it.parent[1])

    def answer(self, r: int, item: str, a: str) -> _Expr:
        it = self.items[item]
        if a != it.answers[-1]:
            return _Expr({self.x[r, item, a]: 1.0})
        out = self.asked(r, item)
        for b in it.answers[:-1]:
            out = out - _Expr({self.x[r, item, b]: 1.0})
        return out

    def _skip_logic(self) -> None:
        for r in range(len(self.resp)):
            for it in self.p.items:
                given = _Expr({self.x[r, it.id, a]: 1.0 for a in it.answers[:-1]})
                self.m.row(-INF, given - self.asked(r, it.id), 0)

    def _pattern_variables(self) -> None:
        """y[r, block, p] = 1 if officer r ticks exactly the items p of a PATTERN_BLOCK: one pattern
        per officer asked (none if not asked), and each item's answer the sum of its patterns."""
        import itertools

        for block in PATTERN_BLOCKS:
            items = [it.id for it in self.book.block(block) if it.id in self.items]
            parents = {self.items[i].parent for i in items}
            if not items or len(items) > MAX_PATTERN_ITEMS or len(parents) != 1 \
                    or any(tuple(self.items[i].answers[:-1]) != ("ja",) for i in items):
                continue   # patterns need yes/no items asked of the same officers
            pats = list(itertools.product((0, 1), repeat=len(items)))
            self.patterns[block] = (items, pats)
            for r in range(len(self.resp)):
                ys = {p: self.m.var(0, 1) for p in pats}
                self.y.update({(r, block, p): v for p, v in ys.items()})
                self.m.row(0, _Expr({v: 1.0 for v in ys.values()}) - self.asked(r, items[0]), 0)
                for i, item in enumerate(items):
                    self.m.row(0, _Expr({self.x[r, item, "ja"]: 1.0})
                               - _Expr({v: 1.0 for p, v in ys.items() if p[i]}), 0)

    def pattern_sum(self, r: int, items: list[str], need_all: bool) -> _Expr | None:
        """The officer's patterns that tick all (need_all) or any of the items, if one pattern block
        holds them all; else None."""
        for block, (members, pats) in self.patterns.items():
            if set(items) <= set(members):
                ticked = [[p[members.index(i)] for i in items] for p in pats]
                return _Expr({self.y[r, block, p]: 1.0 for p, t in zip(pats, ticked)
                              if (all(t) if need_all else any(t))})
        return None

    def _fixed_groups(self) -> dict[str, dict[tuple, tuple[list[int], dict[str, int]]]]:
        """Per item, groups of respondents whose answer counts must stay as the count program has
        them: per municipality x sector for the items counted per sector (VIII.1, Figuur 5.1), per
        municipality for the items a municipality row prints, and over everyone for the items only a
        total prints (Tabel 4.1, 4.2, Figuren 6.1/6.4): their split over municipalities was a free
        choice of the count program, so it is chosen again here."""
        cells = self.p.cells
        parent = {it.id: it.parent for it in self.p.items}
        per_muni = set(cells.loc[(cells["unit"] == "municipality") & (cells["part"] != "n"), "item"])
        for item in cells.loc[(cells["unit"] == "municipality") & (cells["part"] == "n"), "item"]:
            if item and parent.get(item):
                per_muni.add(parent[item][0])
        for it in self.p.items:   # a child's municipality counts need its parent's
            if it.id in per_muni and it.parent:
                per_muni.add(it.parent[0])
        by_m = self.resp.groupby("municipality_id", sort=False).groups
        by_ms = self.resp.groupby(["municipality_id", "sector"], sort=False).groups
        everyone = list(range(len(self.resp)))
        out = {}
        for it in self.p.items:
            answers = it.answers[:-1]
            counts = self.sol.counts
            if self.sol.item_level[it.id] == "municipality":
                if self.free.get(it.id) is not None and not self.free.get(it.id):
                    continue   # counted by no printed number
                if it.id in per_muni:
                    out[it.id] = {(str(m),): (list(ix), {a: counts.get((it.id, a, str(m)), 0) for a in answers})
                                  for m, ix in by_m.items()}
                else:
                    out[it.id] = {("*",): (everyone, {a: sum(counts.get((it.id, a, str(m)), 0) for m in by_m)
                                                      for a in answers})}
            else:
                cover = self.free.get(it.id)
                out[it.id] = {(str(m), str(s)): (list(ix), {a: counts.get((it.id, a, str(m), str(s)), 0)
                                                            for a in answers})
                              for (m, s), ix in by_ms.items() if cover is None or s in cover}
        return out

    def _fixed_counts(self) -> None:
        for item, groups in self.groups.items():
            for members, counts in groups.values():
                for a, n in counts.items():
                    expr = _Expr({self.x[r, item, a]: 1.0 for r in members})
                    self.m.row(n, expr, n)

    def fixed_count(self, item: str, answer: str, members: list[int]) -> float | None:
        """The count of an answer over respondents, when the count program fixed it, else None."""
        it = self.items[item]
        groups = self.groups.get(item)
        if groups is None:
            return None
        if answer == it.answers[-1]:
            base = self.fixed_base(item, members)
            others = [self.fixed_count(item, a, members) for a in it.answers[:-1]]
            return None if base is None or any(o is None for o in others) else base - sum(others)
        chosen, total = set(members), 0
        for g, counts in groups.values():
            hit = chosen.intersection(g)
            if hit and len(hit) != len(g):
                return None
            if hit:
                chosen -= hit
                total += counts[answer]
        return None if chosen else float(total)

    def fixed_base(self, item: str, members: list[int]) -> float | None:
        it = self.items[item]
        if it.parent is None:
            return float(len(members))
        return self.fixed_count(it.parent[0], it.parent[1], members)

    # -- sums over a unit, as the predicates read them
    def count(self, item: str, a: str, members: list[int]) -> _Expr:
        fixed = self.fixed_count(item, a, members)
        if fixed is not None:
            return _Expr({}, fixed)
        return sum((self.answer(r, item, a) for r in members), _Expr())

    def base(self, item: str, members: list[int]) -> _Expr:
        fixed = self.fixed_base(item, members)
        if fixed is not None:
            return _Expr({}, fixed)
        return sum((self.asked(r, item) for r in members), _Expr())

    def both(self, a: str, b: str, members: list[int]) -> _Expr:
        """Officers answering ja to both: their patterns with both items where a pattern block holds
        the two items, else one product variable per officer (z = x_a AND x_b)."""
        out = _Expr()
        for r in members:
            within = self.pattern_sum(r, [a, b], need_all=True)
            if within is not None:
                out = out + within
                continue
            key = (r, a, b)
            if key not in self._both:
                z = self.m.var(0, 1)
                xa, xb = self.answer(r, a, "ja"), self.answer(r, b, "ja")
                self.m.row(-INF, _Expr({z: 1.0}) - xa, 0)
                self.m.row(-INF, _Expr({z: 1.0}) - xb, 0)
                self.m.row(-1, _Expr({z: 1.0}) - xa - xb, INF)
                self._both[key] = z
            out = out + _Expr({self._both[key]: 1.0})
        return out

    def members(self, unit: str) -> list[int]:
        return [int(i) for i in self.ev.select(unit).index]


# --- compiling a predicate ---------------------------------------------------------------------------

class _Compiler:
    def __init__(self, alloc: Allocation):
        self.a = alloc

    def formula(self, text: str, unit: str | None = None):
        tree = st._check_syntax(text, "predicate")
        v = self._eval(tree.body, unit)
        if isinstance(v, tuple) and v and v[0] in ("ge", "and", "or", "const"):
            return v
        if isinstance(v, bool):
            return ("const", v)
        raise NotLinear("predicate is not a comparison")

    def _eval(self, node, unit):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id == "U" and unit is not None:
                return unit
            raise NotLinear(f"name {node.id}")
        if isinstance(node, ast.UnaryOp):
            v = self._eval(node.operand, unit)
            if isinstance(node.op, ast.Not):
                return _negate(v)
            return _scale(v, -1.0)
        if isinstance(node, ast.BoolOp):
            parts = [self._eval(x, unit) for x in node.values]
            return _and(parts) if isinstance(node.op, ast.And) else _or(parts)
        if isinstance(node, ast.BinOp):
            a, b = self._eval(node.left, unit), self._eval(node.right, unit)
            if isinstance(node.op, ast.Add):
                return _add(a, b)
            if isinstance(node.op, ast.Sub):
                return _add(a, b, -1.0)
            if isinstance(node.op, ast.Mult):
                ca, cb = _const(a), _const(b)
                if ca is not None:
                    return _scale(b, ca)
                if cb is not None:
                    return _scale(a, cb)
                raise NotLinear("product of two variables")
            if isinstance(node.op, ast.Div):
                cb = _const(b)
                if cb is None or cb == 0:
                    raise NotLinear("division by a variable")
                return _scale(a, 1.0 / cb)
        if isinstance(node, ast.Compare):
            parts, left = [], self._eval(node.left, unit)
            for op, right_node in zip(node.ops, node.comparators):
                right = self._eval(right_node, unit)
                parts.append(_compare(left, right, type(op)))
                left = right
            return _and(parts)
        if isinstance(node, ast.Call):
            args = [self._eval(x, unit) for x in node.args]
            return getattr(self, "f_" + node.func.id, self._not_linear(node.func.id))(*args)
        raise NotLinear(type(node).__name__)

    @staticmethod
    def _not_linear(name):
        def fail(*_):
            raise NotLinear(f"{name}() is not about the answers of this program")
        return fail

    # functions of the language (statements.py), as linear expressions where they are
    def f_n(self, unit):
        return float(len(self.a.members(unit)))

    def f_cnt(self, item, unit, answer=st.YES):
        self._known(item)
        return self.a.count(item, answer, self.a.members(unit))

    def f_pct(self, item, unit, answer=st.YES):
        self._known(item)
        members = self.a.members(unit)
        num, den = self.a.count(item, answer, members), self.a.base(item, members)
        d = _const(den)
        if d is None:
            return _Ratio(num, den)
        return float("nan") if d == 0 else num.scaled(100.0 / d)

    def f_share(self, item, unit, answer=st.YES):
        self._known(item)
        members = self.a.members(unit)
        return float("nan") if not members else self.a.count(item, answer, members).scaled(100.0 / len(members))

    def f_both(self, a, b, unit):
        self._known(a)
        self._known(b)
        return self.a.both(a, b, self.a.members(unit))

    def f_anyof(self, items, unit):
        names = st._item_list(items)
        for item in names:
            self._known(item)
        out = _Expr()
        for r in self.a.members(unit):
            some = self.a.pattern_sum(r, names, need_all=False)
            if some is None:
                raise NotLinear("anyof() over items of no pattern block")
            out = out + some
        return out

    def f_overlap(self, a, b, unit):
        members = self.a.members(unit)
        ca, cb = _const(self.f_cnt(a, unit)), _const(self.f_cnt(b, unit))
        if ca is None or cb is None:
            raise NotLinear("overlap of counts the count program leaves open")
        smaller = min(ca, cb)
        return float("nan") if smaller == 0 else self.a.both(a, b, members).scaled(1.0 / smaller)

    def f_lift(self, a, b, unit):
        members = self.a.members(unit)
        ca, cb = _const(self.f_cnt(a, unit)), _const(self.f_cnt(b, unit))
        pa, pb = self.a.items[a].parent, self.a.items[b].parent
        if pa != pb:
            raise NotLinear("lift of items asked of different officers")
        asked = _const(self.a.base(a, members))
        if ca is None or cb is None or asked is None:
            raise NotLinear("lift of counts the count program leaves open")
        if ca == 0 or cb == 0:
            return float("nan")
        return self.a.both(a, b, members).scaled(asked / (ca * cb))

    def f_spread(self, item, units, min_n=1):
        values = []
        for u in self.a.ev.units(units):
            base = _const(self.a.base(item, self.a.members(u)))
            if base is None:
                raise NotLinear("spread over undetermined bases")
            if base >= min_n:
                values.append(self.f_pct(item, u))
        if not values:
            return float("nan")
        return _add(_Agg("max", values), _Agg("min", values), -1.0)

    def f_low(self, *args):
        return _Agg("min", list(args))

    def f_high(self, *args):
        return _Agg("max", list(args))

    def f_every(self, expr, units):
        return _and([self.formula(expr, u) for u in self.a.ev.units(units)])

    def f_some(self, expr, units):
        return _or([self.formula(expr, u) for u in self.a.ev.units(units)])

    # constants of the municipality sheet: known before this program
    def f_response(self, unit):
        return self.a.ev.response(unit)

    def f_full_response(self, unit):
        return float(self.a.ev.full_response(unit))

    def f_count_munis(self, unit):
        return float(self.a.ev.count_munis(unit))

    def _known(self, item):
        if item not in self.a.items:
            raise NotLinear(f"{item} is not an answer of this program (a realisation rule)")


def _implication_parts(predicate: str) -> tuple[str, str, str, float] | None:
    """(a, b, unit, k) of an implication with k exceptions, `both(a, b, U) + k >= cnt(a, U)`
    ("an officer who answers ja to a answers ja to b, but for k"), else None."""
    try:
        tree = ast.parse(str(predicate), mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1 and isinstance(tree.ops[0], ast.GtE)):
        return None
    left, right, k = tree.left, tree.comparators[0], 0.0
    if isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add) and isinstance(left.right, ast.Constant):
        left, k = left.left, left.right.value
    calls = [n for n in (left, right) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    if len(calls) != 2 or (left.func.id, right.func.id) != ("both", "cnt") \
            or not isinstance(k, (int, float)) or isinstance(k, bool):
        return None
    try:
        a, b, unit = [ast.literal_eval(v) for v in left.args]
        a2, unit2 = [ast.literal_eval(v) for v in right.args]
    except (ValueError, TypeError, SyntaxError):
        return None
    if a2 != a or unit2 != unit or len(right.args) != 2:
        return None
    return a, b, unit, float(k)


def nesting_rows(alloc: Allocation, predicate: str) -> tuple[list[_Expr], float] | None:
    """An implication `both(a, b, U) + k >= cnt(a, U)` as one row per officer, when the count
    program fixed both items' "ja" counts in every group (municipality) of U and they force at most
    k exceptions; else None (compile_statement then takes it, through `both`).

    Within a group whose "ja" counts are A and B, the officers answering ja to a but not to b are
    max(0, A - B) (forced) plus the officers of the smaller set outside the larger: a outside b
    where A <= B, b outside a where A > B. So the statement holds exactly when
    sum over officers of max(0, x_small - x_large) <= k - (the forced exceptions of all groups).
    Returned: the rows x_small - x_large (one per officer) and that slack. With no slack the rows
    are x_small <= x_large, a tight LP relaxation; through `both` the statement is a product variable
    per officer and one count row, which left the priorities block of stage 2 far slower."""
    parts = _implication_parts(predicate)
    if parts is None:
        return None
    a, b, unit, k = parts
    if a not in alloc.items or b not in alloc.items or "ja" not in alloc.items[a].answers[:-1] \
            or "ja" not in alloc.items[b].answers[:-1]:
        return None
    ga, gb = alloc.groups.get(a), alloc.groups.get(b)
    if ga is None or gb is None or set(ga) != set(gb):
        return None
    chosen = set(alloc.members(unit))
    rows, forced = [], 0.0
    for key, (members, counts_a) in ga.items():
        hit = chosen.intersection(members)
        if not hit:
            continue
        if len(hit) != len(members):
            return None   # the unit cuts a group: its counts are not fixed
        count_b = gb[key][1]["ja"]
        small, large = (a, b) if counts_a["ja"] <= count_b else (b, a)
        forced += max(0.0, counts_a["ja"] - count_b)
        rows += [alloc.answer(r, small, "ja") - alloc.answer(r, large, "ja") for r in members]
    return (rows, k - forced) if forced <= k else None


def _enforce_nesting(m: _Model, rows: list[_Expr], slack: float, violated: int) -> None:
    """sum of max(0, row) <= slack unless `violated`: row <= violated when there is no slack, else
    row <= e_r (e_r >= 0) and sum e_r <= slack + (officers - slack) x violated."""
    if slack < 0.5:
        for e in rows:
            m.row(-INF, e - _Expr({violated: 1.0}), 0)
        return
    excess = [m.var(0, 1, integer=False) for _ in rows]
    for e, x in zip(rows, excess):
        m.row(-INF, e - _Expr({x: 1.0}), 0)
    m.row(-INF, _Expr({x: 1.0 for x in excess}) - _Expr({violated: len(rows) - slack}), slack)


def compile_statement(alloc: Allocation, predicate: str):
    """A statement's predicate as a formula over the program's variables (NotLinear if it is not)."""
    return _Compiler(alloc).formula(predicate)


def _enforce(m: _Model, f, active: _Expr) -> None:
    """Rows that make formula f hold whenever the 0/1 expression `active` is 1."""
    kind = f[0]
    if kind == "const":
        if not f[1]:
            m.row(-INF, active, 0)
        return
    if kind == "and":
        for p in f[1]:
            _enforce(m, p, active)
        return
    if kind == "or":
        picks = [m.var(0, 1) for _ in f[1]]
        m.row(0, _Expr({y: 1.0 for y in picks}) - active, INF)
        for p, y in zip(f[1], picks):
            _enforce(m, p, _Expr({y: 1.0}))
        return
    e, strict = f[1], f[2]
    need = STRICT if strict else 0.0
    low = m.bounds(e)[0]
    big = max(0.0, need - low)
    # e + big * (1 - active) >= need
    m.row(need - big, e - active.scaled(big), INF)


# --- the two stages -----------------------------------------------------------------------------------

@dataclass
class AllocationResult:
    respondents: pd.DataFrame            # municipality_id, sector, one answer key per item (None = not asked)
    statements: pd.DataFrame             # id, how (constraint | post-solve rule | decided by the tables), met
    solve: dict                          # per stage: status, objective, bound, seconds
    sector_cells: pd.DataFrame           # per item x sector: count, base, expected, forced (see sector_cells)


def _independence_terms(al: Allocation, items: list[str], x: np.ndarray) -> list[tuple]:
    """(sector count, expected count, cost) for the items of one block, the parents' answers fixed.

    Expected = the sector's officers asked in each municipality x that municipality's share, which
    is what assigning the municipality's counted answers at random would give on average. With the
    parents fixed (earlier blocks), the expectation is a number, so the cost |count - expected| can
    be taken as its interpolation between the two integers around the expectation: equal at every
    integer count, and an LP relaxation that is tight on the transportation structure.
    """
    out = []
    by_s = al.resp.groupby("sector", sort=False).groups
    for item in items:
        it = al.items[item]
        groups = al.groups.get(item)
        for s, members in by_s.items():
            members = [int(r) for r in members]
            asked = {r: _value(al.asked(r, item), x) for r in members}
            for a in it.answers[:-1]:
                if groups is not None and al.fixed_count(item, a, members) is not None:
                    continue   # the count program fixed this sector's count
                expected, placed = 0.0, set()
                for members_g, counts in (groups or {}).values():
                    mine = [r for r in members_g if r in asked]
                    if not mine:
                        continue
                    placed.update(mine)
                    base = sum(_value(al.asked(q, item), x) for q in members_g)
                    if base:
                        expected += sum(asked[r] for r in mine) * counts[a] / base
                # officers in no fixed group: no margin, the maximum-entropy share of those asked
                expected += MAX_ENTROPY_SHARE * sum(v for r, v in asked.items() if r not in placed)
                if sum(asked.values()) == 0:
                    continue
                count = sum((al.answer(r, item, a) for r in members), _Expr())
                out.append((count, expected, 1.0, s, a))
    return out


def _reciprocity_terms(al: Allocation, book) -> list[tuple]:
    """Partner choices reciprocal in expectation: officers of s naming t against those of t naming s."""
    partner_item = {it.extra.get("partner_sector"): it.id for it in book.block("collab_partners")}
    by_s = {s: [int(r) for r in ix] for s, ix in al.resp.groupby("sector", sort=False).groups.items()}
    out = []
    sectors = [s.id for s in book.sectors]
    for i, s in enumerate(sectors):
        for t in sectors[i + 1:]:
            if s not in partner_item or t not in partner_item or s not in by_s or t not in by_s:
                continue
            s_names_t = sum((al.answer(r, partner_item[t], "ja") for r in by_s[s]), _Expr())
            t_names_s = sum((al.answer(r, partner_item[s], "ja") for r in by_s[t]), _Expr())
            out.append((s_names_t - t_names_s, 0.0, RECIPROCITY_COST, s, t))
    return out


def _cooccurrence_terms(al: Allocation, items: list[str], x: np.ndarray, names_one: bool) -> list[tuple]:
    """(officers answering ja to both, expected, cost) per pair of a block's items with one parent.

    Expected = sum over the fixed groups of count_a x count_b / asked: independence. When the
    program also holds that every officer asked names at least one item of the block (S4.5e/f), the
    least informative joint answer is independence among the officers' non-empty patterns (the
    maximum-entropy distribution with these margins on that support is the product of the items'
    distributions conditioned on "at least one"): expected both = count_a x count_b x Z / asked,
    with Z the share naming at least one under the unconditioned product (`_names_one_scale`).
    Independence itself would put about 2 of the 69 SEGV officers at no group, which the rule
    forbids, so the rule and the unconditioned expectation would pull against each other."""
    out = []
    everyone = list(range(len(al.resp)))
    block_items = items
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if al.items[a].parent != al.items[b].parent or "ja" not in al.items[a].answers[:-1] \
                    or "ja" not in al.items[b].answers[:-1]:
                continue
            ga, gb = al.groups.get(a), al.groups.get(b)
            if ga is None or gb is None:
                continue
            groups = ga if set(ga) == set(gb) else {("*",): (everyone, None)}
            expected = 0.0
            for members, _ in groups.values():
                asked = sum(_value(al.asked(r, a), x) for r in members)
                ca, cb = al.fixed_count(a, "ja", members), al.fixed_count(b, "ja", members)
                if asked and ca is not None and cb is not None:
                    scale = 1.0
                    if names_one:
                        shares = [al.fixed_count(c, "ja", members) for c in block_items]
                        if all(v is not None for v in shares):
                            scale = _names_one_scale([v / asked for v in shares])
                    expected += ca * cb * scale / asked
            both = _Expr()
            for r in everyone:
                if round(_value(al.asked(r, a), x)):
                    both = both + al.pattern_sum(r, [a, b], need_all=True)
            out.append((both, expected, 1.0, "*", f"{a}&{b}"))
    return out


def _names_one_scale(shares: list[float]) -> float:
    """Z with Z = 1 - prod(1 - p_i Z): the items' shares p_i among officers who all name at least one
    item are met by independent items of probabilities q_i = p_i Z conditioned on "at least one", Z
    being the probability of at least one. Then P(a and b | at least one) = p_a p_b Z. Found by
    bisection (the positive root; 0 when the shares add up to at most 1: everyone names exactly one)."""
    if sum(shares) <= 1.0:
        return 0.0
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if 1.0 - math.prod(1.0 - p * mid for p in shares) > mid:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _names_one_blocks(al: Allocation, statements: pd.DataFrame | None) -> dict[str, str]:
    """Statements that say every officer asked names at least one item of a pattern block:
    `anyof('<the block's items>', 'all') == cnt('<their parent>', 'all')` -> {statement id: block}."""
    out = {}
    if statements is None:
        return out
    for r in statements.itertuples(index=False):
        try:
            tree = ast.parse(str(r.predicate), mode="eval").body
        except SyntaxError:
            continue
        if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1 and isinstance(tree.ops[0], ast.Eq)):
            continue
        left, right = tree.left, tree.comparators[0]
        calls = {getattr(getattr(n, "func", None), "id", None): n for n in (left, right) if isinstance(n, ast.Call)}
        if set(calls) != {"anyof", "cnt"}:
            continue
        try:
            names, unit = [ast.literal_eval(v) for v in calls["anyof"].args]
            parent, unit2 = [ast.literal_eval(v) for v in calls["cnt"].args]
        except (ValueError, TypeError):
            continue
        for block, (members, _) in al.patterns.items():
            if sorted(st._item_list(names)) == sorted(members) and unit == unit2 == "all" \
                    and al.items[members[0]].parent == (parent, "ja"):
                out[r.id] = block
    return out


def statement_pinned(predicate: str) -> set[tuple[str, str]]:
    """(item, sector) of every by-sector "ja" cell a statement puts at 100%: a predicate that is
    `cnt('item', 'sector:s') == n('sector:s')`, or a conjunction of such; else nothing. Stage 2
    does not try to move these off 100% (the statement, met, holds them there)."""
    try:
        tree = ast.parse(predicate, mode="eval").body
    except SyntaxError:
        return set()
    parts = tree.values if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And) else [tree]
    out = set()
    for part in parts:
        if not (isinstance(part, ast.Compare) and len(part.ops) == 1 and isinstance(part.ops[0], ast.Eq)):
            return set()
        left, right = part.left, part.comparators[0]
        if not (isinstance(left, ast.Call) and isinstance(right, ast.Call) and isinstance(left.func, ast.Name)
                and isinstance(right.func, ast.Name) and left.func.id == "cnt" and right.func.id == "n"
                and len(left.args) == 2 and len(right.args) == 1
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in [*left.args, *right.args])):
            return set()
        item, unit = left.args[0].value, left.args[1].value
        if unit != right.args[0].value or not unit.startswith("sector:"):
            return set()
        out.add((item, unit.removeprefix("sector:")))
    return out


def _extreme_terms(al: Allocation, items: list[str], x: np.ndarray,
                   pinned: set[tuple[str, str]] = frozenset()) -> list[tuple[_Expr, int]]:
    """(sector count, officers asked) of every by-sector "ja" cell of the items that stage 2 keeps
    off 0% and 100% (EXTREME_COST): two or more officers asked, not the officer's own sector as a
    partner, not forced by the fixed counts, and an independence expectation at least half an
    officer from 0 and from all (else independence itself puts the cell there). Items whose parent
    is answered in the same block are left out: their base is not a number yet."""
    out = []
    # a child asked by a parent of the same block has no fixed base yet (health_target_groups)
    settled = [i for i in items if not (al.items[i].parent and al.items[i].parent[0] in items)]
    cells = sector_cells(al, x, settled)
    by_s = {s: [int(r) for r in ix] for s, ix in al.resp.groupby("sector", sort=False).groups.items()}
    for c in cells.itertuples(index=False):
        if c.base < 2 or c.own_sector or c.forced_0 or c.forced_100 or (c.item, c.sector) in pinned \
                or not 0.5 <= c.expected <= c.base - 0.5 or al.fixed_count(c.item, "ja", by_s[c.sector]) is not None:
            continue
        count = sum((al.answer(r, c.item, "ja") for r in by_s[c.sector]), _Expr())
        if count.terms:
            out.append((count, c.base))
    return out


def _add_extreme_penalty(h, count: _Expr, base: int, cost: float) -> list[int]:
    """Two binaries: at_0 >= 1 - count, at_all >= count - (base - 1), each of the given cost."""
    import highspy

    inf = highspy.kHighsInf
    cols = []
    idx = np.array(sorted(count.terms), dtype=np.int32)
    coef = np.array([count.terms[k] for k in sorted(count.terms)], dtype=float)
    for sign, rhs in ((1.0, 1.0), (-1.0, 1.0 - base)):
        h.addVar(0.0, 1.0)
        e = h.getNumCol() - 1
        h.changeColIntegrality(e, highspy.HighsVarType.kInteger)
        h.changeColCost(e, cost)
        # sign * count + e >= sign * ... :  count + at_0 >= 1 ; -count + at_all >= 1 - base
        h.addRow(rhs - sign * count.const, inf, len(idx) + 1, np.append(idx, e), np.append(sign * coef, 1.0))
        cols.append(e)
    return cols


def _own_sector_rows(al: Allocation, book) -> None:
    """Nobody names their own sector as a partner (the question asks about other sectors)."""
    for it in book.block("collab_partners"):
        own = it.extra.get("partner_sector")
        for r in al.resp.index[al.resp["sector"] == own]:
            al.m.ub[al.x[int(r), it.id, "ja"]] = 0


def allocate(problem: Problem, sol: CountSolution, book, sheet: pd.DataFrame, sent: dict[str, int],
             statements: pd.DataFrame | None, time_limit: float = 60.0, threads: int = 1) -> AllocationResult:
    """Both stages; respondents whose recount gives the count program's numbers."""
    started = time.perf_counter()
    left = lambda: time_limit - (time.perf_counter() - started)
    al = Allocation(problem, sol, book, sheet, sent)
    _own_sector_rows(al, book)
    rows = []
    violated = []
    if statements is not None:
        for r in statements.itertuples(index=False):
            if r.tables_decide != "no":
                rows.append({"id": r.id, "how": "decided by the printed tables" if r.tables_decide == "true"
                             else "contradicted by the printed tables (not forced)", "why": ""})
                continue
            nested = nesting_rows(al, r.predicate)
            if nested is not None:
                v = al.m.var(0, 1)
                _enforce_nesting(al.m, *nested, v)
                violated.append(v)
                rows.append({"id": r.id, "how": "soft constraint", "why": NESTED})
                continue
            try:
                f = compile_statement(al, r.predicate)
            except NotLinear as e:
                rows.append({"id": r.id, "how": "post-solve rule", "why": str(e)})
                continue
            v = al.m.var(0, 1)
            _enforce(al.m, f, _Expr({v: -1.0}, 1.0))
            violated.append(v)
            rows.append({"id": r.id, "how": "soft constraint", "why": ""})
    h = al.m.highs(threads)
    n = len(al.m.lb)
    lb, ub = np.array(al.m.lb, dtype=float), np.array(al.m.ub, dtype=float)
    # stage 1: fewest (weighted) violated statements
    cost1 = np.zeros(n)
    for v in violated:
        cost1[v] = STATEMENT_WEIGHT
    res1 = _run(h, cost1, lb, ub, left())
    if res1["values"] is None:
        raise RuntimeError(f"allocation, stage 1 (statements): {res1['status']}")
    opt1 = round(res1["objective"])
    # stage 2: stage 1's objective fixed, least informative
    idx = np.array(violated, dtype=np.int32)
    if len(idx):
        h.addRow(-np.inf, float(opt1) + 0.5, len(idx), idx, np.full(len(idx), float(STATEMENT_WEIGHT)))
        # A statement whose weight alone exceeds the optimum is met in every stage-2 solution: fix
        # its 'violated' at 0. The row above says the same for integers, but its LP relaxation lets
        # each binary up to 0.5 / weight, which loosens every big-M row of the statement.
        if STATEMENT_WEIGHT > opt1 + 0.5:
            ub[idx] = 0.0
    h.setOptionValue("mip_abs_gap", 1e-6)
    # "every officer asked names a group" binds in stage 2 when stage 1 met every statement
    names_one = set(_names_one_blocks(al, statements).values()) if opt1 == 0 else set()
    # cells a met statement holds at 100% are not "unexplained" extremes for stage 2 to move
    pinned = set().union(*(statement_pinned(r.predicate) for r in statements.itertuples(index=False)
                           if r.tables_decide == "no")) if statements is not None and opt1 == 0 else set()
    res2 = _least_informative(al, h, res1["values"], lb, ub, left, names_one, pinned)
    x = res2["values"]
    resp = _respondents(al, x)
    met = {}
    for row, v in zip([r for r in rows if r["how"] == "soft constraint"], violated):
        met[row["id"]] = bool(x[v] == 0)
    for row in rows:
        row["met_in_program"] = met.get(row["id"], "")
    solve = {
        "stage1": {"status": res1["status"], "objective": res1["objective"], "bound": res1["bound"],
                   "seconds": res1["seconds"], "weight": STATEMENT_WEIGHT},
        "stage2": {k: res2[k] for k in ("status", "objective", "bound", "seconds", "blocks", "per_block")},
        "columns": n, "rows": len(al.m.rows) + (1 if len(idx) else 0),
        "seconds": time.perf_counter() - started,
    }
    return AllocationResult(resp, pd.DataFrame(rows), solve, sector_cells(al, x))


def sector_cells(al: Allocation, x: np.ndarray, items: list[str] | None = None) -> pd.DataFrame:
    """Every sector x item "ja" cell: its count and base, its expectation under independence (as
    stage 2 measures it), and whether the counts the printed tables fix force 0% or 100%
    (every municipality group that holds an officer of the sector asked has no "ja", or only "ja").
    Partner items whose partner is the officer's own sector are marked `own_sector`."""
    rows = []
    by_s = {s: [int(r) for r in ix] for s, ix in al.resp.groupby("sector", sort=False).groups.items()}
    for it in al.p.items:
        if "ja" not in it.answers[:-1] or (items is not None and it.id not in items):
            continue
        groups = al.groups.get(it.id)
        expected = {}
        for _, e, _, s, a in _independence_terms(al, [it.id], x):
            if a == "ja":
                expected[s] = e
        partner = al.book[it.id].extra.get("partner_sector")
        for s, members in by_s.items():
            asked = [r for r in members if round(_value(al.asked(r, it.id), x)) == 1]
            count = sum(int(x[al.x[r, it.id, "ja"]]) for r in asked)
            forced0 = forced1 = groups is not None
            for g, counts in (groups or {}).values():
                if not set(g) & set(asked):
                    continue
                base_g = sum(round(_value(al.asked(q, it.id), x)) for q in g)
                forced0 = forced0 and counts["ja"] == 0
                forced1 = forced1 and counts["ja"] == base_g
            rows.append({"item": it.id, "sector": s, "count": count, "base": len(asked),
                         "expected": expected.get(s, float(count)), "forced_0": bool(asked) and forced0,
                         "forced_100": bool(asked) and forced1, "own_sector": partner == s,
                         "partner": partner or ""})
    return pd.DataFrame(rows)


def _add_distance(h, count: _Expr, expected: float, cost: float) -> int:
    """A column d >= |count - expected| (interpolated between the integers around expected)."""
    import highspy

    inf = highspy.kHighsInf
    h.addVar(0.0, inf)
    d = h.getNumCol() - 1
    h.changeColCost(d, cost)
    idx = np.array(sorted(count.terms) + [d], dtype=np.int32)
    coef = np.array([count.terms[k] for k in sorted(count.terms)], dtype=float)
    c0 = count.const
    # d - count >= c0 - expected ; d + count >= expected - c0
    h.addRow(c0 - expected, inf, len(idx), idx, np.append(-coef, 1.0))
    h.addRow(expected - c0, inf, len(idx), idx, np.append(coef, 1.0))
    lo = math.floor(expected)
    frac = expected - lo
    if frac > 1e-9:
        # the chord through (lo, frac) and (lo + 1, 1 - frac): d >= frac + (1 - 2 frac)(count - lo)
        slope = 1.0 - 2.0 * frac
        h.addRow(frac + slope * (c0 - lo), inf, len(idx), idx, np.append(-slope * coef, 1.0))
    return d


def _least_informative(al: Allocation, h, start: np.ndarray, lb0: np.ndarray, ub0: np.ndarray, left,
                       names_one: set[str] = frozenset(), pinned: set[tuple[str, str]] = frozenset()) -> dict:
    """Stage 2, lexicographic by codebook block (the report's order, parents before children).

    Each block's distance is minimised with the answers of earlier blocks fixed, so that the
    expectation of a child item (a share of those asked) is a number. Every row of both stages
    stays in the model, so each block's solution can be completed. Each block's optimum is proven
    (or its gap reported); the objective is the sum of the blocks' distances.
    """
    order = list(dict.fromkeys(al.book[it.id].block for it in al.p.items))
    items_of = {b: [it.id for it in al.p.items if al.book[it.id].block == b] for b in order}
    started = time.perf_counter()
    lb, ub = list(lb0), list(ub0)
    x = start
    upper = lower = 0.0
    statuses, blocks, per_block = [], 0, []
    for b in order:
        terms = _independence_terms(al, items_of[b], x)
        if b == "collab_partners":
            terms += _reciprocity_terms(al, al.book)
        if b in COOCCURRENCE_BLOCKS:
            terms += _cooccurrence_terms(al, items_of[b], x, b in names_one)
        cost = [0.0] * len(lb)
        for count, expected, w, *_ in terms:
            if count.terms:
                _add_distance(h, count, expected, w)
                lb.append(0.0)
                ub.append(INF)
                cost.append(w)
        blocks += 1
        res = _run(h, np.array(cost), np.array(lb), np.array(ub), left())
        if res["values"] is None:
            raise RuntimeError(f"allocation, stage 2, block {b}: {res['status']}")
        # Cells at 0% or 100% that nothing forces: only if the block's optimum has one, solve it
        # again with EXTREME_COST on every such cell of the block. Where it has none, it is also
        # the optimum with those costs (they are >= 0 and 0 there), so the costs are not added
        # (they slow the priorities block about fourfold, measured).
        extreme = _extreme_terms(al, items_of[b], x, pinned)
        if any(round(_value(count, res["values"])) in (0, base) for count, base in extreme):
            for count, base in extreme:
                for _ in _add_extreme_penalty(h, count, base, EXTREME_COST):
                    lb.append(0.0)
                    ub.append(1.0)
                    cost.append(EXTREME_COST)
            first = res["seconds"]
            res = _run(h, np.array(cost), np.array(lb), np.array(ub), left())
            if res["values"] is None:
                raise RuntimeError(f"allocation, stage 2, block {b} (cells at 0%/100%): {res['status']}")
            res["seconds"] += first
        statuses.append(res["status"])
        per_block.append({"block": b, "status": res["status"], "objective": res["objective"],
                          "bound": res["bound"], "seconds": res["seconds"]})
        upper += res["objective"]
        lower += res["bound"] if res["status"] != "Optimal" else res["objective"]
        x = res["values"]
        for item in items_of[b]:
            for r in range(len(al.resp)):
                for a in al.items[item].answers[:-1]:
                    k = al.x[r, item, a]
                    lb[k] = ub[k] = float(x[k])
        # the block's distance stays as it is: its columns keep cost 0 from here on
    status = "Optimal" if all(s == "Optimal" for s in statuses) else "Feasible: gap reported"
    return {"status": status, "objective": upper, "bound": lower, "values": x, "blocks": blocks,
            "per_block": per_block, "seconds": time.perf_counter() - started}


def _respondents(al: Allocation, x: np.ndarray) -> pd.DataFrame:
    df = al.resp.copy()
    for it in al.p.items:
        values = []
        for r in range(len(df)):
            asked = round(_value(al.asked(r, it.id), x))
            if not asked:
                values.append(None)
                continue
            given = [a for a in it.answers[:-1] if x[al.x[r, it.id, a]] == 1]
            values.append(given[0] if given else it.answers[-1])
        df[it.id] = pd.Series(values, index=df.index, dtype=object)
    return df


def _value(e: _Expr, x: np.ndarray) -> float:
    return e.const + sum(v * x[k] for k, v in e.terms.items())

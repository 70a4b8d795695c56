"""Cheap proofs that a hidden cell is wide enough, without an LP of its own.

A reader's interval for a hidden value s is [min x_s, max x_s] over the polytope of tables that
agree with everything published (equality rows, inequality rows, bounds). Any two feasible points
of that polytope whose s-values differ by W prove the interval at least W wide. The true table x0
is one feasible point; moving it along a direction d that changes no equality row (A d = 0) stays
feasible for a step t up to the first bound or inequality row it hits. The classic such direction
in a table with published margins is a rectangle: +1 at (unit u, answer a), -1 at (u, a'),
-1 at (u', a), +1 at (u', a') for a sibling unit u' (one that enters the same sums as u).

`FeasibleMoves.width` walks from x0 along such directions, up and down, one step after another,
each step checked against every row the direction touches, and returns the width the two end
points prove (never more than the true interval: both ends are feasible points). A cell it cannot
prove wide enough is left to the LPs, so the proof only saves time; it never widens an interval.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

TOL = 1e-9
MAX_DIRECTIONS = 12  # directions tried per cell and side before the cell is left to the LP


class FeasibleMoves:
    """Rows as (indices, coefficients, rhs, equality?) over n values with bounds and a feasible x0."""

    def __init__(self, n: int, rows: list, lower: np.ndarray, upper: np.ndarray, x0: np.ndarray):
        self.lower, self.upper, self.x0 = lower, upper, x0
        self.col_rows = defaultdict(list)
        self.rhs, self.eq, self.activity = [], [], []
        for r, (idx, coef, rhs, eq) in enumerate(rows):
            for j, c in zip(np.asarray(idx).tolist(), np.asarray(coef, dtype=float).tolist()):
                if c != 0.0:
                    self.col_rows[j].append((r, c))
            self.rhs.append(float(rhs))
            self.eq.append(bool(eq))
            self.activity.append(float(np.dot(np.asarray(coef, dtype=float), x0[np.asarray(idx, dtype=int)])))
        # a row x0 does not satisfy (it should not happen) is never moved along: no proof from it
        act, rhs = np.array(self.activity), np.array(self.rhs)
        self.broken = np.where(np.array(self.eq, dtype=bool), np.abs(act - rhs) > 1e-6, act > rhs + 1e-6).tolist()

    def step(self, direction: dict, moved: dict, row_moved: dict) -> float:
        """The longest step t >= 0 along `direction` from x0 + moved (feasible), 0 if none."""
        t = np.inf
        row_change = defaultdict(float)
        for j, v in direction.items():
            now = self.x0[j] + moved.get(j, 0.0)
            t = min(t, (self.upper[j] - now) / v if v > 0 else (now - self.lower[j]) / -v)
            if t <= TOL:
                return 0.0
            for r, c in self.col_rows[j]:
                row_change[r] += c * v
        for r, change in row_change.items():
            if self.broken[r]:
                return 0.0
            if abs(change) <= TOL:
                continue
            if self.eq[r]:
                return 0.0  # not a move the published sums allow
            if change > 0:
                t = min(t, (self.rhs[r] - self.activity[r] - row_moved.get(r, 0.0)) / change)
        if not np.isfinite(t) or t <= TOL:
            return 0.0
        for j, v in direction.items():
            moved[j] = moved.get(j, 0.0) + t * v
        for r, change in row_change.items():
            row_moved[r] = row_moved.get(r, 0.0) + t * change
        return t

    def value(self, j: int) -> float:
        """Value j at the current point of the walk `reach` is making."""
        return self.x0[j] + self.moved.get(j, 0.0)

    def width(self, s: int, directions, need: float) -> float:
        up, down = self.reach(s, directions, need)
        return up + down

    def reach(self, s: int, directions, need: float) -> tuple[float, float]:
        """How far value s provably moves up and down from x0 (each at most `need`, enough to
        decide). `directions()`: an iterable of {index: +-1} with +1 at s."""
        reach = []
        for sign in (1.0, -1.0):
            moved, row_moved, gained = {}, {}, 0.0
            self.sign, self.moved = sign, moved  # the walk so far, for directions built lazily
            for tried, d in enumerate(directions(), start=1):
                if gained >= need - TOL or tried > MAX_DIRECTIONS:
                    break
                gained += self.step({j: sign * v for j, v in d.items()}, moved, row_moved)
            reach.append(gained)
        return reach[0], reach[1]


def rectangles(s: int, unit_of, answer_of, cell_at, siblings_of, usable):
    """Rectangle directions through cell s: (u, a) +1, (u, a') -1, (u', a) -1, (u', a') +1 for
    every other answer a' and sibling unit u' whose three cells are usable (hidden)."""
    u, a = unit_of[s], answer_of[s]

    def generate():
        for other_answer, j in cell_at[u].items():
            if other_answer == a or not usable(j):
                continue
            for v in siblings_of(s):
                if v == u:
                    continue
                p, q = cell_at[v].get(a), cell_at[v].get(other_answer)
                if p is not None and q is not None and usable(p) and usable(q):
                    yield {s: 1.0, j: -1.0, p: -1.0, q: 1.0}

    return generate


def skip_links(rows: list, keys: list) -> dict:
    """Lead count index -> the follow-up base indices linked to it (rows base - count = 0, or
    <= 0 (item nonresponse), of two items); a move keeps them equal. A wrong guess costs nothing:
    `FeasibleMoves.step` checks every row a move touches."""
    links = defaultdict(list)
    for idx, coef, rhs, eq in rows:
        if len(idx) != 2 or rhs != 0:
            continue
        (b, cb), (c, cc) = sorted(zip(np.asarray(idx).tolist(), np.asarray(coef, dtype=float).tolist()),
                                  key=lambda t: keys[t[0]][0])  # "base" < "count"
        if keys[b][0] == "base" and keys[c][0] == "count" and keys[b][1] != keys[c][1] and cb == -cc:
            links[c].append(b)
    return links


MAX_DEPTH = 4  # follow-ups of follow-ups ...


def follow_through(direction: dict, links: dict, cell_at, unit_of, moves: FeasibleMoves) -> dict:
    """A move of lead counts changes the bases of their follow-up items: carry it on to one
    answer of each follow-up in the same units (and so on down the skip chain), so the move keeps
    base = lead count and answers = base. The answer chosen is the one with the most room where
    the move, in the direction `moves.reach` is walking, lowers it (at the walk's current point).
    Only a choice: `FeasibleMoves.step` still checks every row the move touches."""
    if not any(j in links for j in direction):
        return direction
    prefer = moves.sign
    d, frontier = dict(direction), list(direction)
    for _ in range(MAX_DEPTH):
        changes = defaultdict(dict)  # follow-up item -> {unit: change of its base}
        for j in frontier:
            for b in links.get(j, ()):
                d[b] = d.get(b, 0.0) + d[j]
                changes[unit_of[b][0]][unit_of[b]] = d[b]
        frontier = []
        for units in changes.values():
            answers = set.intersection(*(set(cell_at.get(u, {})) for u in units))
            if not answers:
                return direction  # cannot be carried on: step() will refuse it
            lowered = [u for u, c in units.items() if c * prefer < 0] or list(units)
            best = max(sorted(answers), key=lambda a: min(moves.value(cell_at[u][a]) for u in lowered))
            for u, c in units.items():
                j = cell_at[u][best]
                d[j] = d.get(j, 0.0) + c
                frontier.append(j)
        if not frontier:
            break
    return d

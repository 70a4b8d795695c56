"""Cheap proofs that a hidden cell is wide enough, without an LP of its own.

A reader's interval for a hidden value s is [min x_s, max x_s] over the polytope of tables that
agree with everything published (equality rows, inequality rows, bounds). Any two feasible points
of that polytope whose s-values differ by W prove the interval at least W wide. The true table x0
is one feasible point; moving it along a direction d that changes no equality row (A d = 0) stays
feasible for a step t up to the first bound or inequality row it hits. The classic such direction
in a table with published margins is a rectangle: +1 at (unit u, answer a), -1 at (u, a'),
-1 at (u', a), +1 at (u', a') for a sibling unit u' (one that enters the same sums as u).

Beside rectangles: a lead count's rectangle carried on down the skip chain (`follow_through`),
which also grows follow-up bases (`lead_moves`, `lift_together`: a follow-up count of 0 whose base
is 1 reaches 2 or 3 only with its base), and rectangles through a hidden total (`nested_rectangles`).

`FeasibleMoves.width` walks from x0 along such directions, up and down, one step after another,
each step checked against every row the direction touches, and returns the width the two end
points prove (never more than the true interval: both ends are feasible points). A cell it cannot
prove wide enough is left to the LPs, so the proof only saves time; it never widens an interval.
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

TOL = 1e-9
MAX_DIRECTIONS = 12  # directions tried per cell and side before the cell is left to the LP


class FeasibleMoves:
    """Rows as (indices, coefficients, rhs, equality?) over n values with bounds and a feasible x0."""

    def __init__(self, n: int, rows: list, lower: np.ndarray, upper: np.ndarray, x0: np.ndarray):
        # plain lists: a walk reads single values, and numpy scalars are slow one at a time
        self.lower, self.upper, self.x0 = (np.asarray(a, dtype=float).tolist() for a in (lower, upper, x0))
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
        t = math.inf
        row_change = defaultdict(float)
        x0, upper, lower, col_rows = self.x0, self.upper, self.lower, self.col_rows
        for j, v in direction.items():
            now = x0[j] + moved.get(j, 0.0)
            room = (upper[j] - now) / v if v > 0 else (now - lower[j]) / -v
            if room < t:
                t = room
                if t <= TOL:
                    return 0.0
            for r, c in col_rows[j]:
                row_change[r] += c * v
        broken, eq, rhs, activity = self.broken, self.eq, self.rhs, self.activity
        for r, change in row_change.items():
            if broken[r]:
                return 0.0
            if -TOL <= change <= TOL:
                continue
            if eq[r]:
                return 0.0  # not a move the published sums allow
            if change > 0:
                room = (rhs[r] - activity[r] - row_moved.get(r, 0.0)) / change
                if room < t:
                    t = room
        if not math.isfinite(t) or t <= TOL:
            return 0.0
        for j, v in direction.items():
            moved[j] = moved.get(j, 0.0) + t * v
        for r, change in row_change.items():
            row_moved[r] = row_moved.get(r, 0.0) + t * change
        return t

    def value(self, j: int) -> float:
        """Value j at the current point of the walk `reach` is making."""
        return self.x0[j] + self.moved.get(j, 0.0)

    def movable(self, j: int, v: float) -> bool:
        """Whether value j, at the walk's current point, has room to move by v in the direction
        `reach` is walking (a direction that moves a value at its bound steps 0: not worth trying)."""
        now = self.x0[j] + self.moved.get(j, 0.0)
        return now < self.upper[j] - TOL if v * self.sign > 0 else now > self.lower[j] + TOL

    def must_carry(self, r: int, change: float) -> bool:
        """Whether row r, changed by `change` per unit step (in the direction `reach` is walking),
        stops the move at once: an equality, or an inequality already tight."""
        if self.eq[r]:
            return True
        return change * self.sign > TOL and self.rhs[r] - self.activity[r] - self.row_moved.get(r, 0.0) <= TOL

    def all_movable(self, direction: dict) -> bool:
        return all(self.movable(j, v) for j, v in direction.items())

    def width(self, s: int, directions, need: float) -> float:
        up, down = self.reach(s, directions, need)
        return up + down

    def reach(self, s: int, directions, need: float) -> tuple[float, float]:
        """How far value s provably moves up and down from x0 (each at most `need`, enough to
        decide). `directions()`: an iterable of {index: +-1} with +1 at s."""
        reach = []
        for sign in (1.0, -1.0):
            moved, row_moved, gained = {}, {}, 0.0
            self.sign, self.moved, self.row_moved = sign, moved, row_moved  # the walk so far, for directions built lazily
            for tried, d in enumerate(directions(), start=1):
                if gained >= need - TOL or tried > MAX_DIRECTIONS:
                    break
                gained += self.step({j: sign * v for j, v in d.items()}, moved, row_moved)
            reach.append(gained)
        return reach[0], reach[1]


MAX_SCANNED = 400  # sibling rectangles looked at per cell and side (most are skipped unseen)


def rectangles(s: int, unit_of, answer_of, cell_at, siblings_of, usable, moves: FeasibleMoves | None = None,
               also=None):
    """Rectangle directions through cell s: (u, a) +1, (u, a') -1, (u', a) -1, (u', a') +1 for
    every other answer a' and sibling unit u' whose three cells are usable (hidden). With
    `moves`, only rectangles whose four cells have room at the walk's current point (and whose
    sibling passes `also(u', sign)`, if given): a rectangle through a sibling with none of the
    answer steps 0, and trying it would use up one of the MAX_DIRECTIONS."""
    u, a = unit_of[s], answer_of[s]

    def generate():
        scanned = 0
        for other_answer, j in cell_at[u].items():
            if other_answer == a or not usable(j):
                continue
            if moves is not None and not (moves.movable(s, 1.0) and moves.movable(j, -1.0)):
                continue
            for v in siblings_of(s):
                if v == u:
                    continue
                p, q = cell_at[v].get(a), cell_at[v].get(other_answer)
                if p is None or q is None or not usable(p) or not usable(q):
                    continue
                if moves is not None:
                    if not (moves.movable(s, 1.0) and moves.movable(j, -1.0)):
                        break  # the walk so far used up this answer of the cell's own unit
                    scanned += 1
                    if scanned > MAX_SCANNED:
                        return
                    if not (moves.movable(p, -1.0) and moves.movable(q, 1.0)) or (also is not None and not also(v)):
                        continue
                yield {s: 1.0, j: -1.0, p: -1.0, q: 1.0}

    return generate


def nested_rectangles(s: int, parents: list, children_of: dict, unit_of, answer_of, cell_at, siblings_of, usable,
                      moves: FeasibleMoves):
    """Rectangles through a hidden total: where the total T that cell s is part of is hidden too
    (a size class whose municipalities are all hidden), s can trade with a unit w under a sibling
    total V: (u, a) +1, (u, a') -1, (T, a) +1, (T, a') -1, (V, a) -1, (V, a') +1, (w, a) -1,
    (w, a') +1. Every sum is kept; for a cell whose own siblings have none of the answer to
    give (the 4 municipalities of a small size class)."""
    u, a = unit_of[s], answer_of[s]

    def generate():
        scanned = 0
        for t in parents:
            tu = unit_of[t]
            for other, jo in cell_at[u].items():
                to = cell_at[tu].get(other)
                if other == a or not usable(jo) or to is None or not usable(to):
                    continue
                for v in siblings_of(t):
                    va, vo = cell_at[v].get(a), cell_at[v].get(other)
                    if v == tu or va is None or vo is None or not usable(va) or not usable(vo):
                        continue
                    for wa in children_of.get(va, ()):
                        w = unit_of[wa]
                        wo = cell_at[w].get(other)
                        if w[1] != u[1] or wo is None or not usable(wo):
                            continue
                        if not (moves.movable(s, 1.0) and moves.movable(jo, -1.0)):
                            return
                        scanned += 1
                        if scanned > MAX_SCANNED:
                            return
                        d = {s: 1.0, jo: -1.0, t: 1.0, to: -1.0, va: -1.0, vo: 1.0, wa: -1.0, wo: 1.0}
                        if moves.all_movable(d):
                            yield d

    return generate


def lift_together(moves: FeasibleMoves, wants: dict, own_moves, lead_directions, rounds: int) -> dict:
    """One walk up from x0 that raises several follow-up counts of one unit at once (each to
    its want): rectangles within each item, and when their bases are used up, a rectangle on
    the lead count they hang from that grows those bases (`lead_directions()`, carried on with
    `follow_through`), then rectangles again. A lead rectangle changes some 40 follow-up items
    of the unit: one for all of them instead of one per cell. Returns per cell the most it
    rose at any point of the walk (every point of the walk is a feasible table)."""
    moved, row_moved = {}, {}
    moves.sign, moves.moved, moves.row_moved = 1.0, moved, row_moved
    best = dict.fromkeys(wants, 0.0)

    def short():
        return [s for s, w in wants.items() if best[s] < w - TOL]

    def stepped(d) -> bool:
        if moves.step(d, moved, row_moved) <= 0:
            return False
        for s in wants:
            best[s] = max(best[s], moved.get(s, 0.0))
        return True

    for _ in range(rounds):
        progress = False
        for s in short():
            for tried, d in enumerate(own_moves(s)(), start=1):
                if best[s] >= wants[s] - TOL or tried > MAX_DIRECTIONS:
                    break
                progress |= stepped(d)
        if not short():
            break
        for tried, d in enumerate(lead_directions(), start=1):
            if tried > MAX_DIRECTIONS:
                break
            if stepped(d):
                progress = True
                break
        if not progress:
            break
    return best


MAX_CARRIED = 2 * MAX_DIRECTIONS  # lead rectangles carried on (and checked) per cell and side


def lead_moves(s: int, chain: list, unit_of, answer_of, cell_at, siblings_of, usable, links, moves: FeasibleMoves):
    """Directions that move a follow-up count s together with its base: a rectangle on a lead
    count up the skip chain (`chain`: the lead counts s's base hangs from, nearest first), carried
    on down the chain (`follow_through`) with s's own answer, and each lead answer between,
    chosen in their items. Within its own item a follow-up count cannot grow past its base; this
    way the base grows with it (a 'weet niet' of 0 in a municipality where 2 of 3 said ja, when
    the reader cannot rule out that all 3 did and all said 'weet niet')."""
    item = unit_of[s][0]

    def generate():
        choice, tried = {item: answer_of[s]}, 0
        for c in chain:
            lead_item = unit_of[c][0]

            def target_has_room(v, choice=dict(choice)):
                # the sibling gives up one of s's answer (and of each answer between) in its own units
                for it, ans in choice.items():
                    k = cell_at.get((it,) + v[1:], {}).get(ans)
                    if k is None or not moves.movable(k, -1.0):
                        return False
                return True

            for d in rectangles(c, unit_of, answer_of, cell_at, siblings_of, usable, moves, also=target_has_room)():
                if not moves.movable(s, 1.0):
                    return
                tried += 1
                if tried > MAX_CARRIED:
                    return
                full = follow_through(d, links, cell_at, unit_of, moves, choice)
                if s in full and full[s] > 0 and moves.all_movable(full):
                    yield full
            choice[lead_item] = answer_of[c]

    return generate


def skip_links(rows: list, keys: list) -> dict:
    """Lead count index -> [(follow-up base index, row, the lead's coefficient in it)] for the
    rows base - count = 0, or <= 0 (item nonresponse), of two items; a move keeps them equal. A
    wrong guess costs nothing: `FeasibleMoves.step` checks every row a move touches."""
    links = defaultdict(list)
    for r, (idx, coef, rhs, eq) in enumerate(rows):
        if len(idx) != 2 or rhs != 0:
            continue
        (b, cb), (c, cc) = sorted(zip(np.asarray(idx).tolist(), np.asarray(coef, dtype=float).tolist()),
                                  key=lambda t: keys[t[0]][0])  # "base" < "count"
        if keys[b][0] == "base" and keys[c][0] == "count" and keys[b][1] != keys[c][1] and cb == -cc:
            links[c].append((b, r, cc))
    return links


MAX_DEPTH = 4  # follow-ups of follow-ups ...


def follow_through(direction: dict, links: dict, cell_at, unit_of, moves: FeasibleMoves, choice: dict | None = None) -> dict:
    """A move of lead counts changes the bases of their follow-up items: carry it on to one
    answer of each follow-up in the same units (and so on down the skip chain), so the move keeps
    base = lead count and answers = base. The answer chosen is the one with the most room where
    the move, in the direction `moves.reach` is walking, lowers it (at the walk's current point).
    `choice` (item -> answer) carries the move on to those items always, with that answer
    (`lead_moves`). Any other follow-up item is carried only where it must be: its link is an
    equality, or the move lowers a lead count down onto its follow-up base (base <= count is
    tight at the walk's point). A base below its lead count (item nonresponse) need not follow
    the lead, and forcing it down would stop the walk at a base of 0.
    Only a choice: `FeasibleMoves.step` still checks every row the move touches."""
    if not any(j in links for j in direction):
        return direction
    prefer = moves.sign
    d, frontier = dict(direction), list(direction)
    for _ in range(MAX_DEPTH):
        pending, needed = defaultdict(list), set()  # follow-up item -> [(base, change of its lead)]
        for j in frontier:
            for b, r, coef in links.get(j, ()):
                item = unit_of[b][0]
                pending[item].append((b, d[j]))
                if item not in needed and ((choice and item in choice) or moves.must_carry(r, coef * d[j])):
                    needed.add(item)
        frontier = []
        for item in sorted(needed):
            units = {}
            for b, change in pending[item]:
                d[b] = d.get(b, 0.0) + change
                units[unit_of[b]] = d[b]
            answers = set.intersection(*(set(cell_at.get(u, {})) for u in units))
            if not answers:
                return direction  # cannot be carried on: step() will refuse it
            lowered = [u for u, c in units.items() if c * prefer < 0] or list(units)
            if choice and choice.get(item) in answers:
                best = choice[item]  # (an item chosen with answer None: carried on, answer by room)
            else:
                best = max(sorted(answers), key=lambda a: min(moves.value(cell_at[u][a]) for u in lowered))
            for u, c in units.items():
                j = cell_at[u][best]
                d[j] = d.get(j, 0.0) + c
                frontier.append(j)
        if not frontier:
            break
    return d

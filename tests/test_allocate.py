"""The reconstruction's second program (analysis.rivm2010.allocate) on a tiny invented problem, and
the linearisation of statements (numbers worked out by hand).

3 municipalities, 3 sectors, 2 items (work; target_groups asked only if work = ja), as in
test_reconstruct.py, but only municipality rows and the total are printed: which sector gives a
municipality's "ja" answers is left to the second program.
"""
import ast
from types import SimpleNamespace

import pandas as pd
import pytest
from test_reconstruct import KNOWN, known_cells, known_problem

from analysis.rivm2010 import allocate as al
from analysis.rivm2010.reconstruct import _Expr, recount, solve_counts
from analysis.rivm2010.statements import SurveyData, _Evaluator


class _Book:
    """The little of a codebook the program reads: sectors, blocks, partner sectors."""

    def __init__(self):
        self.sectors = [SimpleNamespace(id=s, domain=d, social_class=c)
                        for s, d, c in (("a", "1", "social"), ("b", "2", "social"), ("c", "3", "physical"))]

    def block(self, name):
        return []

    def __getitem__(self, item):
        return SimpleNamespace(block="priorities" if item == "work" else "target_groups", extra={})


def _solve(statements):
    cells = known_cells()
    cells = cells[cells["unit"] != "sector"].reset_index(drop=True)
    problem = known_problem(cells)
    sol = solve_counts(problem, time_limit=20)
    sheet = pd.DataFrame({"municipality_id": ["1", "2", "3"], "size_class": ["G4", "G32", "small"],
                          "krachtwijk": ["yes", "no", "no"], "questionnaires_sent": [3, 2, 2]})
    st = pd.DataFrame({"id": [f"T{i}" for i in range(len(statements))], "predicate": statements,
                       "tables_decide": ["no"] * len(statements)})
    res = al.allocate(problem, sol, _Book(), sheet, {"a": 3, "b": 2, "c": 2}, st, time_limit=30)
    return problem, res


def _holds(resp, predicate):
    data = SurveyData(resp.assign(hours_per_week=30.0), {"a": "1", "b": "2", "c": "3"},
                      {"a": "social", "b": "social", "c": "physical"})
    return bool(_Evaluator(data).evaluate(predicate))


def test_statements_are_met_where_the_counts_allow_and_printed_numbers_always_win():
    # municipality 1: 2 of a, b, c work; 2: 1 of a, b; 3: 1 of a, c (by hand from KNOWN)
    met = "cnt('work', 'sector:c') >= 2 and cnt('work', 'sector:a') == 0"   # c in 1 and 3, b in 1 and 2
    impossible = "cnt('work', 'all') == 5"                                    # 4 work: printed total
    rule = "mean_hours('all') > 1"                                            # not an answer: post-solve
    problem, res = _solve([met, impossible, rule])
    assert recount(problem, res.respondents)["met"].all()          # every printed number still holds
    assert _holds(res.respondents, met) and not _holds(res.respondents, impossible)
    how = res.statements.set_index("id")
    assert how.loc["T0", "met_in_program"] is True and how.loc["T1", "met_in_program"] is False
    assert how.loc["T2", "how"] == "post-solve rule"
    assert res.solve["stage1"]["objective"] == pytest.approx(al.STATEMENT_WEIGHT)
    assert res.solve["stage2"]["status"] == "Optimal"


def test_least_informative_stage_spreads_answers_over_sectors():
    # without statements: work "ja" in municipality 1 (2 of 3: a, b, c) and 2 (1 of 2: a, b) and 3
    # (1 of 2: a, c). Expected per sector under independence: a 2/3 + 1/2 + 1/2 = 1.67 of 3,
    # b 2/3 + 1/2 = 1.17 of 2, c 2/3 + 1/2 = 1.17 of 2: no sector all-yes or all-no is closest.
    _, res = _solve([])
    work = res.respondents.groupby("sector")["work"].apply(lambda s: int((s == "ja").sum())).to_dict()
    assert work == {"a": 2, "b": 1, "c": 1}
    assert sum(int(v == "ja") for v in res.respondents["work"]) == sum(r[2] == "ja" for r in KNOWN)


def _cmp(left, right, op):
    return al._compare(left, right, op)


def test_linearised_comparisons_of_max_and_min():
    x, y, z, w = (_Expr({k: 1.0}) for k in range(4))
    # high(x, y) + 5 <= low(z, w): four inequalities, all needed
    f = _cmp(al._add(al._Agg("max", [x, y]), 5.0), al._Agg("min", [z, w]), ast.LtE)
    assert f[0] == "and" and len(f[1]) == 4
    # high(x, y) >= 50: one of them (a disjunction, one binary each)
    g = _cmp(al._Agg("max", [x, y]), 50.0, ast.GtE)
    assert g[0] == "or" and len(g[1]) == 2
    # an empty base (NaN) never holds, as in the evaluator; a constant comparison is decided
    assert _cmp(float("nan"), 1.0, ast.GtE) == al.FALSE
    assert _cmp(3.0, 2.0, ast.Gt) == al.TRUE
    # a share over a variable base against a constant: 100 num - 50 den >= 0, and den >= 1
    h = _cmp(al._Ratio(x, y), 50.0, ast.GtE)
    assert h[0] == "and" and {tuple(sorted(p[1].terms.items())) for p in h[1]} == {((1, 1.0),), ((0, 100.0), (1, -50.0))}
    # two shares over different variable bases are not linear: a post-solve rule
    with pytest.raises(al.NotLinear):
        _cmp(al._Ratio(x, y), al._Ratio(z, w), ast.GtE)


def test_anyof_over_a_pattern_block_is_a_soft_constraint(monkeypatch):
    # target_groups as a block of one item written as patterns (as the target groups of Tabel 4.2):
    # anyof() is then linear. 3 of the 4 who work name a group (printed), so "all of them" cannot
    # hold; one worker of b naming none can (municipality 1: 2 work, 1 names a group).
    monkeypatch.setattr(al, "PATTERN_BLOCKS", ("target_groups",))
    monkeypatch.setattr(_Book, "block", lambda self, name: [SimpleNamespace(id="target_groups")]
                        if name == "target_groups" else [])
    everyone = "anyof('target_groups', 'all') == cnt('work', 'all')"
    b_none = "cnt('work', 'sector:b') >= 1 and anyof('target_groups', 'sector:b') == 0"
    problem, res = _solve([everyone, b_none])
    how = res.statements.set_index("id")
    assert (how["how"] == "soft constraint").all()
    assert not how.loc["T0", "met_in_program"] and how.loc["T1", "met_in_program"]
    assert not _holds(res.respondents, everyone) and _holds(res.respondents, b_none)
    assert recount(problem, res.respondents)["met"].all()


@pytest.mark.parametrize("shares", [(54 / 73, 44 / 73, 44 / 73, 19 / 73), (0.6, 0.6, 0.6), (0.9, 0.2)])
def test_names_one_scale_keeps_the_margins_among_officers_who_name_one(shares):
    # Enumerate the 2^k patterns of independent items with probabilities p_i Z, drop "none" and
    # renormalise: every item's share is p_i again, and a pair's share is p_a p_b Z.
    import itertools
    import math

    z = al._names_one_scale(list(shares))
    q = [p * z for p in shares]
    probs = {pat: math.prod(qi if t else 1 - qi for qi, t in zip(q, pat))
             for pat in itertools.product((0, 1), repeat=len(shares)) if any(pat)}
    total = sum(probs.values())
    for i, p in enumerate(shares):
        assert sum(v for pat, v in probs.items() if pat[i]) / total == pytest.approx(p, abs=1e-9)
    assert sum(v for pat, v in probs.items() if pat[0] and pat[1]) / total == pytest.approx(shares[0] * shares[1] * z)
    assert 0 < z < 1


def test_names_one_scale_edge_cases():
    assert al._names_one_scale([0.5, 0.5]) == 0.0     # shares add up to 1: everyone names exactly one
    assert al._names_one_scale([1.0, 0.3]) == pytest.approx(1.0)   # someone always named: no officer without


def test_a_cell_at_0_or_100_percent_costs_more_than_a_small_distance():
    # 3 officers of a sector, count = their "ja"s; a distance term alone pulls the count to 0
    # (expected 0.4), the two binaries of the penalty make 0 and 3 cost EXTREME_COST: the optimum
    # is 1 (distance 0.6 < EXTREME_COST).
    import highspy
    import numpy as np

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.addVars(3, np.zeros(3), np.ones(3))
    h.changeColsIntegrality(3, np.arange(3, dtype=np.int32), np.ones(3, dtype=np.uint8))
    count = _Expr({0: 1.0, 1: 1.0, 2: 1.0})
    al._add_distance(h, count, 0.4, 1.0)
    al._add_extreme_penalty(h, count, 3, al.EXTREME_COST)
    h.run()
    values = h.getSolution().col_value
    assert round(sum(values[:3])) == 1
    assert h.getInfo().objective_function_value == pytest.approx(0.6)


def _nesting_stub():
    """Two yes/no items a, b over 5 officers in 2 municipalities, counts fixed per municipality:
    municipality 1 (officers 0-2): a 2, b 1; municipality 2 (officers 3, 4): a 1, b 2. Only
    municipality 1 forces an officer with a and not b (2 > 1): 1 forced exception."""
    yes_no = SimpleNamespace(answers=("ja", "nee"))
    groups = {"a": {("1",): ([0, 1, 2], {"ja": 2}), ("2",): ([3, 4], {"ja": 1})},
              "b": {("1",): ([0, 1, 2], {"ja": 1}), ("2",): ([3, 4], {"ja": 2})}}
    return SimpleNamespace(items={"a": yes_no, "b": yes_no}, groups=groups, members=lambda unit: [0, 1, 2, 3, 4],
                           answer=lambda r, item, a: _Expr({("a", "b").index(item) * 5 + r: 1.0}))


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_an_implication_is_met_exactly_when_its_nesting_rows_are(k):
    # Every answer pattern that keeps the counts: the statement (officers with a and not b <= k,
    # counted directly) holds exactly when the rows' excess sum(max(0, row)) is within the slack.
    import itertools

    stub = _nesting_stub()
    got = al.nesting_rows(stub, f"both('a', 'b', 'all') + {k} >= cnt('a', 'all')")
    if k < 1:
        assert got is None   # the counts force one exception: left to compile_statement (violated)
        return
    rows, slack = got
    assert slack == k - 1 and len(rows) == 5
    checked = 0
    for x in itertools.product((0, 1), repeat=10):
        a, b = x[:5], x[5:]
        if (sum(a[:3]), sum(a[3:]), sum(b[:3]), sum(b[3:])) != (2, 1, 1, 2):
            continue
        exceptions = sum(1 for r in range(5) if a[r] and not b[r])
        excess = sum(max(0.0, sum(v * x[c] for c, v in e.terms.items())) for e in rows)
        assert (exceptions <= k) == (excess <= slack)
        checked += 1
    assert checked == 3 * 2 * 3 * 1   # a: C(3,2) x C(2,1), b: C(3,1) x C(2,2)


def test_only_implications_over_fixed_counts_become_nesting_rows():
    stub = _nesting_stub()
    assert al._implication_parts("both('a', 'b', 'all') + 1 >= cnt('a', 'all')") == ("a", "b", "all", 1.0)
    assert al._implication_parts("both('a', 'b', 'all') >= cnt('a', 'all')") == ("a", "b", "all", 0.0)
    for other in ("both('a', 'b', 'all') + 1 >= cnt('b', 'all')", "both('a', 'b', 'all') + 1 > cnt('a', 'all')",
                  "cnt('a', 'all') <= both('a', 'b', 'all') + 1", "both('a', 'b', 'all') >= 2"):
        assert al._implication_parts(other) is None
    stub.groups["b"] = {("*",): ([0, 1, 2, 3, 4], {"ja": 3})}   # b fixed only as a total
    assert al.nesting_rows(stub, "both('a', 'b', 'all') + 1 >= cnt('a', 'all')") is None


def test_statement_pinned_reads_only_every_officer_of_a_sector_answering_ja():
    """The cells a met statement holds at 100% (stage 2 leaves them there): a conjunction of
    cnt(item, sector) == n(sector); anything else pins nothing."""
    both = "cnt('health_work', 'sector:vgz') == n('sector:vgz') and cnt('segv_work', 'sector:vgz') == n('sector:vgz')"
    assert al.statement_pinned(both) == {("health_work", "vgz"), ("segv_work", "vgz")}
    assert al.statement_pinned(both.replace(" and ", " or ")) == set()
    assert al.statement_pinned("cnt('a', 'sector:vgz') == n('sector:jeugd')") == set()
    assert al.statement_pinned("cnt('a', 'all') == n('all')") == set()
    assert al.statement_pinned("cnt('a', 'sector:vgz') >= n('sector:vgz')") == set()
    assert al.statement_pinned("pct('a', 'sector:vgz') >= 75 and cnt('b', 'sector:vgz') == n('sector:vgz')") == set()

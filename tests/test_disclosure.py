"""Small-cell protection: planted small cells are hidden, and an LP attacker cannot recompute any
hidden cell from what is shown (synthetic, invented data only)."""
import pandas as pd
import pytest
from openpyxl import Workbook

from analysis.core.disclosure.attacker import _groups, cell_relations, cell_values, count_key, exposed_cells, holding_relations, recomputable, unit_nesting
from analysis.core.disclosure.leakscan import scan_results_for_respondent_rows
from analysis.core.disclosure.marks import disclosure_note, is_suppressed
from analysis.core.disclosure.pseudonyms import pseudonymise, public_wave
from analysis.core.disclosure.suppression import protect_cells, protect_hours
from analysis.core.aggregate import aggregate_cells
from analysis.core.responses import typed_responses
from analysis.fixtures.synthetic import synthetic_answers

K = 5
# A subset of blocks keeps the LPs small; it holds every kind of relation: answers to base,
# units to totals, and skip logic (health_work -> health_target_groups, collaborates -> pos_*).
BLOCKS = ("priorities", "collaboration", "positive_factors")


def sheet(n_munis: int) -> pd.DataFrame:
    ids = [str(i) for i in range(1, n_munis + 1)]
    return pd.DataFrame({"municipality_id": ids, "name": [f"Gemeente {i}" for i in ids],
                         "size_class": [["G4", "G32", "small", "unknown"][i % 4] for i in range(n_munis)]})


def make_cells(book, n: int, n_munis: int, seed: int, plant_small: bool = False):
    munis = sheet(n_munis)
    answers = synthetic_answers(book, munis["municipality_id"].tolist(), n, "synthetic-test", seed)
    if plant_small:
        # a municipality of two officers: every cell of it has a base below k
        munis = pd.concat([munis, pd.DataFrame({"municipality_id": ["99"], "name": ["Klein"], "size_class": ["small"]})])
        answers.loc[answers.index[:2], "municipality_id"] = "99"
    cells = aggregate_cells(typed_responses(answers, book), munis, book, "synthetic-test")
    keep = [it.id for it in book.items if it.block in BLOCKS]
    return cells[cells["item"].isin(keep)].reset_index(drop=True), munis


def relations_for(cells, book, munis):
    values = cell_values(cells)
    return holding_relations(values, cell_relations(cells, unit_nesting(book, munis), book))


def hidden(prot):
    return prot["status"].map(is_suppressed).astype(bool)


@pytest.fixture(scope="module")
def planted(book):
    cells, munis = make_cells(book, 70, 8, seed=3, plant_small=True)
    return cells, munis, protect_cells(cells, K, "public", book=book, municipalities=munis)


def test_planted_small_municipality_is_hidden(planted):
    cells, _, prot = planted
    small = (prot["unit"] == "municipality") & (prot["unit_id"] == "99") & (cells["base"] > 0)
    # '< 5' where its base is shown; where the base is a hidden lead count, '×' (issue 16: the
    # mark must not tell that count)
    base_shown = prot["base"].notna()
    assert (small & base_shown).sum() and (prot.loc[small & base_shown, "status"] == "< 5").all()
    assert (prot.loc[small & ~base_shown, "status"] == "×").all()
    assert prot.loc[small, ["count", "pct", "pct_rounded", "ci_low", "ci_high"]].isna().all().all()


def test_no_shown_cell_has_a_base_below_k(planted):
    cells, _, prot = planted
    shown = prot[~hidden(prot) & prot["count"].notna() & (prot["item"] != "sector")]
    # a shown base below k is only a unit nobody in which was asked (0 of 0), never a person
    assert ((shown["base"] >= K) | (shown["count"] == 0) & (shown["base"] == 0)).all()


def test_every_small_cell_gets_a_mark_never_a_zero(planted):
    cells, _, prot = planted
    small = (cells["base"] > 0) & (cells["base"] < K) & (cells["item"] != "sector") & cells["count"].notna()
    base_shown = prot["base"].notna()  # else a follow-up of a hidden lead count: '×', not telling it
    assert (prot.loc[small & base_shown, "status"] == "< 5").all() and prot.loc[small, "count"].isna().all()
    assert (prot.loc[small & ~base_shown, "status"] == "×").all()
    assert (prot.loc[hidden(prot) & ~small, "status"].isin(["< 5", "×"])).all()


def test_overall_stays_visible(planted):
    cells, _, prot = planted
    big = (prot["unit"] == "overall") & (cells["base"] >= K)
    assert not hidden(prot)[big].any()


@pytest.mark.parametrize("n, n_munis, seed", [(45, 6, 11)])
def test_attacker_cannot_recompute_any_hidden_cell(book, n, n_munis, seed):
    cells, munis = make_cells(book, n, n_munis, seed, plant_small=True)
    prot = protect_cells(cells, K, "public", book=book, municipalities=munis)
    assert (prot["status"] == "< 5").any()
    intervals = recomputable(prot, relations_for(cells, book, munis), exact=False)
    small = {count_key(r.item, r.unit, r.unit_id, r.answer) for r in prot[prot["status"] == "< 5"].itertuples()}
    small_counts = intervals[intervals["key"].isin(small)]
    assert len(small_counts) == len(small)
    # no small count is pinned, except where a shown unanimous total tells it (0% or 100% overall)
    exposed = exposed_cells(prot, relations_for(cells, book, munis), unit_nesting(book, munis))
    assert exposed.empty, exposed.head()


def test_exact_attacker_agrees_on_a_small_wave(book):
    cells, munis = make_cells(book, 30, 4, seed=8, plant_small=True)
    cells = cells[cells["item"].isin(["collaborates", "pos_key_persons", "health_priority"])]
    prot = protect_cells(cells, K, "public", book=book, municipalities=munis)
    exposed = exposed_cells(prot, relations_for(cells, book, munis), unit_nesting(book, munis), exact=True)
    assert (prot["status"] == "< 5").any() and exposed.empty


def test_attacker_breaks_primary_suppression_alone(book):
    """The attacker has teeth: hiding only the small cells leaves them recomputable from totals."""
    cells, munis = make_cells(book, 70, 8, seed=3, plant_small=True)
    small = (cells["base"] < K) & (cells["unit"] != "overall") & cells["count"].notna() & (cells["item"] != "sector")
    naive = cells.copy()
    naive["status"] = naive["status"].astype("string")
    naive.loc[small, "status"] = "< 5"
    naive.loc[small, ["count", "pct", "pct_rounded", "ci_low", "ci_high"]] = pd.NA
    exposed = exposed_cells(naive, relations_for(cells, book, munis), unit_nesting(book, munis))
    assert len(exposed)


def test_attacker_is_not_told_a_sum_that_holds_by_chance(book):
    """A municipality of unknown size class with count 0: the size classes then add up to the
    overall for that answer, but only the values say so; the attacker must not be told."""
    cells, munis = make_cells(book, 40, 5, seed=1)
    groups = _groups(cells, unit_nesting(book, munis))
    size_group = [g for g in groups if g[0] == ("overall", "all") and g[1][0][0] == "size_class"]
    assert size_group and size_group[0][2] == "<="  # a municipality of unknown size exists


def test_protection_is_deterministic_and_does_not_mutate(book, planted):
    cells, munis, prot = planted
    before = cells.copy()
    again = protect_cells(cells, K, "public", book=book, municipalities=munis)
    pd.testing.assert_frame_equal(cells, before)
    pd.testing.assert_frame_equal(prot, again)


def test_restricted_mode_leaves_cells_as_published(book):
    cells, munis = make_cells(book, 40, 6, seed=2, plant_small=True)
    out = protect_cells(cells, K, "restricted", book=book, municipalities=munis)
    pd.testing.assert_frame_equal(out, cells)
    assert "not for publication" in disclosure_note("restricted", K, "en")


def test_unknown_mode_is_refused(planted):
    with pytest.raises(ValueError):
        protect_cells(planted[0], K, "open", book=None)


def test_hours_of_a_small_sector_and_every_extreme_are_hidden():
    hours = pd.DataFrame({"wave": "w", "sector": ["vgz", "jeugd", "sport", "all"], "n": [3, 6, 9, 18],
                          "mean": [30.0, 20.0, 25.0, 24.5], "median": [30.0, 20.0, 25.0, 24.0],
                          "min": [28.0, 8.0, 10.0, 8.0], "max": [32.0, 36.0, 38.0, 38.0]})
    out = protect_hours(hours, K, "public")
    assert out.loc[0, "status"] == "< 5" and pd.isna(out.loc[0, "mean"])
    # vgz alone hidden: the overall mean x n minus the others would give it back
    assert out.loc[1, "status"] == "×" and pd.isna(out.loc[1, "mean"]) and out.loc[2, "mean"] == 25.0
    assert out[["min", "max"]].isna().all().all()
    # the median of 9 sport officers is the fifth one's own answer; of 18 it is an average of two
    assert pd.isna(out.loc[2, "median"]) and out.loc[3, "median"] == 24.0
    assert protect_hours(hours, K, "restricted")[["min", "max", "mean", "median"]].notna().all().all()


# --- pseudonyms ---------------------------------------------------------------------------------


def test_pseudonyms_are_stable_unique_and_salted():
    munis = sheet(16)
    a, b = pseudonymise(munis, "salt-1"), pseudonymise(munis, "salt-1")
    other = pseudonymise(munis, "salt-2")
    assert a["pseudonym"].tolist() == b["pseudonym"].tolist()
    assert a["pseudonym"].is_unique and a["pseudonym"].str.match(r"^G-[0-9a-f]{6,}$").all()
    assert (a["pseudonym"] != other["pseudonym"]).all()
    assert "name" not in a and "name" in pseudonymise(munis, "salt-1", "restricted")
    assert "name" in munis  # the argument is not changed


def test_public_wave_replaces_ids_everywhere_and_drops_names():
    munis = sheet(4)
    responses = pd.DataFrame({"respondent_id": ["SYN-1", "SYN-2"], "municipality_id": ["1", "3"]})
    out, ps = public_wave(responses, munis, "s")
    assert set(out["municipality_id"]) <= set(ps["municipality_id"]) and "name" not in ps
    assert not set(out["municipality_id"]) & set(munis["municipality_id"])
    assert responses["municipality_id"].tolist() == ["1", "3"]  # the input is not changed


# --- the leak scan --------------------------------------------------------------------------------

IDS = ["SYN-001", "SYN-002", "SYN-003"]


@pytest.fixture
def results(tmp_path, planted):
    wave = tmp_path / "synthetic-test"
    (wave / "tables").mkdir(parents=True)
    planted[2].to_csv(wave / "cells.csv", index=False)
    pd.DataFrame({"respondent_id": IDS, "health_priority": ["ja"] * 3}).to_parquet(wave / "responses.parquet")
    (wave / "report.html").write_text("<p>n = 3; SYN-0012 is not an id here</p>", encoding="utf-8")
    (wave / "figure.png").write_bytes(b"\x89PNG SYN-001")
    return tmp_path


def test_scan_passes_clean_results(results):
    assert scan_results_for_respondent_rows(results, IDS, ["health_priority"]) == []


def test_scan_finds_an_id_in_a_csv(results):
    (results / "synthetic-test" / "tables" / "t.csv").write_text("x,y\nSYN-002,1\n", encoding="utf-8")
    problems = scan_results_for_respondent_rows(results, IDS)
    assert [p.kind for p in problems] == ["respondent id"] and problems[0].path.endswith("t.csv")


def test_scan_finds_an_id_in_a_workbook(results):
    wb = Workbook()
    wb.active.append(["Gemeente", "ja"])
    wb.active.append(["note: SYN-003", 1])
    wb.save(results / "synthetic-test" / "tables" / "tables.xlsx")
    problems = scan_results_for_respondent_rows(results, IDS)
    assert any(p.kind == "respondent id" and "tables.xlsx" in p.path for p in problems)


def test_scan_finds_row_level_exports(results, book):
    items = [it.id for it in book.block("priorities")]
    rows = pd.DataFrame({it: ["ja"] * 3 for it in items})
    rows.to_csv(results / "synthetic-test" / "dump.csv", index=False)  # no ids, one row per respondent
    pd.DataFrame({"Respondent_ID": [1, 2, 3]}).to_csv(results / "synthetic-test" / "ids.csv", index=False)
    rows.to_parquet(results / "synthetic-test" / "copy.parquet")
    found = {p.path for p in scan_results_for_respondent_rows(results, IDS, items) if p.kind == "row-level export"}
    assert found == {"synthetic-test/dump.csv", "synthetic-test/ids.csv", "synthetic-test/copy.parquet"}


def test_sector_composition_of_a_municipality_is_not_published(book):
    """Which sectors a municipality's officers work in would let a reader recompute hidden cells
    (review found 254 in the demo wave: the one jeugd officer of a municipality, when the other
    jeugd officers' answers are shown). Public mode hides the sector item by municipality and size
    class; per sector and overall it stays (Tabel VI.1 and every n print it)."""
    munis = sheet(6)
    answers = synthetic_answers(book, munis["municipality_id"].tolist(), 40, "synthetic-test", 7)
    cells = aggregate_cells(typed_responses(answers, book), munis, book, "synthetic-test")
    keep = ["sector"] + [it.id for it in book.items if it.block == "priorities"]
    cells = cells[cells["item"].isin(keep)].reset_index(drop=True)
    prot = protect_cells(cells, K, "public", book=book, municipalities=munis)
    composition = (prot["item"] == "sector") & prot["unit"].isin(["municipality", "size_class"])
    assert composition.sum() > 0
    assert prot.loc[composition, "count"].isna().all() and (prot.loc[composition, "status"] == "×").all()
    assert prot.loc[composition, "base"].notna().all()  # the municipality's n stays
    per_sector = (prot["item"] == "sector") & prot["unit"].isin(["overall", "sector"])
    assert prot.loc[per_sector, "count"].notna().all()
    restricted = protect_cells(cells, K, "restricted", book=book, municipalities=munis)
    assert restricted.loc[composition, "count"].notna().all()


# --- optimal secondary suppression (issue 16) -----------------------------------------------------

import itertools

import numpy as np

from analysis.core.disclosure.optimal import FREE, SENSITIVE, Table, solve_table, widths
from analysis.core.disclosure.rules import PublicationRules
from analysis.core.disclosure.suppression import protect_wave


def grid_table(values, sensitive, width, cost=None) -> Table:
    """A rows x columns table whose row and column totals are published."""
    values = np.asarray(values, dtype=float)
    r, c = values.shape
    rows = [(np.arange(i * c, (i + 1) * c), np.ones(c)) for i in range(r)]
    rows += [(np.arange(j, r * c, c), np.ones(r)) for j in range(c)]
    state = np.full(r * c, FREE)
    need = np.zeros(r * c)
    for i, j in sensitive:
        state[i * c + j], need[i * c + j] = SENSITIVE, width
    cost = np.ones(r * c) if cost is None else np.asarray(cost, dtype=float)
    return Table([(i, j) for i in range(r) for j in range(c)], values.ravel(), np.full(r * c, values.sum()),
                 cost, state, need, rows)


def brute_force(table: Table) -> float:
    """The cheapest safe pattern by trying every set of free cells (tiny tables only)."""
    free = np.flatnonzero(table.state == FREE)
    must = table.state != FREE
    sensitive = np.flatnonzero(table.state == SENSITIVE)
    best = np.inf
    for size in range(len(free) + 1):
        for chosen in itertools.combinations(free, size):
            hidden = must.copy()
            hidden[list(chosen)] = True
            low, high = widths(table, hidden, sensitive)
            if ((high - low)[sensitive] >= table.width[sensitive] - 1e-6).all():
                best = min(best, table.cost[list(chosen)].sum())
    return best


def test_two_by_three_table_hides_exactly_the_right_four_cells():
    # cell (0, 0) = 1 needs width 3. Column 1 cannot give it (a 1 above moves by at most 1);
    # column 2 can: the rectangle (0,0) (0,2) (1,0) (1,2) lets it range over 0 .. 6
    table = grid_table([[1, 1, 7], [6, 8, 9]], [(0, 0)], width=3)
    pattern = solve_table(table)
    hidden = {table.keys[j] for j in np.flatnonzero(pattern.hidden)}
    assert hidden == {(0, 0), (0, 2), (1, 0), (1, 2)}
    low, high = widths(table, pattern.hidden, [0])
    assert (low[0], high[0]) == (0, 7)  # the reader learns nothing tighter than 0 .. 7


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_optimum_equals_brute_force_on_tiny_tables(seed):
    """Suppressing more than necessary is caught: the solver's cost is the brute-force minimum."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 8, size=(3, 3))
    values[0, 0] = 2
    sensitive = [(0, 0)] + ([(2, 1)] if seed % 2 else [])
    values[2, 1] = max(values[2, 1], 1)
    cost = rng.integers(1, 4, size=9)
    table = grid_table(values, sensitive, width=2, cost=cost)
    # needs that no pattern can meet are capped the way the wave-level code caps them
    low, high = widths(table, np.ones(9, dtype=bool), [0, 7])
    for s in np.flatnonzero(table.state == SENSITIVE):
        table.width[s] = min(table.width[s], np.floor(high[s] - low[s] + 1e-6))
    pattern = solve_table(table)
    assert pattern.cost == pytest.approx(brute_force(table))
    assert pattern.lp_bound <= pattern.cost + 1e-6


def wasted_cells_shown(table: Table, hidden: np.ndarray) -> np.ndarray:
    """The pattern with every free hidden cell shown that one of its relations pins (all its other
    cells shown): the reader's intervals are the same, the cost no higher."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for idx, coef in table.rows:
            members = idx[coef != 0]
            for i in members:
                if hidden[i] and table.state[i] == FREE and not hidden[[j for j in members if j != i]].any():
                    hidden[i], changed = False, True
    return hidden


@pytest.mark.parametrize("seed", [11, 16])
def test_strengthening_cuts_hold_for_every_safe_pattern(seed, monkeypatch):
    """The cuts of the strengthened LP are valid: brute force over every pattern of a 3 x 3 table.
    Capacity, row and cover cuts hold for every safe pattern; waste cuts for every safe pattern
    with its wasted cells shown, which is safe and no dearer. So both LP bounds are below the
    brute-force minimum, and the strengthened one is above the plain one (here strictly)."""
    from analysis.core.disclosure import optimal

    rng = np.random.default_rng(seed)
    values = rng.integers(0, 6, size=(3, 3))
    sensitive = [(i // 3, i % 3) for i in rng.choice(9, 2, replace=False)]
    for i, j in sensitive:
        values[i, j] = max(values[i, j], 1)
    table = grid_table(values, sensitive, width=2, cost=rng.integers(1, 4, size=9))
    cells = np.flatnonzero(table.state == SENSITIVE)
    low, high = widths(table, np.ones(9, dtype=bool), cells)
    table.width[cells] = np.minimum(table.width[cells], np.floor(high[cells] - low[cells] + 1e-6))
    cuts, waste = [], []
    add, add_rows = optimal._Master.add, optimal._Master.add_rows
    monkeypatch.setattr(optimal._Master, "add", lambda m, new: (cuts.extend(new), add(m, new))[1])
    monkeypatch.setattr(optimal._Master, "add_rows", lambda m, new: (waste.extend(new), add_rows(m, new))[1])
    pattern = solve_table(table)
    safe = []
    for size in range(8):
        for chosen in itertools.combinations(np.flatnonzero(table.state == FREE), size):
            hidden = table.state != FREE
            hidden[list(chosen)] = True
            low, high = widths(table, hidden, cells)
            if ((high - low)[cells] >= table.width[cells] - 1e-6).all():
                safe.append(hidden)
    assert cuts and waste and safe
    for hidden in safe:
        x = hidden.astype(float)
        for g, rhs in cuts:
            assert np.minimum(g, rhs) @ x >= rhs - 1e-6
        lean = wasted_cells_shown(table, hidden)
        low, high = widths(table, lean, cells)
        assert ((high - low)[cells] >= table.width[cells] - 1e-6).all()
        for g, rhs in waste:
            assert g @ lean.astype(float) >= rhs - 1e-6
    best = brute_force(table)
    assert pattern.cost == pytest.approx(best)
    assert pattern.lp_plain < pattern.lp_bound <= best + 1e-6


def master_rows(h) -> tuple[np.ndarray, np.ndarray]:
    """A HiGHS model's constraint matrix (dense, one line per row) and its row lower bounds."""
    import highspy

    lp = h.getLp()
    a, m, n = lp.a_matrix_, lp.num_row_, lp.num_col_
    dense = np.zeros((m, n))
    start, index, value = np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_)
    for outer in range(len(start) - 1):
        for k in range(start[outer], start[outer + 1]):
            if a.format_ == highspy.MatrixFormat.kRowwise:
                dense[outer, index[k]] = value[k]
            else:
                dense[index[k], outer] = value[k]
    return dense, np.asarray(lp.row_lower_)


def test_the_master_gets_no_cut_that_the_sensitive_cells_meet_by_themselves(monkeypatch):
    """Row 0 and column 0 each hold two sensitive cells: a reader can move those against each
    other, so no cut on them can bind, and the master (which carried 139,277 such cuts on a wave of
    small municipalities) must hold none; the cells alone in a relation (row 1, column 1) still
    get theirs, and the optimum stays the brute-force minimum."""
    from analysis.core.disclosure import optimal

    table = grid_table([[2, 1, 6], [1, 5, 4], [3, 4, 6]], [(0, 0), (0, 1), (1, 0)], width=2, cost=[1, 1, 2, 1, 3, 1, 2, 1, 3])
    sensitive = np.flatnonzero(table.state == SENSITIVE)
    fixed = table.state != FREE
    cuts = optimal._row_cuts(table, sensitive)
    # (0, 1) alone in column 1: the rest of column 1 = cells 4, 7; (1, 0) alone in row 1: cells 4, 5
    assert sorted(tuple(np.flatnonzero(g)) for g, _ in cuts) == [(4, 5), (4, 7)]
    masters = []
    init = optimal._Master.__init__
    monkeypatch.setattr(optimal._Master, "__init__", lambda m, *a, **k: (masters.append(m), init(m, *a, **k))[1])
    pattern = solve_table(table)
    dense, lower = master_rows(masters[0].h)
    assert len(lower) > 0
    met_anyway = np.minimum(dense[:, fixed], lower[:, None]).sum(axis=1) >= lower - 1e-9
    assert not (met_anyway & (dense >= 0).all(axis=1)).any()
    assert pattern.cost == pytest.approx(brute_force(table))


@pytest.mark.parametrize("limits", [{"INTEGER_ROUNDS": 0},
                                    # a large table (every table is, here) out of simplex iterations
                                    {"MAX_EXACT_CELLS": 0, "INTEGER_ITERATIONS": -1}])
def test_a_table_without_integer_rounds_keeps_a_safe_pruned_pattern(monkeypatch, limits):
    """The path of tables whose integer rounds do not converge (here: none allowed, by rounds or
    by simplex iterations): the strengthened LP optimum rounded up, then pruned. It must be safe,
    no free hidden cell can be shown without leaving a sensitive cell too narrow, and it costs no
    less than the optimum."""
    from analysis.core.disclosure import optimal

    for name, value in limits.items():
        monkeypatch.setattr(optimal, name, value)
    # the LP optimum rounded up hides cells of cost 13 here; some of them are not needed
    values = [[1, 4, 2, 4], [1, 0, 4, 0], [0, 4, 4, 5]]
    table = grid_table(values, [(0, 0), (2, 2)], width=2, cost=[2, 1, 1, 1, 1, 3, 3, 2, 3, 2, 3, 2])
    pattern = solve_table(table)
    cells = np.flatnonzero(table.state == SENSITIVE)

    def safe(hidden):
        low, high = widths(table, hidden, cells)
        return ((high - low)[cells] >= table.width[cells] - 1e-6).all()

    assert not pattern.exact and safe(pattern.hidden)
    for i in np.flatnonzero(pattern.hidden & (table.state == FREE)):
        fewer = pattern.hidden.copy()
        fewer[i] = False
        assert not safe(fewer)
    assert pattern.lp_bound <= brute_force(table) + 1e-6 <= pattern.cost + 2e-6


WAVES = [(70, 8, 3), (45, 6, 11), (120, 16, 20091), (30, 4, 5)]


@pytest.mark.parametrize("n, n_munis, seed", WAVES)
def test_no_sensitive_cell_narrower_than_the_protection_width(book, n, n_munis, seed):
    cells, munis = make_cells(book, n, n_munis, seed, plant_small=True)
    rules = PublicationRules(protection_width=3)
    prot, audit, decision = protect_wave(cells, rules, book=book, municipalities=munis)
    assert len(decision.reasons) and len(audit) == len(decision.reasons)
    # independent of the optimiser: the attacker's exact LP intervals on the published cells
    # screening with the width as the need: an interval no wider than the true one unless it is
    # at least that wide already, so a pass is a proof
    from analysis.core.disclosure.attacker import attack, published_values

    values, bounds = published_values(prot)
    need = {count_key(*key): rules.protection_width for key in decision.reasons}
    intervals = attack(values, relations_for(cells, book, munis), bounds, exact=False, need=need).set_index("key")
    for (item, unit, uid, answer), why in decision.reasons.items():
        base = int(cells.loc[(cells["item"] == item) & (cells["unit"] == unit) & (cells["unit_id"] == uid), "base"].iloc[0])
        need = min(rules.protection_width, base)
        key = count_key(item, unit, uid, answer)
        width = intervals.at[key, "width"]
        assert width >= decision.required[(item, unit, uid, answer)] - 1e-6, (key, width)
        # a need below min(w, base) only where hiding the whole table could not give more
        assert decision.required[(item, unit, uid, answer)] >= need or (item, unit, uid, answer) in decision.capped


def test_optimal_method_shows_more_than_escalation(book):
    cells, munis = make_cells(book, 120, 16, seed=20091, plant_small=True)
    optimal = protect_cells(cells, K, "public", book=book, municipalities=munis,
                            rules=PublicationRules(protection_width=1))
    old = protect_cells(cells, K, "public", book=book, municipalities=munis, rules=PublicationRules(method="escalation"))
    small = (cells["base"] >= 1) & (cells["base"] < K) & cells["count"].notna() & (cells["item"] != "sector")
    assert hidden(optimal)[small].all() and hidden(old)[small].all()  # both hide every small cell
    assert hidden(optimal).sum() < hidden(old).sum()


def test_shown_zeros_of_a_lead_item_do_not_fail_the_build(book):
    """A municipality where nobody said ja to a lead item: its follow-ups have base 0, and those
    zeros tell nothing about anyone (issue 16: this raised DisclosureError)."""
    cells, munis = make_cells(book, 40, 4, seed=2)
    lead = (cells["item"] == "collaborates") & (cells["unit"] == "municipality") & (cells["unit_id"] == "1")
    assert lead.any()
    prot, audit, _ = protect_wave(cells, PublicationRules(), book=book, municipalities=munis)
    assert (audit["width"] >= audit["required"] - 1e-6).all()


def test_sensitive_cells_are_never_written(book, tmp_path):
    """Every file the aggregate step writes (cells.csv, the checker's report) and the tables built
    from it: no sensitive count is printed as a number in its cell."""
    from analysis.core.aggregate import read_cells, write_csv
    from analysis.core.disclosure.checkreport import write_checker_report

    cells, munis = make_cells(book, 70, 8, seed=3, plant_small=True)
    rules = PublicationRules()
    prot, audit, decision = protect_wave(cells, rules, book=book, municipalities=munis)
    write_csv(prot, tmp_path / "cells.csv")
    write_checker_report(cells, prot, audit, decision, rules, "synthetic-test", tmp_path / "report.md",
                         tmp_path / "report.csv")
    back = read_cells(tmp_path / "cells.csv")
    keys = list(zip(back["item"], back["unit"], back["unit_id"].astype(str), back["answer"]))
    sensitive = pd.Series([k in decision.reasons for k in keys])
    assert sensitive.any() and back.loc[sensitive.values, ["count", "pct", "pct_rounded"]].isna().all().all()
    report = pd.read_csv(tmp_path / "report.csv", dtype=str, keep_default_na=False)
    assert "count" not in report.columns and "pct" not in report.columns
    assert len(report[report["role"] == "sensitive"]) == len(decision.reasons)
    # every hidden cell says why, in the column an output checker reads (review r16n: the
    # complementary and linked rows had an empty reason)
    assert {"complementary", "linked"} <= set(report["role"]) and (report["reason"] != "").all()
    assert report.loc[report["role"] == "complementary", "reason"].str.startswith("complementary").all()
    assert "Municipality cells shown" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_scan_finds_a_sensitive_cell_in_any_output(tmp_path):
    """The scan of built outputs: a "p% (c)" only a base below k can print, anywhere, and a row of
    a sensitive cell with a value in a cells-like CSV; a shown cell of base 6 is no finding."""
    from analysis.core.disclosure.leakscan import scan_results_for_sensitive_cells

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages/G-1.html").write_text("<td>33% (1)</td><td>50% (3)</td>", encoding="utf-8")
    (tmp_path / "tabel.md").write_text("| G-2 | 50% (3) | 0% (0) | × |", encoding="utf-8")
    (tmp_path / "fig.data.csv").write_text("item,unit,unit_id,answer,count,pct\nx,municipality,G-3,ja,2,50\n"
                                           "x,municipality,G-4,ja,,\n", encoding="utf-8")
    sensitive = {("x", "municipality", "G-3", "ja"), ("x", "municipality", "G-4", "ja")}
    found = scan_results_for_sensitive_cells(tmp_path, sensitive, 5)
    assert sorted((p.path, p.detail.split()[0]) for p in found) == [("fig.data.csv", "x/municipality/G-3/ja"),
                                                                   ("pages/G-1.html", "'33%")]


def test_move_of_a_lead_count_is_carried_on_to_its_follow_up():
    """Two municipalities, a lead item L (ja/nee) with shown bases and a follow-up F (x/y) asked
    of L = ja: moving L's ja from one municipality to the other changes F's bases, so the move
    must carry on to one answer of F. Worked by hand: L ja of A lies in [0, 2] (0: B answers F
    x and y; 2: A does), and the true table (ja 1 in each) reaches both ends in one step each."""
    from analysis.core.disclosure.attacker import (
        Relation,
        _count_within_base,
        _linear_rows,
        _proven_by_moves,
        _sibling_signatures,
        attack,
        base_key,
    )

    units = [("municipality", "A"), ("municipality", "B")]
    truth = {count_key("L", *u, a): 1.0 for u in units for a in ("ja", "nee")}
    truth |= {base_key("L", *u): 2.0 for u in units}
    truth |= {count_key("F", "municipality", "A", "x"): 1.0, count_key("F", "municipality", "A", "y"): 0.0,
              count_key("F", "municipality", "B", "x"): 0.0, count_key("F", "municipality", "B", "y"): 1.0}
    truth |= {base_key("F", *u): 1.0 for u in units}
    answers = {"L": ("ja", "nee"), "F": ("x", "y")}
    for item, codes in answers.items():  # the overall unit: shown
        for a in codes:
            truth[count_key(item, "overall", "all", a)] = sum(truth[count_key(item, *u, a)] for u in units)
        truth[base_key(item, "overall", "all")] = sum(truth[base_key(item, *u)] for u in units)
    relations = []
    for item, codes in answers.items():
        for u in [*units, ("overall", "all")]:
            relations.append(Relation(((base_key(item, *u), 1.0), *((count_key(item, *u, a), -1.0) for a in codes))))
        for a in codes:
            relations.append(Relation(((count_key(item, "overall", "all", a), 1.0),
                                       *((count_key(item, *u, a), -1.0) for u in units))))
        relations.append(Relation(((base_key(item, "overall", "all"), 1.0), *((base_key(item, *u), -1.0) for u in units))))
    for u in [*units, ("overall", "all")]:
        relations.append(Relation(((base_key("F", *u), 1.0), (count_key("L", *u, "ja"), -1.0))))
    shown = {base_key("L", *u) for u in units} | {k for k in truth if k[2] == "overall"}
    values = {k: (v if k in shown else None) for k, v in truth.items()}
    target = count_key("L", "municipality", "A", "ja")

    exact = attack(values, relations, exact=True)
    assert dict(zip(exact["key"], zip(exact["low"], exact["high"])))[target] == pytest.approx((0.0, 2.0))
    keys = sorted(k for k, v in values.items() if v is None)
    rows = _linear_rows(values, relations + _count_within_base(values, keys))
    low, high = np.full(len(keys), np.inf), np.full(len(keys), -np.inf)
    j = keys.index(target)
    proven = _proven_by_moves(keys, rows, {}, {target: 2.0}, truth, _sibling_signatures(relations), [j], low, high)
    assert proven[j] and (low[j], high[j]) == pytest.approx((0.0, 2.0))  # no LP: the moves alone


def test_a_follow_up_skipped_by_some_does_not_pin_its_lead_count(book):
    """Issue 16 (review r18's 3,400 wave): item nonresponse on a follow-up. Two municipalities of
    2 respondents, 1 of each collaborates; in B that one skipped pol_5 (asked if collaborates =
    ja). Shown: the municipalities' bases and the overall row; hidden: every municipality count
    and the follow-up's bases. A reader knows pol_5's base is at most the ja count in each
    municipality, not in which one it is equal (that is the hidden data), so the ja count of A
    can be 0, 1 or 2: width 2 = min(w, base). The attacker that was told 'equal' exactly where it
    was (A) read A's ja as pol_5's base, at most the overall 1: width 1, narrow."""
    rows = []
    for unit, uid, collab, pol in (("municipality", "A", (1, 1), (1, 0)), ("municipality", "B", (1, 1), (0, 0)),
                                   ("overall", "all", (2, 2), (1, 0))):
        shown = unit == "overall"
        for item, counts, base_shown in (("collaborates", collab, True), ("pol_5", pol, shown)):
            base = sum(counts)
            for answer, count in zip(("ja", "nee"), counts):
                rows.append({"item": item, "unit": unit, "unit_id": uid, "answer": answer,
                             "count": count if shown else None, "base": base if (shown or base_shown) else None,
                             "status": "ok" if shown else "< 5", "true_count": count, "true_base": base})
    published = pd.DataFrame(rows)
    full = published.assign(count=published["true_count"], base=published["true_base"], status="ok")
    relations = holding_relations(cell_values(full), cell_relations(full, None, book))
    found = recomputable(published, relations, exact=True)
    interval = dict(zip(found["key"], zip(found["low"], found["high"])))
    assert interval[count_key("collaborates", "municipality", "A", "ja")] == pytest.approx((0.0, 2.0))


def test_a_narrow_first_audit_is_repaired_in_its_tables_not_by_whole_breakdowns(book, monkeypatch, tmp_path):
    """The repair after the audit (issue 16): an optimiser that misses a relation is stood in for
    by one that hides no complementary cell at first. The audit finds narrow cells; their tables
    are solved again with cuts, and then no cell is narrow, no whole breakdown was hidden (the
    item's municipality cells that no cut touched stay shown), and the checker report says which
    repair ran for which item."""
    from analysis.core.disclosure import secondary
    from analysis.core.disclosure.checkreport import write_checker_report

    real = secondary.choose_suppression

    def blind(cells, rules, book=None, municipalities=None, cuts=None):
        decision = real(cells, rules, book, municipalities, cuts=cuts)
        if not cuts:
            decision.hidden = set(decision.reasons)
        return decision

    monkeypatch.setattr(secondary, "choose_suppression", blind)
    cells, munis = make_cells(book, 40, 4, seed=5, plant_small=True)
    rules = PublicationRules()
    prot, audit, decision = protect_wave(cells, rules, book=book, municipalities=munis)
    assert (audit["width"] >= audit["required"] - 1e-6).all()
    assert decision.repairs and {r["repair"] for r in decision.repairs} == {"targeted"}
    repaired = {r["item"] for r in decision.repairs}
    munis_rows = prot["item"].isin(repaired) & prot["unit"].eq("municipality") & cells["count"].notna()
    assert not hidden(prot)[munis_rows].all()  # not the whole breakdown
    write_checker_report(cells, prot, audit, decision, rules, "synthetic-test", tmp_path / "r.md", tmp_path / "r.csv")
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "## Repairs after the attacker's audit" in text and "| 1 | targeted |" in text


def test_a_follow_up_whose_base_is_a_hidden_lead_count_reads_the_same_mark_whatever_that_count(book):
    """Issue 16: the follow-ups of a municipality of 2 whose collaborates counts are hidden must not
    read '< 5' when its ja count is 1 or 2 and '×' when it is 0 — that mark tells the hidden count
    (0, or at least 1: of a base of 1 or 2 it leaves less than the protection width)."""
    cells, munis = make_cells(book, 40, 4, seed=5, plant_small=True)
    prot, _, _ = protect_wave(cells, PublicationRules(), book=book, municipalities=munis)
    follow_up_of_hidden_lead = hidden(prot) & prot["base"].isna() & cells["base"].notna()
    true_base = cells.loc[follow_up_of_hidden_lead, "base"]
    assert (true_base == 0).any() and true_base.between(1, K - 1).any()  # both kinds: '×' and '< 5' before
    assert set(prot.loc[follow_up_of_hidden_lead, "status"].astype(str)) == {"×"}


# --- keep_group: a large municipality keeps its row where a safe pattern allows (issue 16) ------

def one_item_wave(munis: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells of one yes/no item q by municipality, size class and overall (no sectors, no skip
    logic: a table that can be checked by hand), from {id: (size class, ja, nee)}."""
    sheet = pd.DataFrame({"municipality_id": list(munis), "name": list(munis),
                          "size_class": [c for c, _, _ in munis.values()]})
    units = [("municipality", m, ja, nee) for m, (_, ja, nee) in munis.items()]
    for size in dict.fromkeys(c for c, _, _ in munis.values()):
        units.append(("size_class", size, sum(j for c, j, _ in munis.values() if c == size),
                      sum(n for c, _, n in munis.values() if c == size)))
    units.append(("overall", "all", sum(j for _, j, _ in munis.values()), sum(n for _, _, n in munis.values())))
    rows = []
    for unit, uid, ja, nee in units:
        for answer, count in (("ja", ja), ("nee", nee)):
            base = ja + nee
            rows.append({"wave": "synthetic-test", "table": "t", "unit": unit, "unit_id": uid, "item": "q",
                         "answer": answer, "base": base, "count": count, "pct": 100 * count / base,
                         "pct_rounded": round(100 * count / base), "ci_low": np.nan, "ci_high": np.nan,
                         "status": "ok", "asked": base, "answered": base, "no_answer": 0})
    cells = pd.DataFrame(rows)
    for col in ("base", "count", "pct_rounded", "asked", "answered", "no_answer"):
        cells[col] = cells[col].astype("Int64")
    return cells, sheet


# A (11 officers) is the only other G4 city beside B (3, below g = 5). Costs (secondary.py): a
# municipality cell 1 x n/5, a size-class cell 3 x n/5. Without keep_group the cheapest
# protection of B is A's row (2 x 2.2). With it, the G4 total must go, and with it a second
# total (else G4 = overall - G32 - small): 'small' (13 officers, 3 x 2.6 a cell) and, since its
# municipalities then add up to it, the cheapest of them, F (6: 1.2 a cell); G32 with C would
# cost 2 x 12.6 + 2 x 1.2. B's ja (1 of 3) then ranges over 0 .. 3 along the cycle
# B - G4 - small - F: width 3 = min(w, base).
FIELD = {"A": ("G4", 6, 5), "B": ("G4", 1, 2), "C": ("G32", 3, 3), "D": ("G32", 4, 3), "E": ("G32", 5, 3),
         "F": ("small", 3, 3), "H": ("small", 2, 5)}


def keep_group_audit(book, cells, sheet, rules):
    """The attacker's widths on the published cells, independent of the optimiser."""
    from analysis.core.disclosure.attacker import attack, published_values

    prot, _, decision = protect_wave(cells, rules, municipalities=sheet)
    values, bounds = published_values(prot)
    intervals = attack(values, relations_for(cells, None, sheet), bounds, exact=True).set_index("key")
    widths_ = {key: intervals.at[count_key(*key), "width"] for key in decision.reasons}
    return prot, decision, widths_


def hidden_keys(prot) -> set:
    rows = prot[hidden(prot)]
    return set(zip(rows["unit"], rows["unit_id"].astype(str), rows["answer"]))


def test_keep_group_hides_size_class_totals_instead_of_a_large_municipality(book):
    cells, sheet = one_item_wave(FIELD)
    both = [("ja",), ("nee",)]
    prot, decision, widths_ = keep_group_audit(book, cells, sheet, PublicationRules(keep_group=9))
    assert hidden_keys(prot) == {(u, i, *a) for u, i in (("municipality", "B"), ("size_class", "G4"),
                                                         ("size_class", "small"), ("municipality", "F"))
                                 for a in both}
    assert set(decision.reasons) == {("q", "municipality", "B", "ja"), ("q", "municipality", "B", "nee")}
    assert all(w >= 3 - 1e-6 for w in widths_.values()), widths_  # the attacker: B still 0 .. 3
    assert sum(p["kept_hidden"] for p in decision.pieces) == 0


def test_keep_group_off_gives_the_cheapest_pattern(book):
    cells, sheet = one_item_wave(FIELD)
    expected = {("municipality", m, a) for m in ("A", "B") for a in ("ja", "nee")}
    for off in (0, None):
        prot, _, widths_ = keep_group_audit(book, cells, sheet, PublicationRules(keep_group=off))
        assert hidden_keys(prot) == expected
        assert all(w >= 3 - 1e-6 for w in widths_.values())
    assert PublicationRules().keep == 9 and PublicationRules.from_config({"keep_group": None}).keep is None
    with pytest.raises(ValueError, match="keep_group"):
        PublicationRules(keep_group=-1)


def test_keep_group_cannot_keep_a_row_no_safe_pattern_keeps(book):
    """G32's two municipalities are kept too (10 and 12 officers): hiding the G4 and G32 totals
    would still leave G32 = C + D shown, so one kept row must go whatever is hidden. The rule
    then hides as few kept cells as any safe pattern can (2) and, among those patterns, the
    cheapest: A's row again (2 x 2.2, against the totals 2 x 8.4 + 2 x 13.2 and D 2 x 2.0)."""
    cells, sheet = one_item_wave({"A": ("G4", 6, 5), "B": ("G4", 1, 2), "C": ("G32", 7, 5), "D": ("G32", 4, 6)})
    prot, decision, widths_ = keep_group_audit(book, cells, sheet, PublicationRules(keep_group=9))
    assert hidden_keys(prot) == {("municipality", m, a) for m in ("A", "B") for a in ("ja", "nee")}
    assert all(w >= 3 - 1e-6 for w in widths_.values())
    assert sum(p["kept_hidden"] for p in decision.pieces) == 2  # reported, and the cost net of the premium
    assert sum(p["cost"] for p in decision.pieces) == pytest.approx(2 * 11 / 5)


def test_keep_group_looks_for_partners_below_it_beyond_the_largest_units(book):
    """A large table considers as partners only its 12 largest units besides the sensitive ones
    (MAX_PARTNER_UNITS). With 13 kept municipalities of 10 beside B (3) and X (6), those would all
    be kept ones; under keep_group the candidates are the largest units below it first, so X's
    row protects B and no kept row is hidden (review r18's wave: a G32 city of 24 lost its row so)."""
    from analysis.core.disclosure.secondary import MAX_PARTNER_UNITS

    munis = {f"K{i:02d}": ("small", 5 + i % 2, 5 - i % 2) for i in range(13)}
    munis |= {"B": ("small", 1, 2), "X": ("small", 3, 3)}
    assert len(munis) - 1 > MAX_PARTNER_UNITS  # the candidate list is cut
    cells, sheet = one_item_wave(munis)
    prot, _, widths_ = keep_group_audit(book, cells, sheet, PublicationRules(keep_group=9))
    assert hidden_keys(prot) == {("municipality", m, a) for m in ("B", "X") for a in ("ja", "nee")}
    assert all(w >= 3 - 1e-6 for w in widths_.values())


def _tiny_groups_wave(book, municipalities: int):
    from analysis.fixtures.synthetic import small_unanimous_groups

    answers, munis = small_unanimous_groups(book, municipalities)
    cells = aggregate_cells(typed_responses(answers, book), munis, book, "synthetic-test")
    blocks = {"collaboration", "collab_forms", "positive_factors"}
    return cells[cells["item"].isin({it.id for it in book.items if it.block in blocks})].reset_index(drop=True), munis


def test_neighbourhood_lps_prove_small_unanimous_groups_inside_the_readers_interval(book, monkeypatch):
    """The audit's third cheap proof (attacker._proven_by_units: one LP over a unit, its totals and
    a few siblings, the rest fixed at the truth) proves the collaboration counts of unanimous
    3-officer municipalities that rectangles cannot, instead of two LPs of the whole component
    each (quadratic in the municipalities). Its intervals must lie inside the reader's exact ones
    (an LP over every published sum), and be wide enough."""
    from analysis.core.disclosure import attacker

    cells, munis = _tiny_groups_wave(book, 14)
    monkeypatch.setattr(attacker, "LOCAL_LP_ABOVE", 100)  # this small wave takes the large-wave path
    proven = []
    by_units = attacker._proven_by_units

    def spy(keys, rows, upper, need, truth, siblings, targets, low, high):
        left = by_units(keys, rows, upper, need, truth, siblings, targets, low, high)
        proven.extend(keys[j] for j in targets if j not in set(left))
        return left

    monkeypatch.setattr(attacker, "_proven_by_units", spy)
    by_moves = attacker._proven_by_moves

    def no_lead_proofs(keys, rows, upper, need, truth, siblings, targets, low, high):
        # the moves (certify.py) now prove these counts themselves: leave them to the LPs here
        proven_ = by_moves(keys, rows, upper, need, truth, siblings, targets, low, high)
        for j in targets:
            if keys[j][1] == "collaborates":
                proven_[j], low[j], high[j] = False, np.inf, -np.inf
        return proven_

    monkeypatch.setattr(attacker, "_proven_by_moves", no_lead_proofs)
    protected, audit, _ = protect_wave(cells, PublicationRules(keep_group=0), book=book, municipalities=munis)
    assert any(k[1] == "collaborates" for k in proven), "the neighbourhood LPs proved nothing here"
    _assert_inside_the_readers_intervals(cells, book, munis, protected, audit, proven)


def _assert_inside_the_readers_intervals(cells, book, munis, protected, audit, keys):
    """The reader's exact interval of each value (one LP over every published sum) contains the
    audit's, and the audit's is wide enough."""
    from analysis.core.disclosure import attacker
    from analysis.core.disclosure.attacker import published_values

    values, bounds = published_values(protected)
    unknown = sorted(k for k, v in values.items() if v is None)
    relations = relations_for(cells, book, munis)
    rows = attacker._linear_rows(values, relations + attacker._count_within_base(values, unknown))
    reader, at = attacker._component_lp(unknown, rows, bounds), {k: i for i, k in enumerate(unknown)}
    found = {count_key(r.item, r.unit, r.unit_id, r.answer): r for r in audit.itertuples()}
    for key in keys:
        low, high = attacker._range(reader, at[key], len(unknown))
        r = found[key]
        assert low - 1e-6 <= r.low and r.high <= high + 1e-6, key
        assert r.width >= r.required - 1e-6, key


def test_moves_raise_a_follow_up_count_past_its_base_inside_the_readers_interval(monkeypatch):
    """Issue 16 (342 municipalities of ~3): a follow-up count of 0 whose base (the lead item's
    'ja' count) is 1 needs a width of 2, more than rectangles within its item can give. The
    audit's moves raise it together with its base, by a rectangle on the lead count carried on
    down the skip chain (certify.lift_together), without an LP. Hand-checked table: lead L
    (ja/nee) and follow-up F (x/y, asked after ja) in municipalities A, B, C of 3, every
    municipality cell hidden, the overall row and L's bases shown.
        L ja/nee: A 1/2, B 2/1, C 3/0 (6/3);  F x/y: A 1/0, B 1/1, C 1/2 (3/3)
    F y in A can be 0 (as now) and 3 (A: L 3/0, F 0/3; B: L 2/1, F 2/0; C: L 1/2, F 1/0): the
    reader's interval is [0, 3] (an LP over every sum says so too). Rectangles within F stop at
    A's base of 1; the moves must reach 3 with it."""
    from analysis.core.disclosure import attacker
    from analysis.core.disclosure.attacker import Relation, attack, base_key

    L = {"A": (1, 2), "B": (2, 1), "C": (3, 0)}
    F = {"A": (1, 0), "B": (1, 1), "C": (1, 2)}
    truth, values, relations = {}, {}, []
    for m in "ABC":
        truth |= {count_key("L", "municipality", m, "ja"): L[m][0], count_key("L", "municipality", m, "nee"): L[m][1],
                  base_key("L", "municipality", m): 3, count_key("F", "municipality", m, "x"): F[m][0],
                  count_key("F", "municipality", m, "y"): F[m][1], base_key("F", "municipality", m): sum(F[m])}
        for item, answers in (("L", ("ja", "nee")), ("F", ("x", "y"))):
            relations.append(Relation(((base_key(item, "municipality", m), 1.0),)
                                      + tuple((count_key(item, "municipality", m, a), -1.0) for a in answers)))
        relations.append(Relation(((base_key("F", "municipality", m), 1.0), (count_key("L", "municipality", m, "ja"), -1.0)), "<="))
    for item, answers in (("L", ("ja", "nee")), ("F", ("x", "y"))):
        for a in answers:
            total = count_key(item, "overall", "all", a)
            truth[total] = sum(truth[count_key(item, "municipality", m, a)] for m in "ABC")
            relations.append(Relation(((total, 1.0),) + tuple((count_key(item, "municipality", m, a), -1.0) for m in "ABC")))
        total = base_key(item, "overall", "all")
        truth[total] = sum(truth[base_key(item, "municipality", m)] for m in "ABC")
        relations.append(Relation(((total, 1.0),) + tuple((base_key(item, "municipality", m), -1.0) for m in "ABC")))
    shown = lambda k: k[2] == "overall" or (k[0] == "base" and k[1] == "L")  # noqa: E731
    values = {k: (v if shown(k) else None) for k, v in truth.items()}
    target = count_key("F", "municipality", "A", "y")
    proven = []
    by_moves = attacker._proven_by_moves

    def spy(keys, rows, upper, need, truth, siblings, targets, low, high):
        out = by_moves(keys, rows, upper, need, truth, siblings, targets, low, high)
        proven.extend(keys[j] for j in targets if out[j])
        return out

    monkeypatch.setattr(attacker, "_proven_by_moves", spy)
    found = attack(values, relations, exact=False, need={target: 3.0}, truth=truth).set_index("key")
    exact = attack(values, relations, exact=True).set_index("key")
    assert proven == [target]  # by the moves, no LP
    assert (exact.loc[[target], "low"].item(), exact.loc[[target], "high"].item()) == pytest.approx((0.0, 3.0))
    assert (found.loc[[target], "low"].item(), found.loc[[target], "high"].item()) == pytest.approx((0.0, 3.0))


def test_checker_report_lists_the_sector_composition_and_counts_it(book, tmp_path):
    """Review r18c: the municipality x sector counts hidden by rule were in no row of report.csv
    and in no count of report.md, which then overstated the share of municipality cells shown."""
    from analysis.core.disclosure.checkreport import write_checker_report

    munis = sheet(6)
    answers = synthetic_answers(book, munis["municipality_id"].tolist(), 60, "synthetic-test", 4)
    every = aggregate_cells(typed_responses(answers, book), munis, book, "synthetic-test")
    cells = every[every["item"].isin(["sector", "health_priority", "health_work"])].reset_index(drop=True)
    rules = PublicationRules()
    prot, audit, decision = protect_wave(cells, rules, book=book, municipalities=munis)
    write_checker_report(cells, prot, audit, decision, rules, "synthetic-test", tmp_path / "report.md",
                         tmp_path / "report.csv")
    report = pd.read_csv(tmp_path / "report.csv", dtype={"unit_id": str}, keep_default_na=False)
    composition = (cells["item"] == "sector") & (cells["unit"] == "municipality") & cells["count"].notna()
    listed = report[report["role"] == "rule"]
    assert composition.any() and len(listed[listed["unit"] == "municipality"]) == int(composition.sum())
    hidden = prot["status"].map(is_suppressed).astype(bool) & cells["count"].notna()
    # every hidden cell of the wave has its row
    keys = set(zip(report["item"], report["unit"], report["unit_id"], report["answer"]))
    hidden_keys = set(zip(cells.loc[hidden, "item"], cells.loc[hidden, "unit"], cells.loc[hidden, "unit_id"].astype(str),
                          cells.loc[hidden, "answer"]))
    assert hidden_keys <= keys
    # the share counts them: the municipality cells with a base, those shown
    described = (cells["unit"] == "municipality") & cells["count"].notna() & (cells["base"].fillna(0) > 0)
    shown = int((described & ~prot["status"].map(is_suppressed).astype(bool)).sum())
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert f"Municipality cells shown: **{shown} of {int(described.sum())}**" in text


def test_a_unanimous_group_of_unanimous_siblings_is_proven_through_another_group():
    """Review r16n (342 municipalities of 3): the 4 G4 cities each had 3 of 3 'ja'. Their own
    siblings have no 'nee' to trade, and the G4 total is hidden; the only way a reader cannot
    tell A's count is that U (no size class, 0 of 3 'ja') could hold A's 'ja' instead, through
    the hidden G4 total and the shown overall row. The first neighbourhood LP (A, its totals, its
    siblings) cannot see that; the wider one (the overall row's other groups of parts) must, and
    its interval must be the reader's exact one, [0, 3]: before, the whole component's LP was
    left to do it, which took HiGHS over 20 minutes on that wave.
        ja/nee: A 3/0, B 3/0 (G4: 6/0, hidden); U 0/3 (no class); S1 2/1, S2 1/2 (small: 3/3 shown);
        overall 9/6 shown; every municipality's base (3) shown."""
    from collections import defaultdict

    from analysis.core.disclosure import attacker
    from analysis.core.disclosure.attacker import Relation, base_key

    counts = {"A": (3, 0), "B": (3, 0), "U": (0, 3), "S1": (2, 1), "S2": (1, 2)}
    classes = {"G4": ("A", "B"), "small": ("S1", "S2")}
    truth, relations = {}, []
    for m, (ja, nee) in counts.items():
        truth |= {count_key("q", "municipality", m, "ja"): ja, count_key("q", "municipality", m, "nee"): nee,
                  base_key("q", "municipality", m): 3}
        relations.append(Relation(((base_key("q", "municipality", m), 1.0), (count_key("q", "municipality", m, "ja"), -1.0),
                                   (count_key("q", "municipality", m, "nee"), -1.0))))
    for a, pos in (("ja", 0), ("nee", 1)):
        for unit, unit_id, members in (("overall", "all", tuple(counts)), *(("size_class", c, ms) for c, ms in classes.items())):
            total = count_key("q", unit, unit_id, a)
            truth[total] = sum(counts[m][pos] for m in members)
            relations.append(Relation(((total, 1.0),) + tuple((count_key("q", "municipality", m, a), -1.0) for m in members)))
    shown = lambda k: k[0] == "base" or k[2] == "overall" or k[3] == "small"  # noqa: E731
    values = {k: (v if shown(k) else None) for k, v in truth.items()}
    unknown = sorted(k for k, v in values.items() if v is None)
    rows = attacker._linear_rows(values, relations + attacker._count_within_base(values, unknown))
    siblings = attacker._sibling_signatures(relations)
    target = count_key("q", "municipality", "A", "ja")
    members = defaultdict(list)
    for k in unknown:
        if k[0] == "count" and k in siblings:
            members[siblings[k]].append(k)
    assert ("municipality", "U") not in attacker._neighbourhood(target, siblings, members, truth)  # the first LP's area

    j = unknown.index(target)
    low, high = np.full(len(unknown), np.inf), np.full(len(unknown), -np.inf)
    left = attacker._proven_by_units(unknown, rows, {}, {target: 3.0}, truth, siblings, [j], low, high)
    assert left == [] and (low[j], high[j]) == pytest.approx((0.0, 3.0))
    reader = attacker._component_lp(unknown, rows, {})
    assert attacker._range(reader, j, len(unknown)) == pytest.approx((0.0, 3.0))


def test_size_class_totals_hidden_for_keep_group_are_named_so_in_the_checker_report(book, tmp_path):
    """Review r16n #6: the G4 and 'small' totals of FIELD are hidden only because keep_group keeps
    A's row (off, A's row goes and every total is shown: the test above). report.csv gives them
    that reason, and the published note is said exactly when there are such cells."""
    from analysis.core.disclosure.checkreport import (KEEP_GROUP_REASON, hidden_for_keep_group,
                                                      write_checker_report)
    from analysis.core.disclosure.marks import keep_group_note

    cells, sheet = one_item_wave(FIELD)
    for keep, expected in ((9, {("q", "size_class", s, a) for s in ("G4", "small") for a in ("ja", "nee")}), (0, set())):
        rules = PublicationRules(keep_group=keep)
        prot, audit, decision = protect_wave(cells, rules, municipalities=sheet)
        assert decision.kept_totals == expected
        write_checker_report(cells, prot, audit, decision, rules, "synthetic-test", tmp_path / "report.md",
                             tmp_path / "report.csv")
        report = pd.read_csv(tmp_path / "report.csv", dtype=str, keep_default_na=False)
        named = {tuple(r) for r in report.loc[report["reason"] == KEEP_GROUP_REASON,
                                              ["item", "unit", "unit_id", "answer"]].to_numpy()}
        assert named == expected
        assert len(hidden_for_keep_group(tmp_path / "report.csv")) == len(expected)
        note = keep_group_note(len(hidden_for_keep_group(tmp_path / "report.csv")), keep, "en")
        assert ("size-class totals are hidden" in note and "9 or more" in note) if expected else note == ""
    # F (6 officers) is hidden too, but it is a municipality's row, not a total; B's are sensitive
    assert not {k for k in decision.kept_totals if k[1] != "size_class"}

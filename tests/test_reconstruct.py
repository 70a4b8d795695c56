"""The reconstruction's integer program on a small synthetic problem (invented numbers).

3 municipalities, 3 sectors, 2 items (work; target_groups asked only if work = ja). The cells are
counted from a known set of respondents, so a feasible solution exists: every cell must be met.
A planted contradiction must come back as an unmet cell, named, not be hidden.
The last test runs the real reconstruction and compares it with the committed 2009 export.
"""
import filecmp
from pathlib import Path

import pandas as pd
import pytest

from analysis.rivm2010.reconstruct import CELL_COLUMNS, ItemSpec, Problem, prints_as, realize_respondents, recount, run_reconstruction, solve_counts

ROOT = Path(__file__).resolve().parents[1]

# municipality, sector, work, target_groups (None = not asked)
KNOWN = [
    ("1", "a", "ja", "ja"), ("1", "b", "ja", "nee"), ("1", "c", "nee", None),
    ("2", "a", "ja", "ja"), ("2", "b", "nee", None),
    ("3", "a", "nee", None), ("3", "c", "ja", "ja"),
]
ITEMS = (ItemSpec("work", ("ja", "nee")), ItemSpec("target_groups", ("ja", "nee"), ("work", "ja")))


def _pct(count: int, base: int) -> int:
    return (2000 * count + 10 * base) // (20 * base)   # half up, exact


def known_cells(rows=KNOWN) -> pd.DataFrame:
    """Counts, percentages and n's, as a report would print them, from the known respondents."""
    df = pd.DataFrame(rows, columns=["municipality_id", "sector", "work", "target_groups"])
    cells = []

    def add(table, row_type, row_id, unit, unit_id, sel):
        n = len(sel)
        cells.append(dict(table=table, row_type=row_type, row_id=row_id, col_key="n", part="n", target=n,
                          printed=str(n), item="", answer=None, unit=unit, unit_id=unit_id, weight=3, line=""))
        for item, base in (("work", n), ("target_groups", int((sel["work"] == "ja").sum()))):
            c = int((sel[item] == "ja").sum())
            for part, target in (("count", c), ("pct", _pct(c, base) if base else None)):
                if target is not None:
                    cells.append(dict(table=table, row_type=row_type, row_id=row_id, col_key=item, part=part,
                                      target=target, printed=str(target), item=item, answer="ja", unit=unit,
                                      unit_id=unit_id, weight=10 if unit == "total" else 3, line=""))

    for m, sel in df.groupby("municipality_id"):
        add("T.M", "municipality", m, "municipality", m, sel)
    for s, sel in df.groupby("sector"):
        add("T.S", "sector", s, "sector", s, sel)
    add("T.M", "total", "Totaal", "total", "", df)
    return pd.DataFrame(cells, columns=CELL_COLUMNS)


def known_problem(cells: pd.DataFrame) -> Problem:
    df = pd.DataFrame(KNOWN, columns=["municipality_id", "sector", "work", "target_groups"])
    return Problem(
        municipalities=df["municipality_id"].value_counts().sort_index().to_dict(),
        sectors=df["sector"].value_counts().sort_index().to_dict(),
        items=ITEMS, cells=cells,
    )


def test_known_feasible_problem_meets_every_constraint():
    problem = known_problem(known_cells())
    sol = solve_counts(problem, time_limit=20)
    assert sol.solve["status"] == "Optimal"
    assert sol.cells["met"].all(), sol.cells[~sol.cells["met"]]
    resp = realize_respondents(problem, sol)
    # hard structure: sizes, at most one officer per named sector per municipality
    assert resp.groupby("municipality_id").size().to_dict() == problem.municipalities
    assert resp.groupby("sector").size().to_dict() == problem.sectors
    assert resp.groupby(["municipality_id", "sector"]).size().max() == 1
    # skip logic: asked exactly when work == ja
    assert (resp["target_groups"].notna() == (resp["work"] == "ja")).all()
    # recounting the respondents reproduces every published cell
    assert recount(problem, resp)["met"].all()


def test_planted_conflict_is_reported_with_its_cell():
    cells = known_cells()
    # municipality 1 prints 3 of its 3 officers working on health as "50%": a contradiction
    planted = (cells["table"] == "T.M") & (cells["row_id"] == "1") & (cells["col_key"] == "work") & \
        (cells["part"] == "pct")
    cells.loc[planted, "target"] = 50
    problem = known_problem(cells)
    sol = solve_counts(problem, time_limit=20)
    assert sol.solve["status"] == "Optimal"
    unmet = sol.cells[~sol.cells["met"]]
    assert len(unmet) == 1
    assert unmet.iloc[0][["table", "row_id", "col_key", "part"]].tolist() == ["T.M", "1", "work", "pct"]
    # the rest still holds, and the objective counts the one unmet cell (weight 3)
    assert sol.solve["objective"] == pytest.approx(3 * 1000)


def test_percentage_rule_bounds():
    assert prints_as(1, 8, 13, "half_up") and not prints_as(1, 8, 12, "half_up")
    assert prints_as(5, 11, 46, "half_up_via_tenths") and prints_as(5, 11, 45, "half_up")
    assert not prints_as(0, 0, 0, "half_up")


RAW_2009 = ROOT / "data" / "raw" / "rivm2009"
EXPORT_FILES = ["responses.csv", "responses.sav", "municipalities.csv", "interviews.csv",
                "sent_by_sector.csv", "RECONSTRUCTION.md", "cell_basis.csv"]


def test_reconstruction_rebuilds_the_committed_2009_export(tmp_path):
    """`snakemake reconstruct` must give back data/raw/rivm2009 byte for byte: the export is one
    of several optimal solutions, so this also pins the solver version (pyproject.toml)."""
    out = {"csv": tmp_path / "responses.csv", "sav": tmp_path / "responses.sav",
           "municipalities": tmp_path / "municipalities.csv", "interviews": tmp_path / "interviews.csv",
           "sent_by_sector": tmp_path / "sent_by_sector.csv", "notes": tmp_path / "RECONSTRUCTION.md",
           "basis": tmp_path / "cell_basis.csv"}
    result = run_reconstruction(ROOT / "data" / "reference" / "rivm2010", ROOT / "config" / "codebook.yaml",
                                ROOT / "config" / "sectors.yaml", out, time_limit=300)  # as rule reconstruct
    assert result["solve"]["status"] == "Optimal"
    match, mismatch, errors = filecmp.cmpfiles(RAW_2009, tmp_path, EXPORT_FILES, shallow=False)
    assert mismatch == [] and errors == [] and sorted(match) == sorted(EXPORT_FILES)


def test_solvers_do_not_disturb_each_other():
    """HiGHS keeps one thread scheduler per process: the attacker's LPs (disclosure) once made the
    reconstruction's next solve fail with status "Not Set" (highspy 1.16). Both in one process:"""
    from analysis.core.disclosure.attacker import _solve_component

    keys = [("a",), ("b",)]
    bounds = _solve_component(keys, [({("a",): 1.0, ("b",): 1.0}, 3.0, "=")], {("a",): 3, ("b",): 3}, exact=True)
    assert [(low, high) for _, low, high in bounds] == [(0.0, 3.0), (0.0, 3.0)]
    sol = solve_counts(known_problem(known_cells()), time_limit=20, threads=1)
    assert sol.solve["status"] == "Optimal" and sol.cells["met"].all()

"""Benchmark: each step of the pipeline on an invented national wave, beside DuckDB.

Usage (from the project root; DuckDB is the optional extra `bench`: pip install -e ".[bench]"):
    .venv/bin/python benchmarks/bench_scale.py [N ...]        (default: 3400 100000)
    .venv/bin/python benchmarks/bench_scale.py 1000000 --steps validate,aggregate,duckdb,cross_wave

For each N it writes the invented national wave (analysis.fixtures.national: 342 municipalities,
fixed seed, the canonical export format: codebook ids, numeric codes) to a temporary folder and
runs every step in its own Python process, as a Snakemake job would, printing wall seconds, CPU
seconds and the process's peak resident memory (ru_maxrss of that process alone, via wait4):

  direct       (instead of generate + validate, when `validate` is not among the steps) the
               wave straight to responses.parquet
  validate     export + municipality sheet -> responses.parquet (public mode: pseudonyms)
  aggregate    responses.parquet -> every item x answer x unit count, base, %, Wilson (no protection)
  duckdb       the same counts and bases from the same parquet, in DuckDB (one UNPIVOT + GROUPING SETS)
  protect      small-cell protection of those cells, public mode, k = 5
  tables       the report's tables from cells.csv
  figures      every figure from cells.csv (one process, as the rule with threads: 1)
  pages        a feedback page per municipality
  cross_wave   results/waves/ (indicators, differences, GEE, within-wave, report) for this wave and
               an earlier national wave of 3,400 respondents

Steps after `protect` read the protected cells when protection succeeded, else the unprotected
ones (the line says which). Every import a step needs is inside its process, so each figure
includes Python start-up and imports (about 2-3 s), as a job of the workflow does.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ["validate", "aggregate", "duckdb", "protect", "tables", "figures", "pages", "cross_wave"]
WAVE = "synthetic-national"
EARLIER = "synthetic-national-earlier"
DISCLOSURE = {"mode": "public", "min_base": 5, "pseudonym_salt": "bench"}
SEED = 342


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[3400, 100_000])
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--keep", help="folder to keep the files in (default: a temporary one)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a step is stopped (default 300)")
    args = parser.parse_args()
    steps = [s for s in args.steps.split(",") if s]
    print(f"{'N':>9} {'step':<11} {'wall_s':>8} {'cpu_s':>8} {'peak_MB':>8}  note", flush=True)
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
            folder = Path(args.keep or tmp) / f"n{n}"
            folder.mkdir(parents=True, exist_ok=True)
            # without `validate`, the wave goes straight to responses.parquet (no export written)
            _run(folder, "generate" if "validate" in steps else "direct", n, args.timeout)
            for step in steps:
                _run(folder, step, n, args.timeout)


def _run(folder: Path, step: str, n: int, timeout: float) -> None:
    """One step in a fresh process; its own peak memory from wait4 (not the maximum of all children)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    start = time.perf_counter()
    out_path, err_path = folder / f"{step}.out", folder / f"{step}.err"
    with open(out_path, "w") as out_file, open(err_path, "w") as err_file:  # files: a full pipe would block the step
        proc = subprocess.Popen([sys.executable, __file__, "--_step", step, str(folder), str(n)], cwd=ROOT, env=env,
                                stdout=out_file, stderr=err_file, text=True)
    killed = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > timeout and not killed:
            proc.kill()  # this step's own process only
            killed = True
        time.sleep(0.05)
    wall = time.perf_counter() - start
    out, err = out_path.read_text(), err_path.read_text()
    proc.returncode = os.waitstatus_to_exitcode(status)
    note = out.strip().splitlines()[-1] if out.strip() else ""
    if killed:
        note = f"STOPPED after {timeout:.0f} s"
    elif proc.returncode:
        note = "FAILED: " + (err.strip().splitlines() or ["?"])[-1][:160]
    cpu = usage.ru_utime + usage.ru_stime
    print(f"{n:>9} {step:<11} {wall:>8.1f} {cpu:>8.1f} {usage.ru_maxrss / 1024:>8.0f}  {note}", flush=True)


# --- the steps (each runs in its own process) ------------------------------------------------------


def _book():
    from analysis.core.codebook import load_codebook

    return load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml")


def step_generate(folder: Path, n: int) -> str:
    from analysis.fixtures.national import write_national_wave

    book = _book()
    write_national_wave(book, folder / "raw", n, WAVE, SEED)
    write_national_wave(book, folder / "raw_earlier", 3400, EARLIER, SEED + 1)
    return f"{n} respondents in 342 municipalities (+ an earlier wave of 3400)"


def step_direct(folder: Path, n: int) -> str:
    """responses.parquet and the sheet straight from the generator: for runs without `validate`."""
    from analysis.core.responses import typed_responses
    from analysis.fixtures.national import national_wave

    book = _book()
    for wave, prefix, size, seed in ((WAVE, "", n, SEED), (EARLIER, "earlier_", 3400, SEED + 1)):
        answers, sheet = national_wave(book, size, wave, seed, codes=False)
        typed_responses(answers, book.for_wave(wave)).to_parquet(folder / f"{prefix}responses.parquet", index=False)
        sheet.to_csv(folder / f"{prefix}municipalities.csv", index=False, lineterminator="\n")
    return f"{n} respondents straight to responses.parquet (not validated; real ids, not pseudonyms)"


def step_validate(folder: Path, n: int) -> str:
    from analysis.core.validate import run_validation

    book = _book()
    for wave, raw, out in ((WAVE, "raw", ""), (EARLIER, "raw_earlier", "earlier_")):
        ok, message = run_validation(wave, str(folder / raw / "responses.csv"), str(folder / raw / "municipalities.csv"),
                                     book, None, folder / f"{out}validation", folder / f"{out}responses.parquet",
                                     folder / f"{out}municipalities.csv", disclosure=DISCLOSURE)
        if not ok:
            raise SystemExit(message)
        if wave == WAVE:
            first = message
    return first + " (the earlier wave's 3400 included in the time)"


def step_aggregate(folder: Path, n: int) -> str:
    import pandas as pd

    from analysis.core.aggregate import aggregate_cells, write_csv

    book = _book()
    cells = aggregate_cells(pd.read_parquet(folder / "responses.parquet"),
                            pd.read_csv(folder / "municipalities.csv", dtype=str, keep_default_na=False), book, WAVE)
    write_csv(cells, folder / "cells_unprotected.csv")
    return f"{len(cells)} cells, {int((cells['count'].fillna(0) > 0).sum())} non-zero"


def step_duckdb(folder: Path, n: int) -> str:
    """The same counts and bases as `aggregate`, from the same parquet: DuckDB's floor."""
    import duckdb
    import pandas as pd

    from analysis.core.aggregate import counted_items

    book = _book()
    con = duckdb.connect()
    con.execute("SET threads = 2")
    sectors = pd.DataFrame([(s.id, s.domain, s.social_class) for s in book.sectors], columns=["sector_id", "domain", "class"])
    munis = pd.read_csv(folder / "municipalities.csv", dtype=str, keep_default_na=False)[["municipality_id", "size_class"]]
    con.register("sectors", sectors)
    con.register("munis", munis)
    parquet = str(folder / "responses.parquet")
    present = set(con.execute(f"SELECT * FROM read_parquet('{parquet}') LIMIT 0").df().columns)
    items = [it.id for it in counted_items(book) if it.id in present]
    cast = ", ".join(f'CAST("{i}" AS VARCHAR) AS "{i}"' for i in items)
    start = time.perf_counter()
    cells = con.execute(f"""
        WITH r AS (
            SELECT CAST(p.sector AS VARCHAR) AS u_sector, s.domain AS u_domain, s.class AS u_class,
                   CAST(p.municipality_id AS VARCHAR) AS u_municipality, m.size_class AS u_size_class, {cast}
            FROM read_parquet('{parquet}') p
            LEFT JOIN sectors s ON CAST(p.sector AS VARCHAR) = s.sector_id
            LEFT JOIN munis m ON CAST(p.municipality_id AS VARCHAR) = m.municipality_id),
        long AS (UNPIVOT r ON {", ".join(f'"{i}"' for i in items)} INTO NAME item VALUE answer),
        counted AS (
            SELECT u_sector, u_domain, u_class, u_municipality, u_size_class, item, answer, count(*) AS count,
                   GROUPING(u_sector, u_domain, u_class, u_municipality, u_size_class) AS unit_set
            FROM long
            GROUP BY GROUPING SETS ((item, answer), (u_sector, item, answer), (u_domain, item, answer),
                                    (u_class, item, answer), (u_municipality, item, answer), (u_size_class, item, answer)))
        SELECT *, sum(count) OVER (PARTITION BY unit_set, u_sector, u_domain, u_class, u_municipality, u_size_class, item) AS base
        FROM counted""").df()
    query = time.perf_counter() - start
    size_ok = cells["u_size_class"].isin(["G4", "G32", "small"]) | (cells["unit_set"] != 30)
    cells = cells[size_ok]  # size class "unknown" is no unit (aggregate.unit_membership)
    if not (folder / "cells_unprotected.csv").exists():
        return f"query {query:.1f} s; {len(cells)} non-zero cells (step aggregate not run: not compared)"
    # the same numbers as the pipeline's cells (its non-zero counts; DuckDB has no rows for zeros)
    ours = pd.read_csv(folder / "cells_unprotected.csv", dtype={"unit_id": str}, keep_default_na=False, na_values=[""])
    ours = ours[ours["count"].fillna(0) > 0]
    same = (len(ours) == len(cells) and int(ours["count"].sum()) == int(cells["count"].sum())
            and int(ours["base"].sum()) == int(cells["base"].sum()))
    return f"query {query:.1f} s; {len(cells)} non-zero cells; same counts and bases as aggregate: {same}"


def step_protect(folder: Path, n: int) -> str:
    import pandas as pd

    from analysis.core.aggregate import read_cells, write_csv
    from analysis.core.disclosure.suppression import protect_cells

    cells = read_cells(folder / "cells_unprotected.csv")
    municipalities = pd.read_csv(folder / "municipalities.csv", dtype=str, keep_default_na=False)
    try:
        protected = protect_cells(cells, DISCLOSURE["min_base"], DISCLOSURE["mode"], book=_book(), municipalities=municipalities)
    except Exception as err:  # noqa: BLE001 - the benchmark reports it and goes on unprotected
        return f"public protection failed ({type(err).__name__}: {str(err)[:100]}); later steps use the unprotected cells"
    write_csv(protected, folder / "cells.csv")
    return f"{int(protected['status'].astype(str).str.startswith('<').sum())} cells below k"


def _cells(folder: Path) -> tuple[Path, str]:
    protected = folder / "cells.csv"
    return (protected, "protected cells") if protected.exists() else (folder / "cells_unprotected.csv", "UNPROTECTED cells")


def _hours(folder: Path):
    import pandas as pd

    from analysis.core.aggregate import hours_by_sector

    return hours_by_sector(pd.read_parquet(folder / "responses.parquet"), _book(), WAVE)


def step_tables(folder: Path, n: int) -> str:
    from analysis.publication.tables import run_tables

    cells, which = _cells(folder)
    run_tables(str(cells), str(folder / "municipalities.csv"), str(ROOT / "config/codebook.yaml"),
               str(ROOT / "config/sectors.yaml"), None, None, "nl", "", str(folder / "tables"),
               str(folder / "tables" / "tables.xlsx"), DISCLOSURE)
    return which


def step_figures(folder: Path, n: int) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd
    from PIL import Image

    from analysis.publication.figures import build_figures, save_figure

    cells, which = _cells(folder)
    frame = pd.read_csv(cells, dtype={"wave": str, "unit_id": str, "item": str, "answer": str}, keep_default_na=False, na_values=[""])
    municipalities = pd.read_csv(folder / "municipalities.csv", dtype=str, keep_default_na=False)
    # as write_figures with one worker, timing each figure (CPU s: build + save) on its own
    paths, seconds = [], {}
    start = time.process_time()
    for spec, fig, data in build_figures(frame, municipalities, _book(), "nl", None, 2, None):
        paths += save_figure(fig, data, folder / "figures" / spec.stem)
        seconds[spec.number], start = time.process_time() - start, time.process_time()
    tallest = max(Image.open(p).size[1] for p in paths if p.suffix == ".png")
    slowest = max(seconds, key=seconds.get)
    return (f"{which}; {sum(p.suffix == '.png' for p in paths)} PNGs, tallest {tallest} px; CPU s per figure: "
            f"slowest {slowest} {seconds[slowest]:.2f}, median {sorted(seconds.values())[len(seconds) // 2]:.2f}")


def step_pages(folder: Path, n: int) -> str:
    from analysis.publication.pages import write_municipality_pages

    cells, which = _cells(folder)
    write_municipality_pages(str(cells), str(folder / "municipalities.csv"), str(ROOT / "config/codebook.yaml"),
                             str(ROOT / "config/sectors.yaml"), "nl", DISCLOSURE, None, str(folder / "pages"))
    return f"{which}; {len(list((folder / 'pages').iterdir()))} files"


def step_cross_wave(folder: Path, n: int) -> str:
    from analysis.core.waves.build import run_chapter, run_cross_wave

    statuses = [{"wave": w, "valid": True, "kind": "synthetic", "description": w, "problems": 0, "report": "",
                 "disclosure": "public"} for w in (EARLIER, WAVE)]
    responses = {EARLIER: str(folder / "earlier_responses.parquet"), WAVE: str(folder / "responses.parquet")}
    municipalities = {EARLIER: str(folder / "earlier_municipalities.csv"), WAVE: str(folder / "municipalities.csv")}
    import yaml

    comparisons = yaml.safe_load((ROOT / "config/config.yaml").read_text()).get("comparisons")
    waves = run_cross_wave(statuses, responses, municipalities, _book(), "nl", str(folder / "waves"), comparisons=comparisons)
    run_chapter(WAVE, statuses, responses, municipalities, _book(), "nl", str(folder / "waves" / "chapter.html"),
                comparisons=comparisons)
    return f"waves {waves}; chapter of {WAVE}"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--_step":
        name, folder, n = sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
        print(globals()[f"step_{name}"](folder, n))
    else:
        main()

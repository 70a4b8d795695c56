"""Benchmark: small-cell protection of one built wave in public mode, and its check by the attacker.

Usage (from the project root, after `snakemake --cores 4` has built the wave):
    .venv/bin/python benchmarks/bench_disclosure.py [wave] [k]      (default: synthetic-demo-2025, 5)

Prints the time `protect_cells` takes (suppression rules plus the attacker's escalation rounds),
how many cells it hides, the time of one more (fast) attacker pass over the result and the number
of small cells that pass still pins down (must be 0), and the process's peak memory.
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import pandas as pd

from analysis.core.aggregate import aggregate_cells
from analysis.core.codebook import load_codebook
from analysis.core.disclosure.attacker import cell_relations, cell_values, exposed_cells, holding_relations, unit_nesting
from analysis.core.disclosure.suppression import protect_cells

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    wave = sys.argv[1] if len(sys.argv) > 1 else "synthetic-demo-2025"
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    book = load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml")
    responses = pd.read_parquet(ROOT / "results" / wave / "responses.parquet")
    municipalities = pd.read_csv(ROOT / "results" / wave / "municipalities.csv", dtype=str, keep_default_na=False)
    cells = aggregate_cells(responses, municipalities, book, wave)

    start = time.perf_counter()
    protected = protect_cells(cells, k, "public", book=book, municipalities=municipalities)
    protect_s = time.perf_counter() - start

    start = time.perf_counter()
    nesting = unit_nesting(book, municipalities)
    relations = holding_relations(cell_values(cells), cell_relations(cells, nesting, book))
    exposed = exposed_cells(protected, relations, nesting)
    attack_s = time.perf_counter() - start

    status = protected["status"].astype(str)
    print(f"wave        {wave} (k = {k}, {len(cells)} cells)")
    print(f"protect_s   {protect_s:.2f}")
    print(f"primary     {(status == f'< {k}').sum()}")
    print(f"secondary   {(status == '×').sum()}")
    print(f"attack_s    {attack_s:.2f}")
    print(f"exposed     {len(exposed)}")
    print(f"peak_mb     {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()

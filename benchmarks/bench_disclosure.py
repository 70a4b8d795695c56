"""Benchmark: small-cell protection in public mode, the optimal method next to the old escalation
rules, on the demo wave and on synthetic waves of 342 municipalities x about 3, 10 and 30 officers.

Usage (from the project root; the demo wave needs results/synthetic-demo-2025/responses.parquet,
i.e. `snakemake --cores 2` has built it):
    .venv/bin/python benchmarks/bench_disclosure.py [case ...]     (default: every case)
    cases: demo, 342x3, 342x10, 342x30; BENCH_METHODS=optimal runs only the new method

Each (case, method) runs in its own process (peak memory is per run) with a time limit. Printed
per run: cells hidden ('< k' primary, '×' complementary), share of municipality cells shown,
seconds of protection (optimiser + attacker audit), peak memory, the weighted cost of the
complementary cells and its LP lower bound (optimal method), and how many sensitive cells the
attacker leaves narrower than their width (must be 0).
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {"demo": None, "342x3": 3, "342x10": 10, "342x30": 30}
METHODS = ("optimal", "escalation")
LIMIT_S = 300


def load_case(case: str):
    import pandas as pd

    from analysis.core.aggregate import aggregate_cells
    from analysis.core.codebook import load_codebook
    from analysis.fixtures.large_wave import large_wave

    book = load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml")
    if CASES[case] is None:
        wave = "synthetic-demo-2025"
        responses = pd.read_parquet(ROOT / "results" / wave / "responses.parquet")
        municipalities = pd.read_csv(ROOT / "results" / wave / "municipalities.csv", dtype=str, keep_default_na=False)
    else:
        wave = f"synthetic-large-{case}"
        responses, municipalities = large_wave(book, 342, CASES[case], seed=342, wave=wave)
    return book, municipalities, aggregate_cells(responses, municipalities, book, wave)


def run_one(case: str, method: str) -> dict:
    """Protect one case with one method (in this process) and measure it."""
    from analysis.core.disclosure.checkreport import municipality_share
    from analysis.core.disclosure.rules import PublicationRules
    from analysis.core.disclosure.suppression import protect_cells, protect_wave

    book, municipalities, cells = load_case(case)
    rules = PublicationRules(method=method)
    start, cpu = time.perf_counter(), time.process_time()
    result = {"case": case, "method": method, "cells": len(cells)}
    if method == "optimal":
        protected, audit, decision = protect_wave(cells, rules, book=book, municipalities=municipalities)
        import pandas as pd

        pieces = pd.DataFrame(decision.pieces)
        result.update(cost=float(pieces["cost"].sum()), lp_bound=float(pieces["lp_bound"].sum()),
                      exact_tables=int(pieces["exact"].sum()), tables=len(pieces),
                      narrow=int((audit["width"] < audit["required"] - 1e-6).sum()), capped=len(decision.capped))
    else:
        protected = protect_cells(cells, rules.min_base, "public", book=book, municipalities=municipalities, rules=rules)
    result["seconds"] = round(time.perf_counter() - start, 1)
    result["cpu_s"] = round(time.process_time() - cpu, 1)
    status = protected["status"].astype(str)
    result["primary"] = int(status.str.startswith("< ").sum())
    result["complementary"] = int((status == "×").sum())
    shown, total = municipality_share(cells, protected, rules.min_base)
    result.update(muni_shown=shown, muni_cells=total)
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(run_one(sys.argv[2], sys.argv[3])))
        return
    cases = sys.argv[1:] or list(CASES)
    print(f"{'case':8} {'method':10} {'primary':>7} {'compl':>6} {'muni shown':>15} {'seconds':>7} {'peak MB':>7} "
          f"{'cost':>6} {'LP bound':>8} {'exact':>7} {'narrow':>6}")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for case in cases:
        for method in os.environ.get("BENCH_METHODS", ",".join(METHODS)).split(","):
            try:
                out = subprocess.run([sys.executable, __file__, "--one", case, method], capture_output=True, text=True,
                                     timeout=LIMIT_S, env=env)
                r = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else None
                note = "" if r else (out.stderr.strip().splitlines() or ["failed"])[-1][:80]
            except subprocess.TimeoutExpired:
                r, note = None, f"not done after {LIMIT_S} s"
            if r is None:
                print(f"{case:8} {method:10} {note}")
                continue
            share = f"{r['muni_shown']}/{r['muni_cells']} {r['muni_shown'] / max(r['muni_cells'], 1):.0%}"
            extra = (f"{r['cost']:>6.0f} {r['lp_bound']:>8.1f} {r['exact_tables']:>3}/{r['tables']:<3} {r['narrow']:>6}"
                     if method == "optimal" else "")
            print(f"{case:8} {method:10} {r['primary']:>7} {r['complementary']:>6} {share:>15} {r['seconds']:>7} "
                  f"{r['peak_mb']:>7} {extra}", flush=True)


if __name__ == "__main__":
    main()

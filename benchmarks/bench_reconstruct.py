"""Benchmark: the reconstruction of the 2009 wave (`snakemake reconstruct`), twice.

Usage (from the project root):
    .venv/bin/python benchmarks/bench_reconstruct.py [runs] [time_limit]     (default: 2, 300 as rule reconstruct)

Each run solves both integer programs as rule `reconstruct` does (1 thread) into a temporary folder
and prints its wall time, CPU time, each solver stage's status, objective, bound and gap, the number
of unmet published numbers and violated statements, and the by-sector cells at 0% or 100%. Then it says whether the runs' files are
byte-identical to each other and to the committed export in data/raw/rivm2009.
"""
from __future__ import annotations

import filecmp
import resource
import sys
import tempfile
import time
from pathlib import Path

from analysis.rivm2010.reconstruct import run_reconstruction

ROOT = Path(__file__).resolve().parents[1]
FILES = {"csv": "responses.csv", "sav": "responses.sav", "municipalities": "municipalities.csv",
         "interviews": "interviews.csv", "sent_by_sector": "sent_by_sector.csv", "notes": "RECONSTRUCTION.md",
         "basis": "cell_basis.csv"}


def cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    time_limit = float(sys.argv[2]) if len(sys.argv) > 2 else 300.0
    folders = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            out_dir = Path(tmp) / f"run{i + 1}"
            out_dir.mkdir()
            wall, cpu = time.perf_counter(), cpu_s()
            result = run_reconstruction(ROOT / "data/reference/rivm2010", ROOT / "config/codebook.yaml",
                                        ROOT / "config/sectors.yaml", {k: out_dir / v for k, v in FILES.items()},
                                        time_limit=time_limit)
            wall, cpu = time.perf_counter() - wall, cpu_s() - cpu
            s, st = result["solve"], result["statements"]
            violated = int((~st["holds"] & (st["tables_decide"] == "no")).sum()) if st is not None else "-"
            print(f"run {i + 1}: wall_s {wall:.1f}  cpu_s {cpu:.1f}  status {s['status']}  objective {s['objective']:.0f}"
                  f"  bound {s['bound']:.0f}  gap {s['gap']:.4f}  unmet {len(result['unmet'])}  "
                  f"statements violated {violated}")
            a = result["allocation"]
            print(f"       count program {s['seconds']:.1f} s wall; statements stage {a['stage1']['status']} "
                  f"(violations {a['stage1']['objective']:.0f}, {a['stage1']['seconds']:.1f} s); least-informative stage "
                  f"{a['stage2']['status']} (distance {a['stage2']['objective']:.2f}, bound {a['stage2']['bound']:.2f}, "
                  f"{a['stage2']['seconds']:.1f} s); by-sector cells at 0%/100%: {len(result['extreme'])}")
            print("       stage 2 by block (s wall): " + ", ".join(f"{b['block']} {b['seconds']:.1f}"
                                                              for b in a["stage2"].get("per_block", [])))
            folders.append(out_dir)
        names = list(FILES.values())
        for i in range(1, len(folders)):
            _, bad, err = filecmp.cmpfiles(folders[0], folders[i], names, shallow=False)
            print(f"run 1 vs run {i + 1}: {'byte-identical' if not bad and not err else 'DIFFERENT: ' + ', '.join(bad + err)}")
        _, bad, err = filecmp.cmpfiles(folders[0], ROOT / "data/raw/rivm2009", names, shallow=False)
        print(f"run 1 vs data/raw/rivm2009: {'byte-identical' if not bad and not err else 'DIFFERENT: ' + ', '.join(bad + err)}")


if __name__ == "__main__":
    main()

"""Benchmark: a full build of one wave vs. the cost of importing the stack, and a no-op rerun.

Usage (from the project root, with the virtual environment's Python):
    .venv/bin/python benchmarks/bench_build.py [wave]        (default: the first configured wave)

Prints, for a temporary copy of the project with an empty results/:
  import_s   one Python process importing pandas, seaborn, statsmodels and pandera (median of 5;
             the range of the 5 is printed too: it varies by a few tenths from run to run)
  build_s    `snakemake --cores 4` building every output of the wave (audit included)
  cpu_s      CPU time (user + system) of that build: Snakemake and every job it started
  floor_s    cpu_s / the machine's cores: no schedule of this much work finishes sooner
  noop_s     the same command again, with nothing to do
  ratio      build_s / import_s  (issue 4 target: at most 3)
and then every job of the build: when it started and ended (seconds after the first job started),
from Snakemake's own records in .snakemake/metadata.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
IMPORTS = "import pandas, seaborn, statsmodels.api, pandera.pandas"


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return elapsed


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def job_timeline(project: Path) -> list[tuple[str, float, float]]:
    """(rule, start, end) of every job (one per rule in a one-wave build), from the metadata
    Snakemake keeps per output file; outputs of one job differ in their times by milliseconds."""
    spans: dict[str, tuple[float, float]] = {}
    for path in (project / ".snakemake" / "metadata").iterdir():
        record = json.loads(path.read_text())
        if record.get("starttime") is None:
            continue
        start, end = spans.get(record["rule"], (record["starttime"], record["endtime"]))
        spans[record["rule"]] = (min(start, record["starttime"]), max(end, record["endtime"]))
    return sorted(((rule, *span) for rule, span in spans.items()), key=lambda job: job[1])


def project_copy(wave: str | None) -> tuple[Path, str]:
    dst = Path(tempfile.mkdtemp(prefix="bench-")) / "project"
    dst.mkdir()
    for part in ("Snakefile", "workflow", "config", "src", "data", ".git"):
        src = ROOT / part
        if src.exists():
            (shutil.copytree if src.is_dir() else shutil.copy)(src, dst / part)
    cfg_path = dst / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    wave = wave or next(iter(cfg["waves"]))
    cfg["waves"] = {wave: cfg["waves"][wave]}
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return dst, wave


def main() -> None:
    project, wave = project_copy(sys.argv[1] if len(sys.argv) > 1 else None)
    imports = sorted(timed([sys.executable, "-c", IMPORTS], project) for _ in range(5))
    import_s = statistics.median(imports)
    cpu_before = children_cpu()
    build_s = timed([SNAKEMAKE, "--cores", "4"], project)
    cpu_s = children_cpu() - cpu_before
    noop_s = timed([SNAKEMAKE, "--cores", "4"], project)
    cores = os.cpu_count() or 1
    print(f"wave      {wave}")
    print(f"import_s  {import_s:.2f}  (range {imports[0]:.2f}-{imports[-1]:.2f})")
    print(f"build_s   {build_s:.2f}")
    print(f"cpu_s     {cpu_s:.2f}")
    print(f"floor_s   {cpu_s / cores:.2f}  ({cores} cores)")
    print(f"noop_s    {noop_s:.2f}")
    print(f"ratio     {build_s / import_s:.2f}  (target <= 3)")
    timeline = job_timeline(project)
    first = timeline[0][1] if timeline else 0.0
    print("\njob                     start    end  seconds")
    for rule, start, end in timeline:
        print(f"{rule:22s} {start - first:6.2f} {end - first:6.2f}  {end - start:6.2f}")
    shutil.rmtree(project.parent, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark: a full build of one wave vs. the cost of importing the stack, and a no-op rerun.

Usage (from the project root, with the virtual environment's Python):
    .venv/bin/python benchmarks/bench_build.py [wave]        (default: the first configured wave)

Prints, for a temporary copy of the project with an empty results/:
  import_s   one Python process importing pandas, seaborn, statsmodels and pandera (median of 3)
  build_s    `snakemake --cores 4` building every output of the wave (audit included)
  noop_s     the same command again, with nothing to do
  ratio      build_s / import_s  (issue 4 target: at most 3)
"""
from __future__ import annotations

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
    import_s = statistics.median(timed([sys.executable, "-c", IMPORTS], project) for _ in range(3))
    build_s = timed([SNAKEMAKE, "--cores", "4"], project)
    noop_s = timed([SNAKEMAKE, "--cores", "4"], project)
    print(f"wave      {wave}")
    print(f"import_s  {import_s:.2f}")
    print(f"build_s   {build_s:.2f}")
    print(f"noop_s    {noop_s:.2f}")
    print(f"ratio     {build_s / import_s:.2f}  (target <= 3)")
    shutil.rmtree(project.parent, ignore_errors=True)


if __name__ == "__main__":
    main()

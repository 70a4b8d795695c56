"""Benchmark: a full build vs. the cost of importing the stack, and a no-op rerun.

Usage (from the project root, with the virtual environment's Python):
    .venv/bin/python benchmarks/bench_build.py [wave]        (default: the first configured wave)
    .venv/bin/python benchmarks/bench_build.py --all         (every configured wave: the default build)
    .venv/bin/python benchmarks/bench_build.py rivm2009 --peer ../other-checkout
                                      (the same build of another checkout, in the same run, side by side)
    --keep DIR                        keep each built copy there (to compare the builds' results/)
    --floor                           also replay the build's jobs in one process (one_process_cpu_s)

Prints, for a temporary copy of the project with an empty results/ (and of each peer):
  import_s   one Python process importing pandas, seaborn, statsmodels and pandera (median of 5;
             the range of the 5 is printed too: it varies by a few tenths from run to run)
  build_s    `snakemake --cores 4` building every output of the wave (audit included), or with
             --all what `snakemake --cores 4` builds of the configured waves
  cpu_s      CPU time (user + system) of that build: Snakemake and every job it started
  floor_s    cpu_s / the machine's cores: no schedule of this much work finishes sooner
  noop_s     the same command again, with nothing to do
  ratio      build_s / import_s  (targets of issue 18: one wave at most 3, --all at most 5)
  one_process_cpu_s
             the same jobs' scripts (kept by Snakemake's --skip-script-cleanup) run again one after
             the other in ONE Python process, in the order the build started them: the work of
             the build without Snakemake and without a process (start-up, imports) per job;
             / cores is the wall time no build of this work can beat, however its jobs are cut
and then every job of the build: when it started and ended (seconds after the first job started),
from Snakemake's own records in .snakemake/metadata, and the CPU seconds of its Python process
(with the processes it forked), recorded by a sitecustomize module put on the jobs' PYTHONPATH.
Each copy runs with its own src/ first on PYTHONPATH.
"""
from __future__ import annotations

import argparse
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

# Appends "<rule> <wave> <cpu s>" of every Python process that runs a Snakemake script, at its exit.
JOB_CPU_HOOK = '''
import atexit, os, resource, sys
def _record():
    job = getattr(sys.modules.get("__main__"), "snakemake", None)
    if job is None:
        return
    own, forked = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + forked.ru_utime + forked.ru_stime
    with open(os.environ["BENCH_JOB_CPU"], "a") as f:
        f.write(f"{job.rule}\\t{job.wildcards.get('wave', '')}\\t{cpu:.2f}\\n")
atexit.register(_record)
'''


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return elapsed


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def job_timeline(project: Path) -> list[tuple[str, str, float, float]]:
    """(rule, wave, start, end) of every job, from the metadata Snakemake keeps per output file;
    outputs of one job differ in their times by milliseconds. A job is told apart by its rule and
    the wave in its outputs' paths (results/<wave>/...)."""
    waves = set(yaml.safe_load((project / "config/config.yaml").read_text())["waves"])
    spans: dict[tuple[str, str], tuple[float, float]] = {}
    for path in (project / ".snakemake" / "metadata").iterdir():
        record = json.loads(path.read_text())
        if record.get("starttime") is None:
            continue
        output = _output_name(path.name)
        wave = next((w for w in waves if f"/{w}/" in f"/{output}" or output.endswith((f"/{w}.json", f"chapter_{w}.html"))), "")
        key = (record["rule"], wave)
        start, end = spans.get(key, (record["starttime"], record["endtime"]))
        spans[key] = (min(start, record["starttime"]), max(end, record["endtime"]))
    return sorted(((rule, wave, *span) for (rule, wave), span in spans.items()), key=lambda job: job[2])


def _output_name(name: str) -> str:
    """Snakemake names a metadata file by the urlsafe base64 of the output's path."""
    import base64
    try:
        return base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
    except ValueError:
        return name


# Runs every kept job script in one process, in the order the build started them (a script is
# written when its job starts), and prints as JSON each job's CPU seconds and the whole process's
# (with its forked workers). The scripts rewrite their outputs with the same bytes.
REPLAY = '''
import json, resource, runpy, sys
from pathlib import Path

def cpu():
    own, forked = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + forked.ru_utime + forked.ru_stime

jobs = []
for script in sorted(Path(".snakemake/scripts").glob("*.py"), key=lambda p: p.stat().st_mtime_ns):
    before = cpu()
    try:
        job = runpy.run_path(str(script), run_name="__main__")["snakemake"]
    except SystemExit as stop:
        if stop.code:
            raise
        job = None
    jobs.append([job.rule if job else script.name, job.wildcards.get("wave", "") if job else "", cpu() - before])
sys.stderr = sys.__stderr__
print(json.dumps({"jobs": jobs, "cpu": cpu()}))
'''


def one_process_cpu(project: Path, env: dict) -> dict:
    """{"jobs": [rule, wave, CPU s], "cpu": CPU s} of the build's job scripts replayed in one
    Python process (the first job also pays for the imports the others then find loaded)."""
    done = subprocess.run([sys.executable, "-c", REPLAY], cwd=project, capture_output=True, text=True,
                          env={k: v for k, v in env.items() if k != "BENCH_JOB_CPU"})
    if done.returncode != 0:
        sys.exit(f"replay failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def project_copy(root: Path, wave: str | None) -> tuple[Path, str]:
    """A copy of the checkout at `root` with an empty results/ and the wave(s) to build."""
    dst = Path(tempfile.mkdtemp(prefix="bench-")) / "project"
    dst.mkdir()
    for part in ("Snakefile", "workflow", "config", "src", "data", "profiles", ".git"):
        src = root / part
        if src.is_dir():
            shutil.copytree(src, dst / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy(src, dst / part)
    cfg_path = dst / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    if wave == "--all":
        return dst, "all configured waves: " + ", ".join(cfg["waves"])
    wave = wave or next(iter(cfg["waves"]))
    cfg["waves"] = {wave: cfg["waves"][wave]}
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return dst, wave


def measure(root: Path, wave: str | None, keep: Path | None = None, floor: bool = False) -> dict:
    project, label = project_copy(root, wave)
    hook = project.parent / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(JOB_CPU_HOOK)
    job_cpu = project.parent / "job_cpu.tsv"
    env = {**os.environ, "PYTHONPATH": f"{project / 'src'}{os.pathsep}{hook}", "BENCH_JOB_CPU": str(job_cpu)}
    cpu_before = children_cpu()
    # the kept scripts cost a few files: nothing measurable in the build
    build_s = timed([SNAKEMAKE, "--cores", "4", "--skip-script-cleanup"], project, env)
    cpu_s = children_cpu() - cpu_before
    noop_s = timed([SNAKEMAKE, "--cores", "4"], project, env)
    replay = one_process_cpu(project, env) if floor else None
    cpus: dict[tuple[str, str], float] = {}
    for line in job_cpu.read_text().splitlines() if job_cpu.exists() else []:
        rule, job_wave, cpu = line.split("\t")
        cpus[(rule, job_wave)] = cpus.get((rule, job_wave), 0.0) + float(cpu)
    result = {"root": root, "label": label, "build_s": build_s, "cpu_s": cpu_s, "noop_s": noop_s,
              "timeline": job_timeline(project), "job_cpu": cpus, "replay": replay}
    if keep is not None:  # the built copy, e.g. to compare its results/ with another checkout's
        keep.mkdir(parents=True, exist_ok=True)
        kept = keep / f"{len(list(keep.iterdir())) + 1}-{root.name}"
        shutil.move(str(project), kept)
        result["label"] += f"  (kept in {kept})"
    shutil.rmtree(project.parent, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wave", nargs="?", help="the wave to build (default: the first configured one)")
    parser.add_argument("--all", action="store_true", help="build every configured wave (the default build)")
    parser.add_argument("--peer", action="append", default=[], type=Path,
                        help="another checkout to build the same way in the same run (repeatable)")
    parser.add_argument("--keep", type=Path, help="keep each built copy in this folder")
    parser.add_argument("--floor", action="store_true",
                        help="also replay the build's job scripts in one process (one_process_cpu_s)")
    args = parser.parse_args()
    wave = "--all" if args.all else args.wave
    imports = sorted(timed([sys.executable, "-c", IMPORTS], ROOT) for _ in range(5))
    import_s = statistics.median(imports)
    cores = os.cpu_count() or 1
    target = 5 if args.all else 3
    results = [measure(root.resolve(), wave, args.keep, args.floor) for root in [ROOT, *args.peer]]
    print(f"import_s  {import_s:.2f}  (range {imports[0]:.2f}-{imports[-1]:.2f})")
    for r in results:
        print(f"\n== {r['root']}\nwave      {r['label']}")
        print(f"build_s   {r['build_s']:.2f}")
        print(f"cpu_s     {r['cpu_s']:.2f}")
        print(f"floor_s   {r['cpu_s'] / cores:.2f}  ({cores} cores)")
        print(f"noop_s    {r['noop_s']:.2f}")
        print(f"ratio     {r['build_s'] / import_s:.2f}  (target <= {target})")
        if r["replay"] is not None:
            cpu = r["replay"]["cpu"]
            print(f"one_process_cpu_s {cpu:.2f}  ({len(r['replay']['jobs'])} job scripts in one process; / {cores} cores"
                  f" = {cpu / cores:.2f} s, {cpu / cores / import_s:.2f} x import_s)")
            print("  " + ", ".join(f"{rule}{' ' + wave if wave else ''} {job_cpu:.2f}" for rule, wave, job_cpu in r["replay"]["jobs"]))
        timeline = r["timeline"]
        first = timeline[0][2] if timeline else 0.0
        print("\njob                     wave                    start    end  seconds  cpu_s")
        for rule, job_wave, start, end in timeline:
            cpu = r["job_cpu"].get((rule, job_wave))
            print(f"{rule:23s} {job_wave:22s} {start - first:6.2f} {end - first:6.2f}  {end - start:6.2f}"
                  f"  {'' if cpu is None else f'{cpu:5.2f}'}")
        print(f"{'(all jobs)':23s} {'':22s} {'':6s} {'':6s}  {'':6s}  {sum(r['job_cpu'].values()):5.2f}")


if __name__ == "__main__":
    main()

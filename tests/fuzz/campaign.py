"""A long fuzz campaign over the readers and validation (not collected by pytest):

    PYTHONPATH=src python tests/fuzz/campaign.py --n 10000 --out results/fuzz [--seed 13] [--full-every 10]

Every mutant of a valid export (CSV, .xlsx, .sav) or municipality sheet goes through the reader
(`read_export`: no exception but ExportReadError; a CSV read without problems has as many rows
as non-blank lines); every `--full-every`-th one also through the whole of `run_validation`
(pandera's ~180 checks cost ~0.3 s of CPU a file: all 10,000 would take an hour of a free core).
A finding is an exception that escapes, a traceback in the report, or an accepted file with
another number of rows than non-blank lines. Findings are kept in <out>/findings/ with the bytes
that caused them; <out>/summary.json has the counts.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from fuzz import mutations as m  # noqa: E402

from analysis.core.codebook import load_codebook  # noqa: E402

FIXTURE = ROOT / "data/raw/synthetic-fixture"


def mutate(rng: random.Random, data: bytes, text_file: bool) -> tuple[str, bytes]:
    """One to three random damages (text files may also be re-encoded first)."""
    names = []
    if text_file and rng.random() < 0.25:
        encoding = rng.choice(m.ENCODINGS)
        data, names = m.reencode(data, encoding), [f"encode:{encoding}"]
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        kind = rng.choice(["truncate", "flip", "insert", "insert", "delete"])
        at = rng.randrange(len(data) + 1)
        if kind == "truncate":
            data = m.truncate(data, at)
        elif kind == "flip":
            data = m.flip(data, at, rng.randrange(256))
        elif kind == "insert":
            what = rng.choice(m.INSERTS)
            data, kind = m.insert(data, at, what), f"insert:{what!r}"
        else:
            data = m.delete(data, at, rng.randrange(1, 40))
        names.append(kind)
    return "+".join(names), data


def bases(tmp: Path) -> list[dict]:
    """The valid files the mutants start from, with the config they are validated under."""
    import yaml

    xlsx = tmp / "export.xlsx"
    pd.read_csv(FIXTURE / "responses.csv", dtype=str, keep_default_na=False).to_excel(xlsx, index=False)
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text())["waves"]["synthetic-demo-2025"]
    fixture = {"wave": "synthetic-fixture", "column_map": None, "not_asked": ()}
    demo = {"wave": "synthetic-demo-2025", "column_map": cfg["column_map"], "not_asked": cfg["not_asked"]}
    return [
        dict(fixture, name="csv export", role="export", weight=5, text=True,
             clean={"export": FIXTURE / "responses.csv", "sheet": FIXTURE / "municipalities.csv"}),
        dict(fixture, name="csv sheet", role="sheet", weight=3, text=True,
             clean={"export": FIXTURE / "responses.csv", "sheet": FIXTURE / "municipalities.csv"}),
        dict(fixture, name="xlsx export", role="export", weight=1, text=False,
             clean={"export": xlsx, "sheet": FIXTURE / "municipalities.csv"}),
        dict(demo, name="sav export", role="export", weight=1, text=False,
             clean={"export": ROOT / cfg["export"], "sheet": ROOT / cfg["municipalities"]}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", default="results/fuzz")
    parser.add_argument("--full-every", type=int, default=10)
    args = parser.parse_args()
    out = Path(args.out)
    (out / "findings").mkdir(parents=True, exist_ok=True)
    book = load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml")
    rng = random.Random(args.seed)
    counts, rules, findings = Counter(), Counter(), []
    started = time.time()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        choices = bases(tmp)
        for i in range(args.n):
            base = rng.choices(choices, weights=[b["weight"] for b in choices])[0]
            kind, data = mutate(rng, base["clean"][base["role"]].read_bytes(), base["text"])
            case = tmp / f"case{i % 2}"
            case.mkdir(exist_ok=True)
            try:
                verdict = "reader " + m.read(data, base["clean"][base["role"]].suffix, case)
                if i % args.full_every == 0:
                    counts[(base["name"], verdict)] += 1
                    ok, _ = m.judge(data, base["role"], case, book, base["clean"], base["wave"], base["column_map"],
                                    base["not_asked"])
                    verdict = "validation " + ("accepted" if ok else "rejected")
                    counts[("(all)", "validation runs")] += 1
                    if not ok:
                        rules.update(set(pd.read_csv(case / "out/failures.csv", dtype=str)["rule"]))
            except Exception as err:  # noqa: BLE001 - a finding, kept for reproduction
                verdict = "FINDING"
                name = f"{i:05d}{base['clean'][base['role']].suffix}"
                (out / "findings" / name).write_bytes(data)
                findings.append({"case": i, "base": base["name"], "mutation": kind, "file": name,
                                 "error": f"{type(err).__name__}: {err}"[:500],
                                 "traceback": traceback.format_exc()[-1500:]})
            counts[(base["name"], verdict)] += 1
            if (i + 1) % 250 == 0:
                print(f"{i + 1} inputs, {len(findings)} findings, {time.time() - started:.0f} s", flush=True)
                _write(out, args, counts, rules, findings, i + 1, time.time() - started)
    _write(out, args, counts, rules, findings, args.n, time.time() - started)
    print(json.dumps({"inputs": args.n, "findings": len(findings)}))


def _write(out, args, counts, rules, findings, done, seconds):
    summary = {"seed": args.seed, "inputs": done, "seconds": round(seconds),
               "verdicts": {f"{b} / {v}": n for (b, v), n in sorted(counts.items())},
               "rejections_by_rule": dict(rules.most_common()), "findings": findings}
    (out / "summary.json").write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()

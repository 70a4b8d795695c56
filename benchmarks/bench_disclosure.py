"""Benchmark: small-cell protection in public mode, the optimal method next to the old escalation
rules, on the demo wave and on synthetic waves of 342 municipalities x about 3, 10 and 30 officers.

Usage (from the project root; the demo wave needs results/synthetic-demo-2025/responses.parquet,
i.e. `snakemake --cores 2` has built it):
    .venv/bin/python benchmarks/bench_disclosure.py [case ...]     (default: every case)
    cases: demo, field25, 342x3, 342x10, 342x30, tool3400, gem342n3, gem342n10, gem342n30, indep3,
    indep10, indep30;
    BENCH_METHODS=optimal runs only the new method
    (field25: 25 municipalities of 3 to 11 officers, 188 in all, fixtures/large_wave.field_like_wave;
    tool3400: review r18's unevenly sized national wave, 3,400 respondents in 342 municipalities of
    1 to 25, benchmarks/generators/tool_export_national.py, validated as the pipeline would;
    gem342n3/n10/n30: review r18c's LimeSurvey-like national waves, benchmarks/generators/gemeenten_342.py;
    indep3/10/30: review r16n's Qualtrics-like waves of exactly 3, 10, 30 officers per municipality,
    benchmarks/generators/national_independent.py)

Each (case, method) runs in its own process (peak memory is per run) with a time limit. Printed
per run (a Markdown table): seconds of protection (optimiser + attacker audit), wall and CPU (CPU
is what compares on a shared machine), peak memory, cells hidden ('< k' primary, '×'
complementary), share of municipality cells shown, the weighted cost of the complementary cells
against the sum of the tables' LP bounds: the LP optimum of the strengthened model (capacity, row,
cover and waste cuts; optimal.py), the plain LP (capacity and row cuts only) beside it, and the
proven bound (secondary.py / optimal.py; net of the keep_group premium), how many municipalities of
9 or more respondents have their Tabel VIII.2 row shown, how many sensitive cells the attacker
leaves narrower than their width (must be 0), and the size-class and VNG-domain cells shown (the
totals keep_group hides instead of the rows of large municipalities).
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
CASES = {"demo": None, "field25": "field", "342x3": 3, "342x10": 10, "342x30": 30, "tool3400": "tool",
         "gem342n3": "n3", "gem342n10": "n10", "gem342n30": "n30", "indep3": 3, "indep10": 10, "indep30": 30}
METHODS = ("optimal", "escalation")
LIMIT_S = 300


def load_case(case: str):
    import pandas as pd

    from analysis.core.aggregate import aggregate_cells
    from analysis.core.codebook import load_codebook
    from analysis.fixtures.large_wave import field_like_wave, large_wave

    book = load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml")
    if CASES[case] is None:
        wave = "synthetic-demo-2025"
        responses = pd.read_parquet(ROOT / "results" / wave / "responses.parquet")
        municipalities = pd.read_csv(ROOT / "results" / wave / "municipalities.csv", dtype=str, keep_default_na=False)
    elif CASES[case] == "field":
        wave = "synthetic-fieldlike-25"
        responses, municipalities = field_like_wave(book, wave=wave)
    elif CASES[case] == "tool":
        wave = "synthetic-tool-3400"
        book, responses, municipalities = tool_export_wave(wave, 3400)
    elif case.startswith("gem342"):
        wave = f"synthetic-gem342-{CASES[case]}"
        book, responses, municipalities = gemeenten_wave(wave, CASES[case])
    elif case.startswith("indep"):
        wave = f"synthetic-indep-n{CASES[case]}"
        book, responses, municipalities = independent_wave(wave, CASES[case])
    else:
        wave = f"synthetic-large-{case}"
        responses, municipalities = large_wave(book, 342, CASES[case], seed=342, wave=wave)
    return book, municipalities, aggregate_cells(responses, municipalities, book, wave)


def tool_export_wave(wave: str, respondents: int):
    """Review r18's generator's export, validated as the pipeline would (not into results/)."""
    generator = ROOT / "benchmarks/generators/tool_export_national.py"
    return generated_wave(wave, lambda raw: [generator, raw, "--respondents", str(respondents)],
                          lambda raw: [generator, "--config", wave, raw])


def gemeenten_wave(wave: str, case: str):
    """Review r18c's LimeSurvey-like national wave (gemeenten_342.py --case n3|n10|n30: unanimous
    municipalities, item nonresponse), validated as the pipeline would."""
    generator = ROOT / "benchmarks/generators/gemeenten_342.py"
    return generated_wave(wave, lambda raw: [generator, raw, "--case", case],
                          lambda raw: [generator, raw, "--config", "--case", case])


def independent_wave(wave: str, per: int):
    """Review r16n's wave, written without reading the other generators: a Qualtrics-like export
    of 342 municipalities of exactly `per` officers (national_independent.py)."""
    generator = ROOT / "benchmarks/generators/national_independent.py"
    return generated_wave(wave, lambda raw: [generator, raw, "-n", str(per)],
                          lambda raw: [generator, "--config", "-n", str(per), "--wave", wave])


def generated_wave(wave: str, make, describe):
    """(the wave's codebook, responses, municipalities): a generator's export and its config entry
    (paths relative to the project root, as the generators print them, or absolute), validated in
    a temporary directory with the codebook as the wave uses it (its own categories added)."""
    import tempfile

    import pandas as pd
    import yaml

    from analysis.core.codebook import load_codebook
    from analysis.core.validate import run_validation

    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "data/raw" / wave, Path(tmp) / "out"
        subprocess.run([sys.executable, *make(raw)], check=True, capture_output=True)
        entry = yaml.safe_load(subprocess.run([sys.executable, *describe(raw)], check=True, capture_output=True,
                                              text=True, cwd=tmp).stdout)[wave]
        at = Path(tmp)  # relative paths in the entry are relative to the project root
        book = load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml", wave, entry.get("categories"))
        ok, message = run_validation(
            wave=wave, export_path=at / entry["export"], sheet_path=at / entry["municipalities"], book=book,
            column_map=entry["column_map"], not_asked=entry.get("not_asked", []),
            item_nonresponse=entry.get("item_nonresponse", "accept"), municipality_map=entry["municipality_map"],
            disclosure=entry.get("disclosure"), report_dir=out / "validation", responses_out=out / "responses.parquet",
            municipalities_out=out / "municipalities.csv", reading_out=out / "reading.json")
        if not ok:
            raise SystemExit(message)
        return (book, pd.read_parquet(out / "responses.parquet"),
                pd.read_csv(out / "municipalities.csv", dtype=str, keep_default_na=False))


def item_shares(cells, protected, items=("collaborates", "segv_work")) -> dict:
    """Share of an item's municipality cells shown (of those with a count)."""
    from analysis.core.disclosure.marks import is_suppressed

    out = {}
    hidden = protected["status"].map(is_suppressed).astype(bool)
    for item in items:
        rows = cells["item"].eq(item) & cells["unit"].eq("municipality") & cells["count"].notna() & cells["base"].gt(0)
        out[item] = f"{int((rows & ~hidden).sum())}/{int(rows.sum())}"
    return out


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
                      lp_plain=float(pieces["lp_plain"].sum()),
                      bound=float(pieces["bound"].sum()),
                      exact_tables=int(pieces["exact"].sum()), tables=len(pieces),
                      narrow=int((audit["width"] < audit["required"] - 1e-6).sum()), capped=len(decision.capped),
                      repairs=_repairs(decision))
    else:
        protected = protect_cells(cells, rules.min_base, "public", book=book, municipalities=municipalities, rules=rules)
    result["seconds"] = round(time.perf_counter() - start, 1)
    result["cpu_s"] = round(time.process_time() - cpu, 1)
    status = protected["status"].astype(str)
    result["primary"] = int(status.str.startswith("< ").sum())
    result["complementary"] = int((status == "×").sum())
    shown, total = municipality_share(cells, protected, rules.min_base, composition=False)  # comparable with earlier runs
    result.update(muni_shown=shown, muni_cells=total)
    result["totals_shown"] = totals_shown(cells, protected, rules.min_base)
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result.update(viii2_rows(cells, protected, book, rules))
    result["items_shown"] = item_shares(cells, protected)
    return result


def totals_shown(cells, protected, k: int) -> str:
    """Share shown of the size-class and VNG-domain cells: what keep_group pays with."""
    from analysis.core.disclosure.checkreport import unit_summary

    units = unit_summary(cells, protected, k, composition=False).set_index("unit")
    return ", ".join(f"{units.at[u, 'shown']}/{units.at[u, 'cells']}" for u in ("size_class", "domain"))


def viii2_rows(cells, protected, book, rules) -> dict:
    """Municipalities of 9 or more respondents, and how many of them have their Tabel VIII.2 row
    shown: every cell of it ('all'), or every cell that is not itself sensitive ('open')."""
    from analysis.core.disclosure.marks import is_suppressed
    from analysis.core.disclosure.secondary import sensitive_reasons, unit_sizes
    from analysis.publication.tables import column_items

    items = {it.id for it in column_items(book, "VIII.2")}
    sizes = unit_sizes(cells)
    big = sorted(u for (kind, u), n in sizes.items() if kind == "municipality" and n >= 9)
    row = cells["item"].isin(items) & cells["unit"].eq("municipality") & cells["count"].notna()
    hidden = protected["status"].map(is_suppressed).astype(bool)
    sensitive = sensitive_reasons(cells, rules) != ""
    out = {"big_munis": len(big), "viii2_all": 0, "viii2_open": 0}
    for m in big:
        mine = row & cells["unit_id"].astype(str).eq(m)
        out["viii2_all"] += int(mine.any() and not hidden[mine].any())
        out["viii2_open"] += int(mine.any() and not (hidden & ~sensitive)[mine].any())
    return out


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(run_one(sys.argv[2], sys.argv[3])))
        return
    cases = sys.argv[1:] or list(CASES)
    print("| case | method | wall s | CPU s | peak MB | primary | complementary | municipality cells shown | "
          "cost | LP bound (strengthened) | plain LP | proven bound | cost/LP | cost/plain LP | cost/proven | VIII.2 rows (n>=9): all / non-sensitive | narrower than w | "
          "repair | municipality cells shown: collaborates, segv_work | size-class, domain cells shown |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|---|")
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
                print(f"| {case} | {method} | {note} |" + " |" * 17, flush=True)
                continue
            share = f"{r['muni_shown']}/{r['muni_cells']} ({r['muni_shown'] / max(r['muni_cells'], 1):.0%})"
            if method == "optimal":
                extra = (f"{r['cost']:.0f} | {r['lp_bound']:.1f} | {r['lp_plain']:.1f} | {r['bound']:.1f} | "
                         f"{_ratio(r['cost'], r['lp_bound'])} | {_ratio(r['cost'], r['lp_plain'])} | {_ratio(r['cost'], r['bound'])} | {r['viii2_all']}/{r['big_munis']} / {r['viii2_open']}/{r['big_munis']} | "
                         f"{r['narrow']} | {r.get('repairs', '–')}")
            else:
                extra = f"– | – | – | – | – | – | – | {r['viii2_all']}/{r['big_munis']} / {r['viii2_open']}/{r['big_munis']} | – | –"
            extra += " | " + ", ".join(r.get("items_shown", {}).values()) + " | " + r.get("totals_shown", "")
            print(f"| {case} | {method} | {r['seconds']} | {r['cpu_s']} | {r['peak_mb']} | {r['primary']} | "
                  f"{r['complementary']} | {share} | {extra} |", flush=True)


def _repairs(decision) -> str:
    """Which repair ran after the first audit, per item (code before the repair was reported: '?')."""
    repairs = getattr(decision, "repairs", None)
    if repairs is None:
        return "? (not reported)"
    return "; ".join(sorted({f"{r['repair']}: {r['item']}" for r in repairs})) or "none"


def _ratio(cost: float, bound: float) -> str:
    return f"{cost / bound:.2f}" if bound > 0 else "–"


if __name__ == "__main__":
    main()

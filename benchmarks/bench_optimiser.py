"""Benchmark: the optimiser of public-mode protection alone (secondary.choose_suppression, no audit)
on a wave built up to responses.parquet, with the CPU seconds of each item (its log lines).

Usage (from the project root, or any project copy that holds the wave):
    PYTHONPATH=src .venv/bin/python benchmarks/bench_optimiser.py WAVE [PROJECT_ROOT]
e.g. the reviewer's n3 wave (benchmarks/generators/gemeenten_342.py --case n3, built up to
results/<wave>/responses.parquet). Run it twice with PYTHONPATH pointing at the two source trees
to compare; printed: CPU seconds, hidden cells, the weighted cost of the complementary cells.
"""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path


def main(wave: str, root: Path) -> None:
    import pandas as pd
    import yaml

    from analysis.core.aggregate import NONRESPONSE_CELL_COLUMNS, aggregate_cells
    from analysis.core.codebook import load_codebook
    from analysis.core.disclosure.rules import PublicationRules
    from analysis.core.disclosure.secondary import choose_suppression
    from analysis.core.disclosure.settings import disclosure_settings

    cfg = yaml.safe_load((root / "config/config.yaml").read_text())
    settings = cfg["waves"][wave]
    built = root / "results" / wave
    codebook = built / "codebook.yaml" if (built / "codebook.yaml").exists() else root / cfg["codebook"]
    book = load_codebook(codebook, root / cfg["sectors"])
    responses = pd.read_parquet(built / "responses.parquet")
    municipalities = pd.read_csv(built / "municipalities.csv", dtype=str, keep_default_na=False)
    rules = PublicationRules.from_config(disclosure_settings(settings.get("disclosure")))
    cells = aggregate_cells(responses, municipalities, book, wave, settings.get("not_asked", []))
    cells = cells.drop(columns=[c for c in NONRESPONSE_CELL_COLUMNS if c in cells])  # as aggregate.protect
    start = time.process_time()
    decision = choose_suppression(cells, rules, book, municipalities)
    cost = sum(p["cost"] for p in decision.pieces)
    print(f"{wave}: optimiser {time.process_time() - start:.1f} s CPU, {len(decision.hidden)} cells hidden, "
          f"cost {cost:.1f}")


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s")
    main(sys.argv[1], Path(sys.argv[2] if len(sys.argv) > 2 else ".").resolve())

"""Snakemake script of rules wave_status and public_view: thin wrappers around
analysis.core.waves.build (rule waves: cross_wave.py; the chapter of each wave: report.py)."""
import json
import sys
from pathlib import Path

from analysis.core.codebook import load_codebook
from analysis.core.waves.build import run_public_view, wave_status

sm = snakemake  # noqa: F821 (injected by Snakemake)
sys.stderr = open(sm.log[0], "w")
book = load_codebook(sm.input.codebook, sm.input.sectors)


if sm.rule == "wave_status":
    record = wave_status(sm.params.wave, sm.params.cfg, book)
    Path(sm.output[0]).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
elif sm.rule == "public_view":
    run_public_view(sm.input.cells, sm.input.municipalities, book, sm.params.disclosure, sm.output.cells,
                    sm.params.comparisons, sm.output.report_md, sm.output.report_csv)
else:
    raise ValueError(f"workflow/scripts/waves.py does not serve rule {sm.rule}")

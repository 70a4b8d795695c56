"""Snakemake script of rule codebook_docs: thin wrapper around analysis.core.io.documentation."""
import json
import sys
from pathlib import Path

from analysis.core.codebook import load_codebook
from analysis.core.io.documentation import run_codebook_docs, study_title

sm = snakemake  # noqa: F821 (injected by Snakemake)
sys.stderr = open(sm.log[0], "w")
run_codebook_docs(
    statuses=[json.loads(Path(p).read_text(encoding="utf-8")) for p in sm.input.status],
    cfgs={wave: dict(cfg) for wave, cfg in sm.params.cfgs.items()},
    cells={Path(p).parent.name: p for p in sm.input.cells},
    book=load_codebook(sm.input.codebook, sm.input.sectors),
    language=sm.params.language,
    title=study_title(sm.input.codebook, sm.params.language),
    html_out=sm.output.html,
    ddi_out=sm.output.ddi,
)

"""Snakemake script of rules export_wave and export_harmonised: thin wrapper around analysis.core.io.export."""
import json
import sys
from pathlib import Path

from analysis.core.codebook import load_codebook
from analysis.core.text import data_note
from analysis.core.io.export import ExportError, run_export_harmonised, run_export_wave

sm = snakemake  # noqa: F821 (injected by Snakemake)
sys.stderr = open(sm.log[0], "w")
book = load_codebook(sm.input.codebook, sm.input.sectors)


def status(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


try:
    if sm.rule == "export_wave":
        wave = sm.wildcards.wave
        responses = sm.input.responses[0] if sm.input.responses else None
        municipalities = sm.input.municipalities[0] if sm.input.municipalities else None
        run_export_wave(status(sm.input.status), responses, municipalities, book, dict(sm.params.cfg),
                        sm.params.language, Path(sm.output[0]).parent,
                        data_note(sm.params.language, **sm.params.data_kind) or None)
    else:
        by_wave = {Path(p).parent.name: p for p in sm.input.responses}
        sheets = {Path(p).parent.name: p for p in sm.input.municipalities}
        run_export_harmonised([status(p) for p in sm.input.status], by_wave, sheets, book,
                              {w: dict(c) for w, c in sm.params.cfgs.items()}, sm.params.language,
                              Path(sm.output[0]).parent, sm.output.readme)
except ExportError as err:
    print(f"export: {err}", file=sys.__stderr__)
    print(f"export: {err}", file=sys.stderr)
    sys.exit(1)

"""Snakemake script of rule municipality_pages: thin wrapper around analysis.publication.pages."""
import sys
from pathlib import Path

from analysis.core.text import data_note
from analysis.publication.pages import write_municipality_pages

sm = snakemake  # noqa: F821 (snakemake is injected)
sys.stderr = open(sm.log[0], "w")
previous = None
if "previous_cells" in sm.input.keys():
    previous = {"wave": Path(sm.input.previous_cells).parent.name, "cells": sm.input.previous_cells,
                "municipalities": sm.input.previous_municipalities}
write_municipality_pages(
    cells_path=sm.input.cells,
    municipalities_path=sm.input.municipalities,
    codebook_path=sm.input.codebook,
    sectors_path=sm.input.sectors,
    language=sm.params.language,
    disclosure=dict(sm.params.disclosure),
    wave_note=data_note(sm.params.language, **sm.params.data_kind) or None,
    outdir=sm.output[0],
    previous=previous,
)

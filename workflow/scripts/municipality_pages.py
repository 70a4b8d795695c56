"""Snakemake script of rule municipality_pages: thin wrapper around analysis.publication.pages."""
import sys

from analysis.core.text import data_note
from analysis.publication.pages import write_municipality_pages

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
write_municipality_pages(
    cells_path=snakemake.input.cells,  # noqa: F821
    municipalities_path=snakemake.input.municipalities,  # noqa: F821
    codebook_path=snakemake.input.codebook,  # noqa: F821
    sectors_path=snakemake.input.sectors,  # noqa: F821
    language=snakemake.params.language,  # noqa: F821
    disclosure=dict(snakemake.params.disclosure),  # noqa: F821
    wave_note=data_note(snakemake.params.language, **snakemake.params.data_kind) or None,  # noqa: F821
    outdir=snakemake.output[0],  # noqa: F821
)

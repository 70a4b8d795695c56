"""Snakemake script of rule tables: thin wrapper around analysis.publication.tables."""
import sys

from analysis.core.disclosure.marks import disclosure_note
from analysis.core.text import data_note
from analysis.publication.tables import run_tables

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
run_tables(
    cells_path=snakemake.input.cells,  # noqa: F821
    municipalities_path=snakemake.input.municipalities,  # noqa: F821
    codebook_path=snakemake.input.codebook,  # noqa: F821
    sectors_path=snakemake.input.sectors,  # noqa: F821
    sent_by_sector_path=snakemake.input.get("sent_by_sector"),  # noqa: F821
    interviews_path=snakemake.input.get("interviews"),  # noqa: F821
    language=snakemake.params.language,  # noqa: F821
    note=" ".join(filter(None, [data_note(snakemake.params.language, **snakemake.params.data_kind), disclosure_note(  # noqa: F821
        snakemake.params.disclosure["mode"], snakemake.params.disclosure["min_base"], snakemake.params.language)])),  # noqa: F821
    outdir=snakemake.params.outdir,  # noqa: F821
    xlsx_out=snakemake.output.xlsx,  # noqa: F821
    disclosure=snakemake.params.disclosure,  # noqa: F821
)

"""Snakemake script of rule replicate: thin wrapper around analysis.replicate."""
import sys

from analysis.rivm2010.replicate import run_replication

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
run_replication(
    cells_path=snakemake.input.cells,  # noqa: F821
    reference_dir=snakemake.params.reference_dir,  # noqa: F821
    findings_path=snakemake.input.findings,  # noqa: F821
    codebook_path=snakemake.input.codebook,  # noqa: F821
    sectors_path=snakemake.input.sectors,  # noqa: F821
    wave=snakemake.params.wave,  # noqa: F821
    scorecard_out=snakemake.output.scorecard,  # noqa: F821
    summary_out=snakemake.output.summary,  # noqa: F821
    summary_md_out=snakemake.output.summary_md,  # noqa: F821
    municipalities_path=snakemake.input.municipalities,  # noqa: F821
    interviews_path=snakemake.input.get("interviews"),  # noqa: F821
    sent_by_sector_path=snakemake.input.get("sent_by_sector"),  # noqa: F821
    disclosure=dict(snakemake.params.disclosure),  # noqa: F821
)

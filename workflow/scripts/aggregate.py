"""Snakemake script of rule aggregate: thin wrapper around analysis.core.aggregate."""
import logging
import sys

from analysis.core.aggregate import run_aggregate

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
# protection's progress (item by item, each audit) goes to the log: a national wave takes minutes
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s", force=True)
run_aggregate(
    responses_path=snakemake.input.responses,  # noqa: F821
    municipalities_path=snakemake.input.municipalities,  # noqa: F821
    codebook_path=snakemake.input.codebook,  # noqa: F821
    sectors_path=snakemake.input.sectors,  # noqa: F821
    wave=snakemake.params.wave,  # noqa: F821
    cells_out=snakemake.output.cells,  # noqa: F821
    hours_out=snakemake.output.hours,  # noqa: F821
    disclosure=dict(snakemake.params.disclosure),  # noqa: F821
    not_asked=list(snakemake.params.not_asked),  # noqa: F821
    basis_path=snakemake.input.basis[0] if snakemake.input.basis else None,  # noqa: F821
    report_md=snakemake.output.report_md,  # noqa: F821
    report_csv=snakemake.output.report_csv,  # noqa: F821
)

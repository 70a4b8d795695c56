"""Snakemake script of rule validate: thin wrapper around analysis.core.validate."""
import sys

from analysis.core.codebook import load_codebook
from analysis.core.validate import run_validation

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
ok, message = run_validation(
    wave=snakemake.params.wave,  # noqa: F821
    export_path=snakemake.params.export,  # noqa: F821
    sheet_path=snakemake.params.municipalities,  # noqa: F821
    book=load_codebook(snakemake.input.codebook, snakemake.input.sectors),  # noqa: F821
    column_map=snakemake.params.column_map,  # noqa: F821
    not_asked=snakemake.params.not_asked,  # noqa: F821
    item_nonresponse=snakemake.params.item_nonresponse,  # noqa: F821
    municipality_map=dict(snakemake.params.municipality_map),  # noqa: F821
    disclosure=dict(snakemake.params.disclosure),  # noqa: F821
    report_dir=snakemake.params.report_dir,  # noqa: F821
    responses_out=snakemake.output.responses,  # noqa: F821
    municipalities_out=snakemake.output.municipalities,  # noqa: F821
    reading_out=snakemake.output.reading,  # noqa: F821
)
print(message, file=sys.__stderr__)
if not ok:
    sys.exit(1)

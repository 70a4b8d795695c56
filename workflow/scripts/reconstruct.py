"""Snakemake script of rule reconstruct: thin wrapper around analysis.rivm2010.reconstruct."""
import sys

from analysis.rivm2010.reconstruct import run_reconstruction

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
result = run_reconstruction(
    ref_dir=snakemake.params.reference_dir,  # noqa: F821 (snakemake is injected)
    codebook=snakemake.input.codebook,  # noqa: F821
    sectors=snakemake.input.sectors,  # noqa: F821
    out=dict(snakemake.params.out),  # noqa: F821
    time_limit=float(snakemake.params.time_limit),  # noqa: F821
    command=snakemake.params.command,  # noqa: F821
)
solve = result["solve"]
print(
    f"reconstruct: {solve['status']}, objective {solve['objective']:.0f}, bound {solve['bound']:.0f}, "
    f"{solve['seconds']:.1f} s, {len(result['unmet'])} unmet published numbers",
    file=sys.stderr,
)

"""Snakemake script of rule report: thin wrapper around analysis.publication.report.run_report."""
import sys

from analysis.core.codebook import load_codebook
from analysis.core.disclosure.marks import disclosure_note
from analysis.publication.report import run_report

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821 (snakemake is injected)
inp = snakemake.input  # noqa: F821
run_report(
    wave=snakemake.params.wave,  # noqa: F821
    language=snakemake.params.language,  # noqa: F821
    cfg=dict(snakemake.params.cfg),  # noqa: F821
    settings=dict(snakemake.params.settings),  # noqa: F821
    cells_path=inp.cells,
    tables_dir=f"results/{snakemake.params.wave}/tables",  # noqa: F821
    figures_dir=f"results/{snakemake.params.wave}/figures",  # noqa: F821
    # every raw file a number in the report comes from (the register: Tabel 3.1; sent: Tabel VI.1)
    inputs=[inp.export, inp.municipalities] + [inp.get(k) for k in ("sent_by_sector", "interviews") if inp.get(k)],
    book=load_codebook(inp.codebook, inp.sectors),
    out_path=snakemake.output[0],  # noqa: F821
    scorecard_path=inp.get("scorecard"),
    summary_path=inp.get("summary"),
    audit_path=inp.get("audit"),
    chapter_paths=[inp.chapter],
    reading_path=inp.reading,
    interviews_path=inp.get("interviews"),
    max_rows=snakemake.params.max_rows,  # noqa: F821
    disclosure=disclosure_note(snakemake.params.disclosure["mode"], snakemake.params.disclosure["min_base"],  # noqa: F821
                               snakemake.params.language),  # noqa: F821
)

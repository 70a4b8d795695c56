"""Snakemake script of rule waves: the comparisons across waves (analysis.core.waves.build) and the
codebook documents (analysis.core.io.documentation), from the same statuses, cells and codebook."""
import sys
from pathlib import Path

from analysis.core.codebook import load_codebook
from analysis.core.io.documentation import run_codebook_docs, study_title
from analysis.core.waves.build import by_wave, read_statuses, run_cross_wave

if __name__ == "__main__":
    sm = snakemake  # noqa: F821 (injected by Snakemake)
    sys.stderr = open(sm.log[0], "w")
    book = load_codebook(sm.input.codebook, sm.input.sectors)
    statuses = read_statuses(sm.input.status)
    included = run_cross_wave(statuses, by_wave(sm.input.responses), by_wave(sm.input.municipalities), book,
                              sm.params.language, str(Path(sm.output.report).parent), by_wave(sm.input.cells),
                              sm.params.comparisons)
    print(f"cross-wave outputs built from waves: {', '.join(included) or 'none'}", file=sys.__stderr__)
    run_codebook_docs(
        statuses=statuses,
        cfgs={wave: dict(cfg) for wave, cfg in sm.params.cfgs.items()},
        cells=by_wave(sm.input.cells),
        book=book,
        language=sm.params.language,
        title=study_title(sm.input.codebook, sm.params.language),
        html_out=sm.output.codebook_html,
        ddi_out=sm.output.codebook_ddi,
    )

"""Snakemake script of rule report: thin wrapper around analysis.core.waves.build.run_chapter,
analysis.publication.report.run_report and analysis.publication.pages.write_municipality_pages
(the wave's chapter "Compared with earlier waves", the report that embeds it, and its fact sheets)."""
import sys
from pathlib import Path

from analysis.core.codebook import load_codebook
from analysis.core.disclosure.marks import disclosure_note
from analysis.core.text import data_note
from analysis.core.waves.build import by_wave, read_statuses, run_chapter
from analysis.publication.pages import write_municipality_pages
from analysis.publication.report import run_report


def chapter(inp, output, params, book) -> None:
    run_chapter(params.wave, read_statuses(inp.status), by_wave(inp.compared_responses),
                by_wave(inp.compared_municipalities), book, params.language, output.chapter,
                by_wave(inp.compared_cells), params.comparisons)


def report(inp, output, params, book) -> None:
    run_report(
        wave=params.wave,
        language=params.language,
        cfg=dict(params.cfg),
        settings=dict(params.settings),
        cells_path=inp.cells,
        tables_dir=f"results/{params.wave}/tables",
        figures_dir=f"results/{params.wave}/figures",
        # every raw file a number in the report comes from (the register: Tabel 3.1; sent: Tabel VI.1)
        inputs=[inp.export, inp.sheet] + [inp.get(k) for k in ("sent_by_sector", "interviews") if inp.get(k)],
        book=book,
        out_path=output.report,
        scorecard_path=inp.get("scorecard"),
        summary_path=inp.get("summary"),
        audit_path=inp.get("audit"),
        chapter_paths=[output.chapter],
        reading_path=inp.reading,
        interviews_path=inp.get("interviews"),
        max_rows=params.max_rows,
        disclosure=disclosure_note(params.disclosure["mode"], params.disclosure["min_base"], params.language),
        disclosure_report=inp.disclosure_report,
    )


def pages(inp, output, params) -> None:
    previous = None
    if "previous_cells" in inp.keys():
        previous = {"wave": Path(inp.previous_cells).parent.name, "cells": inp.previous_cells,
                    "municipalities": inp.previous_municipalities}
    write_municipality_pages(
        cells_path=inp.cells,
        municipalities_path=inp.municipalities,
        codebook_path=inp.codebook,
        sectors_path=inp.sectors,
        language=params.language,
        disclosure=dict(params.disclosure),
        wave_note=data_note(params.language, **params.data_kind) or None,
        outdir=output.pages,
        previous=previous,
        disclosure_report=inp.disclosure_report,
    )


if __name__ == "__main__":
    sm = snakemake  # noqa: F821 (snakemake is injected)
    sys.stderr = open(sm.log[0], "w")
    book = load_codebook(sm.input.codebook, sm.input.sectors)
    chapter(sm.input, sm.output, sm.params, book)
    report(sm.input, sm.output, sm.params, book)
    pages(sm.input, sm.output, sm.params)

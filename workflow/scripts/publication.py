"""Rule `publication`: results/<wave>/cells.csv -> the wave's tables (tables/<id>.csv/.md,
tables.xlsx) and figures (figures/<stem>.png/.svg/.data.csv), in one process."""
import logging
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on the build machines

import pandas as pd

from analysis.core.codebook import load_codebook
from analysis.core.disclosure.marks import disclosure_note
from analysis.core.text import data_note
from analysis.publication.figures import write_figures
from analysis.publication.tables import run_tables


def tables(input, output, params) -> None:
    run_tables(
        cells_path=input.cells,
        municipalities_path=input.municipalities,
        codebook_path=input.codebook,
        sectors_path=input.sectors,
        sent_by_sector_path=input.get("sent_by_sector"),
        interviews_path=input.get("interviews"),
        language=params.language,
        note=" ".join(filter(None, [data_note(params.language, **params.data_kind), disclosure_note(
            params.disclosure["mode"], params.disclosure["min_base"], params.language)])),
        outdir=params.outdir,
        xlsx_out=output.xlsx,
        disclosure=params.disclosure,
        disclosure_report=input.disclosure_report,
    )


def figures(input, output, params, threads: int, meanwhile=None) -> None:
    book = load_codebook(input.codebook, input.sectors)
    # ids stay text: municipality "3" and sector "anders" are labels, not numbers or missing values
    cells = pd.read_csv(input.cells, dtype={"wave": str, "unit_id": str, "item": str, "answer": str}, keep_default_na=False, na_values=[""])
    municipalities = pd.read_csv(input.municipalities, dtype=str, keep_default_na=False)
    hours = pd.read_csv(input.hours_by_sector, dtype={"sector": str}, keep_default_na=False, na_values=[""])
    protection = disclosure_note(params.disclosure["mode"], params.disclosure["min_base"], params.language)
    data = data_note(params.language, **params.data_kind, form="figure")
    note = "\n".join(filter(None, [data, protection]))
    out_dir = Path(output.png[0]).parent
    for path in write_figures(out_dir, cells, municipalities, book, params.language, note, params.min_n, hours, threads,
                              params.max_rows, meanwhile):
        logging.info("wrote %s", path)


if __name__ == "__main__":
    sm = snakemake  # noqa: F821 (snakemake is injected)
    sys.stderr = open(sm.log[0], "w")
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(message)s", force=True)
    # the tables are written while the forked workers draw the figures: off the critical path
    figures(sm.input, sm.output, sm.params, sm.threads, meanwhile=lambda: tables(sm.input, sm.output, sm.params))

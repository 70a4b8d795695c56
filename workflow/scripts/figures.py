"""Rule `figures`: results/<wave>/cells.csv -> results/<wave>/figures/<stem>.png/.svg/.data.csv."""
import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on the build machines

import pandas as pd

from analysis.core.codebook import load_codebook
from analysis.core.disclosure.marks import disclosure_note
from analysis.publication.figures import wave_note, write_figures


def main(input, output, params, threads: int, log_path: str) -> None:
    logging.basicConfig(filename=log_path, filemode="w", level=logging.INFO, format="%(levelname)s %(message)s", force=True)
    book = load_codebook(input.codebook, input.sectors)
    # ids stay text: municipality "3" and sector "anders" are labels, not numbers or missing values
    cells = pd.read_csv(input.cells, dtype={"wave": str, "unit_id": str, "item": str, "answer": str}, keep_default_na=False, na_values=[""])
    municipalities = pd.read_csv(input.municipalities, dtype=str, keep_default_na=False)
    hours = pd.read_csv(input.hours_by_sector, dtype={"sector": str}, keep_default_na=False, na_values=[""])
    protection = disclosure_note(params.disclosure["mode"], params.disclosure["min_base"], params.language)
    note = "\n".join(filter(None, [wave_note(params.language, params.synthetic, params.reconstructed), protection]))
    out_dir = Path(output.png[0]).parent
    for path in write_figures(out_dir, cells, municipalities, book, params.language, note, params.min_n, hours, threads, params.max_rows):
        logging.info("wrote %s", path)


if __name__ == "__main__":
    main(snakemake.input, snakemake.output, snakemake.params, snakemake.threads, snakemake.log[0])  # noqa: F821

"""The published reference of RIVM Rapport 270161002: the one reader of data/reference/rivm2010.

Every number the report prints is a row of a CSV in the reference folder, with its line in the
report. The audit, the replication and the reconstruction all read those files here, and parse a
printed cell here, so that the three can never read the same printed cell differently:

- ``load_reference``: every CSV of the folder, keyed by file stem; ``as_printed=True`` keeps every
  value as the text printed (the replication compares text), otherwise numbers are typed;
- ``REFERENCE_FILES`` / ``table``: which file holds which table of the report;
- ``appendix_cells``: one row per printed cell of a long-format appendix table (VII.2 ... IX.3):
  n, count, percentage and a printed denominator, each as a number and as printed, with its line;
- ``policy_scope``: Tabel 4.2's column ("... gezondheid" or "... gezondheidsachterstanden");
- ``item_for_column`` / ``sector_id``: a printed column or sector name -> codebook item / sector.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core.codebook import Codebook, Item

# Which file holds which table of the report (table id -> file stem).
REFERENCE_FILES = {
    "VI.1": "tab_VI1_response_per_sector",
    "4.1": "tab_4_1_priorities",
    "4.2": "tab_4_2_target_groups",
    "domains": "sec_4_2_2_domain_n",
    "VII.2": "tab_VII2_topic_per_municipality",
    "VII.3": "tab_VII3_determinants_per_municipality",
    "VIII.1": "tab_VIII1_collaboration_per_sector",
    "VIII.2": "tab_VIII2_collaboration_per_municipality",
    "VIII.3": "tab_VIII3_collaboration_forms_per_municipality",
    "IX.1": "tab_IX1_positive_factors_per_municipality",
    "IX.2": "tab_IX2_negative_factors_per_municipality",
    "IX.3": "tab_IX3_political_factors_per_municipality",
    "6.1": "fig_6_1_positive_factors",
    "6.4": "fig_6_4_negative_factors",
    "5.1": "fig_5_1_prose",
    "footnotes": "table_footnotes",
    "columns": "column_labels",
    "3.1": "tab_3_1_interviews_by_sector_and_type",
    "VI.3/VI.4": "tab_VI3_VI4_interviewees",
    "box_3.1": "box_3_1_municipality_types",
    "prose": "prose_numbers",
    "statements": "statements",
    "vague_words": "vague_words",
}
# The long-format appendix tables (one row per printed cell), in the report's order.
APPENDIX_TABLES = ("VII.2", "VII.3", "VIII.1", "VIII.2", "VIII.3", "IX.1", "IX.2", "IX.3")


def load_reference(ref_dir: str | Path, as_printed: bool = False) -> dict[str, pd.DataFrame]:
    """Every CSV of the reference folder, keyed by file stem; row ids stay text ("1", "Totaal").

    as_printed: every value as the text printed ("" when blank); else numbers typed (NaN blank).
    """
    read = ((lambda p: pd.read_csv(p, dtype=str, keep_default_na=False)) if as_printed
            else (lambda p: pd.read_csv(p, dtype={"row_id": str})))
    return {p.stem: read(p) for p in sorted(Path(ref_dir).glob("*.csv"))}


def table(ref: dict[str, pd.DataFrame], key: str) -> pd.DataFrame | None:
    """The reference frame of report table `key` ("VII.2", "4.2", "prose", ...), None if absent."""
    return ref.get(REFERENCE_FILES[key])


def by_table(ref: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The reference keyed by report table instead of file stem (the tables present)."""
    return {k: ref[stem] for k, stem in REFERENCE_FILES.items() if stem in ref}


# --- one printed value --------------------------------------------------------------------------

def printed_int(value) -> int | None:
    """A printed number as int ("(3)" -> 3, "46%" -> 46, "n=73" -> 73); None when blank."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, (int, float)):  # most cells: skip the regex (the audit reads them ~10^5 times)
        return int(value)
    match = re.search(r"-?\d+", str(value).strip())
    return int(match.group()) if match else None


def printed_text(value) -> str:
    """A printed value as stripped text, "" when blank."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


def printed_lines(*lines) -> str:
    """Line numbers as one "a;b" text, each once, blanks left out."""
    found = [str(printed_int(x)) for x in lines if printed_int(x) is not None]
    return ";".join(dict.fromkeys(found))


def policy_scope(printed: str) -> str:
    """Tabel 4.2's column: "segv" for the policy aimed at reducing health inequalities
    ("... terugdringen van gezondheidsachterstanden"), "health" for improving health."""
    return "segv" if "gezondheidsachterstanden" in str(printed) else "health"


# --- one printed cell of an appendix table --------------------------------------------------------

APPENDIX_CELL_COLUMNS = [
    "table", "row_type", "row_id", "col_pos", "col_key", "n", "n_raw", "line_n", "count", "count_raw",
    "line_count", "pct", "pct_raw", "line_pct", "denom", "denom_raw", "extra", "line",
]


def appendix_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per printed cell of a long-format appendix table (VII.2 ... IX.3).

    Numbers are int or None (object dtype keeps None); `*_raw` is the text printed; `line_*` the
    cell's lines; `line` the percentage's and count's lines together. Reads either view of
    ``load_reference``.
    """
    rows = []
    for r in frame.to_dict("records"):
        rows.append(dict(
            table=str(r["table"]), row_type=str(r["row_type"]), row_id=str(r["row_id"]),
            col_pos=printed_int(r["col_pos"]), col_key=str(r["col_key"]),
            n=printed_int(r["n_value"]), n_raw=printed_text(r.get("n_printed_raw")),
            line_n=printed_lines(r.get("line_n")),
            count=printed_int(r["count_value"]), count_raw=printed_text(r.get("count_printed_raw")),
            line_count=printed_lines(r.get("line_count")),
            pct=printed_int(r["pct_value"]), pct_raw=printed_text(r.get("pct_printed_raw")),
            line_pct=printed_lines(r.get("line_pct")),
            denom=printed_int(r.get("denom_printed")), denom_raw=printed_text(r.get("denom_printed")),
            extra=printed_text(r.get("extra_printed")),
            line=printed_lines(r.get("line_pct"), r.get("line_count"))))
    return pd.DataFrame(rows, columns=APPENDIX_CELL_COLUMNS, dtype=object)


# --- printed names -> codebook ----------------------------------------------------------------------

def item_for_column(book: Codebook, table_id: str, col_key: str) -> Item | None:
    """The codebook item whose `published` entry puts it in column `col_key` of Tabel `table_id`."""
    for it in book.items:
        for p in it.published:
            if str(p.get("table")) == str(table_id) and str(p.get("col_key")) == str(col_key):
                return it
    return None


def sector_id(book: Codebook, label: str) -> str | None:
    """Sector id of a printed sector name (VGZ, Sociale zaken, ...), None if no sector has it."""
    wanted = str(label).strip().casefold()
    return next((s.id for s in book.sectors if wanted in (s.nl.casefold(), s.en.casefold(), s.id)), None)

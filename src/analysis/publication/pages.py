"""Feedback pages: results/<wave>/municipalities/<id>.html, one per participating municipality.

Municipalities were promised their own results. A page shows, for the report's main indicators
(the codebook blocks marked `feedback: true`), the
municipality's share answering "ja" beside the value over all respondents and the range over
the municipalities. The range uses only municipality cells that are shown and whose base is at
least k, in both modes: a minimum or maximum is one municipality's value, so a range over small
cells would hand every page another municipality's small cell.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from analysis.core.codebook import Codebook
from analysis.core.disclosure.marks import SECONDARY_MARK, disclosure_note, is_suppressed
from analysis.core.rounding import format_percent
from analysis.publication.text import WORDS

SHOWN_ANSWER = "ja"


STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222;line-height:1.4}
table{border-collapse:collapse;width:100%;margin:0.5rem 0 1.5rem}
th,td{border-bottom:1px solid #ddd;padding:0.3rem 0.5rem;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}
.note{color:#555;font-size:0.9rem}
.banner{background:#fff4d6;border:1px solid #e0c060;padding:0.5rem}
"""


def municipality_label(municipality_id: str, municipalities: pd.DataFrame, mode: str, language: str) -> str:
    """Public: the pseudonym only. Restricted: the sheet's name where there is one."""
    row = municipalities[municipalities["municipality_id"].astype(str) == str(municipality_id)]
    if mode == "public":
        return str(row["pseudonym"].iloc[0]) if "pseudonym" in row and len(row) else "?"
    if "name" in row and len(row) and str(row["name"].iloc[0]).strip():
        return str(row["name"].iloc[0])
    return f"{WORDS[language]['municipality']} {municipality_id}"


def indicator_table(cells: pd.DataFrame, book: Codebook, min_base: int) -> pd.DataFrame:
    """Per feedback item and municipality: own cell, overall cell and the range over shown cells
    with base >= k. Computed once for all pages (per page it cost a third of a second)."""
    items = [(block, item.id) for block in book.feedback_blocks for item in book.block(block)]
    shown = cells[(cells["answer"] == SHOWN_ANSWER) & cells["item"].isin([iid for _, iid in items])]
    by_item = {iid: group for iid, group in shown.groupby("item", sort=False)}
    rows = []
    for block, iid in items:
        of_item = by_item.get(iid)
        overall = None if of_item is None else of_item[of_item["unit"] == "overall"]
        if overall is None or overall.empty:
            continue
        low, high, n_munis = range_over_municipalities(of_item, min_base)
        for own in of_item[of_item["unit"] == "municipality"].to_dict("records"):
            rows.append({"municipality_id": str(own["unit_id"]), "block": block, "item": iid, "own": own,
                         "overall": overall.iloc[0].to_dict(), "low": low, "high": high, "n_munis": n_munis})
    return pd.DataFrame(rows, columns=["municipality_id", "block", "item", "own", "overall", "low", "high", "n_munis"])


def indicator_rows(municipality_id: str, cells: pd.DataFrame, book: Codebook, min_base: int,
                   table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of `indicator_table` for one municipality (pass `table` to reuse it across pages)."""
    table = indicator_table(cells, book, min_base) if table is None else table
    own = table[table["municipality_id"] == str(municipality_id)]
    return own.drop(columns="municipality_id").reset_index(drop=True)


def range_over_municipalities(item_cells: pd.DataFrame, min_base: int) -> tuple[float | None, float | None, int]:
    """Lowest and highest rounded % over municipality cells that are shown and have base >= k."""
    munis = item_cells[item_cells["unit"] == "municipality"]
    hidden = munis["status"].map(is_suppressed).astype(bool)
    usable = munis[~hidden & munis["base"].notna() & (munis["base"].fillna(0) >= min_base) & munis["pct_rounded"].notna()]
    if usable.empty:
        return None, None, 0
    return float(usable["pct_rounded"].min()), float(usable["pct_rounded"].max()), len(usable)


def municipality_page(municipality_id: str, cells_protected: pd.DataFrame, municipalities: pd.DataFrame,
                      book: Codebook, mode: str, k: int, language: str = "nl", wave_note: str | None = None,
                      table: pd.DataFrame | None = None) -> str:
    """A self-contained HTML page (inline CSS, no links) for one municipality.

    `cells_protected` comes from `disclosure.protect_cells` in `mode` with threshold `k`;
    `municipalities` has a `pseudonym` column (`disclosure.pseudonymise`). In public mode the page
    names the municipality by pseudonym only. `table` is `indicator_table` of those cells, if
    the caller has it already.
    """
    words = WORDS[language]
    label = municipality_label(municipality_id, municipalities, mode, language)
    wave = ", ".join(sorted(cells_protected["wave"].astype(str).unique()))
    rows = indicator_rows(municipality_id, cells_protected, book, k, table)
    parts = [f"<h1>{_e(words['feedback_title'])}: {_e(label)}</h1>",
             f"<p>{_e(words['wave'])}: {_e(wave)}</p>"]
    parts += [f'<p class="banner">{_e(note)}</p>' for note in (wave_note, disclosure_note(mode, k, language)) if note]
    for block in book.feedback_blocks:
        block_rows = rows[rows["block"] == block] if len(rows) else rows
        if len(block_rows):
            parts.append(_block_table(block, block_rows, book, language))
    parts += [f'<p class="note">{_e(words[key]).format(k=k)}</p>' for key in ("share", "range_note", "few")]
    title = f"{words['feedback_title']} {label}"
    return ("<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            "<style>{style}</style></head><body>\n{body}\n</body></html>\n").format(
        lang=language, title=_e(title), style=STYLE, body="\n".join(parts))


def _block_table(block: str, rows: pd.DataFrame, book: Codebook, language: str) -> str:
    words = WORDS[language]
    head = "".join(f"<th>{_e(h)}</th>" for h in (words["indicator"], words["own"], words["n"], words["all"],
                                                  words["n"], words["range"], words["n_munis"]))
    body = []
    for r in rows.itertuples(index=False):
        spread = "–" if r.low is None or pd.isna(r.low) else f"{format_percent(r.low, symbol='')}–{format_percent(r.high)}"
        # a hidden range counts no municipalities: "–", not "0" (read as "no municipality")
        cols = [display_cell(r.own), display_n(r.own), display_cell(r.overall),
                display_n(r.overall), spread, "–" if spread == "–" else str(r.n_munis)]
        body.append(f"<tr><td>{_e(book[r.item].label(language))}</td>"
                    + "".join(f'<td class="num">{_e(c)}</td>' for c in cols) + "</tr>")
    title = book.blocks[block][language]
    return f"<h2>{_e(title)}</h2>\n<table><tr>{head}</tr>\n" + "\n".join(body) + "\n</table>"


def display_cell(row) -> str:
    """'75% (3)'; the mark of a suppressed cell ('< k' or '×'); '–' where nobody was asked."""
    if is_suppressed(row["status"]):
        return str(row["status"])
    if pd.isna(row["pct_rounded"]) or pd.isna(row["count"]):
        return "–"
    return f"{format_percent(row['pct_rounded'])} ({int(row['count'])})"


def display_n(row) -> str:
    return SECONDARY_MARK if pd.isna(row["base"]) else str(int(row["base"]))


def _e(text) -> str:
    return html.escape(str(text))


def page_file_name(municipality_id: str, municipalities: pd.DataFrame, mode: str) -> str:
    """<pseudonym>.html in public mode (a sheet id may be a CBS code), <id>.html in restricted."""
    if mode == "public":
        return municipality_label(municipality_id, municipalities, "public", "en") + ".html"
    return f"{municipality_id}.html"


def write_municipality_pages(cells_path, municipalities_path, codebook_path, sectors_path, language: str,
                             disclosure: dict, wave_note: str | None, outdir) -> None:
    """The municipality_pages step: one page per municipality of the wave's sheet, from the
    protected cells.csv (the only I/O of this module). In public mode the sheet's ids are
    pseudonyms already (validate step), so the page file is named by pseudonym."""
    from analysis.core.aggregate import read_cells
    from analysis.core.codebook import load_codebook
    from analysis.core.disclosure.pseudonyms import pseudonymise

    book = load_codebook(codebook_path, sectors_path)
    sheet = pd.read_csv(municipalities_path, dtype=str, keep_default_na=False)
    mode, k = disclosure["mode"], int(disclosure["min_base"])
    munis = sheet if "pseudonym" in sheet else pseudonymise(sheet, disclosure.get("pseudonym_salt", ""), mode)
    cells = read_cells(cells_path)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    table = indicator_table(cells, book, k)
    for m in munis["municipality_id"].astype(str):
        page = municipality_page(m, cells, munis, book, mode, k, language, wave_note, table)
        (out / page_file_name(m, munis, mode)).write_text(page, encoding="utf-8")

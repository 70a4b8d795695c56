"""results/<wave>/report.html: the study's tables and figures in the report's order, in one
self-contained file (figures embedded, no external links), each with its number, caption, n and
a provenance line, followed by the replication scorecard and the audit of the published report.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from analysis.core.codebook import Codebook
from analysis.core.disclosure.checkreport import keep_group_notice
from analysis.core.disclosure.marks import SECONDARY_MARK
from analysis.core.vocabulary import NOT_ASKED
from analysis.core.provenance import config_hash, file_sha256, git_commit
from analysis.core.text import CODE_READING_WORDS, code_reading_lines, data_note
from analysis.publication.text import WORDS
from analysis.publication.registry import FIGURE_STEMS, TABLE, OutputSpec, outline
from analysis.publication.answered import entry_items, report_n_text, respondents
from analysis.publication.tables import (MUNICIPALITY_ROW_TABLES, free_legend, size_class_n_note, size_class_table,
                                         table_footnote, table_note, table_title)


# The chapters and their entries, in the report's order: publication/registry.py (one spec per
# output; a registered output is in report.html by construction).
OUTLINE = outline()


CSS = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.4}
table{border-collapse:collapse;font-size:85%;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
th{background:#f2f2f2}.banner{background:#fff3cd;border:2px solid #c99a00;padding:.8em;font-weight:bold}
.prov{color:#666;font-size:75%;font-family:monospace;word-break:break-all}img{max-width:100%}
figure{margin:1em 0}figcaption,caption{font-weight:bold;text-align:left;margin:.3em 0}"""


def entry_n(cells: pd.DataFrame, book: Codebook, block: str | None) -> int | None:
    """The entry's n: respondents asked the block's items (the largest overall `asked`; the
    largest base where cells.csv predates it). None: the wave did not ask the block at all."""
    overall = cells[cells["unit"] == "overall"]
    items = [it.id for it in book.block(block)] if block else ["sector"]
    rows = overall[overall["item"].isin(items)]
    if len(rows) and "status" in rows and rows["status"].astype(str).eq(NOT_ASKED).all():
        return None
    column = "asked" if "asked" in rows and pd.to_numeric(rows["asked"], errors="coerce").notna().any() else "base"
    bases = pd.to_numeric(rows[column], errors="coerce")
    return int(bases.max()) if bases.notna().any() else 0


def shown_units(data: pd.DataFrame) -> dict[str, set[str]]:
    """The units a figure draws, by unit kind, from the data table it plots (figures.py writes it
    next to the figure): every unit_id of a kind that has a row, except rows the figure leaves
    out of its drawing. Figuur 3.1's dot layout gives those no rank (municipalities of unknown
    sent count; its bar layout draws them, as received only, and has no rank column). A unit
    whose cells are hidden (a '×' in a heatmap, counted in a dot panel's title) is shown."""
    if "municipality_id" in data:  # Figuur 3.1: a row per municipality of the sheet
        drawn = data["rank"].astype(str).str.strip().ne("") & data["rank"].notna() if "rank" in data else \
            pd.Series(True, index=data.index)
        return {"municipality": set(data.loc[drawn, "municipality_id"].astype(str))}
    if not {"unit", "unit_id"} <= set(data.columns):
        return {}
    return {unit: set(part["unit_id"].astype(str)) for unit, part in data.groupby("unit", sort=False) if unit != "overall"}


def shown_n(cells: pd.DataFrame, data: pd.DataFrame | None) -> int | None:
    """Respondents of the units a figure shows, where it leaves some units of a kind out (Figuur
    3.1's municipalities of unknown sent count, 4.1's domains 4 and anders, 4.2's municipalities
    below min_n): the n of what it shows, beside the heading's n of all asked. None: it leaves
    none out. Unit n's are public (printed in the figures' own labels), so their sum tells nothing new."""
    if data is None:
        return None
    found = []
    for unit, shown in shown_units(data).items():
        n = respondents(cells, unit)
        n = n[n.fillna(0) > 0]
        if set(n.index) - shown:
            found.append(int(n[n.index.isin(shown)].fillna(0).sum()))
    return min(found) if found else None


def _figure_of(entry: OutputSpec) -> str | None:
    """The figure whose units an entry shows: a figure itself, or its data table (figuur_4_1_data)."""
    stem = entry.builder.removesuffix("_data")
    return stem if stem in FIGURE_STEMS else None


def _esc(text) -> str:
    return html.escape("" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text))


def html_table(frame: pd.DataFrame, caption: str | None = None) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_esc(v)}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False))
    cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def embedded_png(png: bytes, alt: str) -> str:
    return f'<img alt="{_esc(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def entry_html(entry: OutputSpec, body: str, n: int | str | None, provenance: str, language: str, footnote: str = "",
               note: str = "") -> str:
    title = table_title(entry.stem, language, footnote) if entry.kind == TABLE else entry.heading(language)
    prov = f'<p class="prov">{WORDS[language]["source"]}: {_esc(provenance)}</p>'
    foot = "".join(f'<p class="note">{_esc(text)}</p>' for text in (footnote, note) if text)
    shown_n = WORDS[language]["not_asked_in_wave"] if n is None else n if isinstance(n, str) else f'{WORDS[language]["n"]}={n}'
    return f'<section id="{entry.stem}"><h3>{_esc(title)} ({shown_n})</h3>{body}{foot}{prov}</section>'


def render_report(*, wave: str, language: str, banner: str | None, chapters_html: list[tuple[str, str]],
                  provenance: str) -> str:
    w = WORDS[language]
    toc = "".join(f'<li><a href="#ch{i}">{_esc(title)}</a></li>' for i, (title, _) in enumerate(chapters_html))
    body = "".join(f'<h2 id="ch{i}">{_esc(title)}</h2>{content}' for i, (title, content) in enumerate(chapters_html))
    ban = f'<p class="banner">{_esc(banner)}</p>' if banner else ""
    return (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{_esc(w["report_title"])} — {_esc(wave)}</title>'
            f"<style>{CSS}</style></head><body>{ban}<h1>{_esc(w['report_title'])}</h1><p>{w['wave']}: <b>{_esc(wave)}</b></p>"
            f'<p class="prov">{_esc(provenance)}</p><h2>{w["contents"]}</h2><ol>{toc}</ol>{body}{ban}</body></html>\n')


def build_report(*, wave: str, language: str, banner: str | None, cells: pd.DataFrame, book: Codebook,
                 tables: dict[str, pd.DataFrame], figures_png: dict[str, bytes], entry_provenance: dict[str, str],
                 extra_chapters: list[tuple[str, str]], provenance: str, interviews_n: int | None = None,
                 max_rows: int | None = None, typed_cells: pd.DataFrame | None = None, tables_dir: str = "",
                 figures_data: dict[str, pd.DataFrame] | None = None, keep_note: str = "",
                 kept_items: set[str] | None = None) -> str:
    """Pure: every table and figure of OUTLINE in order, then the extra chapters (replication,
    audit, comparison with earlier waves), as one HTML string. With more than `max_rows`
    municipalities, a table with a row per municipality shows a row per size class (from
    `typed_cells`, cells.csv as aggregate.read_cells reads it), and says where the full one is.
    `figures_data`: each figure's data table (<stem>.data.csv); where a figure leaves units out,
    its heading gives the n of what it shows too (shown_n). `keep_note` (marks.keep_group_note: the
    wave's keep_group hid size-class totals) goes under each size-class table that shows a '×'."""
    chapters = []
    many = _municipality_count(cells) if max_rows is not None else 0
    for nl, en, entries in OUTLINE:
        parts = []
        for e in entries:
            if e.kind == TABLE and e.stem in MUNICIPALITY_ROW_TABLES and max_rows is not None and many > max_rows:
                note = WORDS[language]["by_size_class"].format(count=many, csv=f"{tables_dir}/{e.stem}.csv")
                by_size = size_class_table(typed_cells, book, e.number, language)
                body = f"<p>{_esc(note)}</p>" + html_table(by_size)
                n_note = size_class_n_note(typed_cells, book, e.number, language)  # what its n column counts
                body += f'<p class="note">{_esc(n_note)}</p>' if n_note else ""
                # only where one of its own items lost a size-class total to keep_group (kept_items:
                # report.csv's items; None: every item), not under every table with a '×'
                blamed = kept_items is None or bool({it.id for it in entry_items(e, book)} & kept_items)
                if keep_note and blamed and _shows_hidden(by_size):
                    body += f'<p class="note">{_esc(keep_note)}</p>'
            else:
                body = html_table(tables[e.stem]) if e.kind == TABLE else embedded_png(figures_png[e.stem], e.title(language))
            n = entry_n(cells, book, e.block) if e.counts != "interviews" else (
                WORDS[language]["no_register_short"] if interviews_n is None else interviews_n)  # never "n=0" for no register
            if isinstance(n, int) and e.counts != "interviews":
                n = report_n_text(n, cells, entry_items(e, book), language)  # asked n, and answered n where they differ
                figure = _figure_of(e)
                shown = shown_n(cells, (figures_data or {}).get(figure)) if figure else None
                if shown is not None:
                    # the n before is of all respondents (its answered range too, review r18d: "beantwoord
                    # n=82-104; respondenten in de figuur: 99" read as more answers than respondents shown)
                    n = WORDS[language]["of_all"].format(n=n) + "; " + \
                        WORDS[language]["shown_n" if e.kind != TABLE else "shown_n_table"].format(n=shown)
            foot = table_footnote(e.stem, cells, book, language) if e.kind == TABLE else ""
            note = table_note(e.stem, cells, book, language) if e.kind == TABLE else ""
            if e.kind == TABLE:   # the free-cell mark's legend, when the table shows one
                foot = " ".join(p for p in (foot, free_legend(tables[e.stem], language)) if p)
            parts.append(entry_html(e, body, n, entry_provenance[e.stem], language, foot, note))
        chapters.append((nl if language == "nl" else en, "".join(parts)))
    return render_report(wave=wave, language=language, banner=banner,
                         chapters_html=chapters + further_chapter(cells, book, language, keep_note, kept_items) + extra_chapters,
                         provenance=provenance)


def _shows_hidden(table: pd.DataFrame) -> bool:
    """A size-class table with a '×' in a size-class row (the last row is the pooled total)."""
    return bool(table.iloc[:-1].astype(str).apply(lambda col: col.str.contains(SECONDARY_MARK, regex=False)).any().any())


def _municipality_count(cells: pd.DataFrame) -> int:
    return cells.loc[cells["unit"] == "municipality", "unit_id"].nunique()


def further_chapter(cells: pd.DataFrame, book: Codebook, language: str, keep_note: str = "",
                    kept_items: set[str] | None = None) -> list[tuple[str, str]]:
    """'Overige vragen van deze meting': the questions of this wave no table or figure shows; with
    `keep_note` (see build_report) under it where one of them lost a size-class total to
    keep_group (`kept_items`, as build_report)."""
    from analysis.publication.further import WORDS as FURTHER, further_questions_table, lost_total_to_keep_group

    table = further_questions_table(cells, book, language)
    if table.empty:
        return []
    words = FURTHER[language]
    note = f'<p class="note">{_esc(keep_note)}</p>' if keep_note and lost_total_to_keep_group(cells, book, kept_items) else ""
    return [(words["title"], f"<p>{_esc(words['intro'])}</p>" + html_table(table) + note)]


def _typed_if_many(cells: pd.DataFrame, cells_path: str, max_rows: int | None) -> pd.DataFrame | None:
    """cells.csv with numbers as numbers, only where a table will be shown per size class."""
    if max_rows is None or _municipality_count(cells) <= max_rows:
        return None
    from analysis.core.aggregate import read_cells

    return read_cells(cells_path)


def code_reading_chapter(reading: dict, language: str) -> tuple[str, str]:
    """How the export's codes were read (column map, code maps, value labels, the wave's own
    categories): the same lines as the validation report's section, in the report's language."""
    words = CODE_READING_WORDS[language]
    items = "".join(f"<li>{_esc(line)}</li>" for line in code_reading_lines(reading, language))
    return words["title"], f"<p>{_esc(words['intro'])}</p><ul>{items}</ul>"


# --- reading the built outputs (I/O kept apart from the pure builders above) --------------------

def replication_chapter(scorecard: pd.DataFrame | None, summary: pd.DataFrame | None, language: str) -> str:
    if scorecard is None:
        return f"<p>{WORDS[language]['no_reference']}</p>"
    differing = scorecard[scorecard["match"].astype(str).str.lower() != "true"]
    cols = [c for c in ("table", "row", "column", "quantity", "printed", "regenerated", "verdict", "explanation", "line") if c in differing]
    return html_table(summary) + html_table(differing[cols], "≠") if summary is not None else html_table(differing[cols])


def audit_chapter(findings: pd.DataFrame) -> str:
    cols = ["table", "row_id", "col_key", "printed", "consistent", "verdict", "explanation", "line"]
    return html_table(findings[cols])


def banner_text(cfg: dict, disclosure: str, language: str) -> str | None:
    """The banner of an invented or reconstructed wave, and the disclosure note."""
    data = data_note(language, bool(cfg.get("synthetic")), bool(cfg.get("reconstructed")), form="banner")
    return " ".join(part for part in (data, disclosure) if part) or None


def run_report(*, wave: str, language: str, cfg: dict, settings: dict, cells_path: str, tables_dir: str,
               figures_dir: str, inputs: list[str], book: Codebook, out_path: str, scorecard_path: str | None = None,
               summary_path: str | None = None, audit_path: str | None = None, chapter_paths: list[str] = (),
               disclosure: str = "", interviews_path: str | None = None, reading_path: str | None = None,
               max_rows: int | None = None, disclosure_report: str | None = None) -> None:
    """report.html of a wave. `disclosure_report`: the wave's disclosure/report.csv (default:
    beside cells.csv, where rule aggregate writes it): where it lists size-class totals hidden for
    keep_group, the report's protection note and its size-class tables say so."""
    read = lambda p: pd.read_csv(p, dtype=str, keep_default_na=False)  # noqa: E731 (text in, text out)
    cells = read(cells_path)
    kept, keep_note = keep_group_notice(cells_path, disclosure_report, (settings.get("disclosure") or {}).get("keep_group"),
                                        language)
    disclosure = " ".join(part for part in (disclosure, keep_note) if part)
    stems = [e.stem for _, _, entries in OUTLINE for e in entries]
    tables = {s: read(Path(tables_dir) / f"{s}.csv") for s in stems if (Path(tables_dir) / f"{s}.csv").exists()}
    figures_png = {s: (Path(figures_dir) / f"{s}.png").read_bytes() for s in stems if (Path(figures_dir) / f"{s}.png").exists()}
    # what each figure plots (written by the same job as its png): which units it shows
    figures_data = {s: read(Path(figures_dir) / f"{s}.data.csv") for s in figures_png if (Path(figures_dir) / f"{s}.data.csv").exists()}
    commit, chash = git_commit(), config_hash(settings)
    sources = " · ".join(f"{p} sha256 {file_sha256(p)[:12]}" for p in inputs)
    provenance = f"{sources} · git {commit} · config {chash}"
    entry_prov = {
        e.stem: f"{tables_dir if e.kind == TABLE else figures_dir}/{e.stem}"
                f"{'.csv' if e.kind == TABLE else '.data.csv'} · src/analysis/publication/"
                f"{'tables' if e.kind == TABLE else 'figures'}.py:{e.builder} · {provenance}"
        for _, _, entries in OUTLINE for e in entries
    }
    extra = [(WORDS[language]["replication"], replication_chapter(
        read(scorecard_path) if scorecard_path else None, read(summary_path) if summary_path else None, language))]
    if audit_path:
        extra.append((WORDS[language]["audit"], audit_chapter(read(audit_path))))
    if reading_path:
        import json

        extra.insert(0, code_reading_chapter(json.loads(Path(reading_path).read_text(encoding="utf-8")), language))
    for p in chapter_paths:
        extra.append((WORDS[language]["earlier"], Path(p).read_text(encoding="utf-8")))
    page = build_report(wave=wave, language=language, banner=banner_text(cfg, disclosure, language), cells=cells, book=book,
                        tables=tables, figures_png=figures_png, entry_provenance=entry_prov, extra_chapters=extra,
                        provenance=provenance, interviews_n=len(read(interviews_path)) if interviews_path else None,
                        max_rows=max_rows, typed_cells=_typed_if_many(cells, cells_path, max_rows), tables_dir=tables_dir,
                        figures_data=figures_data, keep_note=keep_note,
                        kept_items=set(kept.loc[kept["unit"] == "size_class", "item"]))
    Path(out_path).write_text(page, encoding="utf-8")

"""Municipality fact sheets: results/<wave>/municipalities/<id>.html, one per municipality.

The sheet a GGD would send: for the report's main indicators (blocks priorities, determinants,
collaboration, positive and political factors) the municipality's share answering "ja" with its
Wilson 95% interval and n, beside all other municipalities together, its size class and its own
previous wave (matched on the sheet's stable `cbs_code`). A marker appears only where a
difference is statistically meaningful: Fisher's exact test (exact for 4-12 officers), Holm-
corrected over the page's indicators per comparison. Where even "everyone" or "nobody" would not
have differed significantly, the page says that n is too small to tell.

Disclosure: only what cells.csv shows is used. "All other municipalities" is the overall cell
minus this municipality's cell, so it is shown only when both are shown (then a reader can
subtract them anyway; when the own cell is hidden the subtraction would reveal it). The same
holds for the rest of the size class, which is only tested, not shown. A previous wave's cell is
shown on a public page only if it would pass this page's rules (shown, base at least k), whatever
that wave's own mode was; the workflow hands a public wave a restricted previous wave's public
view (rule public_view), so its complementary cells stay hidden here as in the chapter.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.codebook import Codebook
from analysis.core.disclosure.marks import SECONDARY_MARK, disclosure_note, is_suppressed, primary_mark
from analysis.core.vocabulary import OK, OVERALL, OVERALL_ID
from analysis.core.rounding import format_percent
from analysis.publication.tables import mark_free
from analysis.publication.text import FACT_SHEET_WORDS as WORDS
from analysis.publication.text import FREE_MARK, WORDS as TABLE_WORDS, size_class_name

SHOWN_ANSWER = "ja"
ALPHA = 0.05
COMPARISONS = ("others", "size_class", "previous")


# Print: each municipality's file prints on A4 portrait; tables use the full width with fixed
# columns (long labels wrap instead of running off the page), rows and headings never split.
STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222;line-height:1.35}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:0.4rem 0 1.2rem}
th,td{border-bottom:1px solid #ddd;padding:0.25rem 0.4rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th.ind,td.ind{width:30%}
td.num{text-align:right}
.mark{font-weight:bold}
.note{color:#555;font-size:0.9rem}
.banner{background:#fff4d6;border:1px solid #e0c060;padding:0.5rem}
.summary{border-left:4px solid #2a6ebb;padding-left:0.6rem}
@page{size:A4 portrait;margin:14mm 12mm}
@media print{
  body{max-width:none;margin:0;font-size:8.5pt}
  h1{font-size:14pt}h2{font-size:11pt;break-after:avoid;page-break-after:avoid}
  thead{display:table-header-group}
  tr,.summary,.banner{break-inside:avoid;page-break-inside:avoid}
  .banner{background:none}
}
"""


@dataclass(frozen=True)
class Share:
    """A shown 'ja' count out of its base."""
    count: int
    base: int


@dataclass(frozen=True)
class Test:
    """One comparison of the municipality with another group on one indicator."""
    p: float | None  # Fisher exact, two-sided; None: not tested
    could_differ: bool  # would 0% or 100% in the municipality have differed significantly?
    direction: int  # +1 municipality higher, -1 lower, 0 equal


def cell_index(cells: pd.DataFrame) -> dict[tuple[str, str, str], dict]:
    """(unit, unit_id, item) -> the 'ja' cell, for quick lookup over many pages."""
    ja = cells[cells["answer"] == SHOWN_ANSWER]
    return {(str(r["unit"]), str(r["unit_id"]), str(r["item"])): r for r in ja.to_dict("records")}


def shown_share(row: dict | None, min_base: int = 1) -> Share | None:
    """The cell as a count and base if it is shown (not hidden, counted, base at least `min_base`)."""
    if row is None or is_suppressed(row["status"]) or row["status"] != OK:
        return None
    if pd.isna(row["count"]) or pd.isna(row["base"]) or int(row["base"]) < max(min_base, 1):
        return None
    return Share(int(row["count"]), int(row["base"]))


def rest_of(total: Share | None, part: Share | None) -> Share | None:
    """`total` minus `part`: only when both are shown (else it would reveal the hidden one)."""
    if total is None or part is None or total.base - part.base <= 0:
        return None
    return Share(total.count - part.count, total.base - part.base)


def compare(own: Share | None, other: Share | None) -> Test:
    """Fisher exact test of own against other; whether the own n could show any difference."""
    from analysis.core.waves.statistics import fisher_exact_p

    if own is None or other is None:
        return Test(None, False, 0)
    p = fisher_exact_p(own.count, own.base, other.count, other.base)
    extremes = (fisher_exact_p(c, own.base, other.count, other.base) for c in (0, own.base))
    could = any(q < ALPHA for q in extremes)
    difference = own.count * other.base - other.count * own.base
    return Test(p, could, (difference > 0) - (difference < 0))


@dataclass(frozen=True)
class PageContext:
    """What every page of a wave shares: its cells, sheet, and the previous wave's, if any."""
    cells: dict
    size_class_of: dict[str, str]
    previous_cells: dict | None = None
    previous_id_of: dict[str, str] | None = None  # this wave's id -> previous wave's id
    previous_wave: str | None = None


def page_context(cells: pd.DataFrame, municipalities: pd.DataFrame, previous_cells: pd.DataFrame | None = None,
                 previous_municipalities: pd.DataFrame | None = None, previous_wave: str | None = None) -> PageContext:
    size_of = dict(zip(municipalities["municipality_id"].astype(str), municipalities.get(
        "size_class", pd.Series("unknown", index=municipalities.index)).astype(str)))
    matched = None
    if previous_cells is not None and previous_municipalities is not None:
        matched = stable_matches(municipalities, previous_municipalities)
    return PageContext(cell_index(cells), size_of, None if previous_cells is None else cell_index(previous_cells),
                       matched, previous_wave)


def stable_matches(sheet: pd.DataFrame, previous: pd.DataFrame) -> dict[str, str]:
    """This wave's municipality id -> the previous wave's, where both sheets carry the same
    non-empty `cbs_code` (ids themselves belong to one wave and are never matched)."""
    if "cbs_code" not in sheet or "cbs_code" not in previous:
        return {}
    earlier = {str(c): str(m) for m, c in zip(previous["municipality_id"], previous["cbs_code"]) if str(c).strip()}
    return {str(m): earlier[str(c)] for m, c in zip(sheet["municipality_id"], sheet["cbs_code"]) if str(c) in earlier}


def fact_rows(municipality_id: str, book: Codebook, context: PageContext, mode: str, k: int) -> pd.DataFrame:
    """Per indicator: the cells the page shows and the tests behind its markers (Holm per
    comparison over the page's indicators)."""
    from analysis.core.waves.statistics import holm

    m = str(municipality_id)
    size = context.size_class_of.get(m, "unknown")
    previous_id = (context.previous_id_of or {}).get(m)
    floor = k if mode == "public" else 1
    rows = []
    for block in book.feedback_blocks:
        for item in book.block(block):
            overall_row = context.cells.get((OVERALL, OVERALL_ID, item.id))
            own_row = context.cells.get(("municipality", m, item.id))
            if overall_row is None or own_row is None:
                continue
            own = shown_share(own_row)
            size_row = context.cells.get(("size_class", size, item.id))
            previous_row = None if previous_id is None or context.previous_cells is None else \
                context.previous_cells.get(("municipality", previous_id, item.id))
            previous = shown_share(previous_row, floor)
            others = rest_of(shown_share(overall_row), own)
            size_rest = rest_of(shown_share(size_row), own)
            rows.append({"block": block, "item": item.id, "own_row": own_row, "own": own, "others": others,
                         "size_row": size_row, "previous_raw": previous_row, "previous": previous,
                         "test_others": compare(own, others), "test_size_class": compare(own, size_rest),
                         "test_previous": compare(own, previous)})
    table = pd.DataFrame(rows)
    for kind in COMPARISONS:
        p = pd.Series([r[f"test_{kind}"].p if len(table) else None for r in rows], dtype="float64")
        table[f"p_holm_{kind}"] = holm(p).to_numpy() if len(table) else []
    return table


def verdict(test: Test, p_holm: float) -> str:
    """significant | no_difference | too_small | not_compared"""
    if test.p is None:
        return "not_compared"
    if pd.notna(p_holm) and p_holm < ALPHA and test.direction:
        return "significant"
    return "no_difference" if test.could_differ else "too_small"


# --- display --------------------------------------------------------------------------------------

def percent_text(count: int, base: int) -> str:
    return format_percent(count=count, base=base)


def interval_text(count: int, base: int, row: dict | None = None) -> str:
    """The Wilson 95% interval in whole percent: '(30–61%)'. cells.csv has it for every shown
    cell (aggregate step); computed only where a row lacks it."""
    if row is not None and pd.notna(row.get("ci_low")) and pd.notna(row.get("ci_high")):
        low, high = float(row["ci_low"]), float(row["ci_high"])
    else:
        from analysis.core.waves.statistics import wilson

        low, high = wilson(count, base)
    return f"({format_percent(100 * low, symbol='')}–{format_percent(100 * high)})"


def is_free(row: dict | None) -> bool:
    """A cell of a reconstructed wave that nothing published fixes (cells.csv `basis`, issue 17)."""
    return row is not None and str(row.get("basis", "")) == "free"


def share_text(share: Share | None, row: dict | None, with_interval: bool = False) -> str:
    """'45% (30–61%) n=11'; the mark of a hidden cell; '–' where there is nothing to show."""
    if share is None:
        if row is not None and is_suppressed(row["status"]):
            return str(row["status"])
        return "–" if row is None or pd.isna(row.get("base")) or row["status"] != OK else SECONDARY_MARK
    interval = f" {interval_text(share.count, share.base, row)}" if with_interval else ""
    return f"{percent_text(share.count, share.base)}{interval} n={share.base}"


def previous_text(share: Share | None, row: dict | None, k: int) -> str:
    """The previous wave's cell, or why it is not shown: '< k' for a base below k (the previous
    wave may have been restricted; this page is not), its own mark if it hid the cell."""
    if share is not None:
        return share_text(share, row)
    if row is None or pd.isna(row.get("base")) or row["status"] not in (OK,) and not is_suppressed(row["status"]):
        return "–"
    if is_suppressed(row["status"]):
        return str(row["status"])
    return primary_mark(k) if int(row["base"]) > 0 else "–"


def municipality_label(municipality_id: str, municipalities: pd.DataFrame, mode: str, language: str) -> str:
    """Public: the pseudonym only. Restricted: the sheet's name where there is one."""
    row = municipalities[municipalities["municipality_id"].astype(str) == str(municipality_id)]
    if mode == "public":
        return str(row["pseudonym"].iloc[0]) if "pseudonym" in row and len(row) else "?"
    if "name" in row and len(row) and str(row["name"].iloc[0]).strip():
        return str(row["name"].iloc[0])
    return f"{WORDS[language]['municipality']} {municipality_id}"


def municipality_page(municipality_id: str, cells_protected: pd.DataFrame, municipalities: pd.DataFrame,
                      book: Codebook, mode: str, k: int, language: str = "nl", wave_note: str | None = None,
                      context: PageContext | None = None, keep_note: str = "",
                      kept_items: set[str] | None = None) -> str:
    """A self-contained HTML fact sheet (inline CSS, no links) for one municipality.

    `cells_protected` comes from `protect_cells` in `mode` with threshold `k`; `municipalities`
    has a `pseudonym` column (`pseudonymise`); in public mode the page names the municipality by
    pseudonym only. `context` (from `page_context`) carries the previous wave and is shared by
    all pages of a wave. `keep_note` (marks.keep_group_note: the wave's keep_group hid size-class
    totals) is said where the page's size-class column shows a '×' (with `kept_items`, the items whose
    total of this page's size class report.csv lists as hidden for keep_group: only where one of
    those shows it, so that a page whose '×' have other reasons does not blame keep_group)."""
    words = WORDS[language]
    context = context or page_context(cells_protected, municipalities)
    label = municipality_label(municipality_id, municipalities, mode, language)
    wave = ", ".join(sorted(cells_protected["wave"].astype(str).unique()))
    rows = fact_rows(municipality_id, book, context, mode, k)
    size = context.size_class_of.get(str(municipality_id), "unknown")
    with_previous = context.previous_cells is not None and bool((context.previous_id_of or {}).get(str(municipality_id)))
    parts = [f"<h1>{_e(words['title'])}: {_e(label)}</h1>",
             f"<p>{_e(words['wave'])}: {_e(wave)} · {_e(words['size_class'])}: "
             f"{_e(size_class_name(size, language))}</p>"]
    parts += [f'<p class="banner">{_e(note)}</p>' for note in (wave_note, disclosure_note(mode, k, language)) if note]
    parts += [f'<p class="summary">{_e(s)}</p>' for s in summary_sentences(rows, book, language, with_previous)]
    for block in book.feedback_blocks:
        block_rows = rows[rows["block"] == block] if len(rows) else rows
        if len(block_rows):
            parts.append(_block_table(block, block_rows, book, language, size, with_previous, context.previous_wave, k))
    notes = [words["legend"], words["others_note"]] + ([] if with_previous else [words["previous_none"]])
    if any(f" {FREE_MARK}<" in part for part in parts):  # a marked cell is shown
        notes.append(TABLE_WORDS[language]["free_legend"])
    if keep_note and len(rows) and any(isinstance(r, dict) and str(r.get("status")) == SECONDARY_MARK
                                       and (kept_items is None or item in kept_items)
                                       for r, item in zip(rows["size_row"], rows["item"])):
        notes.append(keep_note)
    parts += [f'<p class="note">{_e(n)}</p>' for n in notes]
    title = f"{words['title']} {label}"
    return ("<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            "<style>{style}</style></head><body>\n{body}\n</body></html>\n").format(
        lang=language, title=_e(title), style=STYLE, body="\n".join(parts))


def summary_sentences(rows: pd.DataFrame, book: Codebook, language: str, with_previous: bool = False) -> list[str]:
    """Where the municipality differs, in words; and how often n is too small to tell."""
    words = WORDS[language]
    if not len(rows):
        return []
    records = rows.to_dict("records")
    # an indicator whose own cell is hidden is compared with nothing: "no difference" would claim
    # a comparison that was not made
    shown = [r for r in records if r["own"] is not None]
    if not shown:
        return [words["summary_all_hidden"].format(n=len(records))]
    found = []
    for r in shown:
        for kind in COMPARISONS:
            test = r[f"test_{kind}"]
            if verdict(test, r[f"p_holm_{kind}"]) == "significant":
                side = "higher" if test.direction > 0 else "lower"
                found.append(f"{book[r['item']].label(language)} ({words[side][kind]})")
    out = [words["summary_differs"].format(items="; ".join(found)) if found else words["summary_none"].format(
        n=len(shown), previous=words["or_previous"] if with_previous else "")]
    if len(shown) < len(records):
        out.append(words["summary_hidden"].format(n=len(records) - len(shown), total=len(records)))
    small = sum(verdict(r["test_others"], r["p_holm_others"]) == "too_small" for r in shown)
    if small:
        out.append(words["summary_small"].format(n=small, total=len(records)))
    return out


def _mark(test: Test, p_holm: float, kind: str, language: str) -> str:
    words = WORDS[language]
    outcome = verdict(test, p_holm)
    if outcome == "significant":
        side = "higher" if test.direction > 0 else "lower"
        return f'<span class="mark" title="{_e(words[side][kind])}">{"▲" if test.direction > 0 else "▼"}</span> '
    return ""


def _block_table(block: str, rows: pd.DataFrame, book: Codebook, language: str, size: str, with_previous: bool,
                 previous_wave: str | None, k: int) -> str:
    words = WORDS[language]
    heads = [words["indicator"], words["own"], words["others"],
             f"{words['size_class']} {size_class_name(size, language)}"]
    heads += [f"{words['previous']} ({previous_wave})"] if with_previous else []
    heads.append(words["difference"])
    body = []
    for r in rows.to_dict("records"):
        # all others is hidden with the own cell: their difference would reveal it
        others = SECONDARY_MARK if r["own"] is None and is_suppressed(r["own_row"]["status"]) else share_text(r["others"], None)
        # a free own cell makes "all others" (the overall minus it) a free choice too
        own_free = r["own"] is not None and is_free(r["own_row"])
        size = shown_share(r["size_row"])
        cols = [mark_free(share_text(r["own"], r["own_row"], with_interval=True), own_free, language),
                _mark(r["test_others"], r["p_holm_others"], "others", language)
                + mark_free(others, own_free and r["others"] is not None, language),
                _mark(r["test_size_class"], r["p_holm_size_class"], "size_class", language)
                + mark_free(share_text(size, r["size_row"]), size is not None and is_free(r["size_row"]), language)]
        if with_previous:
            cols.append(_mark(r["test_previous"], r["p_holm_previous"], "previous", language)
                        + previous_text(r["previous"], r["previous_raw"], k))
        outcome = [verdict(r[f"test_{kind}"], r[f"p_holm_{kind}"]) for kind in COMPARISONS]
        said = [words[("higher" if r[f"test_{kind}"].direction > 0 else "lower")][kind]
                for kind, o in zip(COMPARISONS, outcome) if o == "significant"]
        text = "; ".join(said) or (words["too_small"] if outcome[0] == "too_small" else
                                   words["no_difference"] if "no_difference" in outcome else words["not_compared"])
        body.append(f'<tr><td class="ind">{_e(book[r["item"]].label(language))}</td>'
                    + "".join(f'<td class="num">{c if "<span" in c else _e(c)}</td>' for c in cols)
                    + f"<td>{_e(text)}</td></tr>")
    head = "".join(f'<th{" class=ind" if i == 0 else ""}>{_e(h)}</th>' for i, h in enumerate(heads))
    title = book.blocks[block][language]
    return f"<h2>{_e(title)}</h2>\n<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table>"


def _e(text) -> str:
    return html.escape(str(text))


def page_file_name(municipality_id: str, municipalities: pd.DataFrame, mode: str) -> str:
    """<pseudonym>.html in public mode (a sheet id may be a CBS code), <id>.html in restricted."""
    if mode == "public":
        return municipality_label(municipality_id, municipalities, "public", "en") + ".html"
    return f"{municipality_id}.html"


def write_municipality_pages(cells_path, municipalities_path, codebook_path, sectors_path, language: str,
                             disclosure: dict, wave_note: str | None, outdir, previous: dict | None = None,
                             disclosure_report: str | None = None) -> None:
    """The municipality_pages step: one page per municipality of the wave's sheet, from the
    protected cells.csv (the only I/O of this module). In public mode the sheet's ids are
    pseudonyms already (validate step), so the page file is named by pseudonym. `previous`:
    {wave, cells, municipalities} of the previous valid wave, if there is one.
    `disclosure_report`: the wave's disclosure/report.csv (default: beside cells.csv), whose
    size-class totals hidden for keep_group a page's note explains."""
    from analysis.core.aggregate import read_cells
    from analysis.core.codebook import load_codebook
    from analysis.core.disclosure.checkreport import keep_group_notice
    from analysis.core.disclosure.pseudonyms import pseudonymise

    book = load_codebook(codebook_path, sectors_path)
    sheet = pd.read_csv(municipalities_path, dtype=str, keep_default_na=False)
    mode, k = disclosure["mode"], int(disclosure["min_base"])
    munis = sheet if "pseudonym" in sheet else pseudonymise(sheet, disclosure.get("pseudonym_salt", ""), mode)
    cells = read_cells(cells_path)
    context = page_context(cells, munis)
    if previous:
        context = page_context(cells, munis, read_cells(previous["cells"]),
                               pd.read_csv(previous["municipalities"], dtype=str, keep_default_na=False), previous["wave"])
    kept, keep_note = keep_group_notice(cells_path, disclosure_report, disclosure.get("keep_group"), language)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    # a page explains its size-class column's '×' by keep_group only where its own size class lost a total to it
    kept_by_class = kept[kept["unit"] == "size_class"].groupby("unit_id")["item"].agg(set).to_dict()
    for m in munis["municipality_id"].astype(str):
        kept_items = kept_by_class.get(context.size_class_of.get(m, "unknown"), set())
        page = municipality_page(m, cells, munis, book, mode, k, language, wave_note, context, keep_note, kept_items)
        (out / page_file_name(m, munis, mode)).write_text(page, encoding="utf-8")

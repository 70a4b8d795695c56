"""Asked n and answered n in the published outputs, where a wave has item nonresponse.

Every percentage is of those who answered (cells.csv `base` = `answered`). Where some who were
asked did not answer, an output says which n it shows: a table's n column reads "n (beantwoord)",
its heading n "(n=46 beantwoord)", a figure's title "(beantwoord n=142–150)", report.html's
heading of the output "(gevraagd n=152, beantwoord n=142–150)", and a note under a table names
the items whose nonresponse is above core.vocabulary.ITEM_NONRESPONSE_NOTE_PCT. A wave without
item nonresponse (the 2009 reconstruction) keeps the report's plain "n": its outputs are unchanged.
"""
from __future__ import annotations

import re

import pandas as pd

from analysis.core.codebook import Codebook, Item
from analysis.core.nonresponse import nonresponse_in_cells
from analysis.core.rounding import format_percent, whole_percent
from analysis.core.vocabulary import ITEM_NONRESPONSE_NOTE_PCT
from analysis.publication.registry import TABLE, OutputSpec
from analysis.publication.text import ANSWERED_WORDS, WORDS


def figure_items(book: Codebook, figure: str) -> list[Item]:
    """The items Figuur `figure` draws (codebook order): the one place the figures' builders and
    report.html's heading n (entry_items) take them from. Mostly the items whose `published`
    entries name the figure; the report's per-municipality figures of a whole block or kind of
    factor have no entries of their own: Figuur 4.2 draws the priorities block, 6.2 and 6.3 the
    positive factors of the codebook's factor_kind, 6.6 the political factors of Figuur 6.5."""
    if figure == "4.2":
        return book.block("priorities")
    if figure in ("6.2", "6.3"):
        kind = "individual" if figure == "6.2" else "organisational"
        return [it for it in book.block("positive_factors") if it.extra.get("factor_kind") == kind]
    if figure == "6.6":
        return figure_items(book, "6.5")
    return [it for it in book.items if it.in_figure(figure)]


def entry_items(spec: OutputSpec, book: Codebook) -> list[Item]:
    """The items whose numbers an output shows: a table's cells (its `published` entries with a
    column or a row; all its entries where none has), a figure's items (also for the data table of
    Figuur 4.1)."""
    if spec.kind == TABLE and not spec.builder.startswith("figuur_"):
        entries = [(it, it.in_table(spec.number)) for it in book.items if it.in_table(spec.number) is not None]
        cells = [it for it, entry in entries if "col_key" in entry or "row" in entry]
        return cells or [it for it, _ in entries]
    return figure_items(book, spec.number)


def nonresponse_of(cells: pd.DataFrame, items) -> pd.DataFrame:
    """Asked, answered and no answer of each item (ids or Items) the wave asked."""
    return nonresponse_in_cells(cells, [getattr(it, "id", it) for it in items])


def has_item_nonresponse(cells: pd.DataFrame, items) -> bool:
    return bool((nonresponse_of(cells, items)["no_answer"] > 0).any())


def respondents(cells: pd.DataFrame, unit: str) -> pd.Series:
    """Respondents per unit_id: the largest base of any item (items asked of all have base = n).
    Bases read as text (report.html reads cells.csv as text) are compared as numbers."""
    rows = cells[cells["unit"] == unit]
    base = pd.to_numeric(rows["base"], errors="coerce")
    return base.groupby(rows["unit_id"].astype(str)).max().astype("Int64")


def n_range(low, high) -> str:
    return f"{int(low)}" if low == high else f"{int(low)}–{int(high)}"


def figure_n_text(low, high, nonresponse: bool, language: str) -> str:
    """The n of a figure's title: "n=150", or "beantwoord n=142–150" where some did not answer."""
    n = f"n={n_range(low, high)}"
    return f"{ANSWERED_WORDS[language]['answered']} {n}" if nonresponse else n


def report_n_text(asked: int, cells: pd.DataFrame, items, language: str) -> str:
    """The n of an output's heading in report.html: "n=152" (`asked`: who was asked its block),
    and with item nonresponse who was asked and who answered its items, "gevraagd n=152,
    beantwoord n=142–150" — the same answered n as the figure's own title (figure_n_text), so
    heading and figure do not seem to disagree. Both are ranges over the same items: where skip
    logic asks some items of fewer respondents, "gevraagd n=24–47" says so, and the answered range
    is not read as 23 missing answers."""
    found = nonresponse_of(cells, items)
    if not (found["no_answer"] > 0).any():
        return f"{WORDS[language]['n']}={asked}"
    w = ANSWERED_WORDS[language]
    return (f"{w['asked']} n={n_range(found['asked'].min(), found['asked'].max())}, "
            f"{figure_n_text(found['answered'].min(), found['answered'].max(), True, language)}")


def answered_headers(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """A table's n column and heading n named as the answered n: "n" -> "n (beantwoord)", "Totaal"
    (the report's n column of VII.2, VIII.1, VIII.2) -> "Totaal (n beantwoord)", "(n=46)" ->
    "(n=46 beantwoord)"."""
    from analysis.publication.tables import PRINTED_LAYOUT

    w, k = ANSWERED_WORDS[language], 0 if language == "nl" else 1
    printed_n = {layout["n"][k] for layout in PRINTED_LAYOUT.values() if "n" in layout}

    def rename(column: str) -> str:
        if column == WORDS[language]["n"]:
            return w["n_answered"]
        if column in printed_n:
            return f"{column} (n {w['answered']})"
        return re.sub(r"\(n=(\d+)\)$", rf"(n=\1 {w['answered']})", str(column))
    return table.rename(columns={c: rename(c) for c in table.columns})


def nonresponse_note(cells: pd.DataFrame, book: Codebook, items, language: str,
                     threshold: float = ITEM_NONRESPONSE_NOTE_PCT) -> str:
    """The note under a table with item nonresponse: what n means, and each item whose share not
    answering is above `threshold` percent ("Geen antwoord ... boven 5%: <vraag> 14,8% (4 v/d 27)").
    "" where everyone asked answered."""
    found = nonresponse_of(cells, items)
    if not (found["no_answer"] > 0).any():
        return ""
    w = ANSWERED_WORDS[language]
    # compared as printed (whole percents), so that no item reads "5%" under "above 5%"
    above = found[[float(whole_percent(count=r.no_answer, base=r.asked)) > threshold for r in found.itertuples()]]
    labels = [book[r.item].label(language) for r in above.itertuples()]
    parts = [w["item"].format(label=_told_apart(book, r.item, label, labels, language), no_answer=r.no_answer,
                              asked=r.asked, of=WORDS[language]["of"], pct=format_percent(count=r.no_answer, base=r.asked))
             for r, label in zip(above.itertuples(), labels)]
    listed = " " + w["above"].format(pct=format_percent(threshold, symbol=""), items="; ".join(parts)) if parts else ""
    return w["explained"] + listed


def _told_apart(book: Codebook, item: str, label: str, labels: list[str], language: str) -> str:
    """An item's label in a note, with its block's heading where another listed item has the same
    label (Tabel 4.2's "Allochtonen" in both columns)."""
    if labels.count(label) < 2:
        return label
    spec = book.blocks.get(book[item].block or "", {})
    heading = spec.get(f"table_{language}") or spec.get(language)
    return f"{label} ({heading})" if heading else label

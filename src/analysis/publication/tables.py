"""The report's tables, built from cells.csv: one builder per table, in the report's numbering.

Every builder takes the tidy cells (analysis.aggregate) and the codebook and returns a DataFrame in
the report's layout: a cell reads "75% (3)" (rounded percentage, count), a row carries its n, and
"Gemiddeld" rows are pooled (total count / total n), as in the report. Which items make up a table
and in which column order comes from the codebook's `published` entries, never from lists here.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from analysis.core.aggregate import NOT_ASKED, OK
from analysis.core.codebook import Codebook, Item
from analysis.core.disclosure.marks import SECONDARY_MARK, is_suppressed
from analysis.core.rounding import format_percent
from analysis.publication.answered import answered_headers, entry_items, figure_items, nonresponse_note
from analysis.publication.text import FURTHER_WORDS as WORDS_FURTHER, WORDS, size_class_name
from analysis.publication.registry import BY_STEM, FURTHER_STEM, TABLE_IDS, TABLES, call_builder  # noqa: F401 (TABLE_IDS re-exported)

SHOWN_ANSWER = "ja"  # the report prints the share answering "ja" (or ticking the box)

# Where the report heads a table's first column, its n column or its pooled row otherwise than
# the other tables do (nl, en). The n column is headed "Totaal" where the report prints it so.
PRINTED_LAYOUT = {
    "VI.1": {"first": ("Beleidsterreinen", "Policy sectors")},
    "VII.2": {"first": ("Gemeenten", "Municipalities"), "n": ("Totaal", "Total"),
              "average": ("Gemiddeld/Totaal", "Average/Total")},
    "VIII.1": {"first": ("Beleidssectoren", "Policy sectors"), "n": ("Totaal", "Total")},
    "VIII.2": {"first": ("Gemeenten", "Municipalities"), "n": ("Totaal", "Total"),
               "average": ("Gemiddeld/Totaal", "Average/Total")},
}


def as_printed(frame: pd.DataFrame, table: str, language: str = "nl") -> pd.DataFrame:
    """The first column, n column and pooled row of Tabel `table` named as the report prints them."""
    layout, k = PRINTED_LAYOUT.get(table, {}), 0 if language == "nl" else 1
    words = WORDS[language]
    out = frame.copy()
    if "average" in layout:
        first = out.columns[0]
        out[first] = out[first].replace({words["average"]: layout["average"][k]})
    names = {}
    if "first" in layout:
        names[out.columns[0]] = layout["first"][k]
    if "n" in layout and words["n"] in out:
        names[words["n"]] = layout["n"][k]
    return out.rename(columns=names)


def table_title(table_id: str, language: str = "nl", footnote: str = "") -> str:
    """The title as the report prints it (English: translated); '*' when the table has a footnote."""
    spec = BY_STEM.get(table_id)
    if table_id == FURTHER_STEM:  # the further questions: a table of the report's own, no number
        return WORDS_FURTHER[language]["title"]
    return (spec.heading(language) if spec else table_id) + ("*" if footnote else "")


def table_footnote(table_id: str, cells: pd.DataFrame, book: Codebook, language: str = "nl") -> str:
    """The report's '*' note under a table whose questions were asked of part of the respondents
    only (skip logic, e.g. Tabel VIII.3 and IX.1-3: "(98 v/d 123)"), with this wave's numbers."""
    match = re.fullmatch(r"tabel_([0-9IVX]+)_(\d+)", table_id)
    items = published_items(book, f"{match.group(1)}.{match.group(2)}") if match else []
    conditions = {tuple(sorted(it.asked_if.items())) for it in items}
    if len(conditions) != 1 or not next(iter(conditions)):
        return ""
    overall = cells[cells["unit"] == "overall"]
    if "status" in overall and overall.loc[overall["item"].isin([it.id for it in items]), "status"].astype(str).eq(NOT_ASKED).all():
        return ""  # a block the wave did not ask: "not asked", not "asked of 0 of 188"
    parent, key = next(iter(conditions))[0]
    # who was asked: the lead item's count of the leading answer, of all who answered the lead
    # question (not the table's largest base, which item nonresponse makes smaller)
    if not {"answer", "count"} <= set(overall.columns):
        return ""
    lead = overall[(overall["item"] == parent) & (overall["answer"] == key)]
    asked = pd.to_numeric(lead["count"], errors="coerce").max()
    everyone = pd.to_numeric(lead["base"], errors="coerce").max()
    if pd.isna(asked) or pd.isna(everyone) or asked >= everyone:
        return ""
    answer = book[parent].answer_label(key, language)
    if language == "nl":
        return (f"* De vragen zijn alleen ingevuld door wie bij '{book[parent].label('nl')}' "
                f"'{answer}' antwoordde ({int(asked)} v/d {int(everyone)}).")
    return f"* Asked only of respondents who answered '{answer}' to '{book[parent].label('en')}' ({int(asked)} of {int(everyone)})."
# Tabel 3.1's municipality types (size class x krachtwijk), in the report's column order.
MUNICIPALITY_TYPES = [
    ("G4", "yes", "G4 met krachtwijk", "G4 with deprived area"),
    ("G32", "yes", "G32 met krachtwijk", "G32 with deprived area"),
    ("G32", "no", "G32 zonder krachtwijk", "G32 without deprived area"),
    ("small", "no", "Kleinere gemeenten zonder krachtwijk", "Smaller municipalities without deprived area"),
]
FIXED_TIMESTAMP = datetime(2010, 1, 1)  # workbook metadata: fixed so two builds are byte-identical


# --- helpers ---------------------------------------------------------------------------------

def table_entry(item: Item, table: str) -> dict | None:
    """The item's `published` entry for Tabel `table` only."""
    return item.in_table(table)


def published_items(book: Codebook, table: str) -> list[Item]:
    """Items the report prints in Tabel `table` (codebook order = the report's column order)."""
    return [it for it in book.items if table_entry(it, table) is not None]


def column_items(book: Codebook, table: str) -> list[Item]:
    """Items that are a column of Tabel `table` (their entry names a col_key; the sector item of
    VIII.1 is its row dimension, not a column)."""
    return [it for it in published_items(book, table) if "col_key" in table_entry(it, table)]


def header_lost(item: Item, table: str) -> str | None:
    """None if the report's header is known; else "unknown" or "inferred" (how it was lost)."""
    basis = str(item.extra.get("label_basis", ""))
    col_key = str((table_entry(item, table) or {}).get("col_key", ""))
    if basis == "unknown":
        return "unknown"
    if basis.startswith("inferred") or re.fullmatch(r"col\d+", col_key):
        return "inferred"
    return None


def column_label(item: Item, table: str, language: str) -> str:
    """The item's (short) label; a header the report lost says so."""
    label = item.extra.get(f"short_{language}") or item.label(language)
    words = WORDS[language]
    lost = header_lost(item, table)
    if lost == "unknown":
        return f"{label} [{words['lost']}]"
    if lost == "inferred":
        return f"{label} [{words['lost']}; {words['presumably']}]"
    return label


def format_cell(pct_rounded, count, base, row_n, status: str, language: str) -> str:
    """'75% (3)' as the report prints; '(4 v/d 5)' when the base is not the row's n (skip logic)."""
    if status == NOT_ASKED:
        return WORDS[language]["not_asked"]
    if is_suppressed(status):  # small-cell protection: "< k" or "×", never 0 or blank
        return str(status)
    if status != OK or pd.isna(pct_rounded):
        return "–"
    of = WORDS[language]["of"]
    shown = f"{count}{of}{base}" if pd.notna(row_n) and base != row_n else f"{count}"
    return f"{format_percent(pct_rounded)} ({shown})"


def mark_free(text: str, free: bool, language: str) -> str:
    """A cell of a reconstructed wave that nothing published fixes carries a mark (legend: free_legend)."""
    return f"{text} {WORDS[language]['free_mark']}" if free else text


def free_legend(table: pd.DataFrame, language: str) -> str:
    """The legend line of the free-cell mark, when the table shows one."""
    mark = f" {WORDS[language]['free_mark']}"
    shown = table.astype(str).apply(lambda col: col.str.endswith(mark)).to_numpy().any() if len(table) else False
    return WORDS[language]["free_legend"] if shown else ""


def _shown(cells: pd.DataFrame, unit: str, items: list[Item], answer: str = SHOWN_ANSWER) -> pd.DataFrame:
    ids = [it.id for it in items]
    sel = cells[(cells["unit"] == unit) & cells["item"].isin(ids) & (cells["answer"] == answer)]
    return sel.copy()


def unit_n(cells: pd.DataFrame, unit: str, items: list[Item]) -> pd.Series:
    """n of each unit for a table: the largest base among its items (who was asked the table)."""
    sel = _shown(cells, unit, items)
    return sel.groupby("unit_id", sort=False)["base"].max()


def unit_grid(cells: pd.DataFrame, unit: str, items: list[Item], table: str, language: str,
              n_item: str | None = None) -> pd.DataFrame:
    """Rows = units (cells order), columns = items' labels, values = formatted cells, plus n: the
    largest base among the items, or with `n_item` that item's base (size_class_table)."""
    sel = _shown(cells, unit, items)
    n = unit_n(cells, unit, items) if n_item is None else \
        sel[sel["item"] == n_item].groupby("unit_id", sort=False)["base"].max()
    sel["row_n"] = sel["unit_id"].map(n)
    free = sel["basis"].eq("free") if "basis" in sel else pd.Series(False, index=sel.index)
    sel["text"] = [
        mark_free(format_cell(r.pct_rounded, r.count, r.base, r.row_n, r.status, language), f and r.status == OK, language)
        for r, f in zip(sel.itertuples(), free)
    ]
    grid = sel.pivot(index="unit_id", columns="item", values="text")
    grid = grid.reindex(index=list(dict.fromkeys(sel["unit_id"])), columns=[it.id for it in items])
    grid.columns = [column_label(it, table, language) for it in items]
    grid[WORDS[language]["n"]] = printed_n(n.reindex(grid.index).astype("Int64"),
                                           sel if n_item is None else sel[sel["item"] == n_item], language)
    return grid


def printed_n(n: pd.Series, sel: pd.DataFrame, language: str) -> pd.Series:
    """A row's n as printed, never blank, "<NA>" or 0 for what is not a count of 0 (README, "public"):
    where no item of the row shows its base, the n is the mark its cells carry — a follow-up's base
    hidden with its lead count reads "×" (suppression._apply_cells), and so does its n, so the n
    tells no more than the cells — or the not-asked word of a wave that did not ask the items."""
    if not n.isna().any():
        return n  # every n shown: numbers, as before
    out = n.astype(object)
    for unit_id in n.index[n.isna()]:
        status = sel.loc[sel["unit_id"] == unit_id, "status"].astype(str)
        hidden = sorted({s for s in status if is_suppressed(s)})
        if len(status) and status.eq(NOT_ASKED).all():
            out[unit_id] = WORDS[language]["not_asked"]
        elif hidden:  # one mark where the cells agree; "×" otherwise ("< k" would tell the base is small)
            out[unit_id] = hidden[0] if len(hidden) == 1 else SECONDARY_MARK
        else:
            out[unit_id] = "–"  # as format_cell prints a cell with nothing to show
    return out


# --- appendix tables per municipality / sector -------------------------------------------------

# The tables with a row per municipality (their builders are marked `@per_municipality`): in
# report.html, above `figures: municipality_rows_max` municipalities, a row per size class instead.
MUNICIPALITY_ROW_TABLES: set[str] = set()


def per_municipality(builder):
    MUNICIPALITY_ROW_TABLES.add(builder.__name__)
    return builder


def size_class_table(cells: pd.DataFrame, book: Codebook, table: str, language: str = "nl") -> pd.DataFrame:
    """A table of `municipality_table` with a row per size class (G4, G32, smaller municipalities)
    instead of per municipality, and the same pooled row: what report.html shows when a wave has
    more municipalities than a table can show readably (the full table stays in the csv and xlsx)."""
    items = column_items(book, table)
    words = WORDS[language]
    lead = size_class_n_item(cells, items)
    body = unit_grid(cells, "size_class", items, table, language, n_item=lead)
    body.index = [size_class_name(c, language) for c in body.index]
    total = unit_grid(cells, "overall", items, table, language, n_item=lead)
    total.index = [words["average"]]
    out = as_printed(pd.concat([body, total]).rename_axis(words["size_class"]).reset_index(), table, language)
    return out.rename(columns={out.columns[0]: words["size_class"]})


# The n column of a size-class table is one item's base in every row, total included: the item
# of the table with the largest overall base (the total row's n, as in the table per municipality).
# Each row taking its own largest base over items (as the rows per municipality do) made a column
# headed "Totaal" whose rows did not add up to its total (review r18d: 14 + 31 + 63 = 108 against
# 106), since item nonresponse makes a different item the largest in each row. One item's bases
# partition its respondents, so the size classes add up to the total, but for respondents of
# municipalities of unknown size class, which the note under the table counts. Every base printed
# is one cells.csv shows, a hidden one reads its mark (printed_n).
def size_class_n_item(cells: pd.DataFrame, items: list[Item]) -> str:
    """The item whose base is the n of a size-class table (first in codebook order on a tie)."""
    overall = _shown(cells, "overall", items)
    bases = pd.to_numeric(overall.set_index("item")["base"], errors="coerce").groupby(level=0).max()
    bases = bases.reindex([it.id for it in items])
    return bases.idxmax() if bases.notna().any() else items[0].id


def size_class_n_note(cells: pd.DataFrame, book: Codebook, table: str, language: str = "nl") -> str:
    """The note under a size-class table: what its n column counts, and the respondents of
    municipalities of unknown size class in its total but in no row (from the bases cells.csv
    shows; not said where a size class's n is hidden, lest the difference tell it)."""
    items = column_items(book, table)
    lead = size_class_n_item(cells, items)
    rows = _shown(cells, "size_class", items)
    rows = rows[rows["item"] == lead]
    overall = _shown(cells, "overall", items)
    overall = overall[overall["item"] == lead]
    if overall.empty or overall["status"].astype(str).eq(NOT_ASKED).all():
        return ""
    words = WORDS[language]
    n_header = PRINTED_LAYOUT.get(table, {}).get("n", (words["n"], words["n"]))[0 if language == "nl" else 1]
    note = words["size_class_n"].format(n=n_header, item=book[lead].label(language))
    bases = pd.to_numeric(rows["base"], errors="coerce")
    total = pd.to_numeric(overall["base"], errors="coerce").max()
    if len(rows) and bases.notna().all() and pd.notna(total) and total > bases.sum():
        unknown = int(total - bases.sum())
        note += words["size_class_n_unknown"].format(count=unknown, respondents=words["respondent_count_word"][unknown != 1])
    return note + "."


def municipality_table(cells: pd.DataFrame, book: Codebook, table: str, language: str = "nl",
                       municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """A Bijlage table by municipality: rows 'Gemeente 1..16' + pooled 'Gemiddeld', n column."""
    items = column_items(book, table)
    words = WORDS[language]
    body = unit_grid(cells, "municipality", items, table, language)
    body.index = [municipality_label(m, municipalities, language) for m in body.index]
    total = unit_grid(cells, "overall", items, table, language)
    total.index = [words["average"]]
    out = pd.concat([body, total]).rename_axis(words["municipality"]).reset_index()
    return out


def municipality_label(municipality_id: str, municipalities: pd.DataFrame | None, language: str) -> str:
    """The sheet's name where it gives one, else 'Gemeente <id>' as the report numbers them."""
    if municipalities is not None and "name" in municipalities:
        names = dict(zip(municipalities["municipality_id"].astype(str), municipalities["name"]))
        name = names.get(str(municipality_id))
        if isinstance(name, str) and name.strip():
            return name
    return f"{WORDS[language]['municipality']} {municipality_id}"


@per_municipality
def tabel_VII_2(cells, book, language="nl", municipalities=None) -> pd.DataFrame:
    """Tabel VII.2: health (inequalities) as a topic, per municipality."""
    return as_printed(municipality_table(cells, book, "VII.2", language, municipalities), "VII.2", language)


@per_municipality
def tabel_VII_3(cells, book, language="nl", municipalities=None) -> pd.DataFrame:
    """Tabel VII.3: work on determinants of health inequalities, per municipality."""
    return municipality_table(cells, book, "VII.3", language, municipalities)


@per_municipality
def tabel_VIII_2(cells, book, language="nl", municipalities=None) -> pd.DataFrame:
    """Tabel VIII.2: intersectoral collaboration, per municipality."""
    return as_printed(municipality_table(cells, book, "VIII.2", language, municipalities), "VIII.2", language)


@per_municipality
def tabel_VIII_3(cells, book, language="nl", municipalities=None) -> pd.DataFrame:
    """Tabel VIII.3: forms of collaboration, per municipality (all headers lost in the report)."""
    return municipality_table(cells, book, "VIII.3", language, municipalities)


@per_municipality
def tabel_IX_1(cells, book, language="nl", municipalities=None) -> pd.DataFrame:
    """Tabel IX.1: positive factors ('ja'), per municipality."""
    return municipality_table(cells, book, "IX.1", language, municipalities)


@per_municipality
def tabel_IX_2(cells, book, language="nl", municipalities=None) -> pd.DataFrame:
    """Tabel IX.2: negative factors ('ja'), per municipality."""
    return municipality_table(cells, book, "IX.2", language, municipalities)


@per_municipality
def tabel_IX_3(cells, book, language="nl", municipalities=None) -> pd.DataFrame:
    """Tabel IX.3: political factors, per municipality (headers 1-5 lost in the report)."""
    return municipality_table(cells, book, "IX.3", language, municipalities)


def tabel_VIII_1(cells: pd.DataFrame, book: Codebook, language: str = "nl") -> pd.DataFrame:
    """Tabel VIII.1: intersectoral collaboration per sector + pooled total."""
    items = column_items(book, "VIII.1")
    words = WORDS[language]
    body = unit_grid(cells, "sector", items, "VIII.1", language)
    body.index = [book.sector(s).nl if language == "nl" else book.sector(s).en for s in body.index]
    total = unit_grid(cells, "overall", items, "VIII.1", language)
    total.index = [f"{words['average']}/{words['total']}"]
    return as_printed(pd.concat([body, total]).rename_axis(words["sector"]).reset_index(), "VIII.1", language)


# --- chapter tables ----------------------------------------------------------------------------

def tabel_4_1(cells: pd.DataFrame, book: Codebook, language: str = "nl") -> pd.DataFrame:
    """Tabel 4.1: priorities and work on health (inequalities), all respondents."""
    items = column_items(book, "4.1")
    words = WORDS[language]
    sel = _shown(cells, "overall", items).set_index("item").reindex([it.id for it in items])
    n = sel["base"].max()
    return pd.DataFrame({
        words["priorities"]: [it.label(language) for it in items],
        f"{words['respondents']} (n={n if pd.notna(n) else 0})": _counts_of(sel, n, language),
        words["percentage"]: [words["not_asked"] if st == NOT_ASKED else format_percent(p)
                              for p, st in zip(sel["pct_rounded"], sel["status"])],
    })


def _counts_of(sel: pd.DataFrame, n, language: str) -> list:
    """Tabel 4.1's counts; "29 v/d 45" where an item's base is not the heading's n (item
    nonresponse), as format_cell does for a cell, so that its percentage can be checked."""
    counts = sel["count"].astype("Int64").to_list()
    bases = pd.to_numeric(sel["base"], errors="coerce").to_list()
    if all(b == n for b, st in zip(bases, sel["status"]) if st == OK):
        return counts
    of = WORDS[language]["of"]
    return [f"{c}{of}{int(b)}" if st == OK and b != n else c for c, b, st in zip(counts, bases, sel["status"])]


def tabel_4_2(cells: pd.DataFrame, book: Codebook, language: str = "nl") -> pd.DataFrame:
    """Tabel 4.2: target groups taken into account, by policy aim (health / inequalities)."""
    items = published_items(book, "4.2")
    members = [it for it in items if table_entry(it, "4.2").get("row")]
    sel = _shown(cells, "overall", members).set_index("item")
    rows = list(dict.fromkeys(table_entry(it, "4.2")["row"] for it in members))
    out = pd.DataFrame(index=rows)
    for block in dict.fromkeys(it.block for it in members):
        scope_items = [it for it in members if it.block == block]
        n = sel.loc[[it.id for it in scope_items], "base"].max()
        label = book.blocks[block].get(f"table_{language}") or book.blocks[block][language]
        header = f"{label} (n={n if pd.notna(n) else 0})"
        texts = {
            table_entry(it, "4.2")["row"]: format_cell(
                sel.at[it.id, "pct_rounded"], sel.at[it.id, "count"], sel.at[it.id, "base"], n,
                sel.at[it.id, "status"], language)
            for it in scope_items
        }
        out[header] = [texts.get(r, "") for r in rows]
    labels = {table_entry(it, "4.2")["row"]: it.label(language) for it in members}
    out.index = [labels[r] for r in rows]
    return out.rename_axis(WORDS[language]["target_groups"]).reset_index()


def tabel_VI_1(cells: pd.DataFrame, book: Codebook, language: str = "nl",
               sent_by_sector: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tabel VI.1: response per sector (questionnaires sent, received, %). Sent may be unknown."""
    words = WORDS[language]
    # received = respondents per sector: the overall count of the sector item
    received = cells[(cells["unit"] == "overall") & (cells["item"] == "sector")].set_index("answer")["count"]
    sent = {}
    if sent_by_sector is not None:
        sent = dict(zip(sent_by_sector["sector"].astype(str), pd.to_numeric(sent_by_sector["questionnaires_sent"])))
    rows = []
    for s in book.sectors:
        rows.append((s.nl if language == "nl" else s.en, sent.get(s.id), int(received.get(s.id, 0))))
    known_sent = all(r[1] is not None for r in rows)
    rows.append((words["total"], sum(r[1] for r in rows) if known_sent else None, sum(r[2] for r in rows)))
    return as_printed(pd.DataFrame({
        words["sector"]: [r[0] for r in rows],
        words["sent"]: [int(r[1]) if r[1] is not None else words["unknown"] for r in rows],
        words["received"]: [r[2] for r in rows],
        words["percentage"]: [format_percent(count=r[2], base=r[1]) if r[1] else "–" for r in rows],
    }), "VI.1", language)


def figuur_4_1_data(cells: pd.DataFrame, book: Codebook, language: str = "nl") -> pd.DataFrame:
    """The numbers behind Figuur 4.1: health/inequalities work by VNG domain 1-3."""
    items = figure_items(book, "4.1")
    grid = unit_grid(cells, "domain", items, "figure 4.1", language)
    grid = grid.loc[[d for d in grid.index if d in book.domains_compared]]
    grid.index = [book.domains[d][language] for d in grid.index]
    return grid.rename_axis(WORDS[language]["domain"]).reset_index()


def tabel_3_1(interviews: pd.DataFrame | None, municipalities: pd.DataFrame, language: str = "nl",
              disclosure: dict | None = None, book: Codebook | None = None) -> pd.DataFrame:
    """Tabel 3.1: interviews by sector category and municipality type (size class x krachtwijk).

    The register may carry its own `municipality_type` (one of the four report labels, in Dutch,
    English or as a key such as g32_met_krachtwijk) or only a municipality_id, whose size class
    and krachtwijk then come from the municipality sheet. Rows follow the report: the hub sector
    (config/sectors.yaml `hub`, VGZ) first, then
    the other categories by the VNG domain of their sectors (with `book`).
    The register is read from data/raw, so small-cell protection (which runs on cells.csv) has not
    seen it: in a public wave (`disclosure` mode public, threshold min_base) a table with any count
    from 1 to k - 1 is replaced by a note, since a count of 1 or 2 interviewees of one sector in
    one type of municipality (four G4 cities) points at persons.
    """
    words = WORDS[language]
    if interviews is None:
        return pd.DataFrame({words["note"]: [words["no_register"]]})
    public = bool(disclosure) and disclosure["mode"] == "public"
    types = interview_types(interviews, municipalities, disclosure.get("pseudonym_salt", "") if public else None)
    category = _first_column(interviews, ["sector_category", "sector", "beleidssector"])
    frame = pd.DataFrame({"category": interviews[category].astype(str).to_numpy(), "type": types.to_numpy()})
    labels = [t[2] if language == "nl" else t[3] for t in MUNICIPALITY_TYPES]
    nl_labels = [t[2] for t in MUNICIPALITY_TYPES]
    # interview_types speaks Dutch ('onbekend'); the labels are switched to `language` below
    types = nl_labels + [WORDS["nl"]["unknown"]]
    counts = pd.crosstab(frame["category"], pd.Categorical(frame["type"], categories=types), dropna=False)
    counts = counts.reindex(index=_category_order(list(dict.fromkeys(frame["category"])), book),
                            columns=types, fill_value=0)
    counts.columns = labels + [words["unknown"]]
    counts.index = [_category_label(c, book, language) for c in counts.index]
    if counts[words["unknown"]].sum() == 0:
        counts = counts.drop(columns=words["unknown"])
    counts.insert(0, words["interviews"], counts.sum(axis=1))
    counts.loc[words["total"]] = counts.sum()
    k = int(disclosure["min_base"]) if public else 0
    if ((counts > 0) & (counts < k)).any().any():
        return pd.DataFrame({words["note"]: [words["register_small"].format(k=k)]})
    return counts.rename_axis(words["sector_category"]).reset_index()


def interview_types(interviews: pd.DataFrame, municipalities: pd.DataFrame, salt: str | None = None) -> pd.Series:
    """The report's municipality type of each interview (Dutch label), 'onbekend' if not known.
    With `salt`, the sheet is a public wave's (pseudonyms for ids) and the register's raw ids are
    matched to their pseudonyms first."""
    if "municipality_type" in interviews:
        known = {_type_key(name): nl for _, _, nl, en in MUNICIPALITY_TYPES for name in (nl, en)}
        return interviews["municipality_type"].astype(str).map(
            lambda t: known.get(_type_key(t), WORDS["nl"]["unknown"]))
    sheet = municipalities.assign(municipality_id=municipalities["municipality_id"].astype(str)).set_index(
        "municipality_id")
    ids = interviews["municipality_id"].astype(str)
    if salt is not None:
        from analysis.core.disclosure.pseudonyms import pseudonym_among

        pseudonyms = set(sheet.index)
        ids = ids.map(lambda m: pseudonym_among(m, salt, pseudonyms))
    size = ids.map(sheet["size_class"]).astype(str)
    kw = ids.map(sheet["krachtwijk"]).astype(str)
    label = {(s, k): nl for s, k, nl, _ in MUNICIPALITY_TYPES}
    return pd.Series([label.get((s, k), WORDS["nl"]["unknown"]) for s, k in zip(size, kw)], index=interviews.index)


def _type_key(name: str) -> str:
    """'G32 met krachtwijk', 'g32_met_krachtwijk' and 'G32-met-krachtwijk' are one type."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _category_sectors(category: str, book: Codebook | None) -> list:
    """The codebook sectors an interview category names ('Wonen/Ruimte' -> wonen, ruimte)."""
    by_label = {sector.nl.lower(): sector for sector in (book.sectors if book else ())}
    parts = [by_label.get(part.strip().lower()) for part in str(category).split("/")]
    return parts if parts and all(parts) else []


def _category_order(categories: list[str], book: Codebook | None) -> list[str]:
    """The hub sector first (config/sectors.yaml), then by VNG domain and sector code (the report's
    order); unknown ones last."""
    hub = book.hub_sector.id if book else None
    def rank(k_category):
        k, category = k_category
        sectors = _category_sectors(category, book)
        if not sectors:
            return (2, "", 0, k)
        first = min(sectors, key=lambda sector: sector.code)
        return (0 if first.id == hub else 1, str(first.domain), first.code, k)
    return [c for _, c in sorted(enumerate(categories), key=rank)]


def _category_label(category: str, book: Codebook | None, language: str) -> str:
    sectors = _category_sectors(category, book)
    if language == "nl" or not sectors:
        return category
    return "/".join(sector.en for sector in sectors)


def _first_column(frame: pd.DataFrame, names: list[str]) -> str:
    for name in names:
        if name in frame:
            return name
    raise KeyError(f"interview register has none of the columns {names}; it has {list(frame.columns)}")


# --- all tables, and writing them --------------------------------------------------------------

def build_tables(cells: pd.DataFrame, book: Codebook, language: str = "nl",
                 municipalities: pd.DataFrame | None = None, sent_by_sector: pd.DataFrame | None = None,
                 interviews: pd.DataFrame | None = None, disclosure: dict | None = None) -> dict[str, pd.DataFrame]:
    """Every registered table (publication/registry.py), keyed by file stem, in report order; each
    builder gets the inputs its parameters name.
    `disclosure` ({mode, min_base, pseudonym_salt}) matters for Tabel 3.1 only: the other tables
    come from cells.csv, which the aggregate step has protected already."""
    available = {"cells": cells, "book": book, "language": language, "municipalities": municipalities,
                 "sent_by_sector": sent_by_sector, "interviews": interviews, "disclosure": disclosure}
    return {spec.stem: call_builder(globals()[spec.builder], available) for spec in TABLES}


def to_markdown(table: pd.DataFrame) -> str:
    """A GitHub-style pipe table (no tabulate dependency)."""
    def esc(v) -> str:
        return "" if pd.isna(v) else str(v).replace("|", "\\|")
    head = "| " + " | ".join(esc(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(esc(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *body]) + "\n"


def write_table(table: pd.DataFrame, csv_path, md_path, title: str = "", note: str = "", footnote: str = "") -> None:
    table.to_csv(csv_path, index=False, lineterminator="\n")
    head = (f"## {title}\n\n" if title else "") + (f"*{note}*\n\n" if note else "")
    foot = f"\n{footnote.replace('*', chr(92) + '*', 1)}\n" if footnote else ""
    Path(md_path).write_text(head + to_markdown(table) + foot, encoding="utf-8")


def workbook_bytes(tables: dict[str, pd.DataFrame], titles: dict[str, str] | None = None, note: str = "",
                   footnotes: dict[str, str] | None = None) -> bytes:
    """One sheet per table (title and note above the header); timestamps fixed, in the metadata and
    the zip entries, so two builds are byte-identical."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, table in tables.items():
        ws = wb.create_sheet(title=name[:31])
        ws.append([(titles or {}).get(name, name)])
        if note:
            ws.append([note])
        ws.append([])
        ws.append([str(c) for c in table.columns])
        for row in table.itertuples(index=False):
            ws.append([None if pd.isna(v) else v for v in row])
        if (footnotes or {}).get(name):
            ws.append([])
            for paragraph in footnotes[name].split("\n\n"):
                ws.append([paragraph])
    wb.properties.created = FIXED_TIMESTAMP
    raw = io.BytesIO()
    wb.save(raw)  # openpyxl stamps `modified` with now() on save: fixed below in the XML itself
    return _fix_zip_times(raw.getvalue())


def _fix_zip_times(data: bytes) -> bytes:
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp.encode() + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, content)
    return out.getvalue()


def write_tables(tables: dict[str, pd.DataFrame], outdir, xlsx_path, language: str = "nl", note: str = "",
                 footnotes: dict[str, str] | None = None, notes: dict[str, str] | None = None) -> None:
    """<id>.csv and <id>.md per table, and all of them in one workbook. A footnote (the report's
    '*' note) and a table's own note (item nonresponse) go under the table in Markdown and the
    workbook; the CSV holds the table only."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    footnotes = footnotes or {}
    titles = {name: table_title(name, language, footnotes.get(name, "")) for name in tables}
    below = {name: "\n\n".join(filter(None, [footnotes.get(name, ""), (notes or {}).get(name, "")])) for name in tables}
    for name, table in tables.items():
        write_table(table, outdir / f"{name}.csv", outdir / f"{name}.md", title=titles[name], note=note,
                    footnote=below[name])
    Path(xlsx_path).write_bytes(workbook_bytes(tables, titles, note, below))


def run_tables(cells_path, municipalities_path, codebook_path, sectors_path, sent_by_sector_path,
               interviews_path, language: str, note: str, outdir, xlsx_out, disclosure: dict | None = None,
               disclosure_report: str | None = None) -> None:
    """The tables step of the workflow: read, build every table, write (the only I/O here).
    `disclosure_report`: the wave's disclosure/report.csv (default: beside cells.csv), whose
    size-class totals hidden for keep_group the further-questions table's note explains (the
    other tables have no size-class rows)."""
    from analysis.core.aggregate import read_cells
    from analysis.core.codebook import load_codebook
    from analysis.core.disclosure.checkreport import keep_group_notice

    def optional(path):
        return pd.read_csv(path, dtype=str, keep_default_na=False) if path else None

    book = load_codebook(codebook_path, sectors_path)
    cells = read_cells(cells_path)
    tables = build_tables(cells, book, language,
                          municipalities=pd.read_csv(municipalities_path, dtype=str, keep_default_na=False),
                          sent_by_sector=optional(sent_by_sector_path), interviews=optional(interviews_path),
                          disclosure=disclosure)
    footnotes = {name: " ".join(p for p in (table_footnote(name, cells, book, language),
                                            free_legend(table, language)) if p)
                 for name, table in tables.items()}
    notes = {name: table_note(name, cells, book, language) for name in tables}
    tables = {name: answered_headers(table, language) if notes[name] else table for name, table in tables.items()}
    from analysis.publication.further import STEM, further_questions_table, lost_total_to_keep_group

    further = further_questions_table(cells, book, language)
    if not further.empty:  # a question no table uses: a sheet of the workbook of its own
        tables[STEM] = further
        kept, keep_note = keep_group_notice(cells_path, disclosure_report, (disclosure or {}).get("keep_group"), language)
        if keep_note and lost_total_to_keep_group(cells, book, set(kept.loc[kept["unit"] == "size_class", "item"])):
            notes[STEM] = keep_note
    write_tables(tables, outdir, xlsx_out, language, note, footnotes, notes)
    if further.empty:  # a declared output of rule publication: written for every wave
        write_table(further, Path(outdir) / f"{STEM}.csv", Path(outdir) / f"{STEM}.md",
                    title=table_title(STEM, language), note=WORDS_FURTHER[language]["none"])


def table_note(table_id: str, cells: pd.DataFrame, book: Codebook, language: str = "nl") -> str:
    """The note under a table whose items some respondents were asked and did not answer (what
    its n is, and the items above the nonresponse threshold); "" otherwise."""
    return nonresponse_note(cells, book, entry_items(BY_STEM[table_id], book), language) if table_id in BY_STEM else ""

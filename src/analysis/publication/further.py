"""Further questions of a wave: every counted item the wave asked that no published table or figure
uses (a question the codebook gained for a later questionnaire, `only_in_waves`). Without this
view such a question would be in cells.csv only; here it gets the report's section "Overige vragen
van deze meting" and a sheet of the workbook: n, %, Wilson 95% interval and no answer, overall and
by sector, VNG domain and municipality size class, as far as small-cell protection allows (the
cells come from the protected cells.csv, so a hidden cell reads `< k` or `×` here too).
"""
from __future__ import annotations

import pandas as pd

from analysis.core.codebook import Codebook, Item
from analysis.core.disclosure.marks import is_suppressed
from analysis.core.rounding import format_percent
from analysis.core.vocabulary import NOT_ASKED, OK
from analysis.publication.registry import FURTHER_STEM
from analysis.publication.text import FURTHER_WORDS as WORDS, size_class_name

STEM = FURTHER_STEM  # its file stem: tables/overige_vragen.csv, a sheet of tables.xlsx
UNITS_SHOWN = ("overall", "sector", "domain", "size_class")


def further_items(cells: pd.DataFrame, book: Codebook) -> list[Item]:
    """Counted items the wave asked (not all "not asked") that no published table or figure uses."""
    status = cells["status"].astype(str) if "status" in cells else pd.Series(OK, index=cells.index)
    asked = set(cells.loc[status != NOT_ASKED, "item"])
    return [it for it in book.items if it.answers and it.type == "categorical" and not it.published and it.id in asked]


def _unit_label(book: Codebook, unit: str, unit_id: str, language: str) -> str:
    if unit == "overall":
        return WORDS[language]["all"]
    if unit == "sector":
        s = book.sector(unit_id)
        return s.nl if language == "nl" else s.en
    if unit == "domain":
        return book.domains.get(unit_id, {}).get(language, unit_id)
    if unit == "size_class":  # "small" as the tables and fact sheets name it: "Kleinere gemeenten"
        return size_class_name(unit_id, language)
    return unit_id


def _number(value):
    value = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(value) else value


def further_questions_table(cells: pd.DataFrame, book: Codebook, language: str = "nl") -> pd.DataFrame:
    """One row per further item x answer x unit (units with respondents only)."""
    w = WORDS[language]
    rows = []
    for item in further_items(cells, book):
        part = cells[(cells["item"] == item.id) & cells["unit"].isin(UNITS_SHOWN)]
        for r in part.itertuples(index=False):
            answered, status = _number(r.answered if hasattr(r, "answered") else r.base), str(r.status)
            if r.unit != "overall" and not is_suppressed(status) and not answered:
                continue  # a unit where nobody answered: nothing to show, and no cell to hide
            rows.append({w["question"]: item.label(language), w["answer"]: item.answer_label(r.answer, language),
                         w["unit"]: w[r.unit], w["group"]: _unit_label(book, r.unit, str(r.unit_id), language),
                         **_shown_numbers(r, status, language)})
    columns = [w[k] for k in ("question", "answer", "unit", "group", "n", "count", "pct", "ci", "no_answer")]
    return pd.DataFrame(rows, columns=columns)


def lost_total_to_keep_group(cells: pd.DataFrame, book: Codebook, kept_items: set[str] | None) -> bool:
    """Whether a further question lost a size-class total to keep_group, i.e. whether
    marks.keep_group_note belongs under the table: `kept_items`, the items report.csv gives that
    reason for a size-class cell (None: every item). A '×' of an ordinary complementary cell
    does not call for it."""
    ids = {it.id for it in further_items(cells, book)}
    return bool(ids) and (kept_items is None or bool(ids & kept_items))


def _shown_numbers(r, status: str, language: str) -> dict:
    w = WORDS[language]
    if is_suppressed(status):
        return {w["n"]: status, w["count"]: status, w["pct"]: status, w["ci"]: status, w["no_answer"]: status}
    if status != OK:
        return {w["n"]: 0, w["count"]: "–", w["pct"]: "–", w["ci"]: "–", w["no_answer"]: _int(getattr(r, "no_answer", None))}
    low, high = _number(r.ci_low), _number(r.ci_high)
    ci = "–" if low is None else f"{format_percent(100 * low, symbol='')}–{format_percent(100 * high)}"
    return {w["n"]: _int(r.base), w["count"]: _int(r.count), w["pct"]: format_percent(_number(r.pct)), w["ci"]: ci,
            w["no_answer"]: _int(getattr(r, "no_answer", None))}


def _int(value):
    value = _number(value)
    return "" if value is None else int(value)

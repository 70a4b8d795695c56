"""Item and unit nonresponse: who was asked a question, who answered it, who did not.

Item nonresponse (asked, left empty or a tool's "no answer" code) is data, not a defect: it is
counted here, reported as a warning by validation and carried into cells.csv (`asked`,
`answered`, `no_answer`), and left out of the base of every percentage (the valid percent SPSS and
the report print). A respondent who answered nothing beyond id and municipality returned an empty
questionnaire (unit nonresponse): reported, and not counted as a respondent.
"""
from __future__ import annotations

import pandas as pd

from analysis.core.codebook import Item

# Items that do not count as an answer when deciding whether a questionnaire is empty.
NOT_AN_ANSWER = {"id", "wave", "municipality"}
NONRESPONSE_COLUMNS = ["item", "asked", "answered", "no_answer", "pct_no_answer"]


def asked_mask(frame: pd.DataFrame, item: Item) -> pd.Series:
    """Respondents the item was asked of: every asked_if condition holds (a lead question that was
    itself not answered routes past its follow-ups, as a survey tool does)."""
    mask = pd.Series(True, index=frame.index)
    for parent, key in item.asked_if.items():
        mask &= _equals(frame[parent], key) if parent in frame else False
    return mask.astype(bool)


def _equals(column: pd.Series, key) -> pd.Series:
    """column == key, missing as False; a Categorical compared on its codes (no copy as objects)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.eq(key) if key in column.cat.categories else pd.Series(False, index=column.index)
    return column.astype(object).eq(key).fillna(False)


def answered_mask(frame: pd.DataFrame, item: Item) -> pd.Series:
    if item.id not in frame:
        return pd.Series(False, index=frame.index)
    return frame[item.id].notna().astype(bool)


def empty_questionnaires(frame: pd.DataFrame, items: list[Item]) -> pd.Series:
    """True for a respondent who answered none of the wave's questions (unit nonresponse)."""
    answers = [it.id for it in items if it.type not in NOT_AN_ANSWER and it.id in frame]
    if not answers:
        return pd.Series(False, index=frame.index)
    return frame[answers].isna().all(axis=1)


def item_nonresponse(frame: pd.DataFrame, items: list[Item]) -> pd.DataFrame:
    """Per item of the wave: asked, answered, no answer (asked minus answered) and its percent."""
    rows = []
    for item in items:
        if item.type in NOT_AN_ANSWER:
            continue
        asked = asked_mask(frame, item)
        answered = answered_mask(frame, item) & asked
        n_asked, n_answered = int(asked.sum()), int(answered.sum())
        rows.append([item.id, n_asked, n_answered, n_asked - n_answered,
                     round(100 * (n_asked - n_answered) / n_asked, 1) if n_asked else None])
    return pd.DataFrame(rows, columns=NONRESPONSE_COLUMNS)


def asked_and_answered(units: pd.Series, responses: pd.DataFrame, items: list[Item]) -> pd.DataFrame:
    """Per unit and item: asked and answered, over every unit of `units` (a Categorical)."""
    parts = []
    for item in items:
        frame = pd.DataFrame({"unit_id": units, "asked": asked_mask(responses, item),
                              "answered": answered_mask(responses, item) & asked_mask(responses, item)})
        sums = frame.groupby("unit_id", observed=False)[["asked", "answered"]].sum()
        parts.append(sums.reset_index().assign(item=item.id))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["unit_id", "asked", "answered", "item"])
    out["unit_id"] = out["unit_id"].astype(object)
    return out


def nonresponse_in_cells(cells: pd.DataFrame, item_ids) -> pd.DataFrame:
    """Per item of `item_ids` that the wave asked, from cells.csv's overall unit: asked, answered,
    no answer and its percent (NONRESPONSE_COLUMNS), in `item_ids` order. Empty for a cells.csv
    without these columns (written before item nonresponse was counted) and for items whose
    overall numbers are hidden."""
    from analysis.core.vocabulary import NOT_ASKED, OVERALL

    item_ids = list(dict.fromkeys(item_ids))
    if not {"asked", "answered"} <= set(cells.columns):
        return pd.DataFrame(columns=NONRESPONSE_COLUMNS)
    rows = cells[(cells["unit"] == OVERALL) & cells["item"].isin(item_ids)]
    if "status" in rows:
        rows = rows[rows["status"].astype(str) != NOT_ASKED]
    numbers = pd.DataFrame({"item": rows["item"], "asked": pd.to_numeric(rows["asked"], errors="coerce"),
                            "answered": pd.to_numeric(rows["answered"], errors="coerce")}).dropna()
    per_item = numbers.groupby("item", sort=False)[["asked", "answered"]].max().astype(int)
    per_item = per_item.reindex([i for i in item_ids if i in per_item.index])
    per_item["no_answer"] = per_item["asked"] - per_item["answered"]
    per_item["pct_no_answer"] = (100 * per_item["no_answer"] / per_item["asked"].where(per_item["asked"] > 0)).round(1)
    return per_item.reset_index()[NONRESPONSE_COLUMNS]

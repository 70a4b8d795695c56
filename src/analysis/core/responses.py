"""The canonical respondent table: results/<wave>/responses.parquet.

One row per respondent, one column per codebook item (codebook order). Categorical items are
pandas Categoricals whose categories are the answer keys in codebook order, so that every count
downstream can be reindexed on them and an answer nobody gave still shows as 0. An item that was
not asked of a respondent (skip logic) or not asked in the wave at all is missing.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.codebook import Codebook


def typed_responses(answers: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Answer keys (strings) -> the typed canonical frame. Columns the codebook lacks are dropped."""
    out = pd.DataFrame(index=range(len(answers)))
    for item in book.items:
        col = answers[item.id] if item.id in answers else pd.Series([None] * len(answers))
        col = col.reset_index(drop=True)
        if item.answers:
            out[item.id] = pd.Categorical(col.where(col.notna(), None), categories=item.keys)
        elif item.type == "number":
            out[item.id] = as_numbers(col, errors="raise").astype("float64")
        else:
            out[item.id] = col.astype("string")
    return out.sort_values("respondent_id", kind="stable").reset_index(drop=True)


def asked_in_wave(responses: pd.DataFrame, book: Codebook) -> list[str]:
    """Items with at least one answer in the wave: the others were not asked in it at all."""
    return [it.id for it in book.items if it.id in responses and responses[it.id].notna().any()]


def as_numbers(values: pd.Series, errors: str = "coerce") -> pd.Series:
    """pd.to_numeric of a column of text, parsed once per distinct value (a million answers hold a
    few hundred numbers); missing stays missing."""
    if values.dtype != object:
        return pd.to_numeric(values, errors=errors)
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    parsed = pd.to_numeric(pd.Series(distinct, dtype=object), errors=errors).astype("float64").to_numpy()
    return pd.Series(np.append(parsed, np.nan)[codes], index=values.index)

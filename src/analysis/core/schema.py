"""The pandera schema of a decoded export, generated from the codebook (never written by hand).

Every check carries a name of the form `<rule>` or `<rule>:<item>` that `validate` turns into a
readable problem: which rule, and what was expected.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.core.codebook import Codebook, Item, answer_compulsory
from analysis.core.vocabulary import SHEET_SIZE_CLASSES, YES_NO_UNKNOWN


def _as_number(values: pd.Series) -> pd.Series:
    from analysis.core.responses import as_numbers

    return as_numbers(values, errors="coerce")


def item_column(item: Item, municipality_ids: list[str] | None, wave: str, compulsory: bool = True) -> pa.Column:
    """The column of one codebook item; skip logic is checked at frame level (needs two columns)."""
    if item.type == "id":
        return pa.Column(None, nullable=False, unique=True, report_duplicates="all")
    if item.type == "wave":
        return pa.Column(None, required=False, checks=pa.Check.isin([wave], name="wave_id"))
    if item.type == "municipality":
        # None: the sheet could not be read (reported as such); checking against nothing would
        # report every respondent once more
        checks = [] if municipality_ids is None else [pa.Check.isin(municipality_ids, name="municipality_in_sheet")]
        return pa.Column(None, checks=checks)
    if item.type == "number":
        checks = [
            pa.Check(lambda s: _as_number(s).notna() | s.isna(), name="type:number"),
            pa.Check(
                lambda s, lo=item.min, hi=item.max: _as_number(s).between(lo, hi) | _as_number(s).isna(),
                name=f"range:{item.min}-{item.max}",
            ),
        ]
        return pa.Column(None, nullable=not (compulsory and not item.asked_if), checks=checks)
    rule = "known_sector" if item.type == "sector" else "allowed_code"
    # an item asked of everyone: empty is item nonresponse (accepted) unless answers are compulsory
    return pa.Column(None, nullable=not (compulsory and not item.asked_if), checks=pa.Check.isin(item.keys, name=rule))


def skip_logic_checks(items: list[Item], compulsory: set[str] | None = None) -> list[tuple[str, object]]:
    """Both directions of every asked_if rule, as (name, frame -> boolean Series of rows that
    pass), evaluated on whole columns at once.

    An item answered by someone who should not have been asked it is as wrong as an item left
    empty by someone who should have answered it: either means the export and the questionnaire
    disagree, and counts based on the item would use the wrong base.

    A row whose parent answer is itself invalid (a code outside the codebook, or its column
    absent) is not judged: whether it was asked is unknown, and the parent's own error is the one
    to fix, not dozens of follow-on errors.
    """
    valid = {it.id: set(it.keys) for it in items if it.answers}
    checks = []
    for item in items:
        if not item.asked_if:
            continue

        def asked(frame: pd.DataFrame, item=item) -> pd.Series:
            mask = pd.Series(True, index=frame.index)
            for parent, key in item.asked_if.items():
                mask &= frame[parent].eq(key).fillna(False) if parent in frame else False
            return mask

        def decided(frame: pd.DataFrame, item=item) -> pd.Series:
            mask = pd.Series(True, index=frame.index)
            for parent in item.asked_if:
                if parent not in frame:
                    return pd.Series(False, index=frame.index)
                mask &= frame[parent].isna() | frame[parent].isin(valid.get(parent, set()))
            return mask

        checks.append((
            f"skip_logic:answered_but_not_asked:{item.id}",
            lambda f, item=item, asked=asked, decided=decided:
                ~(decided(f) & ~asked(f) & f[item.id].notna()) if item.id in f else pd.Series(True, index=f.index),
        ))
        if compulsory is None or item.id in compulsory:
            checks.append((
                f"skip_logic:missing_but_asked:{item.id}",
                lambda f, item=item, asked=asked: ~(asked(f) & f[item.id].isna()) if item.id in f else pd.Series(True, index=f.index),
            ))
    return checks


def skip_logic_failures(frame: pd.DataFrame, book: Codebook, wave: str, not_asked=(),
                        item_nonresponse=None) -> pd.DataFrame:
    """The rows that break a skip rule, as pandera reports a failed frame-level check (one line per
    row and check: schema_context, column, check, check_number, failure_case, index).

    Evaluated here on boolean masks rather than as pandera checks: pandera tests every row of the
    whole frame for missing values once per check, which at a million respondents and fifty rules
    was most of the validation. As pandera does by default, a row with every value missing passes."""
    items = book.items_in_wave(wave, not_asked)
    compulsory = {it.id for it in items if answer_compulsory(it, item_nonresponse)}
    all_missing = frame.isna().all(axis="columns").to_numpy() if len(frame.columns) else np.zeros(len(frame), bool)
    parts = []
    for number, (name, passes) in enumerate(skip_logic_checks(items, compulsory)):
        failing = ~(passes(frame).to_numpy(dtype=bool) | all_missing)
        if failing.any():
            parts.append(pd.DataFrame({"schema_context": "DataFrameSchema", "column": None, "check": name,
                                       "check_number": number, "failure_case": None, "index": frame.index[failing]}))
    columns = ["schema_context", "column", "check", "check_number", "failure_case", "index"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def export_schema(book: Codebook, municipality_ids: list[str] | None, wave: str, not_asked=(),
                  item_nonresponse=None) -> pa.DataFrameSchema:
    """Only the items of this wave's questionnaire: any other column is unknown. An asked item
    left empty is item nonresponse, accepted unless the wave or item makes answers compulsory
    (`item_nonresponse: error`); an answer where the item was not asked is always an error: the
    skip rules are checked beside the schema, by `skip_logic_failures`."""
    items = book.items_in_wave(wave, not_asked)
    compulsory = {it.id for it in items if answer_compulsory(it, item_nonresponse)}
    columns = {it.id: item_column(it, municipality_ids, wave, it.id in compulsory) for it in items}
    return pa.DataFrameSchema(columns, strict=True, name=f"export of wave {wave}")




def municipality_sheet_schema() -> pa.DataFrameSchema:
    """The municipality sheet of a wave: one row per municipality."""
    sent_ok = pa.Check(
        # digits only: 11.5 or 1e1 questionnaires were never sent (the reader gives 10.0 as "10")
        lambda s: s.isna() | s.eq("unknown") | s.astype(str).str.fullmatch(r"[0-9]+"),
        name="questionnaires_sent:count_or_unknown",
    )
    return pa.DataFrameSchema(
        {
            "municipality_id": pa.Column(None, nullable=False, unique=True, report_duplicates="all"),
            "name": pa.Column(None, nullable=True, required=False),
            "size_class": pa.Column(None, nullable=True, required=False, checks=pa.Check.isin(SHEET_SIZE_CLASSES, name="size_class")),
            "krachtwijk": pa.Column(None, nullable=True, required=False, checks=pa.Check.isin(YES_NO_UNKNOWN, name="krachtwijk")),
            "questionnaires_sent": pa.Column(None, nullable=True, required=False, checks=sent_ok),
            "reconstructed": pa.Column(None, nullable=True, required=False),
            # a stable id across waves (e.g. the CBS gemeentecode): matches a municipality's
            # previous wave on its fact sheet
            "cbs_code": pa.Column(None, nullable=True, required=False),
            "note": pa.Column(None, nullable=True, required=False),
        },
        strict=True,
        name="municipality sheet",
    )

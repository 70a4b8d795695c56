"""Aggregation: responses.parquet -> results/<wave>/cells.csv, the one input of every table.

A cell is one answer of one item in one unit: its base (respondents in the unit who were asked the
item, i.e. gave a non-missing answer under the codebook's skip logic), its count, the unrounded
percentage, the report's rounded percentage (half up) and a Wilson 95% interval. Units are the
report's: every respondent (overall), sector, VNG domain, social/physical class, municipality and
municipality size class. Answers nobody gave are kept with count 0, because pandas 3 `groupby`
would silently drop them and a table would then show an empty cell instead of "0% (0)".
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from analysis.core.codebook import Codebook, Item
from analysis.core.rounding import percent_of
from analysis.core.vocabulary import BASE_0, NOT_ASKED, OK, OVERALL_ID, SIZE_CLASSES, UNITS, natural_key  # noqa: F401 (re-exported)

CELL_COLUMNS = [
    "wave", "table", "unit", "unit_id", "item", "answer",
    "base", "count", "pct", "pct_rounded", "ci_low", "ci_high", "status",
]
# Items that are identifiers or measurements, not answers to count.
UNCOUNTED_TYPES = {"id", "wave", "municipality", "number"}
BLOCKLESS_TABLE = "respondent"


def counted_items(book: Codebook) -> list[Item]:
    """Items whose answers are counted: every item with a closed answer list (incl. sector)."""
    return [it for it in book.items if it.answers and it.type not in UNCOUNTED_TYPES]


def unit_membership(responses: pd.DataFrame, municipalities: pd.DataFrame, book: Codebook) -> dict[str, pd.Series]:
    """Per unit kind, each respondent's unit id as a Categorical over all units of that kind.

    The categories list every unit (all 13 sectors, every municipality of the sheet), so a unit
    without respondents still appears, with base 0, rather than vanishing from a table.
    """
    sector = responses["sector"].astype("string")
    by_sector = {s.id: s for s in book.sectors}
    classes = list(dict.fromkeys(s.social_class for s in book.sectors))
    muni_ids = sorted(
        set(municipalities["municipality_id"].astype(str)) | set(responses["municipality_id"].dropna().astype(str)),
        key=natural_key,
    )
    size_of = dict(zip(municipalities["municipality_id"].astype(str), municipalities["size_class"].astype(str)))
    sizes = [c for c in SIZE_CLASSES if c in size_of.values()]
    sizes += sorted({c for c in size_of.values() if c not in sizes and c != "unknown"})
    muni = responses["municipality_id"].astype("string")
    raw = {
        "overall": pd.Series(OVERALL_ID, index=responses.index),
        "sector": sector,
        "domain": sector.map(lambda s: by_sector[s].domain if s in by_sector else None),
        "class": sector.map(lambda s: by_sector[s].social_class if s in by_sector else None),
        "municipality": muni,
        "size_class": muni.map(lambda m: size_of.get(m)),
    }
    categories = {
        "overall": [OVERALL_ID],
        "sector": [s.id for s in book.sectors],
        "domain": list(book.domains),
        "class": classes,
        "municipality": muni_ids,
        "size_class": sizes,
    }
    # values outside the unit list (size class "unknown") become missing: such respondents belong
    # to no unit of that kind
    return {u: pd.Series(pd.Categorical(raw[u].astype(object).where(raw[u].isin(categories[u])),
                                        categories=categories[u]), index=responses.index)
            for u in UNITS}


def count_items(units: pd.Series, responses: pd.DataFrame, items: list[Item]) -> pd.DataFrame:
    """Count of every (unit, item, answer key), zeros included, and each unit's base per item.

    One groupby over the long (respondent x item) answers, reindexed on the full grid of units x
    codebook answer keys, so unchosen answers and empty units count 0 (pandas 3 drops them otherwise).
    """
    answered = [it.id for it in items if it.id in responses]
    long = responses[answered].astype(object).assign(unit_id=units.astype(object)).melt(
        id_vars="unit_id", var_name="item", value_name="answer").dropna()
    observed = long.groupby(["unit_id", "item", "answer"]).size()
    grid = pd.MultiIndex.from_tuples(
        [(u, it.id, k) for it in items for u in units.cat.categories for k in it.keys],
        names=["unit_id", "item", "answer"])
    counts = observed.reindex(grid, fill_value=0).rename("count").reset_index()
    counts["base"] = counts.groupby(["unit_id", "item"], sort=False)["count"].transform("sum")
    return counts


def add_percentages(counts: pd.DataFrame) -> pd.DataFrame:
    """pct (percent, unrounded), pct_rounded (the report's whole percent) and the Wilson 95%
    interval (ci_low, ci_high as proportions 0-1, as statsmodels gives them).

    A base of 0 has no percentage: those fields stay missing (written as empty), never 0.
    """
    out = counts.copy()
    base = out["base"].astype("float64")
    has_base = base > 0
    count = out["count"].astype("float64")
    out["pct"] = (count * 100 / base).where(has_base)
    # rounded from the integer counts (exact at halves: 1/8 -> 13), by the rule analysis.rounding
    # established for the report
    out["pct_rounded"] = pd.array(
        [percent_of(c, b) if b > 0 else pd.NA for c, b in zip(out["count"], out["base"])], dtype="Int64")
    # imported here: statsmodels pulls in scipy.stats (about 1 s), and the steps that only read
    # cells.csv through this module (tables, replication, feedback pages) must not pay for it
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count[has_base], base[has_base], alpha=0.05, method="wilson")
    # clip: float noise must not print a bound of -0.0000 or 1.0000001
    bounds = {"ci_low": np.clip(np.asarray(low, dtype="float64"), 0, 1),
              "ci_high": np.clip(np.asarray(high, dtype="float64"), 0, 1)}
    for col, values in bounds.items():
        out[col] = pd.Series(values, index=base[has_base].index).reindex(out.index)
    return out


def aggregate_cells(responses: pd.DataFrame, municipalities: pd.DataFrame, book: Codebook, wave: str) -> pd.DataFrame:
    """cells.csv for one wave: every counted item x answer x unit, in codebook and unit order."""
    membership = unit_membership(responses, municipalities, book)
    items = counted_items(book)
    parts = [count_items(membership[unit], responses, items).assign(unit=unit) for unit in UNITS]
    cells = add_percentages(pd.concat(parts, ignore_index=True))
    cells["status"] = np.where(cells["base"] > 0, OK, BASE_0)
    asked = {it.id for it in items if it.id in responses and responses[it.id].notna().any()}
    # an item the wave never asked is "not asked", not a 0 count
    not_asked = ~cells["item"].isin(asked)
    cells.loc[not_asked, "status"] = NOT_ASKED
    cells["count"] = cells["count"].astype("Int64").mask(not_asked)
    table = {it.id: it.block or BLOCKLESS_TABLE for it in items}
    cells["table"] = cells["item"].map(table)
    cells["wave"] = wave
    cells["base"] = cells["base"].astype("Int64")
    # codebook item order first, then unit kind, unit and answer (the grid's order)
    order = {it.id: i for i, it in enumerate(items)}
    cells = cells.assign(_item=cells["item"].map(order), _unit=cells["unit"].map(UNITS.index))
    cells = cells.sort_values(["_item", "_unit"], kind="stable")
    return cells[CELL_COLUMNS].reset_index(drop=True)


def hours_by_sector(responses: pd.DataFrame, book: Codebook, wave: str) -> pd.DataFrame:
    """Hours per week on the own sector(s): n, mean, median, min, max per sector and overall (Figuur VI.1)."""
    hours = responses["hours_per_week"] if "hours_per_week" in responses else pd.Series(np.nan, index=responses.index)
    frame = pd.DataFrame({
        "sector": pd.Categorical(responses["sector"].astype(object), categories=[s.id for s in book.sectors]),
        "hours": hours.astype("float64"),
    })
    stats = frame.groupby("sector", observed=False)["hours"].agg(["count", "mean", "median", "min", "max"])
    overall = frame["hours"].agg(["count", "mean", "median", "min", "max"]).to_frame(OVERALL_ID).T
    out = pd.concat([stats, overall]).rename(columns={"count": "n"}).rename_axis("sector").reset_index()
    out["n"] = out["n"].astype("int64")
    out.insert(0, "wave", wave)
    return out


# Fixed decimals per float column, so reruns write byte-identical files.
FLOAT_FORMATS = {"pct": "{:.4f}", "ci_low": "{:.6f}", "ci_high": "{:.6f}",
                 "mean": "{:.4f}", "median": "{:.4f}", "min": "{:.4f}", "max": "{:.4f}"}


def write_csv(frame: pd.DataFrame, path) -> None:
    """CSV with fixed float precision, empty for missing (never "nan") and "\\n" line ends."""
    out = frame.copy()
    for col, fmt in FLOAT_FORMATS.items():
        if col in out:
            out[col] = [fmt.format(v) if pd.notna(v) else "" for v in out[col]]
    out.to_csv(path, index=False, na_rep="", lineterminator="\n")


def read_cells(path) -> pd.DataFrame:
    """cells.csv back as a frame, ids kept as strings (municipality "01" must not become 1)."""
    text = ["wave", "table", "unit", "unit_id", "item", "answer", "status"]
    cells = pd.read_csv(path, dtype={c: "string" for c in text}, keep_default_na=False, na_values=[""])
    for col in ("base", "count", "pct_rounded"):
        cells[col] = cells[col].astype("Int64")
    for col in ("pct", "ci_low", "ci_high"):
        cells[col] = cells[col].astype("float64")
    return cells


def add_basis(cells: pd.DataFrame, basis: pd.DataFrame) -> pd.DataFrame:
    """cells + a `basis` column (what fixes each cell: e.g. printed / derived / statement / free)
    from a wave's per-cell basis file (unit, unit_id, item, answer, basis); a cell it does not
    list is "free". The engine does not interpret the words: the file's maker chooses them."""
    keys = ["unit", "unit_id", "item", "answer"]
    table = basis.astype({k: str for k in keys}).drop_duplicates(keys).set_index(keys)["basis"]
    index = pd.MultiIndex.from_frame(cells[keys].astype(str))
    return cells.assign(basis=table.reindex(index).fillna("free").to_numpy())


def run_aggregate(responses_path, municipalities_path, codebook_path, sectors_path, wave: str,
                  cells_out, hours_out, disclosure: dict | None = None, basis_path=None) -> None:
    """The aggregate step of the workflow: read, aggregate, protect small cells, write (the only
    I/O of this module). In public mode nothing unprotected is written: protection fails the step
    rather than write a cell that can be recomputed."""
    from analysis.core.codebook import load_codebook
    from analysis.core.disclosure.settings import disclosure_settings
    from analysis.core.disclosure.suppression import protect_cells, protect_hours

    book = load_codebook(codebook_path, sectors_path)
    responses = pd.read_parquet(responses_path)
    municipalities = pd.read_csv(municipalities_path, dtype=str, keep_default_na=False)
    settings = disclosure_settings(disclosure)
    mode, k = settings["mode"], int(settings["min_base"])
    cells = protect_cells(aggregate_cells(responses, municipalities, book, wave), k, mode, book=book,
                          municipalities=municipalities)
    if basis_path:   # the wave names a per-cell basis file (a reconstructed wave)
        cells = add_basis(cells, pd.read_csv(basis_path, dtype=str, keep_default_na=False))
    write_csv(cells, cells_out)
    write_csv(protect_hours(hours_by_sector(responses, book, wave), k, mode), hours_out)

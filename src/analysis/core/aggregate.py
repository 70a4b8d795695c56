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
from analysis.core.intervals import wilson_interval
from analysis.core.rounding import percent_of
from analysis.core.vocabulary import BASE_0, NOT_ASKED, OK, OVERALL_ID, SIZE_CLASSES, UNITS, natural_key  # noqa: F401 (re-exported)

CELL_COLUMNS = [
    "wave", "table", "unit", "unit_id", "item", "answer",
    "base", "count", "pct", "pct_rounded", "ci_low", "ci_high", "status",
    "asked", "answered", "no_answer",
]
# Who was asked the item in the unit, who answered (= base: percentages are of those who
# answered, the valid percent) and who did not (item nonresponse).
NONRESPONSE_CELL_COLUMNS = ["asked", "answered", "no_answer"]
# Items that are identifiers or measurements, not answers to count.
UNCOUNTED_TYPES = {"id", "wave", "municipality", "number"}
BLOCKLESS_TABLE = "respondent"


def counted_items(book: Codebook) -> list[Item]:
    """Items whose answers are counted: every item with a closed answer list (incl. sector)."""
    return [it for it in book.items if it.answers and it.type not in UNCOUNTED_TYPES]


def unit_membership(responses: pd.DataFrame, municipalities: pd.DataFrame, book: Codebook) -> dict[str, tuple[np.ndarray, list]]:
    """Per unit kind, each respondent's unit as an integer (-1: in no unit of that kind) and the
    list of all units of that kind.

    The lists hold every unit (all 13 sectors, every municipality of the sheet), so a unit
    without respondents still appears, with base 0, rather than vanishing from a table. Domain and
    class follow from the sector, size class from the municipality: looked up once per unit, not
    once per respondent.
    """
    by_sector = {s.id: s for s in book.sectors}
    sector_ids = [s.id for s in book.sectors]
    classes = list(dict.fromkeys(s.social_class for s in book.sectors))
    domains = list(book.domains)
    muni_ids = sorted(
        set(municipalities["municipality_id"].astype(str)) | set(pd.Series(responses["municipality_id"].dropna().unique()).astype(str)),
        key=natural_key,
    )
    size_of = dict(zip(municipalities["municipality_id"].astype(str), municipalities["size_class"].astype(str)))
    sizes = [c for c in SIZE_CLASSES if c in size_of.values()]
    sizes += sorted({c for c in size_of.values() if c not in sizes and c != "unknown"})
    sector = codes_among(responses["sector"], sector_ids)
    muni = codes_among(responses["municipality_id"], muni_ids)
    # values outside the unit list (size class "unknown") are in no unit of that kind
    return {
        "overall": (np.zeros(len(responses), dtype=np.int64), [OVERALL_ID]),
        "sector": (sector, sector_ids),
        "domain": (_through(sector, [_index(domains, by_sector[s].domain) for s in sector_ids]), domains),
        "class": (_through(sector, [_index(classes, by_sector[s].social_class) for s in sector_ids]), classes),
        "municipality": (muni, muni_ids),
        "size_class": (_through(muni, [_index(sizes, size_of.get(m)) for m in muni_ids]), sizes),
    }


def _index(values: list, value) -> int:
    return values.index(value) if value in values else -1


def _through(codes: np.ndarray, lookup: list[int]) -> np.ndarray:
    """The unit of a coarser kind of each respondent, from the unit of a finer one (-1 stays -1)."""
    return np.append(np.asarray(lookup, dtype=np.int64), -1)[codes]


def codes_among(values: pd.Series, categories: list) -> np.ndarray:
    """Each value's position in `categories` as text (-1: missing or not among them); a
    Categorical is looked up once per category."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        found = pd.Index(categories, dtype=object).get_indexer(values.cat.categories.astype(str).astype(object))
        return np.append(found, -1)[values.cat.codes.to_numpy()].astype(np.int64)
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    found = pd.Index(categories, dtype=object).get_indexer(pd.Series(distinct).astype("string").astype(object))
    return np.append(found, -1)[codes].astype(np.int64)


def count_items(membership: dict[str, tuple[np.ndarray, list]], responses: pd.DataFrame, items: list[Item]) -> pd.DataFrame:
    """Count of every (unit, item, answer key), zeros included, each unit's base per item, and who
    was asked and who answered: in codebook item order, then unit kind, unit and answer.

    Counted on integers: per item one bincount of (sector x municipality, answer code, asked /
    answered); every unit kind is a sum of its cells (domain and class of sectors, size class of
    municipalities). No
    respondent x item table of Python objects is made, and every unit and answer is on the grid,
    so zeros stay zeros.
    """
    from analysis.core.nonresponse import answered_mask, asked_mask

    # each unit kind as a sum over the sectors' or the municipalities' groups (the last group: in none)
    source = {"overall": "sector", "sector": "sector", "domain": "sector", "class": "sector",
              "municipality": "municipality", "size_class": "municipality"}
    sizes = {kind: len(membership[kind][1]) + 1 for kind in ("sector", "municipality")}
    groups = {kind: np.where(membership[kind][0] < 0, sizes[kind] - 1, membership[kind][0])
              for kind in ("sector", "municipality")}
    # each respondent's sector x municipality group: one bincount per item gives both unit kinds
    combined = groups["sector"] * sizes["municipality"] + groups["municipality"]
    into = {unit: _onehot(_groups_into(membership, unit, source[unit]), len(membership[unit][1])) for unit in UNITS}
    columns: dict[str, list] = {name: [] for name in ("unit_id", "item", "answer", "count", "base", "unit", "asked", "answered")}
    offsets: dict[int, np.ndarray] = {}
    for item in items:
        keys = list(item.keys)
        k = len(keys)
        tables = {}
        if item.id in responses:
            answer = _answer_numbers(responses[item.id], keys)  # k: no answer, or one outside the codebook's
            asked = asked_mask(responses, item).to_numpy(dtype=bool)
            # 0 not asked, 1 asked and not answered, 2 asked and answered
            state = asked.astype(np.int64) + (answered_mask(responses, item).to_numpy(dtype=bool) & asked)
            if k not in offsets:
                offsets[k] = combined * ((k + 1) * 3)
            cell = offsets[k] + (answer * 3 + state)
            table = np.bincount(cell, minlength=sizes["sector"] * sizes["municipality"] * (k + 1) * 3).reshape(
                sizes["sector"], sizes["municipality"], k + 1, 3)
            for kind, other in (("sector", 1), ("municipality", 0)):
                by = table.sum(axis=other)
                tables[kind] = (by.sum(axis=2)[:, :k], by[:, :, 1:].sum(axis=(1, 2)), by[:, :, 2].sum(axis=1))
        else:
            tables = {kind: (np.zeros((n, k), dtype=np.int64), None, None) for kind, n in sizes.items()}
        for unit in UNITS:
            ids = membership[unit][1]
            counts, asked_n, answered_n = tables[source[unit]]
            onehot = into[unit]
            unit_counts = onehot.T @ counts
            columns["unit_id"].append(np.repeat(np.asarray(ids, dtype=object), k))
            columns["item"].append(np.full(len(ids) * k, item.id, dtype=object))
            columns["answer"].append(np.tile(np.asarray(keys, dtype=object), len(ids)))
            columns["count"].append(unit_counts.ravel())
            columns["base"].append(np.repeat(unit_counts.sum(axis=1), k))
            columns["unit"].append(np.full(len(ids) * k, unit, dtype=object))
            for name, values in (("asked", asked_n), ("answered", answered_n)):
                columns[name].append(np.repeat(onehot.T @ values, k).astype(np.float64) if values is not None
                                     else np.full(len(ids) * k, np.nan))
    out = pd.DataFrame({name: np.concatenate(parts) if parts else np.array([], dtype=object)
                        for name, parts in columns.items()})
    out["count"] = out["count"].astype(np.int64)
    out["base"] = out["base"].astype(np.int64)
    return out


def _answer_numbers(values: pd.Series, keys: list) -> np.ndarray:
    """Each answer's position among the item's keys, len(keys) for a missing answer or one that
    is no key: from a Categorical's codes by one lookup per category."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        found = pd.Index(keys, dtype=object).get_indexer(values.cat.categories.astype(str).astype(object))
        lookup = np.append(np.where(found >= 0, found, len(keys)), len(keys))
        return lookup[values.cat.codes.to_numpy()].astype(np.int64)
    codes = codes_among(values, keys)
    return np.where(codes >= 0, codes, len(keys))


def _onehot(into: np.ndarray, units: int) -> np.ndarray:
    """The 0/1 matrix (finer groups x units) that sums the finer groups' counts into the units."""
    onehot = np.zeros((len(into), units), dtype=np.int64)
    inside = into >= 0
    onehot[np.nonzero(inside)[0], into[inside]] = 1
    return onehot


def _groups_into(membership: dict, unit: str, kind: str) -> np.ndarray:
    """For each unit of the finer `kind` (and last, its respondents in no such unit): the `unit` it
    belongs to, -1 for none."""
    finer = membership[kind][0]
    n = len(membership[kind][1]) + 1
    if unit == "overall":
        return np.zeros(n, dtype=np.int64)
    if unit == kind:
        return np.append(np.arange(n - 1), -1)
    into = np.full(n, -1, dtype=np.int64)
    into[np.where(finer < 0, n - 1, finer)] = membership[unit][0]  # the same for every respondent of a finer unit
    return into


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
    # the Wilson interval of statsmodels (core/intervals.py)
    low, high = wilson_interval(count[has_base].to_numpy(), base[has_base].to_numpy())
    # clip: float noise must not print a bound of -0.0000 or 1.0000001
    bounds = {"ci_low": np.clip(np.asarray(low, dtype="float64"), 0, 1),
              "ci_high": np.clip(np.asarray(high, dtype="float64"), 0, 1)}
    for col, values in bounds.items():
        out[col] = pd.Series(values, index=base[has_base].index).reindex(out.index)
    return out


def aggregate_cells(responses: pd.DataFrame, municipalities: pd.DataFrame, book: Codebook, wave: str,
                    not_asked: list[str] | tuple | None = None) -> pd.DataFrame:
    """cells.csv for one wave: every counted item x answer x unit, in codebook and unit order.

    `not_asked`: the items the wave's config lists as not asked (None: an item nobody answered
    counts as not asked)."""
    membership = unit_membership(responses, municipalities, book)
    items = counted_items(book)
    cells = add_percentages(count_items(membership, responses, items))
    cells["no_answer"] = cells["asked"] - cells["answered"]
    cells["status"] = np.where(cells["base"] > 0, OK, BASE_0)
    if not_asked is None:
        asked = {it.id for it in items if it.id in responses and responses[it.id].notna().any()}
    else:
        in_wave = {it.id for it in book.items_in_wave(wave, not_asked)}
        asked = {it.id for it in items if it.id in in_wave}
    # an item the wave never asked is "not asked", not a 0 count
    not_asked = ~cells["item"].isin(asked)
    cells.loc[not_asked, "status"] = NOT_ASKED
    cells["count"] = cells["count"].astype("Int64").mask(not_asked)
    for col in NONRESPONSE_CELL_COLUMNS:
        cells[col] = cells[col].astype("Int64").mask(not_asked)
    # nor a base of 0, which a table's n column or a figure would print as "nobody"
    cells["base"] = cells["base"].astype("Int64").mask(not_asked)
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


def protect_nonresponse(protected: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """The nonresponse columns of the unprotected `cells` next to the protected cells: shown where
    the cell's count is shown (a hidden follow-up's `asked` would be its lead's hidden count),
    `answered` where its base is."""
    from analysis.core.disclosure.marks import is_suppressed

    out = protected.copy()
    hidden = out["status"].map(is_suppressed).astype(bool) | out["count"].isna()
    for col in NONRESPONSE_CELL_COLUMNS:
        out[col] = cells[col].mask(hidden)
    out["answered"] = out["answered"].mask(out["base"].isna())
    return out[CELL_COLUMNS]


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
    for col in ("base", "count", "pct_rounded", *NONRESPONSE_CELL_COLUMNS):
        if col in cells:
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


def protect(cells: pd.DataFrame, rules, book: Codebook, municipalities: pd.DataFrame):
    """A wave's cells under its publication rules: (protected cells, the counts they protect, the
    attacker's audit, the optimiser's decision; audit and decision None unless public and optimal).
    Protection decides on the counts; who was asked / answered / did not follow the count's fate."""
    from analysis.core.disclosure.suppression import protect_cells, protect_wave

    counted = cells.drop(columns=[c for c in NONRESPONSE_CELL_COLUMNS if c in cells])
    audit = decision = None
    if rules.mode == "public" and rules.method == "optimal":
        protected, audit, decision = protect_wave(counted, rules, book=book, municipalities=municipalities)
    else:
        protected = protect_cells(counted, rules.min_base, rules.mode, book=book, municipalities=municipalities, rules=rules)
    if set(NONRESPONSE_CELL_COLUMNS) <= set(cells):
        protected = protect_nonresponse(protected, cells)
    return protected, counted, audit, decision


def run_aggregate(responses_path, municipalities_path, codebook_path, sectors_path, wave: str,
                  cells_out, hours_out, disclosure: dict | None = None, not_asked=None, basis_path=None,
                  report_md=None, report_csv=None) -> None:
    """The aggregate step of the workflow: read, aggregate, protect small cells, write (the only
    I/O of this module), with the output checker's report (disclosure/report.md + .csv). In
    public mode nothing unprotected is written: protection fails the step rather than write a
    cell that can be recomputed."""
    from analysis.core.codebook import load_codebook
    from analysis.core.disclosure.checkreport import write_checker_report
    from analysis.core.disclosure.rules import PublicationRules
    from analysis.core.disclosure.settings import disclosure_settings
    from analysis.core.disclosure.suppression import protect_hours

    book = load_codebook(codebook_path, sectors_path)
    responses = pd.read_parquet(responses_path)
    municipalities = pd.read_csv(municipalities_path, dtype=str, keep_default_na=False)
    rules = PublicationRules.from_config(disclosure_settings(disclosure))  # safe by default: public, k = 5
    cells = aggregate_cells(responses, municipalities, book, wave, not_asked)
    protected, counted, audit, decision = protect(cells, rules, book, municipalities)
    if basis_path:   # the wave names a per-cell basis file (a reconstructed wave)
        protected = add_basis(protected, pd.read_csv(basis_path, dtype=str, keep_default_na=False))
    write_csv(protected, cells_out)
    write_csv(protect_hours(hours_by_sector(responses, book, wave), rules.min_base, rules.mode), hours_out)
    if report_md is not None:
        write_checker_report(counted, protected, audit, decision, rules, wave, report_md, report_csv)

"""Indicators per wave and unit, differences between waves, comparisons within a wave."""
from __future__ import annotations
import pandas as pd
from analysis.core.codebook import Codebook
from analysis.core.disclosure.marks import is_suppressed
from analysis.core.waves.statistics import fisher_exact_p, holm, newcombe_difference, two_proportion_test, wilson
from analysis.core.waves.rendering import _within_text
from analysis.core.vocabulary import BASE_0, NOT_ASKED, OK, SIZE_CLASSES


# Used only while the codebook marks no item with `indicator: true`.


YES = "ja"




# Municipality ids are wave-local (each wave has its own sheet), and n = 4-12 per municipality:
# municipalities are shown per wave but never compared or tested across waves.
COMPARED_UNITS = ["overall", "domain", "class", "sector", "size_class"]


INDICATOR_UNITS = COMPARED_UNITS + ["municipality"]




INDICATOR_COLUMNS = ["wave", "item", "unit", "unit_id", "n", "count", "pct", "ci_low", "ci_high", "status", "wave_kind"]


DIFFERENCE_COLUMNS = ["item", "unit", "unit_id", "wave_a", "wave_b", "n_a", "count_a", "n_b", "count_b",
                      "diff", "ci_low", "ci_high", "test", "p", "p_holm", "status"]


WITHIN_COLUMNS = ["wave", "comparison", "item", "group_a", "n_a", "count_a", "group_b", "n_b", "count_b",
                  "diff", "ci_low", "ci_high", "test", "p", "p_holm", "status", "text"]


def indicator_items(book: Codebook) -> list[str]:
    """The main indicators: the items marked `indicator: true` in the codebook."""
    return [it.id for it in book.items if it.extra.get("indicator")]


def wave_kind(wave: str, cfg: dict) -> str:
    """synthetic / reconstructed / survey: shown next to the wave everywhere."""
    if cfg.get("synthetic") or "synthetic" in wave:
        return "synthetic"
    return "reconstructed" if cfg.get("reconstructed") else "survey"


def yes_indicator(answers: pd.Series) -> pd.Series:
    """1 = yes, 0 = any other answer, <NA> = not asked (skip logic or not in the wave)."""
    text = answers.astype("string")
    return text.eq(YES).astype("Int8").where(text.notna(), pd.NA)


def respondent_frame(wave: str, responses: pd.DataFrame, municipalities: pd.DataFrame, book: Codebook,
                     items: list[str]) -> pd.DataFrame:
    """One row per respondent: units (sector, domain, class, municipality, size class), the
    municipality cluster (prefixed by the wave: ids are wave-local) and yes/no per item."""
    sectors = {s.id: s for s in book.sectors}
    sector = responses["sector"].astype("string")
    muni = responses["municipality_id"].astype("string")
    size_of = dict(zip(municipalities["municipality_id"].astype(str), municipalities["size_class"].astype(str)))
    out = pd.DataFrame({
        "wave": wave,
        "respondent_id": responses["respondent_id"].astype("string"),
        "cluster": wave + ":" + muni,
        "overall": "all",
        "sector": pd.Categorical(sector.astype(object), categories=[s.id for s in book.sectors]),
        "domain": pd.Categorical(sector.map(lambda s: sectors[s].domain if s in sectors else None).astype(object),
                                 categories=list(book.domains)),
        "class": pd.Categorical(sector.map(lambda s: sectors[s].social_class if s in sectors else None).astype(object),
                                categories=list(dict.fromkeys(s.social_class for s in book.sectors))),
        "municipality": muni,
        # a sheet's "unknown" size class is no size class row of the comparison: said, not cast
        # silently by Categorical (which pandas 4 will refuse)
        "size_class": pd.Categorical(muni.map(size_of).astype(object).where(lambda s: s.isin(SIZE_CLASSES)),
                                     categories=SIZE_CLASSES),
    })
    for item in items:
        col = responses[item] if item in responses else pd.Series(pd.NA, index=responses.index)
        out[item] = yes_indicator(col).to_numpy()
    return out


def _unit_ids(frame: pd.DataFrame, unit: str) -> list[str]:
    values = frame[unit]
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [c for c in values.cat.categories if (values == c).any()]
    return sorted(values.dropna().unique(), key=lambda v: (len(str(v)), str(v)))


def _yes_and_base(values: pd.Series) -> tuple[int, int]:
    asked = values.dropna()
    return int(asked.sum()), int(len(asked))


def indicator_table(stacked: pd.DataFrame, items: list[str], waves: list[str], kinds: dict[str, str],
                    units: list[str] = INDICATOR_UNITS) -> pd.DataFrame:
    """Per wave, item and unit: n asked, count yes, % and Wilson interval, with a status.

    One grouped count per wave and unit kind (not a scan of the respondents per unit id), so the
    cost grows with respondents once, not with respondents x municipalities."""
    rows = []
    for wave in waves:
        frame = stacked[stacked["wave"] == wave]
        asked_in_wave = {item: bool(frame[item].notna().any()) for item in items}
        counts = {}
        for unit in units:
            grouped = frame[items].groupby(frame[unit].astype(object), sort=False)
            ids = _unit_ids(frame, unit)
            counts[unit] = (ids, grouped.count().reindex(ids, fill_value=0), grouped.sum().reindex(ids, fill_value=0))
        for item in items:
            for unit in units:
                ids, n, yes = counts[unit]
                for unit_id, c, k in zip(ids, yes[item].to_numpy(), n[item].to_numpy()):
                    rows.append(_indicator_row(wave, item, unit, unit_id, int(c), int(k), asked_in_wave[item], kinds[wave]))
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


def _indicator_row(wave, item, unit, unit_id, count, n, asked_in_wave, kind) -> dict:
    row = {"wave": wave, "item": item, "unit": unit, "unit_id": str(unit_id), "wave_kind": kind}
    if not asked_in_wave:
        return {**row, "status": NOT_ASKED}
    if n == 0:
        return {**row, "n": 0, "status": BASE_0}
    low, high = wilson(count, n)
    return {**row, "n": n, "count": count, "pct": 100 * count / n, "ci_low": low, "ci_high": high, "status": OK}


def difference_table(indicators: pd.DataFrame, waves: list[str], units: list[str] = COMPARED_UNITS) -> pd.DataFrame:
    """Every later wave minus every earlier wave, per item and unit present in either.

    Holm family: one pair of waves and one unit kind (all items and unit ids of that kind), so a
    pair's adjusted p-values do not change when a third wave is added.
    """
    cells = indicators.set_index(["wave", "item", "unit", "unit_id"])
    rows = []
    for i, wave_a in enumerate(waves):
        for wave_b in waves[i + 1:]:
            pair = indicators[indicators["wave"].isin([wave_a, wave_b]) & indicators["unit"].isin(units)]
            for (item, unit, unit_id), _ in pair.groupby(["item", "unit", "unit_id"], sort=False):
                rows.append(_difference_row(cells, item, unit, unit_id, wave_a, wave_b))
    table = pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)
    table["p_holm"] = table.groupby(["wave_a", "wave_b", "unit"], group_keys=False)["p"].apply(holm) if len(table) else []
    return table


def _difference_row(cells, item, unit, unit_id, wave_a, wave_b) -> dict:
    row = {"item": item, "unit": unit, "unit_id": unit_id, "wave_a": wave_a, "wave_b": wave_b}
    for side, wave in (("a", wave_a), ("b", wave_b)):
        key = (wave, item, unit, unit_id)
        if key not in cells.index:
            return {**row, "status": f"no respondents in {wave}"}
        cell = cells.loc[key]
        if cell["status"] != OK:
            return {**row, "status": f"{cell['status']} in {wave}"}
        row[f"n_{side}"], row[f"count_{side}"] = int(cell["n"]), int(cell["count"])
    diff, low, high = newcombe_difference(row["count_b"], row["n_b"], row["count_a"], row["n_a"])
    test, p = two_proportion_test(row["count_b"], row["n_b"], row["count_a"], row["n_a"])
    return {**row, "diff": diff, "ci_low": low, "ci_high": high, "test": test, "p": p, "status": OK}


def hidden_cells(cells_by_wave: dict[str, pd.DataFrame]) -> dict[tuple, tuple[str, bool]]:
    """(wave, item, unit, unit_id) -> (mark, base hidden) for every cell a wave's protected
    cells.csv hides (public mode); nothing for a restricted wave."""
    out = {}
    for wave, cells in cells_by_wave.items():
        hidden = cells[cells["status"].map(is_suppressed).astype(bool)]
        for r in hidden.itertuples(index=False):
            out[(wave, r.item, r.unit, str(r.unit_id))] = (str(r.status), pd.isna(r.base))
    return out


def protect_indicators(indicators: pd.DataFrame, hidden: dict[tuple, tuple[str, bool]]) -> pd.DataFrame:
    """The indicators with every cell hidden that the wave's own cells.csv hides: the cross-wave
    outputs must not show what a public wave's tables suppress (differences then say so too)."""
    out = indicators.copy()
    keys = list(zip(out["wave"], out["item"], out["unit"], out["unit_id"].astype(str)))
    marks = pd.Series([hidden.get(k) for k in keys], index=out.index)
    is_hidden = marks.notna()
    for col in ("count", "pct", "ci_low", "ci_high"):
        out[col] = out[col].mask(is_hidden)
    out["n"] = out["n"].mask(marks.map(lambda m: bool(m and m[1])))
    out.loc[is_hidden, "status"] = [m[0] for m in marks[is_hidden]]
    return out


def within_wave_specs(comparisons: dict | None) -> list[tuple]:
    """(comparison, item, unit, group a, group b) of each within-wave comparison the config asks for
    (`comparisons: within_wave:`); group b None means "every other unit of that kind"."""
    return [(spec["label"]["en"], spec["item"], spec["unit"], spec["group_a"], spec.get("group_b"))
            for spec in (comparisons or {}).get("within_wave", [])]


def within_wave_table(stacked: pd.DataFrame, wave: str, hidden: dict | None = None,
                      comparisons: dict | None = None, book: Codebook | None = None) -> pd.DataFrame:
    """Difference, Newcombe interval and Fisher exact p of each comparison; Holm within the wave.
    A comparison whose group the wave's cells.csv hides (public mode) is not made. `book` names the
    groups in the `text` column as the report does (a sector by its label)."""
    frame = stacked[stacked["wave"] == wave]
    specs = within_wave_specs(comparisons)
    rows = [_within_row(frame, wave, *spec) for spec in specs]
    for i, (comparison, item, unit, group_a, group_b) in enumerate(specs):
        marks = [(hidden or {}).get((wave, item, unit, g)) for g in (group_a, group_b) if g]
        mark = next((m for m in marks if m), None)
        if mark:  # "every other sector" is the overall minus group a: hidden with it
            rows[i] = {"wave": wave, "comparison": comparison, "item": item, "group_a": group_a,
                       "group_b": group_b or f"other than {group_a}", "status": f"suppressed ({mark[0]})"}
    table = pd.DataFrame(rows, columns=WITHIN_COLUMNS)
    table["p_holm"] = holm(table["p"])
    table["text"] = [_within_text(r, "en", comparisons, book) for r in table.to_dict("records")]
    return table


def _within_row(frame, wave, comparison, item, unit, group_a, group_b) -> dict:
    label_b = group_b or f"other than {group_a}"
    row = {"wave": wave, "comparison": comparison, "item": item, "group_a": group_a, "group_b": label_b}
    if item not in frame or frame[item].isna().all():
        return {**row, "status": NOT_ASKED}
    in_a = frame[unit] == group_a
    in_b = frame[unit] == group_b if group_b else frame[unit].notna() & ~in_a
    (ca, na), (cb, nb) = _yes_and_base(frame.loc[in_a, item]), _yes_and_base(frame.loc[in_b, item])
    row |= {"n_a": na, "count_a": ca, "n_b": nb, "count_b": cb}
    if na == 0 or nb == 0:
        return {**row, "status": f"base 0 in {group_a if na == 0 else label_b}"}
    diff, low, high = newcombe_difference(ca, na, cb, nb)
    return {**row, "diff": diff, "ci_low": low, "ci_high": high, "test": "Fisher exact",
            "p": fisher_exact_p(ca, na, cb, nb), "status": OK}

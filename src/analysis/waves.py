"""Comparisons across survey waves (results/waves/) and within one wave.

Built from each valid wave's respondent table (results/<wave>/responses.parquet), because the
GEE model needs respondents, not cells. Waves are compared in the order the config lists them
(fielding order). Conventions, shared with results/<wave>/cells.csv: `pct` is a percentage,
`ci_low`/`ci_high` and `diff` are proportions (0-1).

Why each method:
- Wilson intervals: correct coverage for the small n of a sector or domain, and defined at 0%/100%.
- Newcombe's hybrid score interval (method 10) for a difference of two independent proportions:
  good coverage for small n, defined when a cell is 0 or n.
- Fisher's exact test when any expected count is below 5 (the chi-square approximation fails
  there); otherwise Pearson's chi-square without continuity correction.
- GEE logistic with municipality as cluster: respondents of one municipality are not independent.
  With 4-30 clusters the sandwich standard errors are too small, so the bias-reduced (Mancl-
  DeRouen) covariance is used with t-based p-values on (clusters - parameters) degrees of freedom.
- Holm within each family of tests: controls the familywise error without assuming independence.

Nothing is ever reported as NaN or a silent 0: a value that cannot be computed gets a `status`
that says why ("not asked", "base 0", "not estimable: ...").
"""
from __future__ import annotations

import html
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.codebook import Codebook
from analysis.disclosure import is_suppressed

# Used only while the codebook marks no item with `indicator: true`.
FALLBACK_INDICATORS = ["health_priority", "health_work", "segv_priority", "segv_work", "collaborates"]
YES = "ja"
OK, NOT_ASKED, BASE_0 = "ok", "not asked", "base 0"
CAVEAT = ("a selection of municipalities already active on integrated health policy, not a random "
          "sample (report footnote 17)")
# Municipality ids are wave-local (each wave has its own sheet), and n = 4-12 per municipality:
# municipalities are shown per wave but never compared or tested across waves.
COMPARED_UNITS = ["overall", "domain", "class", "sector", "size_class"]
INDICATOR_UNITS = COMPARED_UNITS + ["municipality"]
SIZE_CLASSES = ["G4", "G32", "small"]
INDICATOR_COLUMNS = ["wave", "item", "unit", "unit_id", "n", "count", "pct", "ci_low", "ci_high", "status", "wave_kind"]
DIFFERENCE_COLUMNS = ["item", "unit", "unit_id", "wave_a", "wave_b", "n_a", "count_a", "n_b", "count_b",
                      "diff", "ci_low", "ci_high", "test", "p", "p_holm", "status"]
GEE_COLUMNS = ["item", "term", "level", "reference", "log_odds", "se_bias_reduced", "t", "df", "p", "p_holm",
               "odds_ratio", "or_ci_low", "or_ci_high", "n", "n_clusters", "waves", "working_correlation",
               "excluded", "status"]
WITHIN_COLUMNS = ["wave", "comparison", "item", "group_a", "n_a", "count_a", "group_b", "n_b", "count_b",
                  "diff", "ci_low", "ci_high", "test", "p", "p_holm", "status", "text"]


# --- the statistics ----------------------------------------------------------------------------
# scipy and statsmodels are imported inside the functions that use them: they cost about 1 s per
# process, and the wave_status job (validation only) imports this module too.

def wilson(count: int, n: int) -> tuple[float, float]:
    """Wilson 95% interval of count/n (proportions)."""
    if n <= 0:
        raise ValueError("Wilson interval needs n > 0")
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    return float(max(low, 0.0)), float(min(high, 1.0))


def newcombe_difference(c1: int, n1: int, c2: int, n2: int) -> tuple[float, float, float]:
    """p1 - p2 with Newcombe's hybrid score 95% interval (1998, method 10)."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("a difference needs n > 0 in both groups")
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(c1, n1, c2, n2, method="newcomb", compare="diff", alpha=0.05)
    return c1 / n1 - c2 / n2, float(max(low, -1.0)), float(min(high, 1.0))


def expected_counts(c1: int, n1: int, c2: int, n2: int) -> np.ndarray:
    """Expected counts of the 2x2 table under independence."""
    table = np.array([[c1, n1 - c1], [c2, n2 - c2]], dtype=float)
    return table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()


def fisher_exact_p(c1: int, n1: int, c2: int, n2: int) -> float:
    """Two-sided Fisher exact p of the 2x2 table (yes/no by group)."""
    from scipy import stats

    return float(stats.fisher_exact([[c1, n1 - c1], [c2, n2 - c2]], alternative="two-sided").pvalue)


def two_proportion_test(c1: int, n1: int, c2: int, n2: int) -> tuple[str, float]:
    """Fisher exact when any expected count is < 5 (small cells), else Pearson chi-square."""
    if expected_counts(c1, n1, c2, n2).min() < 5:
        return "Fisher exact", fisher_exact_p(c1, n1, c2, n2)
    from scipy import stats

    table = [[c1, n1 - c1], [c2, n2 - c2]]
    return "chi-square", float(stats.chi2_contingency(table, correction=False).pvalue)


def holm(p: pd.Series) -> pd.Series:
    """Holm-adjusted p-values; missing p (nothing tested) stay missing."""
    from statsmodels.stats.multitest import multipletests

    out = pd.Series(np.nan, index=p.index, dtype="float64")
    tested = p.dropna()
    if len(tested):
        out[tested.index] = multipletests(tested.to_numpy(dtype=float), method="holm")[1]
    return out


# --- respondents -------------------------------------------------------------------------------

def indicator_items(book: Codebook) -> list[str]:
    """The main indicators: items marked `indicator: true` in the codebook, else the fallback."""
    marked = [it.id for it in book.items if it.extra.get("indicator")]
    return marked or [i for i in FALLBACK_INDICATORS if i in book]


def wave_kind(wave: str, cfg: dict) -> str:
    """synthetic / reconstructed / survey: shown next to the wave everywhere."""
    if cfg.get("synthetic") or "synthetic" in wave:
        return "synthetic"
    return "reconstructed" if cfg.get("reconstructed") else "survey"


def wave_label(wave: str, kind: str) -> str:
    return wave if kind == "survey" else f"{wave} ({kind})"


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
        "size_class": pd.Categorical(muni.map(size_of).astype(object), categories=SIZE_CLASSES),
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


# --- indicators and differences across waves ----------------------------------------------------

def indicator_table(stacked: pd.DataFrame, items: list[str], waves: list[str], kinds: dict[str, str],
                    units: list[str] = INDICATOR_UNITS) -> pd.DataFrame:
    """Per wave, item and unit: n asked, count yes, % and Wilson interval, with a status."""
    rows = []
    for wave in waves:
        frame = stacked[stacked["wave"] == wave]
        for item in items:
            asked_in_wave = bool(frame[item].notna().any())
            for unit in units:
                for unit_id in _unit_ids(frame, unit):
                    count, n = _yes_and_base(frame.loc[frame[unit] == unit_id, item])
                    rows.append(_indicator_row(wave, item, unit, unit_id, count, n, asked_in_wave, kinds[wave]))
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


# --- GEE: indicator by wave and VNG domain -----------------------------------------------------

@dataclass(frozen=True)
class DesignMatrix:
    y: pd.Series
    x: pd.DataFrame
    clusters: pd.Series
    references: dict[str, str]
    excluded: str


def _separated_levels(y: pd.Series, factor: pd.Series) -> list[str]:
    """Levels where everyone or no one said yes: their coefficient would be infinite."""
    means = y.groupby(factor, observed=True).mean()
    return [str(level) for level, m in means.items() if m in (0.0, 1.0)]


def gee_design(stacked: pd.DataFrame, item: str, waves: list[str]) -> DesignMatrix | str:
    """Design of `item ~ wave + domain`, or why the model is not estimable.

    A domain where all or none said yes is left out (and named), because its coefficient would be
    infinite; a wave with all or none yes makes the wave effect itself not estimable.
    """
    data = stacked[stacked["wave"].isin(waves) & stacked[item].notna() & stacked["domain"].notna()]
    in_model = [w for w in waves if (data["wave"] == w).any()]
    if not in_model:
        return "not estimable: item not asked in any included wave"
    y = data[item].astype(float)
    separated_waves = _separated_levels(y, data["wave"])
    if separated_waves:
        return f"not estimable: all or none said yes in wave {', '.join(separated_waves)}"
    dropped = _separated_levels(y, data["domain"].astype(str))
    data = data[~data["domain"].astype(str).isin(dropped)]
    domains = [d for d in data["domain"].cat.categories if (data["domain"] == d).any()]
    columns = {"intercept": pd.Series(1.0, index=data.index)}
    columns |= {f"wave[{w}]": (data["wave"] == w).astype(float) for w in in_model[1:]}
    columns |= {f"domain[{d}]": (data["domain"] == d).astype(float) for d in domains[1:]}
    excluded = f"domain {', '.join(dropped)}: all or none said yes" if dropped else ""
    return DesignMatrix(data[item].astype(float), pd.DataFrame(columns), data["cluster"],
                        {"wave": in_model[0], "domain": domains[0] if domains else ""}, excluded)


def gee_model(stacked: pd.DataFrame, item: str, waves: list[str]) -> pd.DataFrame:
    """Logistic GEE of one indicator on wave and domain, municipality as cluster, exchangeable
    (else independence) working correlation, bias-reduced covariance, t-based tests on
    clusters - parameters df."""
    design = gee_design(stacked, item, waves)
    if isinstance(design, str):
        return pd.DataFrame([{"item": item, "term": "(model)", "status": design}], columns=GEE_COLUMNS)
    n_clusters, n_params = design.clusters.nunique(), design.x.shape[1]
    df = n_clusters - n_params
    base = {"item": item, "n": len(design.y), "n_clusters": n_clusters, "waves": ";".join(waves),
            "working_correlation": "", "excluded": design.excluded, "df": df}
    if n_params < 2:
        return pd.DataFrame([{**base, "term": "(model)", "status": "not estimable: only one wave and one domain"}],
                            columns=GEE_COLUMNS)
    if df < 1:
        status = f"not estimable: {n_clusters} municipalities (clusters) for {n_params} parameters"
        return pd.DataFrame([{**base, "term": "(model)", "status": status}], columns=GEE_COLUMNS)
    fitted = _fit_gee(design)
    if isinstance(fitted, str):
        return pd.DataFrame([{**base, "term": "(model)", "status": fitted}], columns=GEE_COLUMNS)
    from scipy import stats

    params, se, structure = fitted
    base["working_correlation"] = structure
    t = params / se
    crit = stats.t.ppf(0.975, df)
    rows = []
    for term in design.x.columns[1:]:
        kind, level = term[:-1].split("[", 1)
        rows.append({**base, "term": kind, "level": level, "reference": design.references[kind],
                     "log_odds": params[term], "se_bias_reduced": se[term], "t": t[term],
                     "p": float(2 * stats.t.sf(abs(t[term]), df)), "odds_ratio": float(np.exp(params[term])),
                     "or_ci_low": float(np.exp(params[term] - crit * se[term])),
                     "or_ci_high": float(np.exp(params[term] + crit * se[term])), "status": OK})
    return pd.DataFrame(rows, columns=GEE_COLUMNS)


def _fit_gee(design: DesignMatrix) -> tuple[pd.Series, pd.Series, str] | str:
    """Exchangeable working correlation first; with few clusters it often fails to converge
    (or estimates a negative correlation that breaks the iteration), and then independence,
    which is consistent under any correlation once the sandwich covariance is used."""
    for structure in ("exchangeable", "independence"):
        fitted = _fit_gee_with(design, structure)
        if not isinstance(fitted, str):
            return (*fitted, structure)
    return fitted


def _fit_gee_with(design: DesignMatrix, structure: str) -> tuple[pd.Series, pd.Series] | str:
    # the GEE module itself, not statsmodels.api (which loads every model statsmodels has)
    from statsmodels.genmod import cov_struct as cs, families
    from statsmodels.genmod.generalized_estimating_equations import GEE

    correlation = cs.Exchangeable() if structure == "exchangeable" else cs.Independence()
    model = GEE(design.y, design.x, groups=design.clusters, family=families.Binomial(), cov_struct=correlation)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = model.fit(cov_type="bias_reduced", maxiter=100)
        except (np.linalg.LinAlgError, ValueError) as err:
            return f"not estimable: model fit failed ({err})"
    if any("converge" in str(w.message).lower() for w in caught):
        return "not estimable: the model did not converge"
    params, se = pd.Series(result.params, index=design.x.columns), pd.Series(result.bse, index=design.x.columns)
    # quasi-separation shows as huge coefficients or standard errors rather than an error
    if not (np.isfinite(params).all() and np.isfinite(se).all() and (se > 0).all()
            and (params.abs() < 15).all() and (se < 50).all()):
        return "not estimable: quasi-complete separation (a cell with all or none yes)"
    return params, se


def gee_table(stacked: pd.DataFrame, items: list[str], waves: list[str]) -> pd.DataFrame:
    """GEE per indicator; Holm across indicators within each term kind (wave effects; domain
    effects), the two families of questions the model answers."""
    table = pd.concat([gee_model(stacked, item, waves) for item in items], ignore_index=True)
    table["p_holm"] = table.groupby("term", group_keys=False)["p"].apply(holm)
    return table


# --- within one wave: the comparisons the report makes in words --------------------------------

WITHIN_WAVE = [
    # (comparison, item, unit, group a, group b); b = None means "every other sector"
    ("social vs physical sectors on working on health inequalities (section 4.2.2)", "segv_work", "class",
     "social", "physical"),
    ("VGZ vs other sectors on intersectoral collaboration", "collaborates", "sector", "vgz", None),
]


def within_wave_table(stacked: pd.DataFrame, wave: str, hidden: dict | None = None) -> pd.DataFrame:
    """Difference, Newcombe interval and Fisher exact p of each comparison; Holm within the wave.
    A comparison whose group the wave's cells.csv hides (public mode) is not made."""
    frame = stacked[stacked["wave"] == wave]
    rows = [_within_row(frame, wave, *spec) for spec in WITHIN_WAVE]
    for i, (comparison, item, unit, group_a, group_b) in enumerate(WITHIN_WAVE):
        marks = [(hidden or {}).get((wave, item, unit, g)) for g in (group_a, group_b) if g]
        mark = next((m for m in marks if m), None)
        if mark:  # "every other sector" is the overall minus group a: hidden with it
            rows[i] = {"wave": wave, "comparison": comparison, "item": item, "group_a": group_a,
                       "group_b": group_b or f"other than {group_a}", "status": f"suppressed ({mark[0]})"}
    table = pd.DataFrame(rows, columns=WITHIN_COLUMNS)
    table["p_holm"] = holm(table["p"])
    table["text"] = [_within_text(r) for r in table.to_dict("records")]
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


def _within_text(row: dict, language: str = "en") -> str:
    comparison = COMPARISON_NL.get(row["comparison"], row["comparison"]) if language == "nl" else row["comparison"]
    if row["status"] != OK:
        return f"{comparison}: {status_text(row['status'], language)}."
    t = CHAPTER_TEXT[language]
    group_b = str(row["group_b"]).replace("other than", t["other_than"], 1)
    return (f"{comparison}: {100 * row['count_a'] / row['n_a']:.0f}% {t['of']} {row['group_a']} "
            f"({row['count_a']}/{row['n_a']}) {t['vs']} {100 * row['count_b'] / row['n_b']:.0f}% {t['of']} {group_b} "
            f"({row['count_b']}/{row['n_b']}); {t['difference']} {100 * row['diff']:+.0f} {t['pp']} "
            f"({t['ci']} {100 * row['ci_low']:+.0f} {t['to']} {100 * row['ci_high']:+.0f}), Fisher exact p = {row['p']:.3f} "
            f"(Holm {row['p_holm']:.3f}). " + t["caveat"].format(caveat=CAVEAT if language == "en" else CAVEAT_NL))


# --- which waves are valid ---------------------------------------------------------------------

def wave_status(wave: str, cfg: dict, book: Codebook) -> dict:
    """Whether a wave passes validation, as a small record the cross-wave outputs rely on.

    The same `validate_wave` as rule validate, so both agree; any error (an unreadable file, a
    not_asked item the codebook lacks) is caught and recorded, naming wave, file and field,
    because one bad wave must not stop the comparison of the others.
    """
    from analysis.validate import validate_wave

    record = {"wave": wave, "kind": wave_kind(wave, cfg), "description": cfg.get("description", ""),
              "report": f"results/{wave}/validation/report.md",
              "disclosure": (cfg.get("disclosure") or {}).get("mode", "public")}
    try:
        result = validate_wave(wave, cfg["export"], cfg["municipalities"], book, cfg.get("column_map"),
                               cfg.get("not_asked", []))
    except Exception as err:  # noqa: BLE001 - recorded, never swallowed: the report shows it
        return {**record, "valid": False, "problems": 1,
                "first_problems": [f"wave {wave}: {type(err).__name__}: {err}"]}
    problems = [f"wave {wave}: {p.file}, row {'' if pd.isna(p.row) else p.row}, field {p.column}: "
                f"{p.rule} (value {p.value!r}; expected {p.expected})"
                for p in result.failures.head(5).itertuples(index=False)]
    return {**record, "valid": result.ok, "problems": len(result.failures), "first_problems": problems,
            "respondents": 0 if result.responses is None else len(result.responses)}


# --- labels, figures and HTML ------------------------------------------------------------------

def item_labels(book: Codebook, items: list[str], language: str = "nl") -> dict[str, str]:
    return {i: book[i].extra.get(f"short_{language}") or book[i].label(language) for i in items}


def _pct(value: float) -> str:
    return f"{value:.0f}%"


# The chapter "Compared with earlier waves" and the cross-wave report are in the label language;
# the CSV outputs keep English status words (they are data, read by code as well as people) and
# the methods paragraph stays English (statistical terms).
CHAPTER_TEXT = {
    "en": {"chapter": "Compared with earlier waves", "wave": "Wave", "first": "This is the first valid wave: there "
           "is no earlier wave to compare with.", "earlier": "Earlier waves", "skipped": "Earlier wave {wave} failed "
           "validation and is not compared (see {report}).", "within": "Within this wave", "indicator": "indicator",
           "unit": "unit", "everyone": "all respondents", "no_respondents": "no respondents",
           "pair": "waves (later - earlier)", "difference": "difference", "ci": "95% CI", "to": "to",
           "restricted": "Includes restricted wave(s) {waves}: cells of few respondents may appear. Not for publication.",
           "of": "of", "vs": "vs", "pp": "percentage points", "caveat": "Caveat: the respondents come from {caveat}, "
           "so this describes these municipalities and is no estimate for all Dutch municipalities.",
           "other_than": "other than", "title": "Survey waves compared", "main": "Main indicators per wave",
           "between": "Differences between waves", "gee": "Indicators by wave and VNG domain (GEE)",
           "each": "Within each wave", "methods": "Methods", "included": "Included waves (in fielding order)",
           "not_original": "Synthetic waves are invented data; reconstructed waves are rebuilt from published tables. "
           "Neither is original survey microdata.", "excluded": "Excluded waves",
           "failed": "failed validation ({problems} problems; see {report})",
           "caption": "{label}: % yes per wave (all respondents; social and physical sectors), Wilson 95% intervals.",
           "term": "term", "odds_ratio": "odds ratio", "test": "test", "municipalities": "municipalities",
           "left_out": "left out"},
    "nl": {"chapter": "Vergeleken met eerdere metingen", "wave": "Meting", "first": "Dit is de eerste geldige meting: "
           "er is geen eerdere meting om mee te vergelijken.", "earlier": "Eerdere metingen", "skipped": "Eerdere meting "
           "{wave} is afgekeurd bij de validatie en wordt niet vergeleken (zie {report}).", "within": "Binnen deze meting",
           "indicator": "indicator", "unit": "eenheid", "everyone": "alle respondenten", "no_respondents": "geen respondenten",
           "pair": "metingen (later - eerder)", "difference": "verschil", "ci": "95%-BI", "to": "tot",
           "restricted": "Bevat vertrouwelijke meting(en) {waves}: cellen met weinig respondenten kunnen voorkomen. "
           "Niet voor publicatie.", "of": "van", "vs": "tegen", "pp": "procentpunt",
           "caveat": "Let op: de respondenten komen uit {caveat}; dit beschrijft deze gemeenten en is geen schatting "
           "voor alle Nederlandse gemeenten.", "other_than": "anders dan", "title": "Metingen vergeleken",
           "main": "Belangrijkste indicatoren per meting", "between": "Verschillen tussen metingen",
           "gee": "Indicatoren naar meting en VNG-domein (GEE)", "each": "Binnen elke meting", "methods": "Methoden",
           "included": "Opgenomen metingen (in volgorde van veldwerk)",
           "not_original": "Synthetische metingen zijn verzonnen gegevens; gereconstrueerde metingen zijn herbouwd uit "
           "gepubliceerde tabellen. Geen van beide zijn oorspronkelijke microdata.", "excluded": "Uitgesloten metingen",
           "failed": "afgekeurd bij de validatie ({problems} problemen; zie {report})",
           "caption": "{label}: % ja per meting (alle respondenten; sociale en fysieke sectoren), 95%-Wilson-intervallen.",
           "term": "term", "odds_ratio": "oddsratio", "test": "toets", "municipalities": "gemeenten",
           "left_out": "weggelaten"},
}
CAVEAT_NL = ("een selectie van gemeenten die al actief waren met integraal gezondheidsbeleid, geen aselecte "
             "steekproef (voetnoot 17 van het rapport)")
COMPARISON_NL = {
    "social vs physical sectors on working on health inequalities (section 4.2.2)":
        "sociale tegen fysieke sectoren, werken aan gezondheidsachterstanden (paragraaf 4.2.2)",
    "VGZ vs other sectors on intersectoral collaboration": "VGZ tegen andere sectoren, intersectoraal samenwerken",
}
UNIT_NL = {"domain": "VNG-domein", "class": "sectoren", "sector": "sector", "size_class": "grootteklasse"}
UNIT_ID_NL = {"social": "sociaal", "physical": "fysiek", "other": "overig", "anders": "anders"}


def unit_text(unit: str, unit_id, language: str = "en") -> str:
    """'domain 1' / 'VNG-domein 1', 'class social' / 'sectoren sociaal'."""
    if language == "nl":
        return f"{UNIT_NL.get(unit, unit)} {UNIT_ID_NL.get(str(unit_id), unit_id)}"
    return f"{unit} {unit_id}"


STATUS_NL = {"not asked": "niet gevraagd", "base 0": "basis 0", "suppressed": "onderdrukt",
             "no respondents": "geen respondenten", "not estimable": "niet schatbaar"}


def status_text(status, language: str = "en") -> str:
    """A status word in the label language ('base 0 in sport' -> 'basis 0 in sport')."""
    text = str(status)
    if language == "nl":
        for en, nl in STATUS_NL.items():
            if text.startswith(en):
                return nl + text[len(en):]
    return text


def cell_text(row: dict, language: str = "en") -> str:
    """'45% (9/20; 95% CI 26-66%)' or the status, never 'nan'."""
    if row.get("status") != OK:
        return status_text(row.get("status"), language)
    return (f"{_pct(row['pct'])} ({int(row['count'])}/{int(row['n'])}; "
            f"{CHAPTER_TEXT[language]['ci']} {100 * row['ci_low']:.0f}-{100 * row['ci_high']:.0f}%)")


def difference_text(row: dict, language: str = "en") -> str:
    if row.get("status") != OK:
        return status_text(row.get("status"), language)
    t = CHAPTER_TEXT[language]
    return (f"{100 * row['diff']:+.0f} pp ({t['ci']} {100 * row['ci_low']:+.0f} {t['to']} {100 * row['ci_high']:+.0f}); "
            f"{row['test']} p = {row['p']:.3f}, Holm p = {row['p_holm']:.3f}")


SERIES_NAMES = {"nl": ("Alle respondenten", "Sociale sectoren", "Fysieke sectoren", "niet gevraagd", "% ja (95%-Wilson-interval)"),
                "en": ("All respondents", "Social sectors", "Physical sectors", "not asked", "% yes (95% Wilson interval)")}


def trend_figure(indicators: pd.DataFrame, item: str, label: str, waves: list[str], kinds: dict[str, str],
                 language: str = "nl"):
    """Overall % per wave with Wilson intervals, and the social and physical sectors beside it.
    A wave that did not ask the item shows "not asked" instead of a point."""
    # a bare Figure, no pyplot: no global state to close, and half a second less of imports
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.8))
    ax = fig.add_subplot()
    x = np.arange(len(waves))
    everyone, social, physical, not_asked, y_label = SERIES_NAMES[language]
    series = [("overall", "all", everyone, "o", "-", 0.0),
              ("class", "social", social, "s", "--", -0.08),
              ("class", "physical", physical, "^", ":", 0.08)]
    for unit, unit_id, name, marker, style, shift in series:
        cells = indicators[(indicators["item"] == item) & (indicators["unit"] == unit) & (indicators["unit_id"] == unit_id)]
        cells = cells.set_index("wave").reindex(waves)
        ok = cells["status"].eq(OK).to_numpy()
        pct = cells["pct"].to_numpy(dtype=float)
        err = np.vstack([pct - 100 * cells["ci_low"].to_numpy(dtype=float), 100 * cells["ci_high"].to_numpy(dtype=float) - pct])
        ax.errorbar(x[ok] + shift, pct[ok], yerr=err[:, ok], marker=marker, linestyle=style, capsize=3, label=name)
    for i, wave in enumerate(waves):
        status = indicators.loc[(indicators["item"] == item) & (indicators["wave"] == wave) & (indicators["unit"] == "overall"), "status"]
        if status.empty or status.iloc[0] != OK:
            ax.text(i, 50, not_asked, ha="center", va="center", rotation=90, fontsize=8, color="0.4")
    ax.set_xticks(x, [wave_label(w, kinds[w]) for w in waves], fontsize=8)
    ax.set_xlim(-0.5, len(waves) - 0.5)
    ax.set_ylim(0, 100)
    ax.set_ylabel(y_label)
    ax.set_title(label, fontsize=10)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


def save_figure(fig, stem: str) -> tuple[str, str]:
    """PNG and SVG that are byte-identical on every run (fixed SVG ids, no dates)."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "rivm-270161002-waves", "svg.fonttype": "none"}):
        fig.savefig(f"{stem}.svg", metadata={"Date": None})
        fig.savefig(f"{stem}.png", dpi=110, metadata={"Software": None})
    return f"{stem}.png", f"{stem}.svg"


def _table_html(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def indicators_html(indicators: pd.DataFrame, waves: list[str], kinds: dict[str, str], labels: dict[str, str],
                    units: tuple[str, ...] = ("overall", "domain", "class"), language: str = "en") -> str:
    """One table: indicator x unit in rows, waves in columns."""
    t = CHAPTER_TEXT[language]
    header = [t["indicator"], t["unit"], *[wave_label(w, kinds[w]) for w in waves]]
    rows = []
    keyed = {(r["wave"], r["item"], r["unit"], r["unit_id"]): r for r in indicators.to_dict("records")}
    for item in labels:
        for unit in units:
            ids = list(dict.fromkeys(indicators.loc[(indicators["item"] == item) & (indicators["unit"] == unit), "unit_id"]))
            for unit_id in ids:
                cells = [cell_text(keyed[(w, item, unit, unit_id)], language) if (w, item, unit, unit_id) in keyed
                         else t["no_respondents"] for w in waves]
                rows.append([labels[item], unit_text(unit, unit_id, language) if unit != "overall" else t["everyone"], *cells])
    return _table_html(header, rows)


def differences_html(differences: pd.DataFrame, labels: dict[str, str], units: tuple[str, ...] = ("overall", "domain", "class"),
                     language: str = "en") -> str:
    t = CHAPTER_TEXT[language]
    shown = differences[differences["unit"].isin(units)]
    rows = [[labels.get(r["item"], r["item"]), unit_text(r["unit"], r["unit_id"], language), f"{r['wave_b']} - {r['wave_a']}",
             difference_text(r, language)] for r in shown.to_dict("records")]
    return _table_html([t["indicator"], t["unit"], t["pair"], t["difference"]], rows)


def within_html(within: pd.DataFrame, language: str = "en") -> str:
    return "".join(f"<p>{html.escape(r['wave'])}: {html.escape(_within_text(r, language))}</p>"
                   for r in within.to_dict("records"))


def gee_html(gee: pd.DataFrame, labels: dict[str, str], language: str = "en") -> str:
    t = CHAPTER_TEXT[language]
    rows = []
    for r in gee.to_dict("records"):
        if r["status"] != OK:
            rows.append([labels.get(r["item"], r["item"]), "", "", status_text(r["status"], language)])
            continue
        rows.append([labels.get(r["item"], r["item"]), f"{r['term']} {r['level']} {t['vs']} {r['reference']}",
                     f"OR {r['odds_ratio']:.2f} ({t['ci']} {r['or_ci_low']:.2f}-{r['or_ci_high']:.2f})",
                     f"t({int(r['df'])}) = {r['t']:.2f}, p = {r['p']:.3f}, Holm p = {r['p_holm']:.3f}; "
                     f"n = {int(r['n'])}, {int(r['n_clusters'])} {t['municipalities']}"
                     + (f"; {t['left_out']}: {r['excluded']}" if isinstance(r["excluded"], str) and r["excluded"] else "")])
    return _table_html([t["indicator"], t["term"], t["odds_ratio"], t["test"]], rows)


STYLE = ("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
         "table{border-collapse:collapse;font-size:.85em;margin:1em 0}td,th{border:1px solid #bbb;padding:.2em .5em;"
         "text-align:left;vertical-align:top}.warn{background:#fff3cd;padding:.5em 1em}</style>")

METHODS = (
    "<p>Percentages: yes / respondents asked (skip logic), with Wilson 95% intervals. Differences: later wave "
    "minus earlier wave, Newcombe hybrid score 95% interval; Fisher exact test where an expected count is "
    "below 5, else Pearson chi-square. Holm correction within each pair of waves and unit kind. GEE: logistic, "
    "municipality as cluster, exchangeable working correlation (independence where that does not converge), bias-reduced (Mancl-DeRouen) standard errors, "
    "t-tests on (municipalities - parameters) degrees of freedom, Holm across indicators per term. Municipality "
    "ids belong to one wave, so municipalities are not compared across waves. A cell where all or none said yes "
    "gives 'not estimable' in the model. " + html.escape(f"The municipalities are {CAVEAT}.") + "</p>"
)


def _waves_list_html(waves: list[str], kinds: dict[str, str], descriptions: dict[str, str], excluded: list[dict],
                     language: str = "en") -> str:
    t = CHAPTER_TEXT[language]
    parts = [f"<p>{t['included']}: "
             + ", ".join(html.escape(wave_label(w, kinds[w]) + (f" - {descriptions[w]}" if descriptions.get(w) else ""))
                         for w in waves) + ".</p>"]
    if any(kinds[w] != "survey" for w in waves):
        parts.append(f'<p class="warn">{html.escape(t["not_original"])}</p>')
    if excluded:
        items = "".join(f"<li>{html.escape(e['wave'])}: "
                        + html.escape(t["failed"].format(problems=e["problems"], report=e["report"])) + "<ul>"
                        + "".join(f"<li>{html.escape(p)}</li>" for p in e.get("first_problems", []))
                        + "</ul></li>" for e in excluded)
        parts.append(f'<div class="warn"><p>{t["excluded"]}:</p><ul>{items}</ul></div>')
    return "".join(parts)


def restricted_warning(restricted: list[str], language: str = "en") -> str:
    """Cross-wave outputs take each wave's cells as its own mode allows: a restricted wave's
    cells are not protected, so every page that shows them says so."""
    if not restricted:
        return ""
    text = CHAPTER_TEXT[language]["restricted"].format(waves=", ".join(restricted))
    return f'<p class="warn">{html.escape(text)}</p>'


def cross_wave_report_html(waves, kinds, descriptions, excluded, indicators, differences, gee, within, labels,
                           figures_png: dict[str, bytes], restricted: list[str] = (), language: str = "en") -> str:
    """results/waves/report.html: self-contained (figures embedded, no links out)."""
    import base64

    t = CHAPTER_TEXT[language]
    figures = "".join(
        f'<figure><img alt="{html.escape(labels[i])}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        f"<figcaption>{html.escape(t['caption'].format(label=labels[i]))}</figcaption></figure>"
        for i, png in figures_png.items())
    body = [
        f"<h1>{t['title']}</h1>", restricted_warning(list(restricted), language),
        _waves_list_html(waves, kinds, descriptions, excluded, language),
        f"<h2>{t['main']}</h2>", indicators_html(indicators, waves, kinds, labels, language=language), figures,
        f"<h2>{t['between']}</h2>", differences_html(differences, labels, language=language),
        f"<h2>{t['gee']}</h2>", gee_html(gee, labels, language),
        f"<h2>{t['each']}</h2>", within_html(within, language), f"<h2>{t['methods']}</h2>", METHODS,
    ]
    return (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{t["title"]}</title>'
            + STYLE + "</head><body>" + "".join(body) + "</body></html>\n")


def compared_with_earlier_waves_html(wave: str, earlier: list[str], kinds: dict[str, str], indicators: pd.DataFrame,
                                     differences: pd.DataFrame, within: pd.DataFrame, labels: dict[str, str],
                                     excluded: list[dict] = (), restricted: list[str] = (), language: str = "en") -> str:
    """The chapter "Compared with earlier waves" of one wave's report (an HTML fragment), in the
    report's label language; the statistical methods paragraph stays in English."""
    t = CHAPTER_TEXT[language]
    title = (f"<section id=\"compared-with-earlier-waves\"><h2>{t['chapter']}</h2>"
             + restricted_warning(list(restricted), language))
    intro = f"<p>{t['wave']} {html.escape(wave_label(wave, kinds[wave]))}. "
    if not earlier:
        intro += t["first"] + "</p>"
    else:
        intro += (t["earlier"] + ": " + ", ".join(html.escape(wave_label(w, kinds[w])) for w in earlier) + ".</p>")
    skipped = "".join('<p class="warn">' + html.escape(t["skipped"].format(wave=e["wave"], report=e["report"])) + "</p>"
                      for e in excluded)
    ours = differences[differences["wave_b"] == wave] if len(differences) else differences
    parts = [title, intro, skipped, indicators_html(indicators, [*earlier, wave], kinds, labels, language=language)]
    if earlier:
        parts.append(differences_html(ours, labels, language=language))
    parts += [f"<h3>{t['within']}</h3>", within_html(within[within["wave"] == wave], language), METHODS, "</section>"]
    return "".join(parts)


# --- runners (the only functions here that read or write files) -------------------------------

def stack_waves(waves: list[str], responses: dict[str, str], municipalities: dict[str, str], book: Codebook,
                items: list[str]) -> pd.DataFrame:
    frames = [respondent_frame(w, pd.read_parquet(responses[w]), pd.read_csv(municipalities[w], dtype=str), book, items)
              for w in waves]
    return pd.concat(frames, ignore_index=True)


def _write_csv(table: pd.DataFrame, path) -> None:
    table.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")


def read_hidden(cells: dict[str, str]) -> dict[tuple, tuple[str, bool]]:
    from analysis.aggregate import read_cells

    return hidden_cells({wave: read_cells(path) for wave, path in cells.items()})


def run_cross_wave(statuses: list[dict], responses: dict[str, str], municipalities: dict[str, str], book: Codebook,
                   language: str, outdir: str, cells: dict[str, str] | None = None) -> list[str]:
    """Build results/waves/ from the valid waves (config order); name the excluded ones. `cells`
    (the waves' protected cells.csv) carries their small-cell protection over."""
    from pathlib import Path

    out = Path(outdir)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    waves = [s["wave"] for s in statuses if s["valid"]]
    excluded = [s for s in statuses if not s["valid"]]
    kinds = {s["wave"]: s["kind"] for s in statuses}
    descriptions = {s["wave"]: s.get("description", "") for s in statuses}
    items = indicator_items(book)
    labels = item_labels(book, items, language)
    if waves:
        stacked = stack_waves(waves, responses, municipalities, book, items)
        hidden = read_hidden(cells or {})
        indicators = protect_indicators(indicator_table(stacked, items, waves, kinds), hidden)
        differences = difference_table(indicators, waves)
        gee = gee_table(stacked, items, waves)
        within = pd.concat([within_wave_table(stacked, w, hidden) for w in waves], ignore_index=True)
    else:  # every wave failed validation: empty tables that still say which waves were excluded
        indicators, differences, gee, within = (pd.DataFrame(columns=c) for c in
                                                (INDICATOR_COLUMNS, DIFFERENCE_COLUMNS, GEE_COLUMNS, WITHIN_COLUMNS))
        items = []
    pd.DataFrame([{k: s.get(k) for k in ("wave", "kind", "valid", "problems", "report")} for s in statuses]).assign(
        included=lambda t: t["valid"]).to_csv(out / "waves.csv", index=False, lineterminator="\n")
    for name, table in (("indicators", indicators), ("differences", differences), ("gee", gee), ("within_wave", within)):
        _write_csv(table, out / f"{name}.csv")
    pngs = {}
    for item in items:
        png, _ = save_figure(trend_figure(indicators, item, labels[item], waves, kinds, language), str(out / "figures" / f"trend_{item}"))
        pngs[item] = Path(png).read_bytes()
    restricted = [s["wave"] for s in statuses if s["valid"] and s.get("disclosure") == "restricted"]
    report = cross_wave_report_html(waves, kinds, descriptions, excluded, indicators, differences, gee, within, labels,
                                    pngs, restricted, language)
    (out / "report.html").write_text(report, encoding="utf-8")
    return waves


def run_chapter(wave: str, statuses: list[dict], responses: dict[str, str], municipalities: dict[str, str],
                book: Codebook, language: str, out_path: str, cells: dict[str, str] | None = None) -> None:
    """results/waves/chapter_<wave>.html: this wave against the valid waves before it."""
    from pathlib import Path

    order = [s["wave"] for s in statuses]
    earlier = [s["wave"] for s in statuses[: order.index(wave)] if s["valid"]]
    excluded = [s for s in statuses[: order.index(wave)] if not s["valid"]]
    kinds = {s["wave"]: s["kind"] for s in statuses}
    items = indicator_items(book)
    stacked = stack_waves([*earlier, wave], responses, municipalities, book, items)
    hidden = read_hidden(cells or {})
    indicators = protect_indicators(indicator_table(stacked, items, [*earlier, wave], kinds), hidden)
    differences = difference_table(indicators, [*earlier, wave])
    within = within_wave_table(stacked, wave, hidden)
    restricted = [s["wave"] for s in statuses if s["wave"] in (*earlier, wave) and s.get("disclosure") == "restricted"]
    fragment = compared_with_earlier_waves_html(wave, earlier, kinds, indicators, differences, within,
                                                item_labels(book, items, language), excluded, restricted, language)
    Path(out_path).write_text(fragment + "\n", encoding="utf-8")

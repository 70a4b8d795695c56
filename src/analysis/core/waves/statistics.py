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
import math
import warnings
from dataclasses import dataclass
import numpy as np
import pandas as pd
from analysis.core.vocabulary import OK


GEE_COLUMNS = ["item", "term", "level", "reference", "log_odds", "se_bias_reduced", "t", "df", "p", "p_holm",
               "odds_ratio", "or_ci_low", "or_ci_high", "n", "n_clusters", "waves", "working_correlation",
               "excluded", "status"]


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
    """Two-sided Fisher exact p of the 2x2 table (yes/no by group): the probability, given the
    margins, of every table no more probable than the observed one (scipy's definition, with its
    relative tolerance of 1e-7), summed in exact integers. The same p as scipy.stats.fisher_exact
    (to 1e-15, tests/test_fact_sheets.py), 300 times faster: a fact sheet tests every indicator of
    every municipality, and scipy 1.17 needs 4 ms per table."""
    c1, n1, c2, n2 = int(c1), int(n1), int(c2), int(n2)
    total, yes = n1 + n2, c1 + c2

    def tables(x: int) -> int:  # tables with x yes in group 1, given the margins
        return math.comb(yes, x) * math.comb(total - yes, n1 - x)

    observed = tables(c1)
    tail = sum(w for w in map(tables, range(max(0, yes - n2), min(yes, n1) + 1))
               if w * 10**7 <= observed * (10**7 + 1))
    return min(1.0, tail / math.comb(total, n1))


def two_proportion_test(c1: int, n1: int, c2: int, n2: int) -> tuple[str, float]:
    """Fisher exact when any expected count is < 5 (small cells), else Pearson chi-square."""
    if expected_counts(c1, n1, c2, n2).min() < 5:
        return "Fisher exact", fisher_exact_p(c1, n1, c2, n2)
    from scipy import stats

    table = [[c1, n1 - c1], [c2, n2 - c2]]
    return "chi-square", float(stats.chi2_contingency(table, correction=False).pvalue)


def holm(p: pd.Series) -> pd.Series:
    """Holm-adjusted p-values; missing p (nothing tested) stay missing.

    The step-down as statsmodels' multipletests(method="holm") computes it (the i-th smallest p
    times the number of p-values from it on, cumulative maximum, at most 1; tests/test_fact_sheets.py
    compares the two): that function runs a full garbage collection on every call, a quarter of a
    second in a process that holds a wave's cells, and a fact sheet needs three per municipality."""
    out = pd.Series(np.nan, index=p.index, dtype="float64")
    tested = p.dropna()
    if len(tested):
        values = tested.to_numpy(dtype=float)
        order = np.argsort(values)  # the same (quicksort) order statsmodels uses for ties
        stepped = np.maximum.accumulate(values[order] * np.arange(len(values), 0, -1))
        adjusted = np.empty_like(values)
        adjusted[order] = np.minimum(stepped, 1.0)
        out[tested.index] = adjusted
    return out


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

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
from analysis.core.intervals import wilson_interval
from analysis.core.vocabulary import OK


GEE_COLUMNS = ["item", "term", "level", "reference", "log_odds", "se_bias_reduced", "t", "df", "p", "p_holm",
               "odds_ratio", "or_ci_low", "or_ci_high", "n", "n_clusters", "waves", "working_correlation",
               "excluded", "status"]


def wilson(count: int, n: int) -> tuple[float, float]:
    """Wilson 95% interval of count/n (proportions)."""
    if n <= 0:
        raise ValueError("Wilson interval needs n > 0")
    low, high = wilson_interval(count, n)
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
    """The model's sufficient statistics: one row per cluster x covariate pattern x answer (yes 1,
    no 0) with the number of respondents it stands for (`weight`). Fitting from these rows gives
    the respondent-level GEE exactly, at a cost that grows with clusters, not respondents."""
    y: pd.Series
    x: pd.DataFrame
    weight: pd.Series
    clusters: pd.Series
    references: dict[str, str]
    excluded: str


def pattern_counts(stacked: pd.DataFrame, item: str) -> pd.DataFrame:
    """Respondents asked `item` per wave x cluster x domain: n and yes (the model's only input)."""
    asked = stacked[item].notna() & stacked["domain"].notna()
    data = stacked.loc[asked, ["wave", "cluster", "domain"]].assign(yes=stacked.loc[asked, item].astype("int64"))
    counts = data.groupby(["wave", "cluster", "domain"], observed=True, sort=True)["yes"].agg(["size", "sum"])
    return counts.rename(columns={"size": "n", "sum": "yes"}).reset_index()


def _separated_levels(counts: pd.DataFrame, factor: pd.Series) -> list[str]:
    """Levels where everyone or no one said yes: their coefficient would be infinite."""
    per_level = counts.groupby(factor, observed=True)[["yes", "n"]].sum()
    return [str(level) for level, r in per_level.iterrows() if r["yes"] in (0, r["n"])]


def gee_design(stacked: pd.DataFrame, item: str, waves: list[str], counts: pd.DataFrame | None = None) -> DesignMatrix | str:
    """Design of `item ~ wave + domain`, or why the model is not estimable.

    A domain where all or none said yes is left out (and named), because its coefficient would be
    infinite; a wave with all or none yes makes the wave effect itself not estimable. Built from
    `counts` (pattern_counts of `stacked`) when given.
    """
    counts = pattern_counts(stacked, item) if counts is None else counts
    data = counts[counts["wave"].isin(waves) & (counts["n"] > 0)]
    in_model = [w for w in waves if (data["wave"] == w).any()]
    if not in_model:
        return "not estimable: item not asked in any included wave"
    separated_waves = _separated_levels(data, data["wave"])
    if separated_waves:
        return f"not estimable: all or none said yes in wave {', '.join(separated_waves)}"
    dropped = _separated_levels(data, data["domain"].astype(str))
    data = data[~data["domain"].astype(str).isin(dropped)]
    domains = [d for d in data["domain"].cat.categories if (data["domain"] == d).any()]
    # each pattern twice: its yes respondents (y = 1) and its no respondents (y = 0)
    rows = pd.concat([data.assign(y=1.0, weight=data["yes"]), data.assign(y=0.0, weight=data["n"] - data["yes"])])
    rows = rows[rows["weight"] > 0].sort_values(["cluster", "domain", "y"], kind="stable").reset_index(drop=True)
    columns = {"intercept": pd.Series(1.0, index=rows.index)}
    columns |= {f"wave[{w}]": (rows["wave"] == w).astype(float) for w in in_model[1:]}
    columns |= {f"domain[{d}]": (rows["domain"] == d).astype(float) for d in domains[1:]}
    excluded = f"domain {', '.join(dropped)}: all or none said yes" if dropped else ""
    return DesignMatrix(rows["y"], pd.DataFrame(columns), rows["weight"].astype(float), rows["cluster"],
                        {"wave": in_model[0], "domain": domains[0] if domains else ""}, excluded)


def gee_model(stacked: pd.DataFrame, item: str, waves: list[str], counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Logistic GEE of one indicator on wave and domain, municipality as cluster, exchangeable
    (else independence) working correlation, bias-reduced covariance, t-based tests on
    clusters - parameters df."""
    design = gee_design(stacked, item, waves, counts)
    if isinstance(design, str):
        return pd.DataFrame([{"item": item, "term": "(model)", "status": design}], columns=GEE_COLUMNS)
    n_clusters, n_params = design.clusters.nunique(), design.x.shape[1]
    df = n_clusters - n_params
    base = {"item": item, "n": int(design.weight.sum()), "n_clusters": n_clusters, "waves": ";".join(waves),
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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            params, se, converged = grouped_gee(design.y.to_numpy(), design.x.to_numpy(), design.weight.to_numpy(),
                                                design.clusters.to_numpy(), structure == "exchangeable")
        except (np.linalg.LinAlgError, ValueError) as err:
            return f"not estimable: model fit failed ({err})"
    if not converged or any("converge" in str(w.message).lower() for w in caught):
        return "not estimable: the model did not converge"
    params, se = pd.Series(params, index=design.x.columns), pd.Series(se, index=design.x.columns)
    # quasi-separation shows as huge coefficients or standard errors rather than an error
    if not (np.isfinite(params).all() and np.isfinite(se).all() and (se > 0).all()
            and (params.abs() < 15).all() and (se < 50).all()):
        return "not estimable: quasi-complete separation (a cell with all or none yes)"
    return params, se


def grouped_gee(y: np.ndarray, x: np.ndarray, weight: np.ndarray, clusters: np.ndarray, exchangeable: bool,
                maxiter: int = 100, ctol: float = 1e-6) -> tuple[np.ndarray, np.ndarray, bool]:
    """Logistic GEE with bias-reduced (Mancl-DeRouen) standard errors from weighted rows: each
    row stands for `weight` identical respondents (same cluster, covariates and answer).

    The same algorithm as statsmodels' GEE.fit(cov_type="bias_reduced") on the respondents (its
    starting values, update order, moment estimator of the exchangeable correlation and stopping
    rule), with every per-respondent sum written as a weighted sum over rows. Within a cluster the
    exchangeable working covariance is A^1/2 [(1-rho) I + rho J] A^1/2; its inverse has a closed
    form, so the score, the information matrix B and each cluster's G_i = D_i' V_i^-1 D_i are sums
    over the cluster's rows. The bias-reduced covariance needs (I - H_ii)^-1 r_i with
    H_ii = D_i B^-1 D_i' V_i^-1, an m x m matrix for a cluster of m respondents; by the Woodbury
    identity D_i' V_i^-1 (I - H_ii)^-1 r_i = B (B - G_i)^-1 s_i (s_i the cluster's score), so
    the covariance is the sum over clusters of q_i q_i' with q_i = (B - G_i)^-1 s_i: p x p per
    cluster, never m x m.
    """
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    family = families.Binomial()
    groups, cluster = np.unique(clusters, return_inverse=True)
    n_groups, p = len(groups), x.shape[1]
    size = np.bincount(cluster, weights=weight, minlength=n_groups)  # respondents per cluster
    nobs = weight.sum()
    params = np.asarray(GLM(y, x, family=family, freq_weights=weight).fit().params, dtype=float)
    rho = 0.0

    def by_cluster(values: np.ndarray) -> np.ndarray:
        # sum of rows per cluster, for a vector or for each column of a matrix
        if values.ndim == 1:
            return np.bincount(cluster, weights=values, minlength=n_groups)
        return np.stack([np.bincount(cluster, weights=values[:, k], minlength=n_groups) for k in range(values.shape[1])], axis=1)

    def moments(params: np.ndarray, rho: float):
        lpr = x @ params
        mu = family.link.inverse(lpr)
        sd = np.sqrt(family.variance(mu))
        d = x * family.link.inverse_deriv(lpr)[:, None]
        resid = y - mu
        c = rho / (1.0 - rho) / (1.0 + rho * (size - 1))  # per cluster, as statsmodels' solve
        a = by_cluster(weight[:, None] * d / sd[:, None])  # sum of d/sd per cluster
        b = by_cluster(weight * resid / sd)
        outer = np.einsum("r,rj,rk->rjk", weight / sd**2, d, d)
        g_rows = np.stack([by_cluster(outer[:, j, :]) for j in range(p)], axis=1)  # clusters x p x p
        g = g_rows / (1.0 - rho) - c[:, None, None] * np.einsum("ij,ik->ijk", a, a)
        s = by_cluster(weight[:, None] * d * (resid / sd**2)[:, None]) / (1.0 - rho) - c[:, None] * a * b[:, None]
        return mu, sd, g, s

    converged, assoc_updates, score_norm = False, 0, -1.0
    for _ in range(maxiter):
        _, _, g, s = moments(params, rho)
        bmat, score = g.sum(axis=0), s.sum(axis=0)
        try:
            update = np.linalg.solve(bmat, score)
        except np.linalg.LinAlgError:
            update = np.linalg.pinv(bmat) @ score
        params = params + update
        score_norm = float(np.sqrt(np.sum(score**2)))
        if score_norm < ctol and assoc_updates > 0:
            converged = True
            break
        if exchangeable:
            rho = _exchangeable_rho(y, x, weight, cluster, n_groups, size, nobs, p, params, family)
        assoc_updates += 1
    converged = converged or score_norm < ctol
    _, _, g, s = moments(params, rho)
    bmat = g.sum(axis=0)
    q = np.linalg.solve(bmat[None, :, :] - g, s[:, :, None])[:, :, 0]
    cov = q.T @ q
    return params, np.sqrt(np.diag(cov)), converged


def _exchangeable_rho(y, x, weight, cluster, n_groups, size, nobs, p, params, family) -> float:
    """statsmodels' Exchangeable.update on weighted rows: the moment estimate of the within-
    cluster correlation from Pearson residuals, pairs counted within each cluster, ddof = p."""
    mu = family.link.inverse(x @ params)
    resid = (y - mu) / np.sqrt(family.variance(mu))
    ssr = np.bincount(cluster, weights=weight * resid * resid, minlength=n_groups)
    total = np.bincount(cluster, weights=weight * resid, minlength=n_groups)
    scale = ssr.sum() / (nobs * (nobs - p) / nobs)
    pairs = 0.5 * size * (size - 1)
    n_pairs = pairs.sum()
    residsq_sum = ((total**2 - ssr) / 2).sum() / scale
    return float(residsq_sum / (n_pairs * (n_pairs - p) / n_pairs))


def gee_table(stacked: pd.DataFrame, items: list[str], waves: list[str]) -> pd.DataFrame:
    """GEE per indicator; Holm across indicators within each term kind (wave effects; domain
    effects), the two families of questions the model answers."""
    table = pd.concat([gee_model(stacked, item, waves) for item in items], ignore_index=True)
    table["p_holm"] = table.groupby("term", group_keys=False)["p"].apply(holm)
    return table

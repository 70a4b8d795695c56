"""The cross-wave GEE from sufficient statistics equals the respondent-level fit (statsmodels' GEE
on one row per respondent, the code this replaced) to 1e-8, on the committed waves and on invented
national waves; the bias-reduced covariance never builds a respondent x respondent matrix."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.core.codebook import load_codebook
from analysis.core.responses import typed_responses
from analysis.core.validate import validate_wave
from analysis.core.waves import statistics as S
from analysis.core.waves.comparison import indicator_items, respondent_frame
from analysis.fixtures.national import national_wave

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def book():
    return load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml")


def _items(book) -> list[str]:
    """The indicators and every other yes/no item: many designs, some not estimable."""
    yes_no = [it.id for it in book.items if it.answer_set in ("yes_no", "selected", "yes_dk_no")]
    return list(dict.fromkeys(indicator_items(book) + yes_no))


# --- the respondent-level reference: the GEE as it was fitted before (one row per respondent) ---

def reference_gee(stacked: pd.DataFrame, item: str, waves: list[str]) -> dict:
    from statsmodels.genmod import cov_struct as cs, families
    from statsmodels.genmod.generalized_estimating_equations import GEE

    data = stacked[stacked["wave"].isin(waves) & stacked[item].notna() & stacked["domain"].notna()]
    in_model = [w for w in waves if (data["wave"] == w).any()]
    y = data[item].astype(float)
    if not in_model or any(m in (0.0, 1.0) for m in y.groupby(data["wave"]).mean()):
        return {"status": "not estimable"}
    means = y.groupby(data["domain"].astype(str), observed=True).mean()
    dropped = [str(d) for d, m in means.items() if m in (0.0, 1.0)]
    data = data[~data["domain"].astype(str).isin(dropped)]
    domains = [d for d in data["domain"].cat.categories if (data["domain"] == d).any()]
    cols = {"intercept": pd.Series(1.0, index=data.index)}
    cols |= {f"wave[{w}]": (data["wave"] == w).astype(float) for w in in_model[1:]}
    cols |= {f"domain[{d}]": (data["domain"] == d).astype(float) for d in domains[1:]}
    x = pd.DataFrame(cols)
    if x.shape[1] < 2 or data["cluster"].nunique() - x.shape[1] < 1:
        return {"status": "not estimable"}
    for structure in (cs.Exchangeable(), cs.Independence()):
        model = GEE(data[item].astype(float), x, groups=data["cluster"], family=families.Binomial(), cov_struct=structure)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fit = model.fit(cov_type="bias_reduced", maxiter=100)
            except (np.linalg.LinAlgError, ValueError):
                continue
        if any("converge" in str(w.message).lower() for w in caught):
            continue
        params, se = pd.Series(fit.params, index=x.columns), pd.Series(fit.bse, index=x.columns)
        if not (np.isfinite(params).all() and np.isfinite(se).all() and (se > 0).all()
                and (params.abs() < 15).all() and (se < 50).all()):
            continue
        return {"status": "ok", "params": params, "se": se, "structure": type(structure).__name__.lower(), "n": len(data)}
    return {"status": "not estimable"}


def assert_same_as_reference(stacked, items, waves):
    table = S.gee_table(stacked, items, waves)
    compared = 0
    for item in items:
        ref = reference_gee(stacked, item, waves)
        rows = table[table["item"] == item]
        if ref["status"] != "ok":
            assert rows["status"].iloc[0].startswith("not estimable"), (item, rows["status"].tolist())
            continue
        assert (rows["status"] == "ok").all(), (item, rows["status"].tolist())
        assert rows["working_correlation"].iloc[0] == ref["structure"]
        terms = [f"{t}[{lv}]" for t, lv in zip(rows["term"], rows["level"])]
        np.testing.assert_allclose(rows["log_odds"].to_numpy(float), ref["params"][terms].to_numpy(), rtol=0, atol=1e-8)
        np.testing.assert_allclose(rows["se_bias_reduced"].to_numpy(float), ref["se"][terms].to_numpy(), rtol=0, atol=1e-8)
        assert (rows["n"] == ref["n"]).all()
        compared += 1
    return compared


@pytest.fixture(scope="module")
def committed(book):
    """The two configured waves, validated from data/raw as the build does."""
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    frames = []
    for wave, cfg in config["waves"].items():
        result = validate_wave(wave, str(ROOT / cfg["export"]), str(ROOT / cfg["municipalities"]), book,
                               cfg.get("column_map"), cfg.get("not_asked", ()))
        assert result.ok, wave
        frames.append(respondent_frame(wave, result.responses, result.municipalities, book, _items(book)))
    return pd.concat(frames, ignore_index=True), list(config["waves"])


def test_committed_waves_give_the_respondent_level_results(committed, book):
    stacked, waves = committed
    assert assert_same_as_reference(stacked, _items(book), waves) >= 10
    # each wave on its own too (domain effects only)
    for wave in waves:
        assert_same_as_reference(stacked, indicator_items(book), [wave])


def _national(book, seed, wave, n, n_municipalities):
    answers, sheet = national_wave(book, n, wave, seed=seed, n_municipalities=n_municipalities, codes=False)
    return respondent_frame(wave, typed_responses(answers, book.for_wave(wave)), sheet, book, _items(book))


def test_invented_national_waves_give_the_respondent_level_results(book):
    stacked = pd.concat([_national(book, 1, "synthetic-a", 1200, 60), _national(book, 2, "synthetic-b", 900, 45)],
                        ignore_index=True)
    assert assert_same_as_reference(stacked, indicator_items(book), ["synthetic-a", "synthetic-b"]) == len(indicator_items(book))


def test_cost_grows_with_clusters_not_respondents(book):
    """Ten times the respondents in the same municipalities: the model sees the same number of rows."""
    small = _national(book, 3, "synthetic-c", 500, 20)
    large = _national(book, 3, "synthetic-c", 5000, 20)
    item = indicator_items(book)[0]
    rows = [len(S.gee_design(f, item, ["synthetic-c"]).y) for f in (small, large)]
    assert rows[1] <= 20 * 5 * 2 and rows[1] < 0.05 * 5000


def test_bias_reduced_covariance_by_hand_from_grouped_rows():
    """Independence working correlation: the grouped fit equals Mancl-DeRouen written out on the
    expanded respondents (m x m per cluster), which the grouped code never forms."""
    rng = np.random.default_rng(11)
    groups = np.repeat(np.arange(12), 8)
    x = np.column_stack([np.ones(96), rng.integers(0, 2, 96)]).astype(float)
    y = (rng.random(96) < 0.3 + 0.3 * x[:, 1]).astype(float)
    keys = pd.DataFrame({"g": groups, "x1": x[:, 1], "y": y}).value_counts().sort_index().reset_index(name="w")
    params, se, ok = S.grouped_gee(keys["y"].to_numpy(float), np.column_stack([np.ones(len(keys)), keys["x1"]]),
                                   keys["w"].to_numpy(float), keys["g"].to_numpy(), exchangeable=False)
    assert ok
    mu = 1 / (1 + np.exp(-x @ params))
    w = mu * (1 - mu)
    bread = np.linalg.inv((x * w[:, None]).T @ x)
    meat = np.zeros_like(bread)
    for g in np.unique(groups):
        i = groups == g
        h = (x[i] * w[i][:, None]) @ bread @ x[i].T
        u = x[i].T @ np.linalg.solve(np.eye(i.sum()) - h, y[i] - mu[i])
        meat += np.outer(u, u)
    np.testing.assert_allclose(se, np.sqrt(np.diag(bread @ meat @ bread)), rtol=1e-9)

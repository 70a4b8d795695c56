"""The Wilson 95% score interval of a proportion: statsmodels' `proportion_confint(count, nobs,
alpha=0.05, method="wilson")`, the one implementation the project uses (cells.csv, the cross-wave
tables). Imported when first called: parsing the workflow or a step that needs no interval does not
pay for statsmodels."""
from __future__ import annotations

import numpy as np


def wilson_interval(count, nobs):
    """(low, high) Wilson 95% bounds of count/nobs (proportions 0-1, within [0, 1]); arrays (or
    pandas Series, as arrays) in, arrays out; scalars in, floats out."""
    from statsmodels.stats.proportion import proportion_confint

    if np.isscalar(count) and np.isscalar(nobs):
        low, high = proportion_confint(count, nobs, alpha=0.05, method="wilson")
        return float(low), float(high)
    return proportion_confint(np.asarray(count), np.asarray(nobs), alpha=0.05, method="wilson")

"""The Wilson 95% score interval of a proportion, as statsmodels' `proportion_confint(count, nobs,
alpha=0.05, method="wilson")` computes it: the same expression in the same order on the same numpy
types, so the same bits (tests/test_intervals.py compares with statsmodels).

Why not call statsmodels: importing it pulls in scipy.stats, about half a second of CPU in every
step that only needs this interval (aggregation, a wave's chapter); the cross-wave step, which
needs statsmodels' models anyway, imports it there.
"""
from __future__ import annotations

import numpy as np

# scipy.stats.norm.isf(0.025): the two-sided 95% critical value statsmodels uses (the test checks
# that scipy still gives this float)
Z_95 = np.float64(1.9599639845400545)


def wilson_interval(count, nobs):
    """(low, high) Wilson 95% bounds of count/nobs (proportions 0-1, clipped to [0, 1]); arrays
    (or pandas Series, as arrays) in, arrays out; scalars in, floats out."""
    scalar = np.isscalar(count) and np.isscalar(nobs)
    count_a, nobs_a = np.asarray(count), np.asarray(nobs)
    q_ = count_a / nobs_a
    crit = Z_95
    crit2 = crit**2
    denom = 1 + crit2 / nobs_a
    center = (q_ + crit2 / (2 * nobs_a)) / denom
    dist = crit * np.sqrt(q_ * (1.0 - q_) / nobs_a + crit2 / (4.0 * nobs_a**2))
    dist /= denom
    low, high = np.clip(center - dist, 0, 1), np.clip(center + dist, 0, 1)
    return (float(low), float(high)) if scalar else (low, high)

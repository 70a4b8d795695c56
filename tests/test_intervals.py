"""core/intervals.wilson_interval gives statsmodels' Wilson bounds to the bit (the cells.csv and
the cross-wave tables written with either are the same bytes)."""
import numpy as np
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.core.intervals import Z_95, wilson_interval


def test_the_critical_value_is_scipys():
    assert stats.norm.isf(0.025) == Z_95


def test_arrays_equal_statsmodels_bit_for_bit():
    nobs = np.repeat(np.arange(1, 400, dtype="float64"), 7)
    count = np.floor(nobs * np.tile(np.array([0, 0.013, 0.25, 1 / 3, 0.5, 0.97, 1.0]), 399))
    low, high = wilson_interval(count, nobs)
    expected_low, expected_high = proportion_confint(count, nobs, alpha=0.05, method="wilson")
    assert np.array_equal(low, expected_low) and np.array_equal(high, expected_high)


def test_scalars_equal_statsmodels_bit_for_bit():
    for count, nobs in [(0, 1), (1, 8), (13, 46), (45, 45), (7, 123), (1, 100000)]:
        assert wilson_interval(count, nobs) == proportion_confint(count, nobs, alpha=0.05, method="wilson")
        assert isinstance(wilson_interval(count, nobs)[0], float)

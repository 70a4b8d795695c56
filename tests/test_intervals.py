"""core/intervals.wilson_interval against the Wilson intervals Newcombe published (Statistics in
Medicine 1998, 17:857-872, Table I, method 3), as scalars and as arrays."""
import numpy as np
import pytest

from analysis.core.intervals import wilson_interval

# (count, n) -> (low, high) as printed, 4 decimals
NEWCOMBE_1998 = {(81, 263): (0.2553, 0.3662), (15, 148): (0.0624, 0.1605), (0, 20): (0.0, 0.1611),
                 (1, 29): (0.0061, 0.1718)}


@pytest.mark.parametrize(("count", "n"), list(NEWCOMBE_1998))
def test_scalars_give_the_published_bounds_as_floats(count, n):
    low, high = wilson_interval(count, n)
    assert isinstance(low, float) and isinstance(high, float)
    assert (round(low, 4), round(high, 4)) == NEWCOMBE_1998[(count, n)]


def test_arrays_give_the_published_bounds_elementwise():
    count, n = (np.array(c, dtype="float64") for c in zip(*NEWCOMBE_1998))
    low, high = wilson_interval(count, n)
    assert isinstance(low, np.ndarray) and low.shape == count.shape
    assert [(round(a, 4), round(b, 4)) for a, b in zip(low, high)] == list(NEWCOMBE_1998.values())

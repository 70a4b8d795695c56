"""How the report turns a proportion into a printed whole percent.

Two rules live here because the published tables need both to be told apart:

- ``round_half_up``: the textbook rule, halves away from zero (12.5 -> 13, 87.5 -> 88). Python's
  ``round`` and numpy's ``around`` round halves to even (12.5 -> 12), which the report never does:
  every 1/8 = 12.5% and 5/8 = 62.5% it prints is 13% and 63% (see results/audit/).
- ``round_half_up_via_tenths``: what the report's numbers actually fit best. The percentages were
  first rounded half up to one decimal (as SPSS prints them: 5/11 = 45.45 -> 45.5) and that
  printed value was rounded half up again (45.5 -> 46). The two rules differ only when the
  fractional part lies in [0.45, 0.5); the audit (src/analysis/audit.py) counts which rule fits.

Percentages of counts are best rounded with ``percent_of`` (exact integer arithmetic), so that
100 * 1 / 8 is exactly 12.5 and never 12.499999.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

# Decimals kept before rounding a float: removes binary noise (28.499999999999996 is 28.5
# intended) while no percentage of a survey count is that close to a half without being one.
_FLOAT_NOISE_DECIMALS = 9


def _half_up(value: float | np.ndarray | pd.Series, decimals: int):
    scale = 10.0**decimals
    cleaned = np.round(np.asarray(value, dtype=float) * scale, _FLOAT_NOISE_DECIMALS)
    # sign * floor(|x| + 0.5): halves go away from zero, as SPSS and Excel ROUND do.
    return np.sign(cleaned) * np.floor(np.abs(cleaned) + 0.5) / scale


def _like_input(result: np.ndarray, value):
    """Return an int for a scalar, a Series with the same index for a Series, else an array."""
    if isinstance(value, pd.Series):
        return pd.Series(result, index=value.index, name=value.name).astype("Int64").where(value.notna())
    if np.ndim(result) == 0:
        return int(result) if np.isfinite(result) else result
    return result


def round_half_up(value: float | np.ndarray | pd.Series):
    """Round to a whole number, halves away from zero: 0.5 -> 1, 2.5 -> 3, 12.5 -> 13."""
    return _like_input(_half_up(value, 0), value)


def round_half_up_via_tenths(value: float | np.ndarray | pd.Series):
    """Round half up to one decimal first, then half up to a whole number: 45.45 -> 45.5 -> 46."""
    return _like_input(_half_up(_half_up(value, 1), 0), value)


# Exact versions on integer counts. A percentage 100*c/n is rational; doing it in integers
# keeps halves exact for any n.

def percent_half_up(count: int, base: int) -> int:
    """round_half_up(100 * count / base), exactly."""
    return (200 * count + base) // (2 * base)


def percent_half_up_via_tenths(count: int, base: int) -> int:
    """round_half_up_via_tenths(100 * count / base), exactly."""
    tenths = (2000 * count + base) // (2 * base)
    return (tenths + 5) // 10


def percent_half_even(count: int, base: int) -> int:
    """Banker's rounding (Python's round): only used to show the report does not use it."""
    quotient, remainder = divmod(200 * count, 2 * base)
    if 2 * remainder > 2 * base or (2 * remainder == 2 * base and quotient % 2 == 1):
        return quotient + 1
    return quotient


def percent_truncated(count: int, base: int) -> int:
    """Cut off the decimals: only used to show the report does not do it."""
    return (100 * count) // base


def percent_ceiling(count: int, base: int) -> int:
    """Round every fraction up: only used to show the report does not do it."""
    return -((-100 * count) // base)


PercentRule = Callable[[int, int], int]

# Candidate rules, in order of preference when the data cannot tell them apart.
PERCENT_RULES: dict[str, PercentRule] = {
    "half_up_via_tenths": percent_half_up_via_tenths,
    "half_up": percent_half_up,
    "half_even": percent_half_even,
    "truncate": percent_truncated,
    "ceiling": percent_ceiling,
}

# The rule the published tables fit best (evidence in results/audit/published_consistency.md).
REPORT_RULE = "half_up_via_tenths"


def percent_of(count: int, base: int, rule: str = REPORT_RULE) -> int:
    """The whole percent the report would print for count out of base."""
    if base <= 0:
        raise ValueError(f"base must be positive, got {base}")
    return PERCENT_RULES[rule](int(count), int(base))

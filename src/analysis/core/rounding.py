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

Every percentage a reader sees (tables, figures and their labels, report.html, municipality pages,
cross-wave files) is written by ``format_percent``, which rounds by ``REPORT_RULE``: changing that
one name changes every printed percentage (tests/test_percent_formatting.py builds every output
and checks). Nothing else may turn a percentage into text (no ``:.0f``, no ``round``).
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


def percent_of(count: int, base: int, rule: str | None = None) -> int:
    """The whole percent the report would print for count out of base (by REPORT_RULE unless
    `rule` names another)."""
    if base <= 0:
        raise ValueError(f"base must be positive, got {base}")
    return PERCENT_RULES[rule or REPORT_RULE](int(count), int(base))


def _half_even(value):
    return _like_input(np.round(np.round(np.asarray(value, dtype=float), _FLOAT_NOISE_DECIMALS)), value)


def _truncate(value):
    return _like_input(np.trunc(np.round(np.asarray(value, dtype=float), _FLOAT_NOISE_DECIMALS)), value)


def _ceiling(value):
    return _like_input(np.ceil(np.round(np.asarray(value, dtype=float), _FLOAT_NOISE_DECIMALS)), value)


# The same rules on a percentage that is no ratio of two counts (a Wilson bound, a difference of
# two proportions); keyed as PERCENT_RULES, and tests/test_rounding.py checks the two agree.
FLOAT_RULES: dict[str, Callable] = {
    "half_up_via_tenths": round_half_up_via_tenths,
    "half_up": round_half_up,
    "half_even": _half_even,
    "truncate": _truncate,
    "ceiling": _ceiling,
}


def whole_percent(value=None, *, count: int | None = None, base: int | None = None, rule: str | None = None):
    """The whole percent a reader sees, by REPORT_RULE (or `rule`): of count/base (exact), or of a
    percentage `value` (a float such as 45.45, or an already rounded one, which stays as it is)."""
    if count is not None:
        return percent_of(count, base, rule)
    return FLOAT_RULES[rule or REPORT_RULE](value)


def format_percent(value=None, *, count: int | None = None, base: int | None = None, sign: bool = False,
                   symbol: str = "%", missing: str = "–") -> str:
    """THE text of a percentage, wherever one is shown: '46%' for 5/11 or 45.45, '+8' with
    sign=True and symbol='' (percentage points), '0' for a difference that rounds to nothing (no
    '-0' or '+0': a signed zero reads as a direction the printed number does not have). A missing
    value gives `missing`."""
    if count is None and (value is None or pd.isna(value)):
        return missing
    rounded = float(whole_percent(value, count=count, base=base)) + 0.0  # -0.0 + 0.0 is 0.0
    return f"{rounded:+.0f}{symbol}" if sign and rounded != 0 else f"{rounded:.0f}{symbol}"

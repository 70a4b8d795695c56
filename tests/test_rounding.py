"""The report's rounding: halves go up, never to even; percentages of counts are exact."""
import numpy as np
import pandas as pd
import pytest

from analysis.core.rounding import percent_half_even, percent_half_up, percent_half_up_via_tenths, percent_of, round_half_up, round_half_up_via_tenths


@pytest.mark.parametrize("value, expected", [(0.5, 1), (1.5, 2), (2.5, 3), (12.5, 13), (87.5, 88),
                                             (62.5, 63), (0.49, 0), (12.4999, 12), (99.5, 100), (0.0, 0)])
def test_round_half_up_at_halves(value, expected):
    assert round_half_up(value) == expected
    assert isinstance(round_half_up(value), int)


def test_round_half_up_differs_from_python_round():
    # Python rounds 2.5 and 12.5 to even; the report does not.
    assert round(2.5) == 2 and round_half_up(2.5) == 3
    assert round(12.5) == 12 and round_half_up(12.5) == 13


def test_percentages_computed_as_floats_round_at_their_halves():
    assert round_half_up(100 * 1 / 8) == 13
    assert round_half_up(100 * 7 / 8) == 88
    assert round_half_up(100 * 5 / 8) == 63
    # 0.285 * 100 is 28.499999999999996 in binary floating point; meant is 28.5.
    assert round_half_up(0.285 * 100) == 29


def test_round_half_up_negative_goes_away_from_zero():
    assert round_half_up(-2.5) == -3


def test_round_half_up_vectorised_keeps_shape_and_index():
    arr = round_half_up(np.array([0.5, 2.5, 12.5, 12.4]))
    assert arr.tolist() == [1, 3, 13, 12]
    s = pd.Series([12.5, np.nan, 87.5], index=["a", "b", "c"])
    out = round_half_up(s)
    assert list(out.index) == ["a", "b", "c"]
    assert out["a"] == 13 and out["c"] == 88 and pd.isna(out["b"])


@pytest.mark.parametrize("count, base, expected", [(1, 8, 13), (7, 8, 88), (5, 8, 63), (3, 8, 38),
                                                   (1, 2, 50), (10, 16, 63), (5, 11, 45), (35, 123, 28)])
def test_percent_half_up_exact(count, base, expected):
    assert percent_half_up(count, base) == expected


@pytest.mark.parametrize("count, base, expected", [(5, 11, 46), (35, 123, 29), (73, 98, 75), (72, 98, 74),
                                                   (1, 8, 13), (5, 7, 71), (2, 3, 67)])
def test_half_up_via_tenths(count, base, expected):
    # 5/11 = 45.45 -> 45.5 -> 46; 35/123 = 28.46 -> 28.5 -> 29; 72/98 = 73.47 -> 73.5 -> 74.
    assert percent_half_up_via_tenths(count, base) == expected
    assert round_half_up_via_tenths(100 * count / base) == expected


def test_half_even_is_not_half_up():
    assert percent_half_even(1, 8) == 12 and percent_half_even(3, 8) == 38


def test_percent_of_rejects_empty_base():
    with pytest.raises(ValueError):
        percent_of(1, 0)


def test_float_rules_agree_with_the_exact_rules_on_every_count():
    from analysis.core.rounding import FLOAT_RULES, PERCENT_RULES

    assert FLOAT_RULES.keys() == PERCENT_RULES.keys()
    for name in PERCENT_RULES:
        for base in range(1, 130):
            for count in range(base + 1):
                assert FLOAT_RULES[name](100 * count / base) == PERCENT_RULES[name](count, base), (name, count, base)


@pytest.mark.parametrize("kwargs, expected", [
    ({"count": 5, "base": 11}, "46%"), ({"value": 100 * 5 / 11}, "46%"),  # 45.45 -> 45.5 -> 46
    ({"count": 1, "base": 8}, "13%"), ({"value": 12.5}, "13%"),  # never half to even (12)
    ({"value": 46}, "46%"), ({"value": None}, "–"), ({"value": float("nan")}, "–"),
    ({"value": 7.7, "sign": True, "symbol": ""}, "+8"), ({"value": -12.5, "sign": True, "symbol": " pp"}, "-13 pp"),
    # review r18d: a difference that rounds to nothing is '0', never '-0' (nor '+0')
    ({"value": -0.3, "sign": True, "symbol": ""}, "0"), ({"value": 0.0, "sign": True, "symbol": ""}, "0"),
    ({"value": 0.4, "sign": True, "symbol": " pp"}, "0 pp"), ({"value": -0.5, "sign": True, "symbol": ""}, "-1"),
    ({"value": -0.3}, "0%"),
])
def test_the_one_formatter(kwargs, expected):
    from analysis.core.rounding import format_percent

    assert format_percent(**kwargs) == expected


def test_changing_the_rule_changes_every_formatted_percentage(monkeypatch):
    import analysis.core.rounding as rounding

    monkeypatch.setattr(rounding, "REPORT_RULE", "half_up")
    assert rounding.format_percent(count=5, base=11) == "45%" and rounding.format_percent(45.4545) == "45%"
    assert rounding.percent_of(5, 11) == 45

"""Danish number formats (reference: the seed's own cells, e.g. '1.171' and '97,2 %')."""

import random

import matplotlib
import pytest
from babel.numbers import format_decimal, format_percent

from sosu_analysis.danish import (
    count,
    format_tenths,
    interval,
    number,
    p_value,
    parse_count,
    parse_pct_tenths,
    percent,
    points,
    round_half_up_tenths,
    span,
)
from sosu_analysis.reporting.plotting import AxisFormatter, danish_axis

matplotlib.use("Agg")
NBSP = "\u00a0"


@pytest.mark.parametrize("text, value", [("1.171", 1171), ("207", 207), ("0", 0), ("1 095", 1095),
                                         ("1\u00a0095", 1095), ("12.345.678", 12345678)])
def test_parse_count(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["1,5", "abc", "1.17", "12.3456", "", "1.171,0", "-"])
def test_parse_count_refuses(text):
    with pytest.raises(ValueError):
        parse_count(text)


@pytest.mark.parametrize("text, tenths", [("97,2 %", 972), ("2,8%", 28), ("3 %", 30), ("97.2", 972),
                                          ("0,0 %", 0), ("100 %", 1000), ("17,4\u00a0%", 174)])
def test_parse_pct(text, tenths):
    assert parse_pct_tenths(text) == tenths


@pytest.mark.parametrize("text", ["97,25 %", "abc %", "", "%"])
def test_parse_pct_refuses(text):
    with pytest.raises(ValueError):
        parse_pct_tenths(text)


def test_round_half_up_is_exact():
    # 1 / 8 = 12.5 % exactly -> 125 tenths; 1/16 = 6.25 % -> 62.5 tenths rounds up to 63
    assert round_half_up_tenths(1, 8) == 125
    assert round_half_up_tenths(1, 16) == 63
    # seed 003, SSA 2023: 179 / 1.393 = 12.8499 % -> 12,8 % as published (not 12,9)
    assert round_half_up_tenths(179, 1393) == 128


def test_format():
    assert percent(17.4) == "17,4\u00a0%"
    assert count(1171) == "1.171"


# ---- the one Danish formatter -------------------------------------------------------------------

@pytest.mark.parametrize("x, decimals, text", [
    # hand-worked half-up cases: the digit after the last shown is exactly 5
    (0.05, 1, "0,1"), (0.15, 1, "0,2"), (0.25, 1, "0,3"), (2.25, 1, "2,3"), (0.125, 2, "0,13"),
    (2.5, 0, "3"), (3.5, 0, "4"), (-2.25, 1, "−2,3"), (1.005, 2, "1,01"),
    # below and above a tie
    (2.2499, 1, "2,2"), (2.2501, 1, "2,3"),
    # zero is never negative
    (-0.04, 1, "0,0"), (-0.0, 1, "0,0"), (0.0, 0, "0"),
    # thousands point, decimal comma
    (1171, 0, "1.171"), (1234567.891, 2, "1.234.567,89"), (-1327.5, 1, "−1.327,5"), (999.95, 1, "1.000,0"),
])
def test_number_rounds_half_up(x, decimals, text):
    assert number(x, decimals) == text


def test_number_against_the_ministrys_rounding():
    # seed 003, Table 1: SSA 2024 231 of 1.327 -> 17,4 %; 9 of 400 = 2,25 % exactly is 2,3 % (half up)
    assert percent(100 * 231 / 1327) == f"17,4{NBSP}%"
    assert percent(100 * 9 / 400) == f"2,3{NBSP}%"
    # every share of the published table, formatted from its count, as printed in seed 003
    assert percent(100 * 207 / 213) == f"97,2{NBSP}%"      # PAU 2022 i gang, 207 of 213
    assert count(1171) == "1.171" and count(207) == "207"


def test_number_agrees_with_babel_away_from_ties():
    # babel (CLDR da_DK) is the reference for symbols and grouping; it rounds half to even, so the
    # values are drawn away from ties, where both roundings agree
    rng = random.Random(20251123)
    for _ in range(500):
        x = rng.uniform(-1e6, 1e6)
        for d in (0, 1, 2, 3):
            scaled = abs(x) * 10**d
            if abs(scaled - int(scaled) - 0.5) < 1e-6:
                continue
            expected = format_decimal(x, format="#,##0" + ("." + "0" * d if d else ""), locale="da_DK")
            assert number(x, d) == expected.replace("-", "−"), (x, d)


def test_percent_space_is_babels():
    # babel's Danish percent pattern puts a non-breaking space before %
    assert format_percent(0.97, locale="da_DK") == f"97{NBSP}%"
    assert percent(97, 0) == format_percent(0.97, locale="da_DK")
    assert percent(-1.25, 1, sign=True) == f"−1,3{NBSP}%" and percent(1.25, 1, sign=True) == f"+1,3{NBSP}%"


def test_points_p_values_intervals():
    assert points(4.2) == "4,2 procentpoint"
    assert points(-4.25) == "−4,3 procentpoint"
    assert p_value(0.043) == "p = 0,043"
    assert p_value(0.0004) == "p < 0,001"
    assert p_value(0.001) == "p = 0,001"
    assert p_value(0.0425) == "p = 0,043"  # half up at the third decimal
    assert p_value(0.25, 2) == "p = 0,25"
    assert interval(1.2, 3.4) == "fra 1,2 til 3,4"
    assert interval(-6, 1, unit="procentpoint") == "fra −6,0 til 1,0 procentpoint"
    assert span(1.25, 3.45, unit="%") == f"1,3–3,5{NBSP}%"


def test_published_cells_are_written_as_published():
    # the reproduction of Table 1 shows cells as the ministry's file writes them (ordinary space)
    assert format_tenths(972) == "97,2 %" and format_tenths(28) == "2,8 %"


@pytest.mark.parametrize("x", [float("nan"), float("inf")])
def test_number_refuses_what_a_sentence_must_not_show(x):
    with pytest.raises(ValueError):
        number(x)


def test_axis_formatter_uses_a_decimal_comma():
    assert AxisFormatter().format_ticks([0.0, 2.5, 5.0, 7.5]) == ["0,0", "2,5", "5,0", "7,5"]
    assert AxisFormatter().format_ticks([0.0, 5.0, 10.0]) == ["0", "5", "10"]
    assert AxisFormatter(percent=True).format_ticks([0.0, 10.0]) == [f"0{NBSP}%", f"10{NBSP}%"]
    assert AxisFormatter().format_ticks([-2.0, -1.0, 0.0]) == ["−2", "−1", "0"]
    assert AxisFormatter(decimals=1).format_ticks([0.2, 0.4]) == ["0,2", "0,4"]


def test_danish_axis_on_a_figure():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.0, 0.75])
    danish_axis(ax, "y")
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    plt.close(fig)
    assert labels and all("." not in t for t in labels) and any("," in t for t in labels)


def test_confidence_level_shows_the_decimals_the_level_has():
    from sosu_analysis.danish import confidence_level

    assert confidence_level(0.05) == "95\u00a0%"
    assert confidence_level(1 - 0.95) == "95\u00a0%"  # 0.050000000000000044 in binary
    assert confidence_level(1 - 0.998) == "99,8\u00a0%"
    assert confidence_level(0.025) == "97,5\u00a0%"
    assert confidence_level(0.0025) == "99,75\u00a0%"
    assert confidence_level(0.10, "en") == "90 %"


# ---- the separators written without babel's per-call machinery are babel's ------------------------

def _babel_number(x, decimals=1, *, sign=False, grouping=True, language="da"):
    """The formatter as it was before the fast separators: rounding as number() does, text by babel."""
    from decimal import ROUND_HALF_UP, Decimal

    value = float(x)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"cannot format {x!r} as a Danish number")
    q = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(abs(q), format=pattern, locale="da_DK")
    if language == "en":
        text = text.translate(str.maketrans(",.", ".,"))
    if q < 0:
        return "−" + text
    return ("+" + text) if sign and q > 0 else text


def _values():
    rng = random.Random(20261206)
    fixed = [0.0, -0.0, 0.05, -0.05, 0.15, 0.25, 2.25, -2.25, 0.125, 1.005, 2.5, 3.5, -2.5, 0.5, -0.5, 999.95,
             999.5, -999.95, 9999.5, 1e-12, -1e-12, 5e-324, 1171, 1000, 999, 100000, 999999.95, 1234567.891,
             -1327.5, 1e15, 1e15 + 0.5, 123456789012.345, 9.999999999999999e22, 1e20, -1e20, 12345678901234567.0,
             0.1 + 0.2, 1 / 3, 2 / 3, 97.25, 972 / 10, 28 / 10, 1e-5, 0.00049999, 0.0005]
    ties = [k / 2 * 10 ** -d for k in range(-41, 42, 2) for d in range(4)]  # x.5, x.05, x.005, x.0005
    magnitudes = [rng.uniform(-1, 1) * 10 ** rng.randint(-6, 21) for _ in range(600)]
    tenths = [rng.randint(-10000, 10000) / 10 for _ in range(300)]
    integers = [rng.randint(-10**12, 10**12) for _ in range(300)]
    return fixed + ties + magnitudes + tenths + integers


def _outcome(f, *args, **kwargs):
    """What ``f`` returns, or the type of what it raises (more than 28 digits: decimal's InvalidOperation)."""
    try:
        return f(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - compared, not swallowed
        return type(exc)


def test_number_writes_exactly_what_babel_writes():
    # babel's format_decimal (CLDR da_DK) is the reference for the text of an already rounded value,
    # over ties, negatives, zero, tiny and large numbers, with and without grouping, in both languages
    for x in _values():
        for d in (0, 1, 2, 5):
            for grouping in (True, False):
                for language, sign in (("da", False), ("en", True)):
                    args = (x, d)
                    kwargs = {"sign": sign, "grouping": grouping, "language": language}
                    assert _outcome(number, *args, **kwargs) == _outcome(_babel_number, *args, **kwargs), (
                        args, kwargs)


def test_counts_shares_and_numpy_values_as_babel_writes_them():
    import numpy as np

    for n in list(range(0, 2500)) + [10**k for k in range(1, 16)] + [123456789, 1327, 40000]:
        assert count(n) == _babel_number(n, 0)
        assert count(np.int64(n)) == _babel_number(n, 0)
    for t in range(-1000, 1001):
        assert format_tenths(t) == _babel_number(t / 10, 1) + " %"
    for x in (np.float64(2.25), np.float32(0.5), np.int32(-7)):
        assert number(x) == _babel_number(x)


def test_number_refuses_nan_and_infinity_as_before():
    for x in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError, match="cannot format"):
            number(x, 0)
        with pytest.raises(ValueError, match="cannot format"):
            _babel_number(x, 0)
    with pytest.raises(ValueError):
        number(1.0, language="de")

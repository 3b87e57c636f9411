"""Danish number formats (reference: the seed's own cells, e.g. '1.171' and '97,2 %')."""

import pytest

from sosu_analysis.danish import format_count, format_pct, parse_count, parse_pct_tenths, round_half_up_tenths


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
    assert format_pct(17.4) == "17,4 %"
    assert format_count(1171) == "1.171"

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongket.factcheck.numbers import (
    decimal_places,
    format_vn,
    parse_decimal,
    parse_number,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("token", "value", "places"),
    [
        ("176.001.542.000", Decimal("176001542000"), 0),
        ("51,6", Decimal("51.6"), 1),
        ("4, 09", Decimal("4.09"), 2),
        ("03", Decimal("3"), 0),
        ("101.65", Decimal("101.65"), 2),  # an English decimal point: not a 3-digit group
        ("1.234", Decimal("1234"), 0),
        ("1.234,5", Decimal("1234.5"), 1),
        ("1,234.5", Decimal("1234.5"), 1),
        ("135,220,594", Decimal("135220594"), 0),
        ("-1.500", Decimal("-1500"), 0),
    ],
)
def test_parse_tokens(token, value, places):
    assert parse_decimal(token) == value
    assert decimal_places(token) == places


@pytest.mark.parametrize("bad", ["", "abc", ",5", "1.2.x"])
def test_parse_rejects_garbage_with_vietnamese_message(bad):
    with pytest.raises(ValueError, match="không đọc được"):
        parse_decimal(bad)


@pytest.mark.parametrize(
    ("phrase", "value", "unit", "bound", "rng"),
    [
        ("176.001.542.000 đồng", 176001542000, "VND", "exact", None),
        ("51,6%", 51.6, "percent", "exact", None),
        ("4, 09%", 4.09, "percent", "exact", None),
        ("10,2 tỷ", 10_200_000_000, "VND", "exact", None),
        ("10,2 tỷ đồng", 10_200_000_000, "VND", "exact", None),
        ("23 triệu", 23_000_000, "VND", "exact", None),
        ("03 người", 3, "count", "exact", None),
        ("từ 80 đến 85%", 80, "percent", "exact", (80, 85)),
        ("60-65%", 60, "percent", "exact", (60, 65)),
        ("hơn 532 tỷ", 532_000_000_000, "VND", "lower", None),
        ("trên 10,2 tỷ đồng", 10_200_000_000, "VND", "lower", None),
        ("gần 100%", 100, "percent", "approx", None),
        ("dưới 2%", 2, "percent", "upper", None),
        ("khoảng 1.200 học sinh", 1200, "count", "approx", None),
        ("ước 95,5%", 95.5, "percent", "approx", None),
        ("trên dưới 30 trường", 30, "count", "approx", None),
    ],
)
def test_parse_quantity(phrase, value, unit, bound, rng):
    q = parse_quantity(phrase)
    assert q.value == pytest.approx(value)
    assert q.unit == unit
    assert q.bound == bound
    assert q.range == (tuple(float(x) for x in rng) if rng else None)


def test_parse_quantity_counted_noun():
    assert parse_quantity("03 người").counted == "người"
    with pytest.raises(ValueError):
        parse_quantity("không có số")


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (176001542000, 0, "176.001.542.000"),
        (51.6, 1, "51,6"),
        (51.6, None, "51,6"),
        (3.0, None, "3"),
        (0.05, 2, "0,05"),
        (1234.5, 2, "1.234,50"),
    ],
)
def test_format_vn(value, decimals, text):
    assert format_vn(value, decimals) == text


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_integers_round_trip(n):
    assert parse_decimal(format_vn(n, 0)) == n


@given(
    st.integers(min_value=0, max_value=4).flatmap(
        lambda d: st.tuples(
            st.just(d),
            st.decimals(
                min_value=Decimal("-1e12"),
                max_value=Decimal("1e12"),
                places=d,
                allow_nan=False,
                allow_infinity=False,
            ),
        )
    )
)
def test_decimals_round_trip(args):
    decimals, value = args
    text = format_vn(value, decimals)
    assert parse_decimal(text) == value
    assert parse_number(text) == float(value)


@given(
    st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "hơn ", "gần ", "dưới "]),
)
def test_percent_phrase_round_trip(value, bound_word):
    q = parse_quantity(f"{bound_word}{format_vn(value, 2)}%")
    assert q.unit == "percent"
    assert Decimal(str(q.value)) == value

"""Cell contents as Vietnamese users type them: accepted when they read one way only."""

from __future__ import annotations

import pytest

from tongket.collection.excel.numbers import parse_cell


@pytest.mark.parametrize(
    ("value", "vtype", "expected"),
    [
        (None, "count", None),
        ("   ", "count", None),
        (12, "count", 12.0),
        (12.0000000001, "count", 12.0),  # float noise, not a decimal
        ("1.234", "count", 1234.0),
        ("+7", "count", 7.0),
        ("1.234,5", "money", 1234.5),
        ("51,6", "percent", 51.6),
        ("12.5", "percent", 12.5),
        ("có", "boolean", 1.0),
        ("không", "boolean", 0.0),
        (1, "boolean", 1.0),
    ],
)
def test_accepted(value, vtype, expected):
    parsed = parse_cell(value, "s" if isinstance(value, str) else "n", vtype)
    assert parsed.ok and parsed.value == expected


@pytest.mark.parametrize(
    ("value", "vtype", "code"),
    [
        ("1,234", "count", "ambiguous"),
        ("1,234", "money", "decimal_or_ambiguous"),
        ("12,5", "count", "decimal"),
        (float("nan"), "count", "not_number"),
        (2, "boolean", "not_boolean"),
        (100.5, "percent", "percent_range"),
        ("abc", "money", "not_number"),
    ],
)
def test_refused(value, vtype, code):
    parsed = parse_cell(value, "s" if isinstance(value, str) else "n", vtype)
    assert not parsed.ok
    assert parsed.code == code or (code == "decimal_or_ambiguous" and parsed.code == "ambiguous")
    assert parsed.vi and parsed.en


def test_english_locale_thousands_get_a_hint():
    parsed = parse_cell(1.234, "n", "count")
    assert parsed.code == "decimal"
    assert "1,234 là số thập phân" in parsed.vi and "hãy gõ 1234" in parsed.vi


@pytest.mark.parametrize("text", ["١٢٣", "１２", "۱۲", "1_000", "1e3"])
def test_only_ascii_digits_are_read_from_text(text):
    assert parse_cell(text, "s", "count").code == "not_number"

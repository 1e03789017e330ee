import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongket.core.vntext import (
    clean_text,
    fold,
    format_date,
    format_number,
    format_percent,
    nfc,
    parse_date,
)


def test_vietnamese_number_formats():
    assert format_number(176001542000) == "176.001.542.000"
    assert format_percent(51.6) == "51,6%"
    assert format_number(59.935, 2) == "59,94"  # half away from zero, not banker's rounding
    assert format_number(-1234.5, 1) == "-1.234,5"
    assert format_number(None) == ""


def test_fold_strips_marks_and_d_bar():
    assert fold("  Điện   Biên ") == "dien bien"
    assert fold(unicodedata.normalize("NFD", "Mường Chà")) == "muong cha"


def test_nfc_and_dates():
    assert nfc(unicodedata.normalize("NFD", "Hà Nội")) == "Hà Nội"
    assert format_date(dt.date(2022, 1, 20)) == "20/01/2022"
    assert parse_date("20/01/2022") == dt.date(2022, 1, 20)
    with pytest.raises(ValueError, match="không đọc được ngày"):
        parse_date("32/01/2022")


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_grouping_round_trips(n):
    assert int(format_number(n).replace(".", "")) == n


def test_clean_text_drops_control_characters_and_normalises():
    c0 = "".join(map(chr, range(0x20)))
    c1 = "".join(map(chr, range(0x7F, 0xA0)))
    assert clean_text(f"a{c0}b{c1}c\ud800d") == "a\t\n\nbcd"
    assert clean_text("Windows\r\nline") == "Windows\nline"
    decomposed = "Tie\u0302\u0301ng Vie\u0323\u0302t"
    assert clean_text(decomposed) == "Tiếng Việt"


@given(st.text())
def test_clean_text_output_is_always_safe_nfc_and_stable(text):
    out = clean_text(text)
    assert unicodedata.is_normalized("NFC", out)
    assert clean_text(out) == out
    for ch in out:
        code = ord(ch)
        assert ch in "\t\n" or not (code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF)
    out.encode("utf-8")  # a lone surrogate would raise here

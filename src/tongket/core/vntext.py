"""Vietnamese text and number conventions, as plain Python (no Django import).

Numbers are shown the Vietnamese way: "." groups thousands and "," marks decimals
(176.001.542.000; 51,6%). Dates are dd/mm/yyyy. Text is stored NFC; search folds
diacritics so "dien bien" finds "Điện Biên".
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import ROUND_HALF_UP, Decimal


def nfc(text: str) -> str:
    """Return text in Unicode NFC, the one form Tongket stores."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse spaces: the key used for search.

    "Đ"/"đ" is a letter of its own, not a D with a mark, so NFD does not split it.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(bare.lower().split())


def _group(int_part: str) -> str:
    out: list[str] = []
    while len(int_part) > 3:
        out.insert(0, int_part[-3:])
        int_part = int_part[:-3]
    out.insert(0, int_part)
    return ".".join(out)


def format_number(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """176001542000 -> "176.001.542.000"; 51.6 with decimals=1 -> "51,6".

    Rounds half away from zero, as people do by hand (Python's round() is banker's).
    """
    if value is None:
        return ""
    quant = Decimal(1).scaleb(-decimals)
    d = Decimal(str(value)).quantize(quant, rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    text = f"{abs(d):f}"
    int_part, _, frac = text.partition(".")
    result = _group(int_part)
    if decimals > 0:
        result += "," + frac
    return sign + result


def format_percent(value: float | None, decimals: int = 1) -> str:
    """51.6 -> "51,6%". The value is already in percent points."""
    if value is None:
        return ""
    return format_number(value, decimals) + "%"


def format_date(value: dt.date | None) -> str:
    """dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""


def parse_date(text: str) -> dt.date:
    """Parse dd/mm/yyyy or ISO yyyy-mm-dd; raise ValueError naming the input otherwise."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"không đọc được ngày '{text}' (cần dd/mm/yyyy hoặc yyyy-mm-dd)")

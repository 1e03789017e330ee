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


def _dropped(ch: str) -> bool:
    """C0 controls but tab and newline, DEL, C1 controls, and lone surrogates."""
    code = ord(ch)
    if code < 0x20:
        return ch not in "\t\n"
    return 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF


def clean_text(text: str) -> str:
    """What every saved text goes through: control characters dropped, NFC.

    A C0/C1 control character pasted into a field saves fine but breaks every Word file built
    from it (XML 1.0 forbids them); a lone surrogate cannot even be encoded as UTF-8. A carriage
    return becomes a newline (Windows line ends keep their line break, once).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(_dropped(ch) for ch in text):
        text = "".join(ch for ch in text if not _dropped(ch))
    return unicodedata.normalize("NFC", text)


def clean_texts(data: dict) -> dict:
    """`clean_text` on every text value of a mapping (other values kept as they are)."""
    return {k: clean_text(v) if isinstance(v, str) else v for k, v in data.items()}


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

"""Vietnamese numbers as written in reports: parse them, and format them back.

Conventions (DOMAIN.md §10): "." groups thousands and "," marks decimals
(176.001.542.000; 51,6%). Real texts also carry "4, 09%" (a space typed after the decimal
comma), "03 người" (zero padding), "101.65%" (an English decimal point, recognisable because
a thousands group always has exactly three digits), "135,220,594" (English thousands from a
web counter), multipliers ("10,2 tỷ", "23 triệu"), bounds ("hơn", "trên", "dưới", "gần",
"khoảng", "ước") and ranges ("từ 80 đến 85%", "60-65%").

Plain Python: no Django import, so the checker can run anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tongket.core.vntext import format_number

# One number token. Order matters: the grouped forms are tried before the plain ones so that
# "176.001.542.000" is one token, not "176.001" followed by ".542".
NUMBER_PATTERN = (
    r"\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\d])"  # 176.001.542.000 / 1.234,5 (VN grouping)
    r"|\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?(?![\d])"  # 135,220,594 (EN grouping, 2+ groups)
    r"|\d+\.\d+(?![\d])"  # 101.65 / 12.5: a dot not followed by a 3-digit group
    # "4, 09%": a stray space after the decimal comma, trusted only with 1-2 decimals right
    # before "%" and not after a slash ("15/9, 100%" is a date, then a percent).
    r"|(?<![\d/.,])\d+,\s\d{1,2}(?=\s?%)"
    r"|\d+(?:,\d+)?(?![\d])"  # 51,6 / 03 / 2020
)
NUMBER_RE = re.compile(NUMBER_PATTERN)

_VN_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")

# Multipliers written as words after the number.
MULTIPLIERS: dict[str, int] = {
    "tỷ": 10**9,
    "tỉ": 10**9,
    "triệu": 10**6,
    "nghìn": 10**3,
    "ngàn": 10**3,
}

# Words that turn a figure into a bound. Longest first so "trên dưới" (about) is not read as
# "dưới" (below), and "ước đạt" is one approximate marker.
BOUND_WORDS: dict[str, str] = {
    "trên dưới": "approx",
    "xấp xỉ": "approx",
    "khoảng": "approx",
    "chừng": "approx",
    "gần": "approx",
    "ước tính": "approx",
    "ước đạt": "approx",
    "ước khoảng": "approx",
    "ước": "approx",
    "hơn": "lower",
    "trên": "lower",
    "ít nhất": "lower",
    "tối thiểu": "lower",
    "không dưới": "lower",
    "dưới": "upper",
    "chưa đến": "upper",
    "chưa tới": "upper",
    "không quá": "upper",
    "tối đa": "upper",
}
_BOUND_ALT = "|".join(sorted((re.escape(w) for w in BOUND_WORDS), key=len, reverse=True))
# A bound word right before the number (allowing "đạt"/"là"/"có" in between: "đạt trên 95%").
BOUND_BEFORE_RE = re.compile(
    rf"(?<!\w)({_BOUND_ALT})\s+(?:(?:mức|con số|là|có|đạt|được)\s+)?$", re.IGNORECASE
)

MONEY_WORDS = r"đồng|đ|vnđ|vnd"
_MULT_ALT = "|".join(MULTIPLIERS)


def _dec(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regex
        raise ValueError(f"không đọc được số '{text}'") from exc


def decimal_places(token: str) -> int:
    """How many decimals the writer gave: "51,6" -> 1, "101.65" -> 2, "176.001.542.000" -> 0.

    The checks need it to tell rounding (fine) from truncation or error.
    """
    token = token.replace(" ", "").lstrip("-−–")
    sep = _decimal_separator(token)
    if sep is None:
        return 0
    return len(token.rsplit(sep, 1)[1])


def _decimal_separator(token: str) -> str | None:
    has_dot, has_comma = "." in token, "," in token
    if has_dot and has_comma:
        # Whichever comes last separates the decimals: 1.234,5 (VN) or 1,234.5 (EN).
        return "," if token.rfind(",") > token.rfind(".") else "."
    if has_comma:
        # One comma is the Vietnamese decimal comma; several are English thousands.
        return "," if token.count(",") == 1 else None
    if has_dot:
        # Dots in 3-digit groups are Vietnamese thousands; any other dot is a decimal point.
        return None if _VN_GROUPED.fullmatch(token) else "."
    return None


def parse_decimal(token: str) -> Decimal:
    """Parse one Vietnamese number token exactly: "176.001.542.000", "51,6", "4, 09", "03"."""
    text = token.strip().replace("\u00a0", " ")
    sign = ""
    if text[:1] in "-−–":
        sign, text = "-", text[1:].strip()
    text = text.replace(" ", "")
    if not text or not re.fullmatch(r"[\d.,]+", text) or not text[0].isdigit():
        raise ValueError(f"không đọc được số '{token}'")
    sep = _decimal_separator(text)
    if sep is None:
        digits = text.replace(".", "").replace(",", "")
        return _dec(sign + digits)
    other = "." if sep == "," else ","
    int_part, frac = text.replace(other, "").rsplit(sep, 1)
    if not frac.isdigit() or not int_part.isdigit():
        raise ValueError(f"không đọc được số '{token}'")
    return _dec(f"{sign}{int_part}.{frac}")


def parse_number(token: str) -> float:
    """Parse one number token to a float (see parse_decimal for the exact value)."""
    return float(parse_decimal(token))


def format_vn(value: float | int | Decimal, decimals: int | None = None) -> str:
    """Inverse of parse_number: 176001542000 -> "176.001.542.000", (51.6, 1) -> "51,6".

    With decimals=None the shortest exact form is used (51.6 -> "51,6", 3.0 -> "3").
    """
    if decimals is None:
        d = Decimal(str(value)).normalize()
        exponent = int(d.as_tuple().exponent)
        decimals = max(0, -exponent)
    return format_number(value, decimals)


@dataclass(frozen=True)
class Quantity:
    """A parsed figure: value in base units (đồng, percent points, items)."""

    value: float
    unit: str | None  # percent / VND / count / other / None when the phrase names none
    bound: str = "exact"  # exact / lower / upper / approx
    range: tuple[float, float] | None = None
    decimals: int = 0
    counted: str | None = None


_QUANTITY_RE = re.compile(
    rf"^(?:(?P<bound>{_BOUND_ALT})\s+)?(?:từ\s+)?(?P<a>{NUMBER_PATTERN})"
    rf"(?:\s*(?P<pct1>%))?"
    rf"(?:\s*(?:-|–|đến|tới)\s*(?P<b>{NUMBER_PATTERN}))?"
    rf"\s*(?:(?P<pct>%|phần trăm)|(?P<mult>{_MULT_ALT})?\s*(?P<money>{MONEY_WORDS})?"
    rf"\s*(?P<rest>[^\d\s].*)?)$",
    re.IGNORECASE,
)


def parse_quantity(text: str) -> Quantity:
    """Parse a short phrase: "hơn 532 tỷ", "từ 80 đến 85%", "60-65%", "4, 09%", "03 người".

    Raises ValueError (in Vietnamese) when the phrase holds no readable number.
    """
    phrase = " ".join(text.split())
    m = _QUANTITY_RE.match(phrase)
    if not m:
        raise ValueError(f"không đọc được số liệu '{text}'")
    a = parse_decimal(m.group("a"))
    decimals = decimal_places(m.group("a"))
    rng: tuple[float, float] | None = None
    if m.group("b"):
        b = parse_decimal(m.group("b"))
        rng = (float(a), float(b))
        decimals = max(decimals, decimal_places(m.group("b")))
    factor = 1
    unit: str | None = None
    counted = None
    if m.group("pct") or m.group("pct1"):
        unit = "percent"
    else:
        if m.group("mult"):
            factor = MULTIPLIERS[m.group("mult").lower()]
        if m.group("money"):
            unit = "VND"
        elif m.group("rest"):
            unit = "count"
            counted = m.group("rest").strip().lower()
        elif m.group("mult"):
            # "10,2 tỷ" on its own: a bare amount is, in these reports, nearly always money.
            unit = "VND"
    bound = "exact"
    if m.group("bound"):
        bound = BOUND_WORDS[m.group("bound").lower()]
    value = float(a * factor)
    if rng is not None:
        rng = (rng[0] * factor, rng[1] * factor)
    return Quantity(value, unit, bound, rng, decimals, counted)

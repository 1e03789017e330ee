"""Read one input cell of an uploaded form as a number, the way a Vietnamese user typed it.

Most cells arrive as Excel numbers. Some arrive as text, because the cell was formatted as
text or the figure was pasted from Word: "1.234" (Vietnamese thousands), "1 234", "12,5"
(Vietnamese decimal comma). Text is accepted only when it reads one way; "1,234" in a count
cell could be 1234 (English grouping) or 1,234 (a Vietnamese decimal), so it is refused with
a message saying why rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tongket.core.vntext import format_number

# A count never has a fractional part; anything this close to a whole number is float noise.
_EPS = 1e-9

# re.ASCII: \d would also take Arabic-Indic or full-width digits, which int() reads
_PLAIN = re.compile(r"[+-]?\d+", re.ASCII)
_VN_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+", re.ASCII)  # 1.234 / 12.345.678
_SPACE_GROUPED = re.compile(
    r"[+-]?\d{1,3}(?: \d{3})+", re.ASCII
)  # 1 234 (thin spaces folded below)
_EN_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+", re.ASCII)  # 1,234: ambiguous in Vietnam
_VN_DECIMAL = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+", re.ASCII)  # 12,5 / 1.234,5
_EN_DECIMAL = re.compile(r"[+-]?\d+\.\d+", re.ASCII)  # 12.5 (not a 3-digit group: see above)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_YES = {"có", "co", "x", "yes", "true", "đúng"}
_NO = {"không", "khong", "no", "false", "sai"}


@dataclass(frozen=True)
class Parsed:
    value: float | None  # None: the cell is empty
    code: str = ""  # set when the cell cannot be read: a Problem code
    vi: str = ""
    en: str = ""

    @property
    def ok(self) -> bool:
        return not self.code


def _bad(code: str, vi: str, en: str) -> Parsed:
    return Parsed(None, code, vi, en)


def _text_number(text: str) -> tuple[float | None, str]:
    """Parse typed text; return (value, "") or (None, reason code)."""
    t = _SPACES.sub(" ", text.strip()).strip()
    if _PLAIN.fullmatch(t):
        return float(int(t)), ""
    if _VN_GROUPED.fullmatch(t):
        return float(int(t.replace(".", ""))), ""
    if _SPACE_GROUPED.fullmatch(t):
        return float(int(t.replace(" ", ""))), ""
    if _EN_GROUPED.fullmatch(t):
        return None, "ambiguous"
    if _VN_DECIMAL.fullmatch(t):
        return float(t.replace(".", "").replace(",", ".")), ""
    if _EN_DECIMAL.fullmatch(t):
        return float(t), ""
    return None, "not_number"


def parse_cell(value: object, data_type: str, value_type: str = "count") -> Parsed:
    """Turn a cell's content into a float (or None for empty), or say why it cannot be.

    `data_type` is openpyxl's: "f" formula, "e" Excel error, "n", "s", "b", "d".
    """
    kind_vi = "số nguyên" if value_type in {"count", "boolean"} else "số"
    kind_en = "a whole number" if value_type in {"count", "boolean"} else "a number"
    if value is None or (isinstance(value, str) and not value.strip()):
        return Parsed(None)
    if data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        formula = str(value)
        return _bad(
            "formula",
            f"ô chứa công thức {formula}; hãy nhập số",
            f"the cell holds a formula {formula}; type a number",
        )
    if data_type == "e":
        return _bad(
            "excel_error",
            f"ô chứa lỗi Excel {value}; hãy nhập số",
            f"the cell holds an Excel error {value}; type a number",
        )
    if isinstance(value, bool):
        return _bad(
            "not_number",
            f"giá trị logic {'TRUE' if value else 'FALSE'} không phải là {kind_vi}",
            f"the logical value {value} is not {kind_en}",
        )
    if isinstance(value, dt.datetime | dt.date | dt.time):
        shown = value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else str(value)
        return _bad(
            "date",
            f"ô chứa ngày tháng ({shown}), không phải số; Excel có thể đã tự đổi số gõ "
            "có dấu '/' hoặc '-' thành ngày, hãy định dạng ô là số rồi nhập lại",
            f"the cell holds a date ({shown}), not a number; Excel may have turned what "
            "was typed into a date: format the cell as a number and type it again",
        )
    shown = str(value)
    number: float | None
    if isinstance(value, int | float):
        number = float(value)
    else:
        shown = str(value).strip()
        lowered = shown.lower()
        if value_type == "boolean" and lowered in _YES | _NO:
            return Parsed(1.0 if lowered in _YES else 0.0)
        number, reason = _text_number(shown)
        if reason == "ambiguous":
            return _bad(
                "ambiguous",
                f'"{shown}" không rõ nghĩa: dấu phẩy là dấu thập phân ở Việt Nam; '
                "hãy nhập số không có dấu phân cách (ví dụ 1234)",
                f'"{shown}" is ambiguous: the comma is the decimal mark in Vietnam; '
                "type the number without separators (e.g. 1234)",
            )
        if number is None:
            return _bad(
                "not_number",
                f'"{shown}" không phải là {kind_vi}',
                f'"{shown}" is not {kind_en}',
            )
    if number != number or number in (float("inf"), float("-inf")):
        return _bad("not_number", f'"{shown}" không phải là số', f'"{shown}" is not a number')
    if number < 0:
        return _bad(
            "negative",
            f"số âm ({format_number(number, _decimals(number))}) không hợp lệ; số liệu phải ≥ 0",
            f"negative value ({number:g}); figures must be ≥ 0",
        )
    if value_type in {"count", "boolean"} and abs(number - round(number)) > _EPS:
        hint_vi = hint_en = ""
        if _decimals(number) == 3:  # 1.234 typed in an English-locale Excel: meant 1234?
            meant = round(number * 1000)
            hint_vi = f"; nếu định nhập {format_number(meant)}, hãy gõ {meant} không có dấu chấm"
            hint_en = f"; if you meant {meant}, type {meant} without a separator"
        return _bad(
            "decimal",
            f"{format_number(number, _decimals(number))} là số thập phân; ô này cần số nguyên "
            f"(số người, số lớp, số phòng… không có phần lẻ){hint_vi}",
            f"{number:g} is a decimal; this cell needs a whole number{hint_en}",
        )
    if value_type in {"count", "boolean"}:
        number = float(round(number))
    if value_type == "boolean" and number not in (0.0, 1.0):
        return _bad(
            "not_boolean",
            f"{format_number(number)} không hợp lệ; nhập 1 (có) hoặc 0 (không)",
            f"{number:g} is not valid; type 1 (yes) or 0 (no)",
        )
    if value_type == "percent" and number > 100:
        return _bad(
            "percent_range",
            f"tỷ lệ {format_number(number, _decimals(number))}% vượt quá 100%",
            f"the rate {number:g}% is above 100%",
        )
    return Parsed(number)


def _decimals(number: float) -> int:
    """How many decimals to show a figure back to its author: as typed, at most 6."""
    text = f"{number:.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0

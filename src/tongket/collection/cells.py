"""Posted cell values parsed and checked against the form: every bad cell listed, nothing saved.

Shared by the web form, the Excel upload and the API (through collection.actions).
"""

from __future__ import annotations

import math
import re

from tongket.catalog.models import DataElement, Form
from tongket.collection import forms_logic
from tongket.collection.errors import CellErrors

MAX_COUNT = 10_000_000  # no school count is anywhere near this; beyond it is a typing error
# Text figures: ASCII digits with "." / "," / spaces as separators, an optional minus (refused
# later with its own message). Python's float() also reads "1_000", "١٢٣" (Arabic-Indic), full-
# width "１２" and "1e3"; none of those is how anyone writes a figure, so none is read as one.
PLAIN_NUMBER = re.compile(r"-?[0-9][0-9., ]*")


def clean_cell_values(
    form: Form,
    raw: dict[tuple[str, str], object],
    *,
    types: dict[str, str] | None = None,
) -> dict[tuple[str, str], float | None]:
    """Parse and check posted values; raise CellErrors listing every bad cell (nothing saved).
    `types` (element code -> value type, at least the form's elements) saves a query."""
    index = forms_logic.cell_index(form)
    if types is None:
        types = dict(DataElement.objects.values_list("code", "value_type"))
    problems: list[dict[str, str]] = []
    out: dict[tuple[str, str], float | None] = {}
    for key, value in raw.items():
        info = index.get(key)
        if info is None:
            problems.append(
                {
                    "element": key[0],
                    "combo": key[1],
                    "message_vi": f"Ô {key[0]}[{key[1]}] không có trong biểu {form.code}.",
                    "message_en": "cell not on this form",
                }
            )
            continue
        if info.computed:
            continue  # totals are computed by the system, whatever was sent
        if value is None or (isinstance(value, str) and not value.strip()):
            out[key] = None
            continue
        if isinstance(value, bool) or (
            isinstance(value, str) and not PLAIN_NUMBER.fullmatch(value.strip())
        ):
            # JSON true/false is not a count; text must be plain ASCII digits
            problems.append(
                {
                    "element": key[0],
                    "combo": key[1],
                    "message_vi": (
                        f"{info.label}: “{value}” không phải là số "
                        "(chỉ nhận chữ số 0–9, dấu chấm hoặc dấu phẩy)."
                    ),
                    "message_en": f"{value!r} is not a plain number (ASCII digits only)",
                }
            )
            continue
        text = str(value).strip().replace(" ", "")
        try:
            number = (
                float(text.replace(".", "").replace(",", "."))
                if isinstance(value, str)
                else float(value)  # type: ignore[arg-type]
            )
        except (TypeError, ValueError):
            problems.append(
                {
                    "element": key[0],
                    "combo": key[1],
                    "message_vi": f"{info.label}: “{value}” không phải là số.",
                    "message_en": f"{value!r} is not a number",
                }
            )
            continue
        if math.isnan(number) or math.isinf(number):
            problems.append(
                {
                    "element": key[0],
                    "combo": key[1],
                    "message_vi": f"{info.label}: giá trị không hợp lệ.",
                    "message_en": "not a finite number",
                }
            )
            continue
        if types.get(key[0]) == "count":
            if number < 0:
                problems.append(
                    {
                        "element": key[0],
                        "combo": key[1],
                        "message_vi": f"{info.label}: số lượng không được âm ({value}).",
                        "message_en": "counts cannot be negative",
                    }
                )
                continue
            if number != int(number):
                problems.append(
                    {
                        "element": key[0],
                        "combo": key[1],
                        "message_vi": f"{info.label}: số lượng phải là số nguyên ({value}).",
                        "message_en": "counts must be whole numbers",
                    }
                )
                continue
            if number > MAX_COUNT:
                problems.append(
                    {
                        "element": key[0],
                        "combo": key[1],
                        "message_vi": f"{info.label}: {value} quá lớn, có thể nhập nhầm.",
                        "message_en": "implausibly large",
                    }
                )
                continue
        out[key] = number
    if problems:
        raise CellErrors(problems)
    return out

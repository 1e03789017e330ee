"""Text into Excel cells without turning it into formulas (formula / CSV injection).

openpyxl stores any string that starts with "=" as a formula, and Excel itself re-reads text
starting with = + - @ (or a tab or CR before them) as a formula once the cell is edited. A
target's source "=HYPERLINK(...)" or an explanation typed as "=1+1" must stay the text it is.

Every workbook Tongket writes goes through `seal(wb)` just before it is saved: every formula
cell the writer did not declare its own (`keep`) becomes an explicit string cell, and every
string that Excel could read as a formula gets Excel's quote prefix (the invisible leading
apostrophe), so it stays text even after someone edits it. Writers that only ever write data
call `seal(wb)`; the form template keeps its own SUM totals with `keep`.

Plain Python over openpyxl; no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook

# What Excel may take for the start of a formula (OWASP's list for CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_risky(text: str) -> bool:
    return text.startswith(FORMULA_START)


def put_text(cell: Cell, value: object) -> Cell:
    """Write `value` into `cell`; a string is always stored as text, never as a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_risky(value):
            cell.quotePrefix = True
    return cell


def seal(wb: Workbook, keep: Iterable[tuple[str, str]] = ()) -> int:
    """Make every formula of `wb` text, except the (sheet title, coordinate) pairs in `keep`
    (formulas the writer itself put there), and quote-prefix every risky string. Returns how
    many cells were changed. Call it last, just before saving."""
    own = set(keep)
    changed = 0
    for ws in wb.worksheets:
        # the cells that exist (iter_rows would create every empty cell of the used range)
        for cell in list(ws._cells.values()):
            if cell.data_type == "f":
                if (ws.title, cell.coordinate) in own or not isinstance(cell.value, str):
                    continue
                cell.data_type = "s"
                cell.quotePrefix = True
                changed += 1
            elif (
                cell.data_type == "s"
                and isinstance(cell.value, str)
                and is_risky(cell.value)
                and not cell.quotePrefix
            ):
                cell.quotePrefix = True
                changed += 1
    return changed


__all__ = ["FORMULA_START", "is_risky", "put_text", "seal"]


def number_format(decimals: int) -> str:
    """Excel's number format for a figure shown with ``decimals`` decimals (the indicator's, as
    on every other surface): thousands grouped, Excel shows them in the reader's locale."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")

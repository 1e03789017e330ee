"""Dashboard tables as Excel workbooks (openpyxl). Numbers are stored as numbers with a
Vietnamese-looking number format, so the figures stay computable in Excel."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tongket.core.xlsx import seal

HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")


def workbook(
    title: str,
    subtitle: str,
    header: Sequence[str],
    rows: Sequence[Sequence],
    formats: Sequence[str | None] | None = None,
) -> bytes:
    """One sheet: a title, a subtitle (unit, period, tree mode), a header row, the rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = subtitle
    ws["A2"].font = Font(italic=True)
    ws.append([])
    ws.append(list(header))
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(list(row))
    if formats:
        for col, fmt in enumerate(formats, start=1):
            if not fmt:
                continue
            for r in range(5, ws.max_row + 1):
                ws.cell(row=r, column=col).number_format = fmt
    for col in range(1, len(header) + 1):
        width = max(
            [len(str(header[col - 1]))]
            + [len(str(r[col - 1])) for r in rows if col - 1 < len(r) and r[col - 1] is not None]
        )
        ws.column_dimensions[get_column_letter(col)].width = min(max(10, width + 2), 60)
    ws.freeze_panes = "A5"
    seal(wb)  # names, sources and labels stay text, never formulas
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

"""The report's annexes as an Excel workbook (openpyxl), one sheet per table.

Values stay numeric (people re-sort and re-sum annexes); the look comes from number formats.
Format codes in a .xlsx are locale-neutral: '#,##0' and '0.0' are stored with "," and ".", and
Excel/LibreOffice display them with the reader's own separators, so a Vietnamese-locale reader
sees 176.001.542 and 51,6. Percent columns keep percent points (51.6, as in the report text and
the DOCX annex) with a '0.0' format and "(%)" in the header, rather than fractions with a '%'
format, so the cell holds exactly the figure printed in the report.

A first sheet "Chỉ tiêu" lists the indicators against their targets, the same figures as the
report's summary table.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from tongket.core.xlsx import number_format, seal

from . import sentences as S
from .model import MONEY_SCALES, AnnexTable, ReviewReport, UnitKind

FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ROW = 4  # rows 1-3: code, title, attachment line
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def column_format(kind: str, decimals: int) -> str:
    return "@" if kind == "text" else number_format(decimals)


def sheet_name(text: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique (case-insensitive)."""
    base = _BAD_SHEET_CHARS.sub("-", text).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _write_table(
    ws, code: str, title: str, caption: str, headers: list[str], rows, formats, widths, total=None
) -> None:
    bold = Font(name=FONT, bold=True, size=12)
    plain = Font(name=FONT, size=12)
    ws["A1"] = code
    ws["A2"] = title.upper()
    ws["A3"] = caption
    for cell, font in (
        (ws["A1"], bold),
        (ws["A2"], bold),
        (ws["A3"], Font(name=FONT, italic=True)),
    ):
        cell.font = font
    last = get_column_letter(len(headers))
    for r in (1, 2, 3):
        ws.merge_cells(f"A{r}:{last}{r}")
        ws[f"A{r}"].alignment = Alignment(horizontal="center")
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for j, h in enumerate(headers, 1):
        c = ws.cell(HEADER_ROW, j, h)
        c.font, c.alignment, c.border = bold, wrap, _BOX
    # append() is the fast path of openpyxl (no per-cell lookups); styles follow per column
    for row in rows:
        ws.append(row)
    if total is not None:
        ws.append(total)
    n_last = ws.max_row
    for j, fmt in enumerate(formats, 1):
        for (c,) in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=n_last, min_col=j, max_col=j):
            c.number_format = fmt
            c.font = plain
            c.border = _BOX
    if total is not None:
        for (c,) in ws.iter_cols(min_row=n_last, max_row=n_last):
            c.font = bold
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    # keep STT + the first label column and the header visible while scrolling
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape" if len(headers) > 8 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def _caption(report: ReviewReport) -> str:
    body = report.issuing_body.full_name or report.issuing_body.name.capitalize()
    number = report.number_line.replace("Số: ", "số ")
    return (
        f"(Kèm theo {report.title.capitalize()} {number} ngày "
        f"{report.date.strftime('%d/%m/%Y')} của {body})"
    )


def _annex_sheet(wb: Workbook, annex: AnnexTable, caption: str, used: set[str]) -> None:
    ws = wb.create_sheet(sheet_name(annex.code, used))
    headers = ["STT"] + [c.header for c in annex.columns]
    formats = ["0"] + [column_format(c.kind, c.decimals) for c in annex.columns]
    rows = [[i + 1, *row] for i, row in enumerate(annex.rows)]
    total = [None, *annex.total_row] if annex.total_row is not None else None
    widths = [6.0]
    for j, col in enumerate(annex.columns):
        longest = max((len(str(r[j])) for r in annex.rows[:500] if r[j] is not None), default=4)
        widths.append(min(45.0, max(8.0, longest + 2 if col.kind == "text" else 12.0)))
    _write_table(ws, annex.code, annex.title, caption, headers, rows, formats, widths, total)
    if annex.note:
        ws.cell(ws.max_row + 2, 1, annex.note).font = Font(name=FONT, italic=True)


def _indicator_sheet(wb: Workbook, report: ReviewReport, caption: str, used: set[str]) -> None:
    ws = wb.create_sheet(sheet_name("Chỉ tiêu", used), 0)
    headers = [
        "STT",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Kế hoạch",
        "Kế hoạch từ",
        "Kế hoạch đến",
        "Thực hiện",
        "So với KH",
        "Đánh giá",
        S.PREVIOUS_HEADER,
        "Nguồn chỉ tiêu",
    ]
    rows, formats_rows = [], []
    for i, ind in enumerate(report.indicators, 1):
        t = ind.target
        # money in the sheet uses the report's scale (tỷ đồng), as the summary table does
        scale = MONEY_SCALES[ind.money_scale][0] if ind.unit_kind is UnitKind.MONEY else 1

        def sc(v, scale=scale):
            return None if v is None else v / scale if scale != 1 else v

        unit = (
            "%"
            if ind.unit_kind is UnitKind.PERCENT
            else S.unit_word(ind.unit_kind, ind.unit_label, ind.money_scale)
        )
        g = S.signed_gap(ind)
        rows.append(
            [
                i,
                ind.name,
                unit,
                sc(t.value) if t and not t.is_range else None,
                sc(t.low) if t and t.is_range else None,
                sc(t.high) if t and t.is_range else None,
                sc(ind.value),
                float(g) if g is not None else None,
                S.verdict_label(ind),
                sc(ind.last_year),
                (t.source_document or t.source) if t else None,
            ]
        )
        formats_rows.append(number_format(ind.decimals))
    formats = [
        "0",
        "@",
        "@",
        "#,##0.##",
        "#,##0.##",
        "#,##0.##",
        "#,##0.00",
        "#,##0.00",
        "@",
        "#,##0.00",
        "@",
    ]
    widths = [6, 48, 12, 11, 11, 11, 12, 11, 11, 12, 40]
    _write_table(
        ws,
        "Tổng hợp",
        "Kết quả thực hiện các chỉ tiêu chủ yếu",
        caption,
        headers,
        rows,
        formats,
        widths,
    )
    # per-row decimals for value columns: each indicator has its own precision
    for r, fmt in enumerate(formats_rows, HEADER_ROW + 1):
        for col in (7, 8, 10):
            ws.cell(r, col).number_format = fmt


def build_workbook(report: ReviewReport) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    caption = _caption(report)
    if report.indicators:
        _indicator_sheet(wb, report, caption, used)
    for annex in report.annexes:
        _annex_sheet(wb, annex, caption, used)
    if not wb.sheetnames:
        wb.create_sheet("Trống")
    seal(wb)  # annex texts (names, sources, notes) stay text, never formulas
    return wb


def build_xlsx(report: ReviewReport, path: str | Path | None = None) -> bytes:
    """The annex workbook as bytes; also written to path when given."""
    buf = io.BytesIO()
    build_workbook(report).save(buf)
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data

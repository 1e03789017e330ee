"""The Excel template of a report form, pre-filled with a unit's current figures.

Sheets, in order:
- "Hướng dẫn": how to fill the form and what the upload checks (Vietnamese).
- "Biểu 02" (named from the form code): the form as on paper; yellow cells take figures,
  grey total rows are SUM formulas the system recomputes and the upload ignores.
- "Giải trình" (only when there are explanations): the unit's explanations of warnings.
- "_meta" (hidden): form, version, round, period and unit, signed with HMAC-SHA256.
- "_map" (hidden): sheet!cell -> element, combo, kind for every box; its digest is signed.

Number formats are locale-neutral in .xlsx ('#,##0'); Excel shows them with the reader's
separators, so a Vietnamese-locale reader sees 1.234.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tongket.core.vntext import format_date, nfc
from tongket.core.xlsx import seal

from .common import (
    CODE_COL,
    EXPLANATIONS_SHEET,
    FIRST_VALUE_COL,
    FORMAT,
    FORMAT_VERSION,
    INSTRUCTIONS_SHEET,
    LABEL_COL,
    MAP_HEADER,
    MAP_SHEET,
    META_SHEET,
    SHEET_PASSWORD,
    Plan,
    base_rows,
    map_digest,
    plan_layout,
    sign,
    sum_formula,
)

FONT = "Times New Roman"
INPUT_FILL = PatternFill("solid", start_color="FFF2CC")  # yellow: type here
TOTAL_FILL = PatternFill("solid", start_color="D9D9D9")  # grey: the system computes it
HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
_THIN = Side(style="thin", color="808080")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)

NUMBER_FORMATS = {"count": "#,##0", "money": "#,##0", "percent": "0.0", "boolean": "0"}
STATUS_VI = {
    "draft": "Đang nhập",
    "submitted": "Đã nộp",
    "returned": "Trả lại",
    "approved": "Đã duyệt",
}


@dataclass(frozen=True)
class WorkbookMeta:
    """Who and what a workbook is for; the first six fields are what an upload must match."""

    form_code: str
    form_version: str
    form_name: str
    round_id: str | int
    period: str  # "2024-2025"
    unit_code: str
    unit_name: str
    due: dt.date | None = None
    status: str = "draft"
    # what the workbook was made from (the submission's version and values), as an opaque
    # token the caller signs and reads back (see merge.py); not covered by the HMAC
    base: str = ""


def _validation(value_type: str) -> DataValidation:
    """Excel's own check while typing; the upload checks again (paste bypasses validation)."""
    common = {
        "allow_blank": True,
        "showErrorMessage": True,
        "errorStyle": "stop",
        "errorTitle": "Số liệu không hợp lệ",
    }
    if value_type == "percent":
        return DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="100",
            error="Ô này nhận tỷ lệ phần trăm từ 0 đến 100. / Enter a percentage 0-100.",
            **common,
        )
    if value_type == "money":
        return DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            error="Ô này nhận số tiền không âm (đồng). / Enter an amount ≥ 0.",
            **common,
        )
    if value_type == "boolean":
        return DataValidation(
            type="whole",
            operator="between",
            formula1="0",
            formula2="1",
            error="Nhập 1 (có) hoặc 0 (không). / Enter 1 (yes) or 0 (no).",
            **common,
        )
    return DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        error=(
            "Ô này chỉ nhận số nguyên không âm (0, 1, 2, …), không nhập chữ hay số thập phân. "
            "/ Whole numbers ≥ 0 only."
        ),
        **common,
    )


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.password = SHEET_PASSWORD
    # people may widen columns to read long labels; that cannot break the mapping
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _write_data_sheet(
    ws: Worksheet,
    meta: WorkbookMeta,
    plan: Plan,
    values: Mapping[tuple[str, str], float | None],
    value_types: Mapping[str, str],
) -> None:
    bold = Font(name=FONT, bold=True, size=12)
    plain = Font(name=FONT, size=12)
    last = get_column_letter(plan.max_col)
    ws["A1"] = nfc(f"Biểu {meta.form_code} (phiên bản {meta.form_version})")
    ws["A2"] = nfc(meta.form_name.upper())
    due = f"   Hạn nộp: {format_date(meta.due)}" if meta.due else ""
    ws["A3"] = nfc(f"Đơn vị: {meta.unit_name} (mã {meta.unit_code})   Kỳ: {meta.period}{due}")
    ws["A4"] = (
        "Ô nền vàng: nhập số liệu. Ô nền xám: dòng tổng, hệ thống tự tính. "
        f"Xem trang “{INSTRUCTIONS_SHEET}”."
    )
    for r, font in ((1, bold), (2, bold), (3, plain), (4, Font(name=FONT, italic=True))):
        ws.merge_cells(f"A{r}:{last}{r}")
        ws[f"A{r}"].font = font
    ws["A2"].alignment = Alignment(horizontal="center")

    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for sec in plan.sections:
        title = ws.cell(sec.title_row, CODE_COL, nfc(f"{sec.code}. {sec.title}"))
        title.font = bold
        ws.merge_cells(
            start_row=sec.title_row, start_column=1, end_row=sec.title_row, end_column=plan.max_col
        )
        headers = ["Mã số", "Nội dung", *sec.columns]
        for j, text in enumerate(headers, start=1):
            c = ws.cell(sec.header_row, j, nfc(text))
            c.font, c.alignment, c.border, c.fill = bold, center, BOX, HEADER_FILL
        for row, code, label, is_total in sec.rows:
            a = ws.cell(row, CODE_COL, code)
            a.alignment, a.border, a.font = Alignment(horizontal="center"), BOX, plain
            a.number_format = "@"  # "01" stays "01"
            b = ws.cell(row, LABEL_COL, nfc(label))
            b.border, b.alignment = BOX, Alignment(wrap_text=True, vertical="center")
            b.font = bold if is_total else plain

    validations: dict[str, DataValidation] = {}
    for pc in plan.cells:
        vtype = value_types.get(pc.element, "count")
        c = ws.cell(pc.row, pc.col)
        c.border = BOX
        c.number_format = NUMBER_FORMATS.get(vtype, "#,##0")
        value = values.get((pc.element, pc.combo))
        if value is not None and vtype in {"count", "boolean"} and float(value).is_integer():
            value = int(value)
        if pc.kind == "total":
            parts = plan.sums.get(pc.coord) or []
            c.value = sum_formula(parts) if parts else value
            c.fill, c.protection, c.font = TOTAL_FILL, LOCKED, bold
            continue
        c.value = value
        c.fill, c.protection, c.font = INPUT_FILL, UNLOCKED, plain
        if vtype not in validations:
            validations[vtype] = _validation(vtype)
            ws.add_data_validation(validations[vtype])
        validations[vtype].add(pc.coord)

    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 46
    for col in range(FIRST_VALUE_COL, plan.max_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 14
    ws.freeze_panes = ws.cell(5, FIRST_VALUE_COL)  # title block and labels stay in view
    ws.page_setup.orientation = "landscape" if plan.max_col > 5 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _protect(ws)


def _instructions(ws: Worksheet, meta: WorkbookMeta, plan: Plan) -> None:
    status = STATUS_VI.get(meta.status, meta.status)
    lines: list[tuple[str, str]] = [
        ("title", f"HƯỚNG DẪN NHẬP BIỂU {meta.form_code}"),
        ("bold", meta.form_name),
        ("", ""),
        ("", f"Đơn vị báo cáo: {meta.unit_name} (mã {meta.unit_code})"),
        ("", f"Kỳ báo cáo: {meta.period}   Đợt báo cáo số: {meta.round_id}"),
        ("", f"Hạn nộp: {format_date(meta.due) or 'theo thông báo'}   Trạng thái: {status}"),
        ("", f"Phiên bản biểu: {meta.form_version}"),
        ("", ""),
        ("bold", "Cách nhập"),
        ("", f"1. Nhập số liệu vào các ô nền vàng trên trang “{plan.sheet}”."),
        ("", "2. Ô nền xám là dòng tổng: hệ thống tự cộng từ các dòng chi tiết, không cần nhập."),
        (
            "",
            "3. Chỉ nhập số nguyên không âm (0, 1, 2, …); không nhập chữ, công thức hay số "
            "thập phân. Nên gõ số không có dấu phân cách (ví dụ 1234).",
        ),
        (
            "",
            "4. Nhập 0 nếu số liệu bằng không. Để trống nếu chưa có số liệu; xoá số trong "
            "một ô đã có số liệu nghĩa là xoá số liệu đó khi tải lên.",
        ),
        (
            "",
            "5. Không thêm, xoá, đổi tên trang; không chèn, xoá dòng hoặc cột; không sửa mã số "
            "và tên chỉ tiêu. Cấu trúc tệp đã được khoá.",
        ),
        (
            "",
            "6. Lưu tệp dạng Excel Workbook (.xlsx), không đặt mật khẩu, rồi tải lên tại "
            "mục Nộp báo cáo. Có thể tải lên nhiều lần trước hạn; lần sau thay lần trước.",
        ),
        (
            "",
            "7. Tệp này chỉ dùng cho đơn vị, kỳ và đợt báo cáo ghi ở trên. Tệp của đơn vị "
            "hoặc đợt khác sẽ bị từ chối, kể cả khi đã sửa thông tin trong tệp.",
        ),
        ("", ""),
        ("bold", "Hệ thống kiểm tra khi tải lên"),
        (
            "",
            "• Đúng biểu, đúng phiên bản, đúng kỳ, đúng đợt và đúng đơn vị; tệp không bị sửa "
            "thông tin nhận dạng; cấu trúc biểu không bị thay đổi.",
        ),
        (
            "",
            "• Mỗi ô là số nguyên không âm; ô có công thức, chữ, ngày tháng, số thập phân "
            "hoặc số âm bị báo lỗi kèm tên trang và địa chỉ ô (ví dụ Biểu 02!F17).",
        ),
        ("", "• Số lớn bất thường được cảnh báo để kiểm tra lại."),
        ("", "• Các quy tắc logic của biểu, ví dụ số học sinh nữ không lớn hơn tổng số."),
        (
            "",
            "Lỗi phải sửa rồi tải lên lại; cảnh báo có thể giải trình. Khi có lỗi, không số "
            "liệu nào của tệp được lưu.",
        ),
    ]
    for i, (style, text) in enumerate(lines, start=1):
        c = ws.cell(i, 1, nfc(text))
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if style == "title":
            c.font = Font(name=FONT, bold=True, size=14)
        else:
            c.font = Font(name=FONT, size=12, bold=style == "bold")
    ws.column_dimensions["A"].width = 110
    _protect(ws)


def _explanations(ws: Worksheet, explanations: Mapping[str, str]) -> None:
    ws["A1"] = "GIẢI TRÌNH CÁC CẢNH BÁO"
    ws["A1"].font = Font(name=FONT, bold=True, size=13)
    ws["A2"] = "Ghi nội dung giải trình vào cột B; không sửa mã cảnh báo ở cột A."
    for j, text in enumerate(("Mã cảnh báo", "Nội dung giải trình"), start=1):
        c = ws.cell(4, j, text)
        c.font, c.fill, c.border = Font(name=FONT, bold=True), HEADER_FILL, BOX
    for i, (code, text) in enumerate(sorted(explanations.items()), start=5):
        ws.cell(i, 1, code).border = BOX
        c = ws.cell(i, 2, nfc(text or ""))
        c.protection, c.fill, c.border = UNLOCKED, INPUT_FILL, BOX
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 90
    _protect(ws)


def build_workbook(
    meta: WorkbookMeta,
    layout: dict,
    values: Mapping[tuple[str, str], float | None],
    explanations: Mapping[str, str] | None = None,
    *,
    hmac_key: bytes | str,
    value_types: Mapping[str, str] | None = None,
) -> bytes:
    """The .xlsx template for one unit and round, pre-filled with `values`.

    `values` maps (element, combo) to the stored figure; totals in it are ignored where the
    sheet has a SUM formula. `value_types` maps element -> count/percent/money/boolean
    (default count) and picks the cell's validation and number format. `hmac_key` signs
    _meta; the same key must be given to `read_upload`.
    """
    value_types = value_types or {}
    if isinstance(hmac_key, str):  # a settings value passed as text signs the same
        hmac_key = hmac_key.encode("utf-8")
    plan = plan_layout(meta.form_code, layout)
    wb = Workbook()
    guide = wb.active
    guide.title = INSTRUCTIONS_SHEET
    _instructions(guide, meta, plan)
    _write_data_sheet(wb.create_sheet(plan.sheet), meta, plan, values, value_types)
    if explanations:
        _explanations(wb.create_sheet(EXPLANATIONS_SHEET), explanations)

    rows = plan.map_rows()
    ws_map = wb.create_sheet(MAP_SHEET)
    ws_map.append(list(MAP_HEADER))
    for r in rows:
        ws_map.append(list(r))
    signed = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "form_code": meta.form_code,
        "form_version": str(meta.form_version),
        "round_id": str(meta.round_id),
        "period": meta.period,
        "unit_code": str(meta.unit_code),
        "sheet": plan.sheet,
        "map_digest": map_digest(rows),
    }
    ws_meta = wb.create_sheet(META_SHEET)
    for key, value in [
        *signed.items(),
        ("form_name", meta.form_name),
        ("unit_name", meta.unit_name),
        ("due", format_date(meta.due)),
        ("status", meta.status),
        ("hmac", sign(signed, hmac_key)),
        *base_rows(meta.base),
    ]:
        ws_meta.append([key, nfc(str(value))])
    for ws in (ws_map, ws_meta):
        ws.sheet_state = "hidden"
        _protect(ws)
        for col in ws.iter_cols(min_col=1, max_col=1):
            for c in col:
                c.number_format = "@"

    # structure lock: no unhiding, renaming, adding or deleting sheets
    wb.security = WorkbookProtection(workbookPassword=SHEET_PASSWORD, lockStructure=True)
    wb.properties.creator = "Tongket"
    wb.properties.title = nfc(f"{meta.form_code} {meta.period} {meta.unit_code}")
    wb.active = 0
    # the SUM formulas of total rows are the only formulas; any text is text (see core.xlsx)
    seal(wb, keep={(plan.sheet, coord) for coord, parts in plan.sums.items() if parts})
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

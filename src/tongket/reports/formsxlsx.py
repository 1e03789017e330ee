"""The official statistical forms (01-04.ĐN and CN, TT 25/2024) filled for a unit and period.

One sheet per form, laid out like the paper form from the catalog's Form.layout (sections,
row codes and labels, the layout's columns), each layout column split into Tổng số / Công lập /
Tư thục by School.ownership. Every cell is the sum of the stored (counted) values of the
unit's schools as of the form's round date; totals are stored values too (the forms' computed
rows), so nothing here adds rows up.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from tongket.catalog.models import Form
from tongket.core.definitions import (
    DASHBOARD_POLICY,
    POLICY_STATEMENTS,
    Policy,
    reference_date,
    round_date,
)
from tongket.core.vntext import format_date
from tongket.core.xlsx import seal
from tongket.reports.figures import ownership_sums
from tongket.units.models import OrgUnit, Ownership

FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
OWNERS = [
    ("", "Tổng số"),
    (Ownership.PUBLIC.value, "Công lập"),
    (Ownership.PRIVATE.value, "Tư thục"),
]
ROUNDS = ("start_of_year", "end_of_year")
LEVEL_ORDER = {"MN": 1, "TH": 2, "THCS": 3, "THPT": 4}


def school_forms() -> list[Form]:
    forms = Form.objects.filter(is_current=True, round__in=ROUNDS)
    return sorted(
        forms,
        key=lambda f: (
            ROUNDS.index(f.round),
            min(LEVEL_ORDER.get(lv, 9) for lv in f.levels or ["-"]),
        ),
    )


def form_values(
    unit: OrgUnit, period: str, form: Form, policy: Policy = DASHBOARD_POLICY
) -> dict[tuple[str, str], dict[str, float]]:
    elements = {e for e, _, _ in form.cells}
    return ownership_sums(unit.pk, reference_date(period), period, elements, policy)


def build_forms_xlsx(
    unit: OrgUnit,
    period: str,
    forms: list[Form] | None = None,
    policy: Policy = DASHBOARD_POLICY,
) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    bold, plain = Font(name=FONT, bold=True, size=12), Font(name=FONT, size=12)
    forms = forms if forms is not None else school_forms()
    for form in forms:
        ws = wb.create_sheet(form.code[:31])
        on = round_date(period, form.round) if form.round in ROUNDS else reference_date(period)
        values = form_values(unit, period, form, policy)
        ws["A1"] = f"Biểu {form.code}"
        ws["A2"] = form.name_vi.upper()
        ws["A3"] = f"Đơn vị: {unit.name} – năm học {period} – số liệu tính đến {format_date(on)}"
        ws["A4"] = POLICY_STATEMENTS[Policy(policy)] + " " + (form.source or "")
        for ref in ("A1", "A2"):
            ws[ref].font = bold
        for ref in ("A3", "A4"):
            ws[ref].font = Font(name=FONT, italic=True, size=11)
        r = 6
        width = 2
        for sec in form.layout.get("sections", []):
            columns = list(sec.get("columns") or [])
            ws.cell(r, 1, f"{sec.get('code', '')}. {sec.get('title', '')}").font = bold
            r += 1
            ws.cell(r, 1, "Mã số").font = bold
            ws.cell(r, 2, "Chỉ tiêu").font = bold
            ws.cell(r + 1, 1).border = ws.cell(r + 1, 2).border = _BOX
            c = 3
            for col in columns:
                ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=c + 2)
                ws.cell(r, c, col).font = bold
                ws.cell(r, c).alignment = Alignment(horizontal="center", wrap_text=True)
                for k, (_, label) in enumerate(OWNERS):
                    cell = ws.cell(r + 1, c + k, label)
                    cell.font, cell.border = bold, _BOX
                    cell.alignment = Alignment(horizontal="center")
                    ws.cell(r, c + k).border = _BOX
                c += 3
            for cc in (1, 2):
                ws.cell(r, cc).border = _BOX
            width = max(width, c - 1)
            r += 2
            for row in sec.get("rows", []):
                ws.cell(r, 1, str(row["code"])).font = plain
                label = ws.cell(r, 2, str(row["label"]))
                label.font = bold if row.get("total") else plain
                for cc in (1, 2):
                    ws.cell(r, cc).border = _BOX
                c = 3
                for cell_def in row.get("cells", []):
                    got = values.get((cell_def["element"], cell_def["combo"]))
                    for k, (owner, _) in enumerate(OWNERS):
                        # a known cell with no private school is 0, an unreported one blank
                        cell = ws.cell(r, c + k, got.get(owner, 0.0) if got else None)
                        cell.number_format = "#,##0"
                        cell.font, cell.border = (bold if row.get("total") else plain), _BOX
                    c += 3
                r += 1
            r += 1
        ws.column_dimensions["A"].width = 8
        ws.column_dimensions["B"].width = 42
        for c in range(3, width + 1):
            ws.column_dimensions[get_column_letter(c)].width = 11
        ws.freeze_panes = "C6"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if width > 8 else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToHeight = 0
    seal(wb)  # unit, form and source texts stay text, never formulas
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

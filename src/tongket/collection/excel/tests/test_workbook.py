"""The template: layout as on paper, input cells open and validated, the rest locked and signed."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tongket.collection.excel import SHEET_PASSWORD, plan_layout
from tongket.collection.excel.common import data_sheet_name, map_digest, sign, verify

from .helpers import KEY, SHEET, form, template


def _wb(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_sheets_and_their_visibility():
    wb = _wb(template(explanations={"pupils_female_le_total": "Đã kiểm tra"}))
    assert wb.sheetnames == ["Hướng dẫn", SHEET, "Giải trình", "_map", "_meta"]
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}
    assert states["_map"] == states["_meta"] == "hidden"
    assert states["Hướng dẫn"] == states[SHEET] == "visible"
    assert wb.security.lockStructure
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
    assert "HƯỚNG DẪN" in wb["Hướng dẫn"]["A1"].value
    text = " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"] if c.value)
    assert "Không thêm, xoá, đổi tên trang" in text and "Hệ thống kiểm tra" in text


def test_data_sheet_is_laid_out_as_on_paper():
    plan = plan_layout(form().code, form().layout)
    ws = _wb(template())[SHEET]
    sec = next(s for s in plan.sections if s.code == "III")
    assert ws.cell(sec.title_row, 1).value == "III. Học sinh"
    assert [ws.cell(sec.header_row, j).value for j in range(1, 7)] == [
        "Mã số", "Nội dung", "Tổng số", "Nữ", "Dân tộc thiểu số", "Khuyết tật",
    ]  # fmt: skip
    first_row = sec.rows[0][0]
    assert ws.cell(first_row, 1).value == "30" and ws.cell(first_row + 3, 2).value == "Lớp 3"
    assert ws.freeze_panes == "C5"
    assert ws.column_dimensions["B"].width > 30
    assert "79001" in ws["A3"].value and "05/10/2024" in ws["A3"].value


def test_input_cells_unlocked_validated_and_prefilled_totals_are_locked_formulas():
    values = {("pupils", "grade=3;level=TH;sex=f"): 312.0, ("pupils", "level=TH"): 999.0}
    data = template(values)
    wb = _wb(data)
    ws = wb[SHEET]
    plan = plan_layout(form().code, form().layout)
    cells = plan.by_key()
    girls3 = cells[("pupils", "grade=3;level=TH;sex=f")]
    assert ws[girls3.coord].value == 312 and isinstance(ws[girls3.coord].value, int)
    assert ws[girls3.coord].protection.locked is False
    assert ws[girls3.coord].number_format == "#,##0"
    total = cells[("pupils", "level=TH")]
    assert total.kind == "total"
    assert ws[total.coord].value.startswith("=SUM(") and ws[total.coord].protection.locked
    assert plan.sums[total.coord] == [
        cells[("pupils", f"grade={g};level=TH")].coord for g in "12345"
    ]
    # every input cell carries a validation: a whole number >= 0 with a Vietnamese message
    covered = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                for c in row:
                    covered[c.coordinate] = dv
    inputs = [c for c in plan.cells if c.kind == "input"]
    for pc in inputs:
        dv = covered[pc.coord]
        assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
        assert "số nguyên không âm" in dv.error and dv.showErrorMessage
    assert not any(c.coord in covered for c in plan.cells if c.kind == "total")
    assert ws.cell(1, 1).protection.locked  # labels and codes stay locked


def test_map_and_meta_are_signed():
    wb = _wb(template())
    plan = plan_layout(form().code, form().layout)
    rows = [tuple(c.value or "" for c in r) for r in wb["_map"].iter_rows(min_row=2)]
    assert rows == plan.map_rows()
    assert rows[0][0] == SHEET and len({r[1] for r in rows}) == len(rows)
    meta = {r[0].value: r[1].value for r in wb["_meta"].iter_rows()}
    assert meta["form_code"] == "02.ĐN-TH" and meta["unit_code"] == "79001"
    assert meta["round_id"] == "12" and meta["period"] == "2024-2025"
    assert meta["map_digest"] == map_digest(rows)
    assert verify(meta, KEY) and not verify(meta, b"another key")
    assert verify({**meta, "unit_name": "renamed"}, KEY)  # display fields are not signed
    assert not verify({**meta, "unit_code": "79002"}, KEY)
    assert meta["hmac"] == sign(meta, KEY)


def test_password_is_the_module_constant():
    from openpyxl.workbook.protection import hash_password

    wb = _wb(template())
    assert wb[SHEET].protection.password == hash_password(SHEET_PASSWORD)


def test_sheet_names_from_form_codes():
    assert data_sheet_name("02.ĐN-TH") == "Biểu 02"
    assert data_sheet_name("SK-HK1") == "Biểu SK-HK1"
    assert data_sheet_name("A/B:C") == "Biểu A-B-C"


def test_every_shipped_form_builds():
    from tongket.catalog.packs import check_pack
    from tongket.collection.excel import WorkbookMeta, build_workbook

    from .helpers import PACK

    for f in check_pack(PACK).forms.values():
        m = WorkbookMeta(f.code, f.version, f.name_vi, 1, "2024-2025", "1", "X")
        wb = _wb(build_workbook(m, f.layout, {}, hmac_key=KEY))
        assert data_sheet_name(f.code) in wb.sheetnames

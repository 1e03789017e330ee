"""The annex workbook: one sheet per table, numeric cells, bold headers, frozen panes."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tongket.reports.docgen.annex_xlsx import HEADER_ROW, build_xlsx, sheet_name


def test_workbook_structure(report):
    wb = load_workbook(io.BytesIO(build_xlsx(report)))
    assert wb.sheetnames == ["Chỉ tiêu", "Phụ lục 1", "Phụ lục 2"]
    for annex in report.annexes:
        ws = wb[annex.code]
        headers = [c.value for c in ws[HEADER_ROW]]
        assert headers == ["STT"] + [c.header for c in annex.columns]
        assert all(c.font.bold for c in ws[HEADER_ROW])
        assert ws.freeze_panes == f"C{HEADER_ROW + 1}"
        n = len(annex.rows) + (1 if annex.total_row else 0)
        assert ws.max_row >= HEADER_ROW + n
        # values stay numeric and equal to the inputs
        first = [c.value for c in ws[HEADER_ROW + 1]]
        assert first == [1, *(None if v == "" else v for v in annex.rows[0])]
        for j, col in enumerate(annex.columns, 2):
            cell = ws.cell(HEADER_ROW + 1, j)
            if col.kind == "count":
                assert cell.number_format == "#,##0" and isinstance(cell.value, int)
            if col.kind == "percent":
                assert cell.number_format == "#,##0.0"
        assert ws.column_dimensions["B"].width >= 8
    ws = wb["Phụ lục 1"]
    total = [c.value for c in ws[HEADER_ROW + len(report.annexes[0].rows) + 1]]
    assert total[1] == "Tổng cộng" and ws.cell(ws.max_row - 2, 2).font.bold is not None


def test_indicator_sheet_matches_report(report):
    ws = load_workbook(io.BytesIO(build_xlsx(report)))["Chỉ tiêu"]
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert len(rows) == len(report.indicators)
    by_name = {r[1]: r for r in rows}
    r = by_name["Tỷ lệ huy động trẻ 3-5 tuổi đến trường"]
    assert r[3] == 50.5 and r[6] == 51.6 and r[8] == "Vượt" and r[9] == 49.3
    money = by_name["Tổng chi ngân sách cho giáo dục"]
    assert money[2] == "tỷ đồng" and money[6] == 2532.4


def test_sheet_names_are_valid_and_unique():
    used: set[str] = set()
    a = sheet_name("Phụ lục 1: trường/xã [2025]", used)
    b = sheet_name("Phụ lục 1: trường/xã [2025]", used)
    assert len(a) <= 31 and len(b) <= 31 and a != b
    assert not any(ch in a for ch in "[]:*?/\\")

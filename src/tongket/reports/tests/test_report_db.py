"""The demo province's review reports: three kinds for each school year, NĐ 30 layout, every
printed figure traced to the database, drafts kept across regenerations."""

from __future__ import annotations

import docx
import pytest

from tongket.analytics import service
from tongket.collection.models import DataValue
from tongket.core.testing.demo import a_commune
from tongket.reports import actions
from tongket.reports.builder import build_report
from tongket.reports.docgen import ReportKind, render_docx
from tongket.reports.docgen.tests import test_layout as layout

from .trace_check import check_traceability

YEARS = ["2023-2024", "2024-2025", "2025-2026"]
KINDS = [ReportKind.TONG_KET, ReportKind.SO_KET, ReportKind.GIAO_BAN]


def _render(built, tmp_path, name="r.docx"):
    rendered = render_docx(built.report)
    path = tmp_path / name
    path.write_bytes(rendered.data)
    return rendered, path


@pytest.mark.parametrize("year", YEARS)
def test_three_kinds_generate_with_layout_and_traceability(province, year, tmp_path):
    for kind in KINDS:
        built = build_report(province, year, kind, charts=kind is ReportKind.TONG_KET)
        rendered, path = _render(built, tmp_path, f"{kind.value}.docx")
        report = built.report
        assert report.indicators, (year, kind)
        # NĐ 30 layout rules, the docgen suite's own assertions
        layout.test_page_a4_portrait_and_margins(path)
        layout.test_font_times_new_roman_14_with_east_asian(path)
        layout.test_page_numbers_from_page_two(path)
        d = docx.Document(str(path))
        left = [p.text for p in d.tables[0].cell(0, 0).paragraphs if p.text]
        assert left == ["UBND TỈNH ĐIỆN BIÊN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"]
        assert d.tables[0].cell(1, 0).paragraphs[0].text.strip().endswith("/BC-SGDĐT")
        assert d.tables[0].cell(1, 1).paragraphs[0].text.startswith("Điện Biên, ngày ")
        texts = [p.text for p in d.paragraphs]
        assert "BÁO CÁO" in texts and texts[texts.index("BÁO CÁO") + 1] == report.summary
        assert any(t.startswith("Trên đây là báo cáo") and t.endswith("./.") for t in texts)
        if kind is ReportKind.TONG_KET:
            layout.test_annex_header_repeats(path)
            layout.test_wide_annex_goes_landscape(path)
            layout.test_charts_embedded_as_png(path, report)
            assert "III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM HỌC " + year[:4] in " ".join(texts) or any(
                t.startswith("III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM HỌC") for t in texts
            )
        if kind is ReportKind.SO_KET:
            assert any(i.key.startswith("rp_hk1") for i in report.indicators)
            assert any("SK-HK1" in t for t in report.intro)  # says where figures come from
        if kind is ReportKind.GIAO_BAN:
            assert len(report.indicators) <= 8 and len(report.annexes) <= 1
        by_kind = check_traceability(built, rendered, path)
        assert by_kind["data"] > 20, (year, kind, by_kind)


def test_province_report_contents_and_sources(province, tmp_path):
    built = build_report(province, "2024-2025", ReportKind.TONG_KET, charts=False)
    r = built.report
    keys = {i.key for i in r.indicators}
    assert {
        "mobilisation_mn_5",
        "national_standard_rate",
        "dropout_rate",
        "pupils_per_class",
        "teachers_per_class",
        "rp_th_htt",
    } <= keys
    std = next(i for i in r.indicators if i.key == "national_standard_rate")
    assert std.numerator and std.denominator and std.target is not None
    assert "Nghị quyết" in std.target.source_document
    assert r.annexes and all(a.total_row for a in r.annexes)
    assert r.reporting and any(s.late for s in r.reporting)  # the demo's late schools
    assert r.staffing and r.outliers  # the demo's outlier school and jump
    # the register: accreditation in the text; the national-standard rate once, as an indicator
    assert any("kiểm định" in t for t in r.results_text)
    assert not any("chuẩn quốc gia" in t for t in r.results_text)
    assert r.next_targets  # 2025-2026 targets of the demo
    # the engine's province total equals a plain sum of the stored values
    counted = DataValue.objects.filter(
        period="2024-2025",
        element__code="pupils",
        combo__in=["level=TH", "level=THCS", "level=THPT"],
    ).exclude(submission__status__in=["draft", "returned"])
    total = next(i for i in r.indicators if i.key == "total_pupils").value
    assert total == sum(v.value for v in counted)
    # today's tree: the province's children are the current communes
    current = build_report(province, "2024-2025", ReportKind.TONG_KET, "current", charts=False)
    assert current.report.annexes[0].columns[0].header == "Xã, phường"
    assert r.annexes[0].columns[0].header == "Huyện, thị xã"


def test_commune_report_uses_phong_van_hoa_and_switches_tree(province, tmp_path):
    commune = a_commune(province)
    built = build_report(commune, "2024-2025", ReportKind.TONG_KET, charts=False)
    body = built.report.issuing_body
    assert body.parent == f"UBND {commune.name.upper()}"
    assert body.name == "PHÒNG VĂN HÓA - XÃ HỘI" and built.report.symbol == "BC-VHXH"
    assert built.mode == "current" and built.notes  # the new commune did not exist in 2024
    rendered, path = _render(built, tmp_path)
    check_traceability(built, rendered, path)


def test_draft_survives_regeneration(province, tmp_path):
    data = {
        "intro": "Năm học vừa qua, toàn ngành đã nỗ lực vượt khó.",
        "causes": "Địa bàn rộng, dân cư phân tán.",
        "tasks": "Tiếp tục đổi mới phương pháp dạy học.\nTăng cường kiểm tra, giám sát.",
        "proposals": "Đối với Bộ Giáo dục và Đào tạo:\nBổ sung biên chế giáo viên.",
        "sign_name": "Nguyễn Văn An",
        "number": "125",
        "recipients": "Bộ GD&ĐT (để b/c)\nUBND tỉnh (để b/c)",
    }
    actions.save_draft(None, province, "2024-2025", "tong-ket", data)
    first = actions.generate(province, "2024-2025", "tong-ket", charts=False)
    # a school corrects a figure; the engine picks it up; the report is regenerated
    # (an approved report: the report to sign counts approved reports only)
    school = DataValue.objects.filter(
        period="2024-2025",
        element__code="pupils",
        combo="level=TH",
        submission__status="approved",
    ).first()
    DataValue.objects.filter(pk=school.pk).update(value=school.value + 1000)
    service.on_values_changed(None, school.unit_id, "2024-2025")
    try:
        second = actions.generate(province, "2024-2025", "tong-ket", charts=False)
    finally:
        DataValue.objects.filter(pk=school.pk).update(value=school.value)
        service.on_values_changed(None, school.unit_id, "2024-2025")
    t1 = next(i for i in first.built.report.indicators if i.key == "total_pupils").value
    t2 = next(i for i in second.built.report.indicators if i.key == "total_pupils").value
    assert t2 == t1 + 1000
    for files in (first, second):
        path = tmp_path / "d.docx"
        path.write_bytes(files.docx)
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        cells = "\n".join(
            c.text for t in docx.Document(str(path)).tables for row in t.rows for c in row.cells
        )
        assert data["intro"] in text and data["causes"] in text
        assert "Tăng cường kiểm tra, giám sát." in text
        assert "Đối với Bộ Giáo dục và Đào tạo" in text and "Bổ sung biên chế giáo viên." in text
        assert "Nguyễn Văn An" in cells and "Số: 125/BC-SGDĐT" in cells
    draft = actions.get_draft(province, "2024-2025", "tong-ket")
    assert draft.intro == data["intro"] and draft.sign_name == "Nguyễn Văn An"

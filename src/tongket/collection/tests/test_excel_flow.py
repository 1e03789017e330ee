"""Excel through the app: download, fill, dry run, confirm, duplicates, scope, zips."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from tongket.collection import uploads
from tongket.collection.excel import plan_layout
from tongket.collection.models import DataValue, Submission, ValueAudit
from tongket.collection.tests.factories import open_th_round
from tongket.core.testing.factories import commune, make_school

pytestmark = pytest.mark.django_db


def _fill(rnd, data: bytes, values: dict) -> bytes:
    """Type figures into the downloaded workbook as a person would."""
    plan = plan_layout(rnd.form.code, rnd.form.layout)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[plan.sheet]
    for pc in plan.cells:
        key = (pc.element, pc.combo)
        if key in values and pc.kind == "input":
            ws.cell(row=pc.row, column=pc.col).value = values[key]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _good():
    v = {("pupils", f"grade={g};level=TH"): 30 for g in range(1, 6)}
    v |= {("classes", f"grade={g};level=TH"): 1 for g in range(1, 6)}
    return v


def test_download_fill_dry_run_then_confirm(client):
    rnd, school, officer, staff = open_th_round()
    client.force_login(staff)
    resp = client.get(f"/collection/rounds/{rnd.pk}/units/{school.pk}/excel/")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxml")
    filled = _fill(rnd, resp.content, _good() | {("pupils", "grade=2;level=TH;sex=f"): 40})
    page = client.post(
        f"/collection/rounds/{rnd.pk}/upload/",
        {"file": io.BytesIO(filled), "unit": school.pk},
        format="multipart",
    ).content.decode()
    assert "Số học sinh nữ lớn hơn tổng số học sinh" in page and "sẽ không được lưu" in page
    assert "Biểu 02!" in page  # the broken rule is located by sheet and cell
    assert not DataValue.objects.filter(unit=school).exists()  # a dry run writes nothing
    filled = _fill(rnd, resp.content, _good())
    f = io.BytesIO(filled)
    f.name = "bieu02.xlsx"
    page = client.post(
        f"/collection/rounds/{rnd.pk}/upload/", {"file": f, "unit": school.pk}
    ).content.decode()
    assert "Không có lỗi" in page and not DataValue.objects.filter(unit=school).exists()
    from tongket.collection.models import PendingUpload

    pending = PendingUpload.objects.get(user=staff)
    page = client.post(f"/collection/uploads/{pending.pk}/confirm/").content.decode()
    assert "Đã lưu" in page
    assert DataValue.objects.get(unit=school, element__code="pupils", combo="level=TH").value == 150
    assert ValueAudit.objects.filter(unit=school, channel="excel").exists()


def test_same_file_twice_changes_nothing(client):
    rnd, school, officer, staff = open_th_round()
    name, data = uploads.workbook_for(staff, rnd, school.pk)
    filled = _fill(rnd, data, _good())
    first = uploads.commit(staff, rnd, filled, name, school.pk)
    assert first.applied
    version = Submission.objects.get(round=rnd, unit=school).version
    again = uploads.commit(staff, rnd, filled, name, school.pk)
    assert again.duplicate and not again.applied
    assert Submission.objects.get(round=rnd, unit=school).version == version


def test_workbook_of_another_school_is_refused(client):
    rnd, school, officer, staff = open_th_round()
    other = make_school(commune("03127"), levels=("TH",)).unit
    _, other_data = uploads.workbook_for(officer, rnd, other.pk)
    crafted = _fill(rnd, other_data, _good())
    out = uploads.commit(staff, rnd, crafted, "x.xlsx", school.pk)
    assert not out.applied and any(p.is_error for p in out.problems)
    out = uploads.commit(staff, rnd, crafted, "x.xlsx", None)  # no expected unit: scope decides
    assert not out.applied and "không có quyền" in " ".join(p.message_vi for p in out.problems)
    assert not DataValue.objects.filter(unit=other).exists()


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        (b"not a spreadsheet at all", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "mật khẩu"),
    ],
)
def test_broken_files_get_a_clear_message(payload, needle):
    rnd, school, officer, staff = open_th_round()
    out = uploads.preview(staff, rnd, payload, "bad.xlsx", school.pk)
    assert out.problems and needle in " ".join(p.message_vi for p in out.problems)


def test_office_zip_gives_a_result_per_file(client):
    rnd, school, officer, staff = open_th_round()
    second = make_school(commune("03127"), levels=("TH",)).unit
    files = {}
    for unit in (school, second):
        name, data = uploads.workbook_for(officer, rnd, unit.pk)
        files[name] = _fill(rnd, data, _good())
    files["ghi-chu.txt"] = b"hello"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    outcomes = uploads.batch(officer, rnd, buf.getvalue(), apply=True)
    applied = [o for o in outcomes if o.applied]
    assert len(applied) == 2
    assert DataValue.objects.filter(unit=second, element__code="pupils", combo="level=TH").exists()


def test_zip_bomb_is_refused_before_unpacking():
    rnd, school, officer, staff = open_th_round()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.xlsx", b"\0" * (300 * 1024 * 1024))
    outcomes = uploads.batch(officer, rnd, buf.getvalue(), apply=True)
    assert outcomes and not any(o.applied for o in outcomes)
    assert any(p.is_error for o in outcomes for p in o.problems)


def test_naming_another_units_id_tells_nothing_about_it():
    """An upload for a unit id that is not the user's, or that does not exist: one message,
    and never the other unit's code."""
    rnd, school, officer, staff = open_th_round()
    other = make_school(commune("03127"), levels=("TH",)).unit
    _, data = uploads.workbook_for(staff, rnd, school.pk)
    answers = []
    for unit_id in (other.pk, 987654321):
        out = uploads.preview(staff, rnd, data, "x.xlsx", unit_id)
        text = " ".join(p.message_vi for p in out.problems)
        assert other.code not in text and [p.code for p in out.problems] == ["scope"]
        answers.append(text)
    assert answers[0] == answers[1]

"""The web flow with Django's client: fill, see errors inline, submit, review; scope on every page."""

from __future__ import annotations

import pytest

from tongket.collection import actions
from tongket.collection.models import DataValue, Submission
from tongket.collection.tests.factories import open_th_round
from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user

pytestmark = pytest.mark.django_db


def _post_data(rnd, values: dict, version: int, action: str = "save") -> dict:
    data = {"version": str(version), "action": action}
    for i, (element, combo, computed) in enumerate(rnd.form.cells):
        if not computed and (element, combo) in values:
            data[f"c{i}"] = str(values[(element, combo)])
    return data


def _version(rnd, unit) -> int:
    sub = Submission.objects.filter(round=rnd, unit=unit).first()
    return sub.version if sub else 0  # the page posts 0 until a draft exists


def test_school_sees_due_form_fills_it_and_submits(client):
    rnd, school, officer, staff = open_th_round()
    client.force_login(staff)
    assert rnd.form.code in client.get("/collection/").content.decode()
    url = f"/collection/rounds/{rnd.pk}/units/{school.pk}/"
    page = client.get(url).content.decode()
    assert "Tổng số học sinh" in page and 'inputmode="numeric"' in page
    values = {("pupils", f"grade={g};level=TH"): 30 for g in range(1, 6)}
    values |= {("classes", f"grade={g};level=TH"): 1 for g in range(1, 6)}
    values[("pupils", "grade=2;level=TH;sex=f")] = 40  # more girls than pupils
    resp = client.post(url, _post_data(rnd, values, _version(rnd, school)), follow=True)
    page = resp.content.decode()
    sub = Submission.objects.get(round=rnd, unit=school)
    assert "Số học sinh nữ lớn hơn tổng số học sinh" in page  # shown inline
    sub.refresh_from_db()
    values[("pupils", "grade=2;level=TH;sex=f")] = 14
    resp = client.post(url, _post_data(rnd, values, sub.version, "submit"), follow=True)
    assert "Đã nộp báo cáo" in resp.content.decode()
    sub.refresh_from_db()
    assert sub.status == "submitted"


def test_text_in_a_count_cell_is_reported_where_and_what(client):
    rnd, school, officer, staff = open_th_round()
    client.force_login(staff)
    url = f"/collection/rounds/{rnd.pk}/units/{school.pk}/"
    page = client.post(
        url, _post_data(rnd, {("pupils", "grade=1;level=TH"): "ba mươi"}, 0), follow=True
    ).content.decode()
    assert "không phải là số" in page and "ba mươi" in page
    assert not DataValue.objects.filter(unit=school).exists()


def test_stale_version_tells_the_second_editor(client):
    rnd, school, officer, staff = open_th_round()
    client.force_login(staff)
    url = f"/collection/rounds/{rnd.pk}/units/{school.pk}/"
    client.post(url, _post_data(rnd, {("pupils", "grade=1;level=TH"): 10}, 0))
    page = client.post(
        url, _post_data(rnd, {("pupils", "grade=1;level=TH"): 99}, 0), follow=True
    ).content.decode()
    assert "người khác sửa" in page
    assert (
        DataValue.objects.get(unit=school, element__code="pupils", combo="grade=1;level=TH").value
        == 10
    )


def test_crafted_post_to_another_school_is_refused(client):
    rnd, school, officer, staff = open_th_round()
    other = make_school(commune("03127"), levels=("TH",)).unit
    client.force_login(staff)
    url = f"/collection/rounds/{rnd.pk}/units/{other.pk}/"
    assert client.get(url).status_code == 403
    resp = client.post(url, {"version": "0", "c0": "5", "action": "save"})
    assert resp.status_code == 403
    assert not DataValue.objects.filter(unit=other).exists()


def test_school_cannot_review_or_see_audit_of_another_school(client):
    rnd, school, officer, staff = open_th_round()
    other = make_school(commune("03127"), levels=("TH",)).unit
    other_sub = actions.access_submission(officer, rnd, other.pk, write=True)
    client.force_login(staff)
    assert (
        client.post(
            f"/collection/submissions/{other_sub.pk}/review/", {"action": "approve"}
        ).status_code
        == 403
    )
    assert client.get(f"/collection/submissions/{other_sub.pk}/audit/").status_code == 403


def test_officer_returns_with_reason_and_rates_page(client):
    rnd, school, officer, staff = open_th_round()
    sub = actions.access_submission(staff, rnd, school.pk, write=True)
    vals = {("pupils", f"grade={g};level=TH"): 30 for g in range(1, 6)} | {
        ("classes", f"grade={g};level=TH"): 1 for g in range(1, 6)
    }
    sub = actions.do_save_values(staff, sub, vals, expected_version=sub.version)
    actions.do_submit(staff, sub, expected_version=sub.version)
    client.force_login(officer)
    page = client.post(
        f"/collection/submissions/{sub.pk}/review/",
        {"action": "return", "reason": "Kiểm tra lại lớp 3"},
        follow=True,
    ).content.decode()
    assert "Đã trả lại" in page and "Kiểm tra lại lớp 3" in page
    rates = client.get(f"/collection/rounds/{rnd.pk}/").content.decode()
    assert "Tình hình nộp báo cáo" in rates and school.name in rates


def test_officer_opens_a_round_from_the_web(client):
    c = commune("03151")
    officer = make_user(Role.COMMUNE, c)
    client.force_login(officer)
    from tongket.catalog.models import Form

    form = Form.objects.get(code="01.ĐN-MN")
    resp = client.post(
        "/collection/rounds/open/", {"form": form.pk, "period": "2026-2027"}, follow=True
    )
    assert "Đã mở đợt 01.ĐN-MN kỳ 2026-2027, hạn 30/10/2026" in resp.content.decode()
    resp = client.post(
        "/collection/rounds/open/", {"form": form.pk, "period": "2026-2027"}, follow=True
    )
    assert "đã được mở" in resp.content.decode()


def test_home_lists_what_is_due_with_its_status(client):
    rnd, school, officer, staff = open_th_round()
    client.force_login(staff)
    page = client.get("/").content.decode()
    assert "Báo cáo cần nộp" in page and rnd.form.code in page and "Chưa nhập" in page

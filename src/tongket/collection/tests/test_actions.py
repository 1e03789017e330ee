"""The collection workflow through its actions: draft, validate, submit, return, approve, lock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tongket.collection import actions, queries
from tongket.collection.errors import CellErrors, CollectionError, ConcurrentEdit
from tongket.collection.models import DataValue, Submission, ValueAudit
from tongket.collection.tests.factories import good_values, open_th_round
from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    rnd, school, officer, staff = open_th_round()
    sub = actions.access_submission(staff, rnd, school.pk, write=True)
    return rnd, school, officer, staff, sub


def test_round_expects_the_schools_of_its_levels(setup):
    rnd, school, *_ = setup
    assert school in actions.expected_units(rnd)
    mn = make_school(commune("03127"), levels=("MN",)).unit
    assert mn not in actions.expected_units(rnd)


def test_unit_expected_agrees_with_the_list_of_expected_units(setup):
    """The one-row check the API asks on every write decides as the full list would, for a
    school of the form's level, another level, a two-level school, a school opened after the
    cut-off, one outside the round's commune, and the commune itself."""
    rnd, school, *_ = setup
    here = commune("03127")
    units = [
        school,
        make_school(here, levels=("MN",)).unit,
        make_school(here, levels=("TH", "THCS")).unit,
        make_school(here, levels=("TH",), opened=rnd.as_of + dt.timedelta(days=30)).unit,
        make_school(commune("03151"), levels=("TH",)).unit,
        here,
    ]
    listed = set(actions.expected_units(rnd).values_list("pk", flat=True))
    decided = {u.pk for u in units if actions.unit_expected(rnd, u.pk)}
    assert decided == listed & {u.pk for u in units}
    assert decided == {units[0].pk, units[2].pk}


def test_save_computes_totals_and_audits_every_change(setup):
    rnd, school, officer, staff, sub = setup
    sub = actions.do_save_values(staff, sub, good_values(), expected_version=sub.version)
    values = actions.current_values(sub)
    assert values[("pupils", "level=TH")] == 150
    assert values[("pupils", "level=TH;sex=f")] == 75
    assert values[("classes", "level=TH")] == 5
    audit = ValueAudit.objects.filter(
        submission=sub, element_code="pupils", combo="grade=1;level=TH"
    ).get()
    assert (audit.old_value, audit.new_value, audit.user, audit.channel) == (None, 30, staff, "web")


def test_bad_cells_are_all_reported_and_nothing_is_saved(setup):
    rnd, school, officer, staff, sub = setup
    bad = {
        ("pupils", "grade=1;level=TH"): "abc",
        ("pupils", "grade=2;level=TH"): "-3",
        ("classes", "grade=1;level=TH"): "1,5",
        ("ghost", ""): 1,
    }
    with pytest.raises(CellErrors) as exc:
        actions.do_save_values(staff, sub, bad, expected_version=sub.version)
    messages = " ".join(p["message_vi"] for p in exc.value.problems)
    assert (
        "không phải là số" in messages and "không được âm" in messages and "số nguyên" in messages
    )
    assert "Lớp 1" in messages or "mã số" in messages
    assert not DataValue.objects.filter(unit=school).exists()


def test_vietnamese_thousands_separator_is_read(setup):
    rnd, school, officer, staff, sub = setup
    sub = actions.do_save_values(
        staff, sub, {("pupils", "grade=1;level=TH"): "1.234"}, expected_version=sub.version
    )
    assert actions.current_values(sub)[("pupils", "grade=1;level=TH")] == 1234


def test_optimistic_lock_refuses_the_second_writer(setup):
    rnd, school, officer, staff, sub = setup
    start = sub.version
    actions.do_save_values(staff, sub, {("pupils", "grade=1;level=TH"): 10}, expected_version=start)
    with pytest.raises(ConcurrentEdit):
        actions.do_save_values(
            staff, sub, {("pupils", "grade=1;level=TH"): 99}, expected_version=start
        )
    assert actions.current_values(sub)[("pupils", "grade=1;level=TH")] == 10


def test_error_blocks_submit_warning_needs_explanation(setup):
    rnd, school, officer, staff, sub = setup
    values = good_values() | {("pupils", "grade=3;level=TH;sex=f"): 31}
    sub = actions.do_save_values(staff, sub, values, expected_version=sub.version)
    with pytest.raises(CollectionError, match="lỗi phải sửa"):
        actions.do_submit(staff, sub, expected_version=sub.version)
    sub = actions.do_save_values(
        staff,
        sub,
        {("pupils", "grade=3;level=TH;sex=f"): 15, ("pupils", "grade=1;level=TH"): 100},
        expected_version=sub.version,
    )
    # 220 pupils in 5 classes averages 44, above the 35-pupil norm: a warning
    with pytest.raises(CollectionError, match="giải trình"):
        actions.do_submit(staff, sub, expected_version=sub.version)
    key = actions.warning_key(
        next(v for v in actions.validate_submission(sub) if v.severity == "warning")
    )
    sub = actions.do_submit(
        staff, sub, expected_version=sub.version, explanations={key: "Lớp ghép tạm thời"}
    )
    assert (
        sub.status == Submission.Status.SUBMITTED and sub.explanations[key] == "Lớp ghép tạm thời"
    )


def test_return_resubmit_approve_bottom_up_and_lock(setup):
    rnd, school, officer, staff, sub = setup
    province_officer = make_user(Role.PROVINCE, rnd.root.parent_links.first().parent)
    rnd.approval_levels = ["commune", "province"]
    rnd.save()
    sub = actions.do_save_values(staff, sub, good_values(), expected_version=sub.version)
    sub = actions.do_submit(staff, sub, expected_version=sub.version)
    with pytest.raises(CollectionError, match="chờ cấp xã"):
        actions.do_approve(province_officer, sub)
    with pytest.raises(CollectionError, match="lý do"):
        actions.do_return(officer, sub, "  ")
    sub = actions.do_return(officer, sub, "Thiếu số liệu giáo viên")
    assert sub.status == "returned" and sub.events.last().reason == "Thiếu số liệu giáo viên"
    sub = actions.do_submit(staff, sub, expected_version=sub.version)
    sub = actions.do_approve(officer, sub)
    assert sub.status == "submitted" and sub.approved_level == "commune"
    sub = actions.do_approve(province_officer, sub)
    assert sub.status == "approved"
    with pytest.raises(CollectionError, match="khoá"):
        actions.do_save_values(
            staff, sub, {("pupils", "grade=1;level=TH"): 1}, expected_version=sub.version
        )
    with pytest.raises(PermissionDenied):
        actions.do_reopen(staff, sub, "sửa")
    # the province approved it: the commune cannot undo that, the province can
    with pytest.raises(PermissionDenied, match="cấp Sở trở lên"):
        actions.do_reopen(officer, sub, "Sai số lớp 2")
    assert Submission.objects.get(pk=sub.pk).status == "approved"
    sub = actions.do_reopen(province_officer, sub, "Sai số lớp 2")
    assert sub.status == "returned"


def test_a_commune_reopens_what_it_approved(setup):
    rnd, school, officer, staff, sub = setup
    rnd.approval_levels = ["commune", "province"]
    rnd.save()
    sub = actions.do_save_values(staff, sub, good_values(), expected_version=sub.version)
    sub = actions.do_submit(staff, sub, expected_version=sub.version)
    sub = actions.do_approve(officer, sub)  # commune level done, waiting for the province
    sub = actions.do_reopen(officer, sub, "Trường xin sửa")
    assert sub.status == "returned"
    # a round approved by the commune alone: the commune re-opens it
    sub = actions.do_submit(staff, sub, expected_version=sub.version)
    rnd.approval_levels = ["commune"]
    rnd.save()
    sub = actions.do_approve(officer, sub)
    assert sub.status == "approved"
    assert actions.do_reopen(officer, sub, "Sửa lớp 3").status == "returned"


def test_school_cannot_touch_another_school(setup):
    rnd, school, officer, staff, sub = setup
    other = make_school(commune("03127"), levels=("TH",)).unit
    with pytest.raises(PermissionDenied):
        actions.access_submission(staff, rnd, other.pk, write=True)
    other_staff = make_user(Role.SCHOOL, other)
    with pytest.raises(PermissionDenied):
        actions.do_save_values(other_staff, sub, good_values(), expected_version=sub.version)


def test_leader_reads_but_never_writes(setup):
    rnd, school, officer, staff, sub = setup
    leader = make_user(Role.LEADER, commune("03127"))
    with pytest.raises(PermissionDenied):
        actions.do_save_values(leader, sub, good_values(), expected_version=sub.version)


def test_closed_round_refuses_submissions_and_changes_need_reasons(setup):
    rnd, school, officer, staff, sub = setup
    with pytest.raises(CollectionError, match="lý do"):
        actions.do_close_round(officer, rnd, "")
    actions.do_close_round(officer, rnd, "Hết hạn")
    sub.refresh_from_db()
    with pytest.raises(CollectionError, match="đã đóng"):
        actions.do_save_values(staff, sub, good_values(), expected_version=sub.version)
    actions.do_reopen_round(officer, rnd, "Gia hạn cho trường vùng khó")
    actions.do_extend_round(officer, rnd, rnd.due + dt.timedelta(days=10), "Mưa lũ")
    assert [e.action for e in rnd.events.all()] == ["open", "close", "reopen", "extend"]


def test_reporting_rates_and_reminders(setup, mailoutbox):
    rnd, school, officer, staff, sub = setup
    staff.email = "truong@example.vn"
    staff.save()
    rates = queries.reporting_rates(rnd)
    assert rates.expected >= 1 and rates.missing >= 1
    assert any(m.unit == school for m in rates.behind)
    sent = actions.do_send_reminders(officer, rnd)
    assert sent >= 1 and "Nhắc nộp báo cáo" in mailoutbox[0].subject
    sub = actions.do_save_values(staff, sub, good_values(), expected_version=sub.version)
    actions.do_submit(staff, sub, expected_version=sub.version)
    after = queries.reporting_rates(rnd)
    assert after.submitted == rates.submitted + 1 and after.on_time == rates.on_time + 1


def test_round_for_wrong_period_kind_is_refused():
    c = commune("03127")
    officer = make_user(Role.COMMUNE, c)
    from tongket.catalog.models import Form

    with pytest.raises(CollectionError, match="kỳ"):
        actions.do_open_round(officer, Form.objects.get(code="02.ĐN-TH"), "2025-Q1", c)
    with pytest.raises(CollectionError):
        actions.do_open_round(officer, Form.objects.get(code="02.ĐN-TH"), "2025-2027", c)

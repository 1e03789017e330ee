"""Roll-ups through the database: exact filters, rates from sums, the 1/7/2025 merge in both
tree modes, which values count, and incremental refresh == full rebuild."""

from __future__ import annotations

import numpy as np
import pytest

from tongket.analytics import service
from tongket.analytics.engine import MODE_AS_OF, MODE_CURRENT
from tongket.collection import actions as ca
from tongket.collection.tests.factories import good_values, open_th_round
from tongket.core import definitions
from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user

from .helpers import merged_commune, put

pytestmark = pytest.mark.django_db
P = "2025-2026"


def test_total_row_is_not_summed_with_the_grade_rows():
    c = commune("03127")
    s = make_school(c).unit
    put(s, P, "pupils", "level=TH", 150)
    for g in range(1, 6):
        put(s, P, "pupils", f"grade={g};level=TH", 30)
    put(c, P, "population", "age_band=a6_10", 200)
    svc = service.get()
    assert svc.value(s.pk, P, "total_pupils").value == 150  # pupils[level=TH|THCS|THPT]
    assert svc.value(c.pk, P, "total_pupils").value == 150
    # mobilisation_th reads the grade rows (grade=1|2|3|4|5;level=TH), not the total
    assert svc.value(c.pk, P, "mobilisation_th").value == pytest.approx(75.0)


def test_a_rate_is_summed_numerators_over_summed_denominators_never_an_average():
    c = commune("03127")
    small, big = make_school(c).unit, make_school(c).unit
    put(small, P, "dropouts", "level=TH", 1)
    put(small, P, "pupils", "level=TH", 10)  # 10 %
    put(big, P, "dropouts", "level=TH", 10)
    put(big, P, "pupils", "level=TH", 1000)  # 1 %
    svc = service.get()
    r = svc.value(c.pk, P, "dropout_th")
    assert (r.numerator, r.denominator) == (11, 1010)
    assert r.value == pytest.approx(100 * 11 / 1010)  # 1,09 %, where averaging says 5,5 %
    assert abs(r.value - 5.5) > 4


def test_merge_across_the_reform_sums_in_todays_tree_and_not_in_the_old_one():
    new, (old1, old2) = merged_commune()
    a, b = make_school(old1).unit, make_school(old2).unit  # schools of the legacy communes
    y = "2024-2025"
    put(a, y, "pupils", "level=TH", 120)
    put(b, y, "pupils", "level=TH", 80)
    put(old1, y, "population", "age_band=a6_10", 150)
    put(old2, y, "population", "age_band=a6_10", 100)
    for g in range(1, 6):
        put(a, y, "pupils", f"grade={g};level=TH", 24)
        put(b, y, "pupils", f"grade={g};level=TH", 16)
    svc = service.get()
    as_of = svc.values([old1.pk, old2.pk, new.pk], y, MODE_AS_OF, ["total_pupils"])
    assert as_of[(old1.pk, "total_pupils")].value == 120
    assert as_of[(old2.pk, "total_pupils")].value == 80
    assert as_of[(new.pk, "total_pupils")].value is None  # the new commune did not exist
    now = svc.value(new.pk, y, "total_pupils", MODE_CURRENT)
    assert now.value == 200  # merged: both legacy communes' schools, summed
    rate = svc.value(new.pk, y, "mobilisation_th", MODE_CURRENT)
    assert (rate.numerator, rate.denominator) == (200, 250)
    assert rate.value == pytest.approx(80.0)


def test_drafts_and_returned_reports_do_not_count_submitted_and_approved_do(
    django_capture_on_commit_callbacks,
):
    rnd, school, officer, staff = open_th_round(P)
    svc = service.get()
    svc.ready()
    sub = ca.access_submission(staff, rnd, school.pk, write=True)
    sub = ca.do_save_values(staff, sub, good_values(30), expected_version=sub.version)
    svc.sync()
    assert svc.value(school.pk, P, "total_pupils").value is None  # a draft
    with django_capture_on_commit_callbacks(execute=True):
        sub = ca.do_submit(staff, sub, expected_version=sub.version)
    assert svc.value(school.pk, P, "total_pupils").value == 150
    with django_capture_on_commit_callbacks(execute=True):
        sub = ca.do_return(officer, sub, "Kiểm tra lại số lớp")
    assert svc.value(school.pk, P, "total_pupils").value is None


def test_incremental_refresh_after_submit_and_approve_equals_a_full_rebuild(
    django_capture_on_commit_callbacks,
):
    rnd, school, officer, staff = open_th_round(P)
    c = commune("03127")
    other = make_school(c).unit
    put(other, P, "pupils", "level=TH", 90)
    put(other, "2021-2022", "pupils", "grade=1;level=TH", 20)  # a cohort base (offset @-4)
    put(school, "2021-2022", "pupils", "grade=1;level=TH", 33)
    put(c, P, "population", "age_band=a6_10", 400)
    svc = service.get()
    before = svc.value(c.pk, P, "total_pupils").value
    assert before == 90
    sub = ca.access_submission(staff, rnd, school.pk, write=True)
    sub = ca.do_save_values(staff, sub, good_values(30), expected_version=sub.version)
    with django_capture_on_commit_callbacks(execute=True):
        sub = ca.do_submit(staff, sub, expected_version=sub.version)
    with django_capture_on_commit_callbacks(execute=True):
        sub = ca.do_approve(officer, sub)
    assert sub.status == "approved"
    assert svc.value(c.pk, P, "total_pupils").value == 240
    incremental = svc.term_state()
    fresh = service.Analytics()
    fresh.rebuild()
    full = fresh.term_state()
    assert fresh.engine.periods == svc.engine.periods
    assert list(fresh.engine.index) == list(svc.engine.index)
    for key in full:
        np.testing.assert_allclose(incremental[key], full[key], atol=1e-9, err_msg=key)


def test_a_submission_of_a_unit_the_engine_had_not_seen_extends_the_tree(
    django_capture_on_commit_callbacks,
):
    c = commune("03127")
    seed = make_school(c).unit
    put(seed, P, "pupils", "level=TH", 10)
    svc = service.get()
    svc.ready()
    rnd, school, officer, staff = open_th_round(P)
    assert school.pk not in svc.units
    sub = ca.access_submission(staff, rnd, school.pk, write=True)
    sub = ca.do_save_values(staff, sub, good_values(20), expected_version=sub.version)
    with django_capture_on_commit_callbacks(execute=True):
        ca.do_submit(staff, sub, expected_version=sub.version)
    assert svc.value(c.pk, P, "total_pupils").value == 110


def test_rebuild_command_reports_what_it_built(capsys):
    from django.core.management import call_command

    put(make_school(commune("03127")).unit, P, "pupils", "level=TH", 10)
    call_command("analytics", "rebuild")
    assert "Đã tổng hợp lại" in capsys.readouterr().out


def test_a_school_user_is_refused_outside_scope_by_the_scope_module():
    from tongket.core.scope import can_read_unit

    a, b = make_school(commune("03127")).unit, make_school(commune("03151")).unit
    user = make_user(Role.SCHOOL, a)
    assert can_read_unit(user, a.pk, definitions.reference_date(P))
    assert not can_read_unit(user, b.pk, definitions.reference_date(P))

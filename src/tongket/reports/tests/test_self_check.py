"""Every generated report is read by the report checker before it is offered; a hard issue
keeps it from being marked final and is shown with its sentences."""

from __future__ import annotations

import datetime as dt

import pytest

from tongket.core.testing.demo import a_commune
from tongket.reports import actions
from tongket.reports.builder import ReportError
from tongket.reports.models import ReportDraft, ReportJob
from tongket.units import queries as uq

pytestmark = pytest.mark.django_db
P = "2024-2025"


def _legacy_commune(province):
    day = dt.date(2024, 9, 30)
    return next(
        c
        for district in uq.children(province, day)
        for c in uq.children(district, day)
        if c.kind == "commune" and uq.schools_under(c, day).exists()
    )


@pytest.mark.parametrize("kind", ["tong-ket", "so-ket", "giao-ban"])
def test_the_demo_province_reports_are_checker_clean(province, kind):
    files = actions.generate(province, P, kind, charts=False)
    assert files.check_issues == [], files.check_issues


def test_commune_reports_on_both_sides_of_the_reform_are_checker_clean(province):
    for unit, period in ((_legacy_commune(province), P), (a_commune(province), "2025-2026")):
        files = actions.generate(unit, period, "tong-ket", charts=False)
        assert files.hard_issues == [], (unit, files.check_issues)


@pytest.fixture
def build(inline_jobs, django_capture_on_commit_callbacks):
    """Start a report job and run it at once, as the background worker would."""

    def run(user, unit, period=P, kind="tong-ket") -> ReportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = actions.start_job(user, unit, period, kind, want_pdf=False)
        job.refresh_from_db()
        return job

    return run


def test_a_hard_issue_blocks_marking_final_and_names_its_sentence(province, build):
    bad = "Toàn tỉnh có 100 trường, gồm 60 trường mầm non và 50 trường tiểu học."
    actions.save_draft(None, province, P, "tong-ket", {"intro": bad})
    with pytest.raises(ReportError, match="lập lại báo cáo"):
        actions.do_mark_final(None, province, P, "tong-ket")  # nothing built yet
    job = build(None, province)
    hard = [i for i in job.check_issues if i["severity"] == "hard"]
    assert hard and hard[0]["sentences"] == [bad]
    with pytest.raises(ReportError, match="1 lỗi số học"):
        actions.do_mark_final(None, province, P, "tong-ket")
    assert ReportDraft.objects.get(unit=province, period=P, kind="tong-ket").final_at is None

    actions.save_draft(None, province, P, "tong-ket", {"intro": ""})
    build(None, province)
    draft = actions.do_mark_final(None, province, P, "tong-ket")
    assert draft.final_at is not None
    # editing the draft again takes the mark away: the new text has not been checked
    actions.save_draft(None, province, P, "tong-ket", {"causes": "Địa bàn rộng."})
    assert ReportDraft.objects.get(pk=draft.pk).final_at is None


def test_the_job_page_shows_the_checker_findings(province, build, client, django_user_model):
    user = django_user_model.objects.create_superuser("chk", "chk@example.org", "x")
    client.force_login(user)
    actions.save_draft(
        None, province, P, "tong-ket", {"intro": "Tỷ lệ đạt 50/200 trường, tỷ lệ 40,0%."}
    )
    job = build(user, province)
    page = client.get(f"/reports/job/{job.pk}/").content.decode()
    assert "Kiểm tra số liệu trong báo cáo" in page and "50/200" in page and "Lỗi" in page
    assert ReportJob.objects.get(pk=job.pk).check_issues[0]["kind"] == "ratio_mismatch"
    resp = client.post(
        "/reports/final/", {"unit": province.pk, "period": P, "kind": "tong-ket"}, follow=True
    )
    assert "Chưa chốt được" in resp.content.decode()

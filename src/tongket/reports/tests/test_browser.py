"""The report job page in a real browser: the status card follows the job without a reload."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongket.core.models import Role
from tongket.core.testing.browser import login
from tongket.core.testing.factories import make_user
from tongket.reports.models import ReportJob
from tongket.units.models import OrgUnit, UnitKind


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_job_card_updates_itself_until_the_files_are_ready(keep_reference_data, live_server, page):
    province = OrgUnit.objects.filter(kind=UnitKind.PROVINCE, code="11").order_by("-pk").first()
    user = make_user(Role.PROVINCE, province)
    job = ReportJob.objects.create(
        unit=province, period="2024-2025", kind="giao-ban", user=user, want_pdf=False
    )
    login(page, live_server, user.username, "matkhau123")
    page.goto(f"{live_server.url}/reports/job/{job.pk}/")
    page.locator("#job", has_text="Đang chờ").wait_for()
    page.evaluate("window.__same_page = true")  # gone if the page reloads

    # the worker moves on: the card shows the step, then the files, with no reload
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, step="Vẽ biểu đồ")
    page.locator("#job", has_text="Vẽ biểu đồ").wait_for()
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.DONE, step="", docx=b"PK-docx", finished_at=timezone.now()
    )
    link = page.get_by_role("link", name="Báo cáo (Word, DOCX)")
    link.wait_for()
    assert page.evaluate("window.__same_page") is True
    assert page.locator("#job[hx-trigger]").count() == 0  # finished: polling stopped
    assert link.get_attribute("href") == f"/reports/job/{job.pk}/bao-cao.docx"

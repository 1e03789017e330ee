""" "Việc cần làm": each role finds its next action on the first page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings

from tongket.analytics import actions as analytics_actions
from tongket.analytics import queries as analytics_queries
from tongket.analytics import service
from tongket.collection.models import PendingUpload
from tongket.collection.tests.factories import desk_round
from tongket.core import home
from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user
from tongket.reports.models import ReportJob
from tongket.units.models import UnitKind
from tongket.units.queries import unit_by_code

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("days", "text", "css"),
    [
        (5, "còn 5 ngày", "warn"),
        (30, "còn 30 ngày", "muted"),
        (0, "hạn cuối hôm nay", "bad"),
        (-3, "quá hạn 3 ngày", "bad"),
    ],
)
def test_time_left(days, text, css):
    today = dt.date(2026, 10, 1)
    assert home.time_left(today + dt.timedelta(days=days), today) == (text, css)


def test_school_sees_its_form_to_fill_with_time_left(client):
    rnd, schools, users, xa, so = desk_round()
    client.force_login(users["late"])
    page = client.get("/").content.decode()
    assert "Việc cần làm" in page and "02.ĐN-TH" in page
    assert "Chưa nhập" in page and "quá hạn" in page and "Nhập biểu" in page
    assert f"/collection/rounds/{rnd.pk}/units/{schools['late'].pk}/" in page
    client.force_login(users["passed"])
    page = _text(client.get("/").content.decode())
    assert "Chờ Sở duyệt" in page and "quá hạn" not in page  # submitted: nothing left to do


def test_commune_officer_sees_what_waits_oldest_first_and_the_late_round(client):
    rnd, schools, users, xa, so = desk_round()
    client.force_login(xa)
    page = client.get("/").content.decode()
    count = page.split('id="waiting-count">', 1)[1].split("<", 1)[0]
    assert count == "2" and "chờ xã/phường duyệt" in page
    clean_at = page.index("Trường Tiểu học Clean")
    warned_at = page.index("Trường Tiểu học Warned")
    assert clean_at < warned_at  # submitted first (desk_round submits clean first)
    assert "/collection/review/" in page and "/collection/submissions/" in page
    late = _text(page.split('id="late"', 1)[1])
    assert "quá hạn" in late and "Trường Tiểu học Late" in late and "1 đơn vị chưa nộp" in late


def test_province_officer_sees_the_reports_past_the_commune(client):
    rnd, schools, users, xa, so = desk_round()
    client.force_login(so)
    page = client.get("/").content.decode()
    assert page.split('id="waiting-count">', 1)[1].split("<", 1)[0] == "1"
    assert "Trường Tiểu học Passed" in page and "chờ Sở duyệt" in page
    assert 'id="late"' in page


def test_leader_sees_the_dashboards_figures_against_targets(client):
    service.reset()
    province = unit_by_code(UnitKind.PROVINCE, "11", dt.date(2025, 9, 1))
    school = make_school(commune("03127")).unit
    from tongket.analytics.tests.helpers import put

    put(school, "2025-2026", "pupils", "level=TH", 400)
    put(school, "2025-2026", "dropouts", "level=TH", 8)
    analytics_actions.set_target(None, "dropout_th", province, "2025-2026", value=1.5, source="KH")
    leader = make_user(Role.LEADER, province)
    client.force_login(leader)
    page = client.get("/").content.decode()
    block = page.split('id="indicators"', 1)[1].split('id="late"', 1)[0]
    row = next(r for r in analytics_queries.plan_rows(province, "2025-2026") if r.target)
    assert row.value_text == "2,00%" and row.value_text in block and "Chưa đạt" in block
    dashboard = client.get("/analytics/?period=2025-2026").content.decode()
    assert row.value_text in dashboard.split('id="plan"', 1)[1]
    assert "/analytics/" in block  # one click to the full dashboard
    service.reset()


def test_administrator_sees_health(client, tmp_path, monkeypatch):
    from django.contrib.auth import get_user_model

    admin = make_user(Role.ADMIN, None)
    monkeypatch.setattr(settings.TONGKET, "data_dir", tmp_path)
    province = unit_by_code(UnitKind.PROVINCE, "11", dt.date(2025, 9, 1))
    ReportJob.objects.create(unit=province, period="2025-2026", kind="tong-ket", status="pending")
    ReportJob.objects.create(
        unit=province,
        period="2025-2026",
        kind="tong-ket",
        status="failed",
        error="LibreOffice hỏng",
    )
    rnd, schools, users, xa, so = desk_round()
    PendingUpload.objects.create(
        user=get_user_model().objects.get(pk=so.pk),
        round=rnd,
        name="a.xlsx",
        sha256="0" * 64,
        data=b"",
    )
    client.force_login(admin)
    health = _text(client.get("/").content.decode().split('id="health"', 1)[1])
    assert "Sao lưu gần nhất chưa có" in health
    assert "đang chờ lập 1" in health and "bị lỗi (7 ngày) 1" in health
    assert "chờ xác nhận 1" in health and "LibreOffice hỏng" in health
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "tongket-2026.tar.gz").write_bytes(b"x")
    assert home.last_backup() is not None
    health = _text(client.get("/").content.decode().split('id="health"', 1)[1])
    assert "chưa có" not in health.split("Báo cáo tổng kết")[0]

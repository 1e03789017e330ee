"""The drill-down in a real browser: province -> commune -> school, figures and verdicts on
screen, the school's figure equal to what the engine computed."""

from __future__ import annotations

import pytest

from tongket.analytics import actions, service
from tongket.core.models import Role
from tongket.core.testing.browser import login  # the fixtures come from conftest's plugin
from tongket.core.testing.factories import commune, make_school, make_user

from .helpers import province, put

P = "2025-2026"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_drill_down_from_province_to_school(keep_reference_data, live_server, page):
    service.reset()
    c = commune("03127")
    big, small = make_school(c, name="Trường Tiểu học Mường Thanh").unit, make_school(c).unit
    put(big, P, "pupils", "level=TH", 1234)
    put(small, P, "pupils", "level=TH", 100)
    put(big, P, "dropouts", "level=TH", 37)
    put(small, P, "dropouts", "level=TH", 1)
    actions.set_target(None, "dropout_th", province(), P, value=1.5, source="Kế hoạch năm học")
    user = make_user(Role.PROVINCE, province(), username="so_browser")
    assert user.check_password("matkhau123")

    login(page, live_server, "so_browser", "matkhau123")
    page.click("header nav >> text=Chỉ tiêu")
    page.select_option("select[name=period]", P)
    page.select_option("select[name=indicator]", "total_pupils")
    page.click("#filters button[type=submit]")
    assert "Tỉnh Điện Biên" in page.inner_text("h1") or "Điện Biên" in page.inner_text("h1")
    assert page.locator("svg.chart").count() == 1
    page.click(f"#children a.drill:has-text('{c.name}')")
    assert c.name in page.inner_text("h1")
    rows = page.locator("#children tr")
    assert "1.234" in rows.nth(1).inner_text()  # Vietnamese thousands separator, ranked first
    page.click("#children a.drill:has-text('Mường Thanh')")
    assert "Mường Thanh" in page.inner_text("h1")
    plan = page.inner_text("#plan")
    assert "Tỷ lệ bỏ học tiểu học" in plan and "3,00%" in plan and "Chưa đạt" in plan
    expected = service.get().value(big.pk, P, "dropout_th").value
    assert round(expected, 1) == 3.0
    page.click(".crumbs a:has-text('Điện Biên')")
    assert "Điện Biên" in page.inner_text("h1")
    service.reset()

"""Each role's home in a real browser, on a desk (1366 px) and on a phone (390 px): the main
action is on the first page, visible, inside the screen's width, and it works."""

from __future__ import annotations

import pytest

from tongket.core.models import Role
from tongket.core.testing.browser import login
from tongket.core.testing.factories import make_user

WIDTHS = (1366, 390)


def _on_screen(page, locator, width: int) -> None:
    """Visible and not beyond the right edge (no sideways scrolling to reach it)."""
    assert locator.is_visible()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_school_commune_and_province_homes_lead_to_their_work(
    keep_reference_data, live_server, screen
):
    from tongket.collection.models import Submission
    from tongket.collection.tests.factories import desk_round

    rnd, schools, users, xa, so = desk_round()
    for width in WIDTHS:
        # the school: its form to fill, one click away
        page = screen(width)
        login(page, live_server, users["late"].username, "matkhau123")
        action = page.locator("#forms a.button", has_text="Nhập biểu")
        _on_screen(page, action, width)
        assert "quá hạn" in page.inner_text("#forms")
        action.click()
        assert f"/units/{schools['late'].pk}/" in page.url
        assert page.locator("input[data-part]").first.is_visible()

        # the commune: what waits for it, oldest first, one click to review and approve
        page = screen(width)
        login(page, live_server, xa.username, "matkhau123")
        before = int(page.inner_text("#waiting-count"))
        review = page.locator("#waiting a.button", has_text="Xem xét").first
        _on_screen(page, review, width)
        review.click()
        approve = page.get_by_role("button", name="Duyệt", exact=True)
        _on_screen(page, approve, width)
        approve.click()
        page.wait_for_load_state("domcontentloaded")
        assert "Đã duyệt báo cáo" in page.content()
        page.goto(live_server.url + "/")
        assert int(page.inner_text("#waiting-count")) == before - 1
        assert "Trường Tiểu học Late" in page.inner_text("#late")

    # the Sở: the reports past the commune (Passed, then the two the commune just approved)
    for width in WIDTHS:
        page = screen(width)
        login(page, live_server, so.username, "matkhau123")
        review = page.locator("#waiting a.button", has_text="Xem xét").first
        _on_screen(page, review, width)
        review.click()
        assert "Chờ Sở duyệt" in page.inner_text("#status")
        page.get_by_role("button", name="Duyệt", exact=True).click()
        page.wait_for_load_state("domcontentloaded")
        assert "Đã duyệt báo cáo" in page.content()
    assert Submission.objects.filter(round=rnd, status="approved").count() == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leader_and_administrator_homes(keep_reference_data, live_server, screen):
    from tongket.analytics import actions, service
    from tongket.analytics.tests.helpers import province, put
    from tongket.core.testing.factories import commune, make_school

    service.reset()
    school = make_school(commune("03127")).unit
    put(school, "2025-2026", "pupils", "level=TH", 400)
    put(school, "2025-2026", "dropouts", "level=TH", 8)
    actions.set_target(None, "dropout_th", province(), "2025-2026", value=1.5, source="KH")
    leader = make_user(Role.LEADER, province())
    admin = make_user(Role.ADMIN, None)
    for width in WIDTHS:
        page = screen(width)
        login(page, live_server, leader.username, "matkhau123")
        figures = page.inner_text("#indicators")
        assert "2,00%" in figures and "1,50%" in figures and "Chưa đạt" in figures
        action = page.locator("#open-dashboard")
        _on_screen(page, action, width)
        action.click()
        assert "/analytics/" in page.url and "2,00%" in page.inner_text("#plan")

        page = screen(width)
        login(page, live_server, admin.username, "matkhau123")
        assert "chưa có" in page.inner_text("#health")
        action = page.locator("#open-admin")
        _on_screen(page, action, width)
        action.click()
        assert "/admin/" in page.url
    service.reset()

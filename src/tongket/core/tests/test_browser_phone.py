"""A school on a phone (390 px): home → form → fill → submit → a return's reason, with no
sideways scrolling of the page and a menu that opens; the same pages at 1366 px.

Set TONGKET_SCREENSHOTS=DIR to keep a screenshot of every page visited (for looking at them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tongket.collection import actions
from tongket.collection.models import Submission
from tongket.collection.tests.factories import good_values, open_th_round
from tongket.core.testing.browser import login

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


def shot(page, name: str) -> None:
    folder = os.environ.get("TONGKET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_school_on_a_phone(keep_reference_data, live_server, browser):
    rnd, school, officer, staff = open_th_round()
    rnd.approval_levels = ["commune"]
    rnd.save()
    ctx = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        login(page, live_server, staff.username, "matkhau123")
        page.goto(live_server.url + "/")
        shot(page, "phone-home")
        assert page_width(page) <= 390
        # the menu is folded behind its button and opens
        nav = page.get_by_role("navigation", name="Danh mục chính")
        assert not nav.is_visible()
        page.get_by_role("button", name="☰ Danh mục").click()
        assert nav.is_visible() and page.get_by_role("button", name="Đăng xuất").is_visible()
        shot(page, "phone-menu")
        page.get_by_role("button", name="☰ Danh mục").click()

        page.get_by_role("link", name="Nhập biểu").first.click()  # the home's main action
        page.wait_for_load_state("domcontentloaded")
        shot(page, "phone-form")
        assert page_width(page) <= 390
        # every input can be reached and filled: the table scrolls inside its card
        inputs = page.locator("input[data-part]")
        assert inputs.count() > 10
        last = inputs.nth(inputs.count() - 1)
        last.scroll_into_view_if_needed()
        assert last.is_visible()
        last.fill("1")
        page.get_by_role("button", name="Lưu nháp").click()
        page.wait_for_load_state("domcontentloaded")
        assert Submission.objects.filter(round=rnd, unit=school).exists()
        assert page_width(page) <= 390

        page.goto(f"{live_server.url}/collection/rounds/{rnd.pk}/")
        shot(page, "phone-round")
        assert page_width(page) <= 390
    finally:
        ctx.close()

    # the commune returns the report; the school reads the reason on its phone
    sub = actions.access_submission(staff, rnd, school.pk, write=True)
    sub = actions.do_save_values(staff, sub, good_values(), expected_version=sub.version)
    sub = actions.do_submit(staff, sub, expected_version=sub.version)
    actions.do_return(officer, sub, "Số lớp khối 3 chưa đúng, đề nghị kiểm tra lại")
    ctx = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        login(page, live_server, staff.username, "matkhau123")
        page.goto(f"{live_server.url}/collection/rounds/{rnd.pk}/units/{school.pk}/")
        assert "Số lớp khối 3 chưa đúng" in page.content()
        shot(page, "phone-returned")
        assert page_width(page) <= 390
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_school_pages_at_1366(keep_reference_data, live_server, browser):
    rnd, school, officer, staff = open_th_round()
    ctx = browser.new_context(locale="vi-VN", viewport=DESK)
    page = ctx.new_page()
    try:
        login(page, live_server, staff.username, "matkhau123")
        for name, url in (
            ("desk-home", "/"),
            ("desk-form", f"/collection/rounds/{rnd.pk}/units/{school.pk}/"),
            ("desk-round", f"/collection/rounds/{rnd.pk}/"),
            ("desk-404", "/collection/rounds/987654/"),
        ):
            page.goto(live_server.url + url)
            shot(page, name)
            assert page_width(page) <= 1366, name
            # the menu is spread out, no fold button on a desk
            assert page.get_by_role("navigation", name="Danh mục chính").is_visible()
            assert not page.get_by_role("button", name="☰ Danh mục").is_visible()
        assert "Không tìm thấy" in page.content()
    finally:
        ctx.close()

"""The unit browser in a real browser: results follow what is typed, with or without diacritics."""

from __future__ import annotations

import pytest

from tongket.core.models import Role
from tongket.core.testing.browser import login
from tongket.core.testing.factories import make_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_results_follow_the_typing_without_diacritics(keep_reference_data, live_server, page):
    user = make_user(Role.ADMIN, None)
    login(page, live_server, user.username, "matkhau123")
    page.goto(live_server.url + "/units/")
    page.evaluate("window.__same_page = true")  # gone if the form is submitted the old way
    page.get_by_placeholder("vd: dien bien").press_sequentially("muong cha", delay=20)
    results = page.locator("#results")
    results.get_by_role("link", name="Mường Chà").first.wait_for()
    assert page.evaluate("window.__same_page") is True
    assert "q=muong%20cha" in page.url  # the search can be bookmarked and shared
    page.get_by_placeholder("vd: dien bien").fill("khong co dau nao nhu the")
    results.get_by_text("Không tìm thấy đơn vị nào").wait_for()

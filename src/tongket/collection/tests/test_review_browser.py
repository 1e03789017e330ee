"""The review queue in a real browser: filter, review one report beside last year's values,
approve the clean ones at once with one note (the others skipped, with the reason)."""

from __future__ import annotations

import pytest

from tongket.collection.models import Submission, SubmissionEvent
from tongket.collection.tests.factories import desk_round
from tongket.core.testing.browser import login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_filter_review_and_approve_many(keep_reference_data, live_server, screen):
    rnd, schools, users, xa, so = desk_round()
    # a warning left unexplained: a rule tightened after the school submitted
    Submission.objects.filter(round=rnd, unit=schools["warned"]).update(explanations={})
    page = screen(1366)
    login(page, live_server, xa.username, "matkhau123")
    page.goto(live_server.url + "/collection/review/")
    assert page.locator("#queue tr[data-sub]").count() == 2

    page.select_option("select[name=warnings]", "yes")
    page.click("#filters button[type=submit]")
    rows = page.locator("#queue tr[data-sub]")
    assert rows.count() == 1 and "Warned" in rows.first.inner_text()
    assert "chưa giải trình" in rows.first.inner_text()
    page.select_option("select[name=warnings]", "")
    page.click("#filters button[type=submit]")

    # review Clean: last year's value under each cell, the grade-1 jump highlighted
    page.locator("#queue tr[data-sub]", has_text="Clean").get_by_role(
        "link", name="Xem xét"
    ).click()
    assert "+200%" in page.inner_text("#moved")
    moved = page.locator("td.moved").first
    assert moved.is_visible() and "trước: 10" in moved.inner_text()
    page.get_by_role("link", name="← Danh sách chờ duyệt").click()

    # approve many: "select the clean ones" picks Clean only; Warned ticked by hand is skipped
    page.click("#select-clean")
    clean_box = page.locator("#queue tr[data-sub]", has_text="Clean").locator("input[name=ids]")
    warned_box = page.locator("#queue tr[data-sub]", has_text="Warned").locator("input[name=ids]")
    assert clean_box.is_checked() and not warned_box.is_checked()
    warned_box.check()
    page.fill("input[name=note]", "Đã đối chiếu với sổ")
    page.click("#approve-selected")
    page.wait_for_load_state("domcontentloaded")
    messages = page.inner_text("ul.messages")
    assert "Đã duyệt 1 báo cáo." in messages
    assert "Bỏ qua Trường Tiểu học Warned" in messages and "chưa giải trình" in messages
    clean = Submission.objects.get(round=rnd, unit=schools["clean"])
    assert clean.status_label == "Chờ Sở duyệt"
    assert SubmissionEvent.objects.get(submission=clean, status="approved").reason == (
        "Đã đối chiếu với sổ"
    )
    assert page.locator("#queue tr[data-sub]").count() == 1  # Warned still waits

    # on a phone the queue's approve button is reachable without sideways scrolling
    phone = screen(390)
    login(phone, live_server, so.username, "matkhau123")
    phone.goto(live_server.url + "/collection/review/")
    button = phone.locator("#approve-selected")
    box = button.bounding_box()
    assert button.is_visible() and box is not None and box["x"] + box["width"] <= 391

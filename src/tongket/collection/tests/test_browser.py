"""The whole workflow in a real browser (Playwright driving Debian's chromium)."""

from __future__ import annotations

import pytest

from tongket.collection.models import Submission
from tongket.collection.tests.factories import open_th_round
from tongket.core.testing.browser import login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_fill_error_fix_submit_return_resubmit_approve(
    keep_reference_data, live_server, page, browser
):
    rnd, school, officer, staff = open_th_round()
    rnd.approval_levels = ["commune"]
    rnd.save()
    entry = f"{live_server.url}/collection/rounds/{rnd.pk}/units/{school.pk}/"

    login(page, live_server, staff.username, "matkhau123")
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Nhập biểu").first.click()
    assert page.url == entry
    inputs = page.locator("input[data-part]")
    cells = {}
    for i in range(inputs.count()):
        cells[inputs.nth(i).get_attribute("aria-label")] = inputs.nth(i)
    grade = {g: [k for k in cells if f"mã số 3{g} (Lớp {g})" in k] for g in range(1, 6)}
    for g in range(1, 6):
        total = next(k for k in grade[g] if k.endswith("“Tổng số”"))
        girls = next(k for k in grade[g] if k.endswith("“Nữ”"))
        cells[total].fill("30")
        cells[girls].fill("45" if g == 2 else "14")
    classes = [k for k in cells if "Khối" in k]
    for k in classes:
        cells[k].fill("1")
    # the live total follows what is typed
    assert page.locator("output[data-total]").first.inner_text() != ""
    page.get_by_role("button", name="Nộp báo cáo").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Số học sinh nữ lớn hơn tổng số học sinh" in page.content()
    assert Submission.objects.get(round=rnd, unit=school).status == "draft"

    girls2 = next(k for k in grade[2] if k.endswith("“Nữ”"))
    page.get_by_label(girls2, exact=True).fill("15")
    page.get_by_role("button", name="Nộp báo cáo").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Đã nộp báo cáo" in page.content()

    officer_ctx = browser.new_context(locale="vi-VN")
    opage = officer_ctx.new_page()
    login(opage, live_server, officer.username, "matkhau123")
    opage.goto(entry)
    opage.fill("input[name=reason]", "Kiểm tra lại số lớp")
    opage.get_by_role("button", name="Trả lại").click()
    opage.wait_for_load_state("domcontentloaded")
    assert "Đã trả lại" in opage.content()

    page.goto(entry)
    assert "Kiểm tra lại số lớp" in page.content()
    page.get_by_role("button", name="Nộp báo cáo").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Đã nộp báo cáo" in page.content()

    opage.goto(entry)
    opage.get_by_role("button", name="Duyệt").click()
    opage.wait_for_load_state("domcontentloaded")
    assert "Đã duyệt báo cáo" in opage.content()
    opage.goto(f"{live_server.url}/collection/rounds/{rnd.pk}/")
    rates = opage.locator("#rates").inner_text()
    assert Submission.objects.get(round=rnd, unit=school).status == "approved"
    assert "Đã duyệt" in rates and "1" in rates.split("\n")[-1]
    officer_ctx.close()

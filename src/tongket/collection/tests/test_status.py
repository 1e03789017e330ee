"""One label per state, in the user's words, on every surface: pages, API, Excel."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tongket.collection import actions
from tongket.collection.models import Submission
from tongket.collection.status import label_for, next_level, return_reason, status_label
from tongket.collection.tests.factories import desk_round, good_values, open_th_round

pytestmark = pytest.mark.django_db

TWO = ["commune", "province"]


@pytest.mark.parametrize(
    ("status", "level", "chain", "label"),
    [
        (None, "", TWO, "Chưa nhập"),
        ("draft", "", TWO, "Đang nhập"),
        ("submitted", "", TWO, "Chờ xã duyệt"),
        ("submitted", "commune", TWO, "Chờ Sở duyệt"),
        ("submitted", "", ["province"], "Chờ Sở duyệt"),
        ("submitted", "", [], "Chờ Sở duyệt"),  # no chain: the Sở approves
        ("submitted", "", ["commune"], "Chờ xã duyệt"),
        ("returned", "", TWO, "Trả lại"),
        ("approved", "province", TWO, "Đã duyệt"),
    ],
)
def test_label_of_every_state(status, level, chain, label):
    assert label_for(status, level, chain) == label


def test_next_level_walks_the_chain():
    assert next_level(TWO, "") == "commune"
    assert next_level(TWO, "commune") == "province"
    assert next_level(TWO, "province") is None


def test_after_the_commune_approves_the_report_waits_for_the_so(client):
    rnd, schools, users, xa, so = desk_round()
    passed = Submission.objects.get(round=rnd, unit=schools["passed"])
    assert passed.status == "submitted" and status_label(passed) == "Chờ Sở duyệt"
    client.force_login(users["passed"])
    page = client.get(f"/collection/rounds/{rnd.pk}/units/{schools['passed'].pk}/").content
    badge = page.decode().split('id="status">', 1)[1].split("<", 1)[0]
    assert badge == "Chờ Sở duyệt"
    client.force_login(so)
    api = client.get(f"/api/collection/rounds/{rnd.pk}/units/{schools['passed'].pk}").json()
    assert api["status"] == "submitted" and api["status_label"] == "Chờ Sở duyệt"
    client.force_login(users["clean"])
    api = client.get(f"/api/collection/rounds/{rnd.pk}/units/{schools['clean'].pk}").json()
    assert api["status_label"] == "Chờ xã duyệt"


def test_excel_download_names_the_state_in_words(client):
    rnd, schools, users, xa, so = desk_round()
    client.force_login(users["passed"])
    resp = client.get(f"/collection/rounds/{rnd.pk}/units/{schools['passed'].pk}/excel/")
    wb = load_workbook(
        io.BytesIO(b"".join(resp.streaming_content) if resp.streaming else resp.content)
    )
    text = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)
    assert "Trạng thái: Chờ Sở duyệt" in text


def test_returned_reason_sits_at_the_top_of_the_school_form(client):
    rnd, school, officer, staff = open_th_round()
    sub = actions.access_submission(staff, rnd, school.pk, write=True)
    sub = actions.do_save_values(staff, sub, good_values(), expected_version=sub.version)
    sub = actions.do_submit(staff, sub, expected_version=sub.version)
    actions.do_return(officer, sub, "Số lớp 2 chưa khớp sổ điểm danh")
    sub.refresh_from_db()
    assert return_reason(sub) == "Số lớp 2 chưa khớp sổ điểm danh"
    client.force_login(staff)
    page = client.get(f"/collection/rounds/{rnd.pk}/units/{school.pk}/").content.decode()
    reason_at = page.index("Số lớp 2 chưa khớp sổ điểm danh")
    assert reason_at < page.index('id="entry-form"')  # above the form, not below 3,400 px
    assert 'id="return-reason"' in page
    home = client.get("/").content.decode()
    assert "Số lớp 2 chưa khớp sổ điểm danh" in home and "Sửa và nộp lại" in home
    assert home.index('id="returned"') < home.index('id="forms"')  # returned reports first

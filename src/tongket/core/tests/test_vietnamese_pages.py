"""Every role's main pages speak Vietnamese: no English UI words, no internal codes
(snake_case ids, "grade=3;level=TH" combos, "commune"/"province" levels) in the visible text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongket.analytics.tests.helpers import province
from tongket.collection import actions
from tongket.collection.tests.factories import good_values, open_th_round
from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user
from tongket.core.testing.visible_text import context_of, foreign_tokens, visible_text

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/collection/",
    "/units/",
    "/factcheck/",
    "/analytics/",
    "/analytics/chat-luong/",
    "/analytics/chi-tieu/",
    "/reports/",
    "/norms/",
    "/norms/staffing/",
    "/norms/pcgd/",
    "/norms/register/",
]


def test_checker_finds_what_it_should():
    bad = visible_text("<p>duyệt: commune → province — grade=3;level=TH (tt19_2023) Save</p>")
    assert set(foreign_tokens(bad)) >= {"commune", "province", "grade=3", "tt19_2023", "Save"}
    good = visible_text(
        "<p>Trường THCS Số 1 · PCGD – XMC · tải Excel, DOCX, PDF · API</p>"
        "<script>var x_y = 'save';</script><a href='/a_b?x=1'>Mở</a><code>person_id</code>"
    )
    assert foreign_tokens(good) == []


@pytest.fixture
def world():
    rnd, school, officer, school_user = open_th_round()
    sub = actions.access_submission(school_user, rnd, school.pk, write=True)
    sub = actions.do_save_values(school_user, sub, good_values(), expected_version=sub.version)
    sub = actions.do_submit(school_user, sub, expected_version=sub.version)
    actions.do_return(officer, sub, "Thiếu số lớp")
    sub.refresh_from_db()
    bad = {**good_values(), ("pupils", "grade=3;level=TH;sex=f"): 99}  # girls > pupils
    actions.do_save_values(school_user, sub, bad, expected_version=sub.version)
    actions.do_extend_round(officer, rnd, dt.date(2099, 11, 30), "Trường xin thêm thời gian")
    actions.do_send_reminders(officer, rnd)
    other = make_school(commune("03127")).unit
    users = {
        "school": school_user,
        "commune": officer,
        "province": make_user(Role.PROVINCE, province()),
        "leader": make_user(Role.LEADER, province()),
        "admin": make_user(Role.ADMIN, None),
    }
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    pages = {
        f"/collection/rounds/{rnd.pk}/",
        f"/collection/rounds/{rnd.pk}/units/{school.pk}/",
        f"/collection/rounds/{rnd.pk}/units/{other.pk}/",
        f"/collection/submissions/{sub.pk}/audit/",
        f"/units/{school.pk}/",
    }
    return users, sorted(pages)


@pytest.mark.parametrize("role", ["school", "commune", "province", "leader", "admin"])
def test_main_pages_have_no_english_or_codes(world, role):
    users, extra = world
    client = Client()
    client.force_login(users[role])
    problems: list[str] = []
    seen = 0
    for url in [*PAGES, *extra, *(["/admin/"] if role == "admin" else [])]:
        resp = client.get(url)
        if resp.status_code != 200:
            continue  # pages the role may not open are another test's business
        seen += 1
        text = visible_text(resp.content.decode())
        for token in sorted(set(foreign_tokens(text))):
            problems.append(f"{url}: {token!r} in “…{context_of(text, token)}…”")
    assert seen >= 8
    assert not problems, "\n".join(problems)


def test_codes_shown_in_words():
    from tongket.catalog.labels import combo_label
    from tongket.collection.templatetags.collection_vi import approval_path, round_action_vi

    assert combo_label("grade=3;level=TH") == "Lớp 3, Tiểu học"
    assert combo_label("") == "tổng số"
    assert approval_path(["commune", "province"]) == "UBND xã/phường → Sở GD&ĐT"
    assert round_action_vi("remind") == "Gửi nhắc nhở" and round_action_vi("extend") == "Gia hạn"

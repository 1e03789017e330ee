"""Buttons and menus are offered only when the action they lead to is allowed: every link and
button shown here is followed and must not answer 403."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tongket.analytics.tests.helpers import province
from tongket.catalog.models import Form
from tongket.collection import actions
from tongket.collection.tests.factories import open_th_round
from tongket.core.models import Role
from tongket.core.templatetags.site_menu import menu_items
from tongket.core.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_commune_officer_sees_no_management_of_the_province_round(client):
    _, _, commune_officer, _ = open_th_round()
    so = make_user(Role.PROVINCE, province())
    form = Form.objects.get(code="02.ĐN-TH", is_current=True)
    rnd = actions.do_open_round(so, form, "2024-2025", province(), due=dt.date(2099, 1, 1))
    client.force_login(commune_officer)
    page = client.get(f"/collection/rounds/{rnd.pk}/").content.decode()
    assert "Gia hạn" not in page and "Đóng đợt" not in page and "Gửi nhắc nhở" not in page
    client.force_login(so)
    page = client.get(f"/collection/rounds/{rnd.pk}/").content.decode()
    assert "Gia hạn" in page and "Đóng đợt" in page and "Gửi nhắc nhở" in page


def test_school_norms_page_has_no_pcgd_link_it_cannot_open(client):
    _, school, officer, school_user = open_th_round()
    client.force_login(school_user)
    assert client.get("/norms/pcgd/").status_code == 403  # the page itself is refused…
    assert "/norms/pcgd/" not in client.get("/norms/").content.decode()  # …so no link to it
    client.force_login(officer)
    page = client.get("/norms/").content.decode()
    link = re.search(r'href="(/norms/pcgd/[^"]*)"', page)
    assert link and client.get(link.group(1).replace("&amp;", "&")).status_code == 200


@pytest.mark.parametrize("role", ["school", "commune", "province", "leader", "admin"])
def test_every_menu_entry_opens(client, role):
    _, school, officer, school_user = open_th_round()
    user = {
        "school": school_user,
        "commune": officer,
        "province": make_user(Role.PROVINCE, province()),
        "leader": make_user(Role.LEADER, province()),
        "admin": make_user(Role.ADMIN, None),
    }[role]
    if role == "admin":
        user.is_staff = user.is_superuser = True
        user.save()
    client.force_login(user)
    for label, url in menu_items(user):
        status = client.get(url).status_code
        assert status in (200, 302), (label, url, status)
    labels = [label for label, _ in menu_items(user)]
    assert ("Quản trị" in labels) == (role == "admin")


@pytest.mark.parametrize("role", ["school", "commune", "province", "leader"])
def test_no_link_leads_to_a_refusal(client, role):
    """Follow every link from the home page (breadth first, up to 80 pages): none answers 403
    (a link the user may not follow should not be shown) and none 500."""
    _, school, officer, school_user = open_th_round()
    user = {
        "school": school_user,
        "commune": officer,
        "province": make_user(Role.PROVINCE, province()),
        "leader": make_user(Role.LEADER, province()),
    }[role]
    client.force_login(user)
    todo, seen, bad = ["/"], set(), []
    while todo and len(seen) < 80:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        resp = client.get(url)
        if resp.status_code in (403, 500):
            bad.append(f"{url}: {resp.status_code}")
        if resp.status_code != 200 or "text/html" not in resp.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="(/[^"#]*)"', resp.content.decode()):
            href = href.replace("&amp;", "&")
            if not href.startswith(("/static/", "/logout", "/admin/", "/api/")):
                todo.append(href)
    assert len(seen) > 10 and not bad, bad

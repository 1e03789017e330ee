"""The layout every page shares: a favicon (no 404 on every page) and the folding menu's files."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_is_linked_served_and_redirected(client):
    page = client.get("/login/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert icon and finders.find(icon.group(1).removeprefix("/static/"))
    resp = client.get("/favicon.ico")
    assert resp.status_code == 301 and resp["Location"] == icon.group(1)


def test_menu_script_is_a_static_file_not_inline(client):
    page = client.get("/login/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert finders.find("tongket/site.js")


def test_bad_number_in_a_form_is_a_400_page(client):
    from tongket.collection.tests.factories import open_th_round

    rnd, school, _, staff = open_th_round()
    client.force_login(staff)
    resp = client.post(f"/collection/rounds/{rnd.pk}/units/{school.pk}/", {"version": "abc"})
    page = resp.content.decode()
    assert resp.status_code == 400 and "phải là số nguyên" in page and "Về trang chủ" in page

"""/api/docs is served from the installed package's own files (no CDN), and is public only when
TONGKET_API_DOCS_PUBLIC says so."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings

from tongket.config import TongketSettings
from tongket.core.models import Role
from tongket.core.testing.factories import make_school, make_user

pytestmark = pytest.mark.django_db


def test_docs_need_a_login_unless_public(client, settings):
    assert TongketSettings().api_docs_public is False
    resp = client.get("/api/docs")
    assert resp.status_code == 302 and resp["Location"].startswith("/login/")
    public = settings.TONGKET.model_copy(update={"api_docs_public": True})
    with override_settings(TONGKET=public):
        assert client.get("/api/docs").status_code == 200
        assert client.get("/api/openapi.json").status_code == 200


def test_docs_page_uses_only_local_assets(client):
    client.force_login(make_user(Role.SCHOOL, make_school().unit))
    resp = client.get("/api/docs")
    assert resp.status_code == 200
    page = resp.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui-bundle.js" in u for u in urls)
    for url in urls:
        assert url.startswith("/static/"), url  # nothing from another host
        assert finders.find(url.removeprefix("/static/")), url  # and the file is really there
    assert "cdn" not in page.lower()

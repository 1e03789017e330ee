"""No URL answers 500: every URL pattern (Django's resolver) and every API path (ninja's
routers) is called with unknown ids, real ids and malformed parameters, as a user of each role.

A 500 tells the user nothing and hides a missing check; an unknown id must be a 404 and a
malformed parameter a 400/404 with a message. The walk finds patterns itself, so a new view
is covered the day it is added.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tongket.analytics.tests.helpers import province
from tongket.api import api
from tongket.collection import actions
from tongket.collection.tests.factories import good_values, open_th_round
from tongket.core.models import Role
from tongket.core.testing.factories import make_user

pytestmark = pytest.mark.django_db

UNKNOWN = 987654321
# every query parameter a page reads, each given nonsense
BAD_QUERY = {
    k: "abc"
    for k in [
        "version",
        "unit",
        "form",
        "period",
        "mode",
        "year",
        "province",
        "result",
        "indicator",
        "kind",
        "page",
        "q",
        "as_of",
        "on",
        "level",
        "status",
        "sort",
        "table",
        "what",
    ]
}
BAD_POST = {**BAD_QUERY, "action": "abc", "due": "31/02/2025", "reason": "x", "root": "abc"}
CONVERTER_RE = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def django_patterns(resolvers=None, prefix: str = "") -> list[str]:
    """Every route of the project as text ("collection/rounds/<int:round_id>/"), admin aside."""
    out: list[str] = []
    for p in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = str(p.pattern)
        if isinstance(p, URLResolver):
            if route.startswith("admin/") or route.startswith("api/"):
                continue  # the admin is Django's own; the API is walked through ninja below
            out += django_patterns(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            out.append(prefix + route)
    return out


def fill(route: str, ids: list[int]) -> list[str]:
    """The route with each <int:…> taken from ids, each <str/slug/path> as "abc"."""
    names = CONVERTER_RE.findall(route)
    choices = [ids if conv == "int" else ["abc"] for conv, _ in names]
    urls = []
    for combo in itertools.product(*choices):
        parts = CONVERTER_RE.split(route)  # text, conv, name, text, conv, name, …, text
        text = "".join(
            parts[i] + (str(combo[i // 3]) if i // 3 < len(combo) else "")
            for i in range(0, len(parts), 3)
        )
        urls.append("/" + text)
    return urls


def api_paths() -> list[tuple[str, str]]:
    """(method, path template) of every API operation."""
    out = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                for method in op.methods:
                    out.append((method, f"/api{prefix.rstrip('/')}/{path.lstrip('/')}"))
    return out


@pytest.fixture
def world():
    rnd, school, officer, school_user = open_th_round()
    sub = actions.access_submission(school_user, rnd, school.pk, write=True)
    sub = actions.do_save_values(school_user, sub, good_values(), expected_version=sub.version)
    users = {
        "school": school_user,
        "commune": officer,
        "province": make_user(Role.PROVINCE, province()),
        "leader": make_user(Role.LEADER, province()),
        "admin": make_user(Role.ADMIN, None),
    }
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    return users, [UNKNOWN, rnd.pk, school.pk, sub.pk]


def check(resp_or_exc, where: str, failures: list[str]) -> None:
    if isinstance(resp_or_exc, Exception):
        failures.append(f"{where}: {type(resp_or_exc).__name__}: {resp_or_exc}")
    elif resp_or_exc.status_code >= 500:
        failures.append(f"{where}: {resp_or_exc.status_code}")


def call(client: Client, method: str, url: str, **kw):
    try:
        return getattr(client, method.lower())(url, **kw)
    except Exception as exc:  # the test client re-raises the view's exception
        return exc


@pytest.mark.parametrize("role", ["school", "commune", "province", "leader", "admin"])
def test_no_page_answers_500(world, role):
    users, ids = world
    client = Client()
    client.force_login(users[role])
    failures: list[str] = []
    routes = django_patterns()
    assert len(routes) > 25  # the walk really found the project's pages
    for route in routes:
        if route.startswith("logout"):
            continue
        for url in fill(route, ids):
            check(call(client, "GET", url), f"GET {url}", failures)
            check(call(client, "GET", url, data=BAD_QUERY), f"GET {url}?bad", failures)
            check(call(client, "POST", url, data=BAD_POST), f"POST {url}", failures)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ["school", "commune", "province", "admin"])
def test_no_api_path_answers_500(world, role):
    users, ids = world
    client = Client()
    client.force_login(users[role])
    failures: list[str] = []
    for method, template in api_paths():
        params = re.findall(r"{(\w+)}", template)
        for combo in itertools.product([*ids, "abc"], repeat=len(params)):
            url = template
            for name, value in zip(params, combo, strict=True):
                url = url.replace("{" + name + "}", str(value))
            where = f"{method} {url}"
            if method == "GET":
                check(call(client, "GET", url, data=BAD_QUERY), where, failures)
                continue
            for body in ("{", "[]", json.dumps({"version": "abc", "values": "abc"})):
                resp = call(client, method, url, data=body, content_type="application/json")
                check(resp, f"{where} {body}", failures)
    assert not failures, "\n".join(failures)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_api_body_over_the_limit_is_413(world):
    users, ids = world
    client = Client()
    client.force_login(users["school"])
    rnd_id, school_id = ids[1], ids[2]
    body = json.dumps({"version": 0, "values": [{"element": "x" * 2000}]})
    for method, suffix in (("put", "values"), ("post", "submit"), ("post", "report")):
        url = f"/api/collection/rounds/{rnd_id}/units/{school_id}/{suffix}"
        resp = getattr(client, method)(url, data=body, content_type="application/json")
        assert resp.status_code == 413, (url, resp.status_code)
        assert "quá lớn" in resp.json()["detail"]


def test_error_pages_are_vietnamese_in_the_layout_with_a_way_back(world):
    users, ids = world
    client = Client()
    client.force_login(users["school"])
    resp = client.get(f"/collection/rounds/{UNKNOWN}/", HTTP_REFERER="http://testserver/")
    page = resp.content.decode()
    assert resp.status_code == 404
    assert "Không tìm thấy" in page and 'class="top"' in page and "Về trang chủ" in page
    assert "Quay lại trang trước" in page and "No " not in page
    page = client.get("/khong-co-trang-nay/").content.decode()
    assert "Không tìm thấy trang" in page and "Resolver404" not in page
    resp = client.get(f"/api/collection/rounds/{UNKNOWN}/rates")
    assert resp.status_code == 404 and resp["Content-Type"].startswith("application/json")
    assert resp.json()["detail"]

"""Role × endpoint × object: every URL and API path, read and write, for every role, against an
object inside and one outside the role's scope (NetBox's view-test mixins are the model).

The URL patterns are walked from Django's resolver (the ninja API's operations are in it too),
so a new endpoint fails `test_every_endpoint_is_classified` until it is added to ENDPOINTS
below with the statuses each role gets. For every (endpoint, method, role, side):

- never a 500;
- the status is the one in ENDPOINTS (the documented answer per role);
- the page never shows the other side's unit when that side is outside the role's scope
  (except PUBLIC pages: the unit tree is public metadata);
- and a write leaves the data outside the role's scope unchanged.

The world: side "in" is a school of commune 03127 (province 11, Điện Biên) with its round,
submission, target, certificate, pending upload, checked document and report job; side "out"
is the same in a commune of province 08. Roles: a school officer of the "in" school, a commune
officer of 03127 (same province), a commune officer of the "out" commune (another province),
a provincial specialist and a leader of province 11, and an administrator.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tongket.catalog.models import Form, Indicator
from tongket.collection import actions
from tongket.collection.models import DataValue, PendingUpload, Submission
from tongket.collection.tests.factories import good_values
from tongket.core.models import Role
from tongket.core.testing.factories import make_school, make_user
from tongket.units import queries as uq
from tongket.units.models import UnitKind

pytestmark = pytest.mark.django_db

ROLES = ("school", "commune", "commune_other", "province", "leader", "admin")
DAY = dt.date(2025, 9, 1)
MARK = {"in": "Trường Tiểu học Alpha Nội Tỉnh", "out": "Trường Tiểu học Zeta Ngoại Tỉnh"}
# the side(s) whose data each role may see
SCOPE = {
    "school": {"in"},
    "commune": {"in"},
    "commune_other": {"out"},
    "province": {"in"},
    "leader": {"in"},
    "admin": {"in", "out"},
}

# Expected status per endpoint: {method: (side "in", side "out")}, each a string of the
# statuses of ROLES in order (school, commune, commune_other, province, leader, admin).
# "PUBLIC" endpoints may show any unit (the unit tree, login, the API's own schema).
PUBLIC = {"units:browse", "login", "logout", "api:openapi-json", "api:openapi-view"}
# Reading the table: 403 is "not yours"; 404 an object the user may not know of (another
# user's pending upload, checked document); 405 a method the endpoint does not take; 409 the API
# write in scope that names a stale version (the scope check passed); 302 a web form that
# redirects after its message. The writes of web forms are posted empty (validation answers) and
# the query string is only on GETs. Deletions (targets, certificates) are done by the first role
# allowed to; the roles after it get 404 for the same object.
ENDPOINTS: dict[str, dict[str, tuple[str, str]]] = {
    "api:openapi-json": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "api:openapi-view": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "api:list_rounds": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
    },
    "api:round_rates": {
        "GET": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
    },
    "api:get_submission": {
        "GET": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
    },
    "api:put_values": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "PUT": ("409 409 403 409 403 409", "403 403 409 403 403 409"),
    },
    "api:submit": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("409 409 403 409 403 409", "403 403 409 403 403 409"),
    },
    "api:submit_report": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("409 409 403 409 403 409", "403 403 409 403 403 409"),
    },
    "api:upload_excel": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("422 422 422 422 422 422", "422 422 422 422 422 422"),
    },
    "api:indicators": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
    },
    "api:values": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
    },
    "api:targets": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
    },
    "api:verdicts": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
    },
    "api:api-root": {
        "GET": ("404 404 404 404 404 404", "404 404 404 404 404 404"),
        "POST": ("404 404 404 404 404 404", "404 404 404 404 404 404"),
    },
    "home": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "login": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "logout": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("302 302 302 302 302 302", "302 302 302 302 302 302"),
    },
    "units:browse": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "units:detail": {
        "GET": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
    },
    "collection:index": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "collection:open_round": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("404 404 404 404 404 404", "404 404 404 404 404 404"),
    },
    "collection:round": {
        "GET": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
    },
    "collection:round_action": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("302 302 403 302 302 302", "403 403 302 403 403 302"),
    },
    "collection:entry": {
        "GET": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 403 200 403 200", "403 403 200 403 403 200"),
    },
    "collection:excel": {
        "GET": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
    },
    "collection:upload": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("302 302 403 302 302 302", "403 403 302 403 403 302"),
    },
    "collection:upload_confirm": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("200 302 302 302 302 302", "302 302 302 302 302 302"),
    },
    "collection:review": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("302 302 403 302 403 302", "403 403 302 403 403 302"),
    },
    "collection:audit": {
        "GET": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
    },
    "factcheck:check": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("400 400 400 400 400 400", "400 400 400 400 400 400"),
    },
    "factcheck:document": {
        "GET": ("200 404 404 404 404 404", "404 404 404 404 404 404"),
        "POST": ("200 404 404 404 404 404", "404 404 404 404 404 404"),
    },
    "factcheck:import": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("400 404 404 404 404 404", "404 404 404 404 404 404"),
    },
    "factcheck:imports": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "analytics:dashboard": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "analytics:quality": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "analytics:export": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "analytics:targets": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("403 200 200 200 403 200", "403 200 200 200 403 200"),
    },
    "analytics:target_delete": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("403 302 404 404 404 404", "403 403 302 404 404 404"),
    },
    "analytics:targets_import": {
        "GET": ("403 200 200 200 403 200", "403 200 200 200 403 200"),
        "POST": ("403 200 200 200 403 200", "403 200 200 200 403 200"),
    },
    "norms:index": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "norms:staffing": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "norms:pcgd": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("403 200 200 200 200 200", "403 200 200 200 200 200"),
    },
    "norms:pcgd_upload": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("302 302 302 302 302 302", "302 302 302 302 302 302"),
    },
    "norms:register": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "norms:certificate_new": {
        "GET": ("403 200 200 200 403 200", "403 200 200 200 403 200"),
        "POST": ("403 200 200 200 403 200", "403 200 200 200 403 200"),
    },
    "norms:certificate_edit": {
        "GET": ("403 200 403 200 403 200", "403 403 200 403 403 200"),
        "POST": ("403 200 403 200 403 200", "403 403 200 403 403 200"),
    },
    "norms:certificate_delete": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("403 302 404 404 404 404", "403 403 302 404 404 404"),
    },
    "reports:index": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "reports:draft": {
        "GET": ("403 200 403 200 403 200", "403 403 200 403 403 200"),
        "POST": ("403 302 403 302 403 302", "403 403 302 403 403 302"),
    },
    "reports:generate": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    },
    "reports:job": {
        "GET": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("403 200 403 200 200 200", "403 403 200 403 403 200"),
    },
    "reports:download": {
        "GET": ("404 404 404 404 404 404", "404 404 404 404 404 404"),
        "POST": ("404 404 404 404 404 404", "404 404 404 404 404 404"),
    },
    "history": {
        "GET": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
    },
    "api_tokens": {
        "GET": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "POST": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    },
    "favicon": {
        "GET": ("301 301 301 301 301 301", "301 301 301 301 301 301"),
        "POST": ("301 301 301 301 301 301", "301 301 301 301 301 301"),
    },
    "collection:queue": {
        "GET": ("403 200 200 200 403 200", "403 200 200 200 403 200"),
        "POST": ("403 302 302 302 403 302", "403 302 302 302 403 302"),
    },
    "collection:submission": {
        "GET": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
        "POST": ("200 200 403 200 200 200", "403 403 200 403 403 200"),
    },
    "reports:final": {
        "GET": ("405 405 405 405 405 405", "405 405 405 405 405 405"),
        "POST": ("302 302 302 302 403 403", "302 302 302 302 403 403"),
    },
}


@dataclass
class World:
    users: dict
    ids: dict  # (side, kind) -> id
    province: dict  # side -> province id


def _side_world(side: str, commune_unit, province_unit) -> dict:
    officer = make_user(Role.COMMUNE, commune_unit)
    school = make_school(commune_unit, levels=("TH",), opened=dt.date(2010, 9, 1), name=MARK[side])
    staff = make_user(Role.SCHOOL, school.unit)
    form = Form.objects.get(code="02.ĐN-TH", is_current=True)
    rnd = actions.do_open_round(officer, form, "2025-2026", commune_unit, due=dt.date(2099, 1, 1))
    sub = actions.access_submission(staff, rnd, school.unit.pk, write=True)
    actions.do_save_values(staff, sub, good_values(), expected_version=sub.version)
    pending = PendingUpload.objects.create(
        user=staff, round=rnd, unit=school.unit, name="x.xlsx", sha256="0" * 64, data=b"x"
    )
    from tongket.analytics.models import Target
    from tongket.factcheck.models import CheckedDocument
    from tongket.norms.models import SchoolCertificate
    from tongket.reports.models import ReportJob

    target = Target.objects.create(
        indicator=Indicator.objects.first(), unit=commune_unit, period="2025-2026", value=90
    )
    cert = SchoolCertificate.objects.create(
        school=school.unit,
        kind="national_standard",
        level=1,
        decision_number="1/QĐ",
        decision_date=dt.date(2024, 1, 1),
        expires=dt.date(2029, 1, 1),
        renew_by=dt.date(2028, 7, 1),
    )
    doc = CheckedDocument.objects.create(owner=staff, name=MARK[side], sha256="1" * 64, text="x")
    job = ReportJob.objects.create(
        unit=commune_unit, period="2025-2026", kind="tong-ket", user=officer
    )
    return {
        "officer": officer,
        "staff": staff,
        "ids": {
            "round": rnd.pk,
            "school": school.unit.pk,
            "commune": commune_unit.pk,
            "province": province_unit.pk,
            "submission": sub.pk,
            "pending": pending.pk,
            "target": target.pk,
            "certificate": cert.pk,
            "document": doc.pk,
            "job": job.pk,
        },
    }


@pytest.fixture
def world() -> World:
    p_in = uq.unit_by_code(UnitKind.PROVINCE, "11", DAY)
    p_out = uq.unit_by_code(UnitKind.PROVINCE, "08", DAY)
    c_in = uq.unit_by_code(UnitKind.COMMUNE, "03127", DAY)
    c_out = uq.descendants(p_out, DAY, kind=UnitKind.COMMUNE).first()
    a = _side_world("in", c_in, p_in)
    b = _side_world("out", c_out, p_out)
    users = {
        "school": a["staff"],
        "commune": a["officer"],
        "commune_other": b["officer"],
        "province": make_user(Role.PROVINCE, p_in),
        "leader": make_user(Role.LEADER, p_in),
        "admin": make_user(Role.ADMIN, None),
    }
    ids = {("in", k): v for k, v in a["ids"].items()} | {("out", k): v for k, v in b["ids"].items()}
    return World(users, ids, {"in": p_in.pk, "out": p_out.pk})


def walk(patterns=None, prefix="", ns=""):
    """(route, name) of every URL pattern, namespaces joined as in reverse()."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns and p.name else (p.name or "")
            yield prefix + str(p.pattern), name


ARG_KIND = {
    "round_id": "round",
    "unit_id": "school",
    "submission_id": "submission",
    "pending_id": "pending",
    "province_id": "province",
}
PK_KIND = {
    "units:detail": "school",
    "factcheck:document": "document",
    "factcheck:import": "document",
    "analytics:target_delete": "target",
    "norms:certificate_edit": "certificate",
    "norms:certificate_delete": "certificate",
    "reports:job": "job",
    "reports:download": "job",
    "history": "certificate",
}
FIXED_ARGS = {"table": "plan", "what": "docx", "kind": "certificate"}
# endpoints that name their unit in the query string
QUERY = {
    "analytics:dashboard": {"unit": "commune"},
    "analytics:quality": {"unit": "commune"},
    "analytics:export": {"unit": "commune"},
    "analytics:targets": {"unit": "commune"},
    "norms:staffing": {"unit": "commune"},
    "norms:pcgd": {"province": "province"},
    "norms:register": {"unit": "commune"},
    "reports:index": {"unit": "commune"},
    "reports:draft": {"unit": "commune"},
    "collection:audit": {},
    "api:values": {"unit": "commune", "period": "=2025-2026"},
    "api:targets": {"unit": "commune", "period": "=2025-2026"},
    "api:verdicts": {"unit": "commune", "period": "=2025-2026"},
}
# API writes get a well-formed body, so the scope check (not the schema) answers
API_BODY = {
    "api:put_values": '{"version": 0, "values": []}',
    "api:submit": '{"version": 0}',
    "api:submit_report": '{"version": 0, "values": []}',
}
API_WRITE_METHOD = {"api:put_values": "PUT"}
# left out of the matrix: Django's own admin site (staff only, Django's own permission checks)
SKIPPED_NAMESPACES = ("admin:",)
_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")


def endpoints() -> list[tuple[str, str]]:
    return [
        (route, name)
        for route, name in walk()
        if not name.startswith(SKIPPED_NAMESPACES) and not route.startswith("admin/")
    ]


def url_for(world: World, route: str, name: str, side: str) -> tuple[str, dict]:
    def arg(m) -> str:
        key = m.group(2)
        if key in FIXED_ARGS:
            return FIXED_ARGS[key]
        kind = PK_KIND[name] if key == "pk" else ARG_KIND[key]
        return str(world.ids[(side, kind)])

    path = "/" + _ARG.sub(arg, route).replace("\\Z", "").lstrip("^").rstrip("$")
    query = {
        k: kind[1:] if kind.startswith("=") else world.ids[(side, kind)]
        for k, kind in QUERY.get(name, {}).items()
    }
    return path, query


def snapshot(side: str, world: World) -> tuple:
    """What a write must not change on a side outside the writer's scope."""
    from tongket.analytics.models import Target
    from tongket.norms.models import SchoolCertificate

    school = world.ids[(side, "school")]
    return (
        sorted(
            DataValue.objects.filter(unit_id=school).values_list("element_id", "combo", "value")
        ),
        list(Submission.objects.filter(unit_id=school).values_list("status", "version")),
        list(Target.objects.filter(unit_id=world.ids[(side, "commune")]).values_list("value")),
        list(SchoolCertificate.objects.filter(school_id=school).values_list("level", "expires")),
        PendingUpload.objects.filter(pk=world.ids[(side, "pending")]).exists(),
    )


def run(client, world: World, route: str, name: str) -> dict[str, tuple[str, str]]:
    """Every method, role and side of one endpoint: the statuses, with the invariants
    (no 500, no foreign unit shown, nothing foreign written) asserted on the way."""
    methods = ["GET", API_WRITE_METHOD.get(name, "POST")]
    got: dict[str, tuple[str, str]] = {}
    for method in methods:
        per_side = []
        for side in ("in", "out"):
            codes = []
            path, query = url_for(world, route, name, side)
            for role in ROLES:
                client.force_login(world.users[role])
                foreign = [s for s in ("in", "out") if s not in SCOPE[role]]
                before = {s: snapshot(s, world) for s in foreign} if method != "GET" else {}
                if method == "GET":
                    resp = client.get(path, query)
                elif name.startswith("api:"):
                    url = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()))
                    body = API_BODY.get(name, "{}")
                    resp = client.generic(method, url, body, content_type="application/json")
                else:
                    resp = client.post(path, query)
                where = f"{method} {path} {query} as {role}"
                assert resp.status_code != 500, where
                if name not in PUBLIC and getattr(resp, "streaming", False) is False:
                    body = resp.content.decode("utf-8", "replace")
                    for s in foreign:
                        assert MARK[s] not in body, f"{where} shows {MARK[s]}"
                for s, snap in before.items():
                    assert snapshot(s, world) == snap, f"{where} changed side {s}"
                codes.append(str(resp.status_code))
            per_side.append(" ".join(codes))
        got[method] = (per_side[0], per_side[1])
    return got


def test_every_endpoint_is_classified():
    names = {name for _, name in endpoints()}
    missing = sorted(names - set(ENDPOINTS))
    assert not missing, f"classify these endpoints in ENDPOINTS (test_scope_matrix.py): {missing}"
    assert all(name for name in names), "every URL pattern needs a name"


@pytest.mark.parametrize(("route", "name"), endpoints(), ids=[n for _, n in endpoints()])
def test_role_endpoint_object(client, world, route, name):
    got = run(client, world, route, name)
    dump = os.environ.get("TONGKET_MATRIX_DUMP")
    if dump:  # regenerate the table: run with TONGKET_MATRIX_DUMP=file, review, paste
        with open(dump, "a", encoding="utf-8") as fh:
            fh.write(f"    {name!r}: {got!r},\n")
    if name not in ENDPOINTS:
        pytest.fail(f"unclassified endpoint {name}: observed {got!r}")
    assert got == ENDPOINTS[name]

"""The collection API: token auth, read and write within scope, the same rules as the web."""

from __future__ import annotations

import json

import pytest

from tongket.collection.models import DataValue
from tongket.collection.tests.factories import open_th_round
from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user
from tongket.core.tokens import create_token

pytestmark = pytest.mark.django_db


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user, 'test')}"}


def test_openapi_schema_is_served(client):
    assert client.get("/api/openapi.json").status_code == 302  # not public by default
    user = make_user(Role.SCHOOL, make_school().unit)
    assert client.get("/api/openapi.json", **_auth(user)).status_code == 200  # an API key will do
    client.force_login(user)
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200 and "/api/collection/rounds" in json.dumps(resp.json())


def test_no_token_no_data(client):
    assert client.get("/api/collection/rounds").status_code == 401
    assert (
        client.get("/api/collection/rounds", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    )


def test_write_then_submit_through_the_api(client):
    rnd, school, officer, staff = open_th_round()
    h = _auth(staff)
    url = f"/api/collection/rounds/{rnd.pk}/units/{school.pk}"
    body = {
        "version": 0,
        "values": [
            {"element": "pupils", "combo": f"grade={g};level=TH", "value": 30} for g in range(1, 6)
        ]
        + [{"element": "classes", "combo": f"grade={g};level=TH", "value": 1} for g in range(1, 6)],
    }
    resp = client.put(url + "/values", json.dumps(body), content_type="application/json", **h)
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert {"element": "pupils", "combo": "level=TH", "value": 150.0} in data["values"]
    stale = client.put(url + "/values", json.dumps(body), content_type="application/json", **h)
    assert stale.status_code == 409 and "người khác" in stale.json()["detail"]
    ok = client.post(
        url + "/submit",
        json.dumps({"version": data["version"]}),
        content_type="application/json",
        **h,
    )
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    rates = client.get(f"/api/collection/rounds/{rnd.pk}/rates", **_auth(officer)).json()
    assert rates["submitted"] >= 1


def test_bad_values_get_422_with_every_problem(client):
    rnd, school, officer, staff = open_th_round()
    body = {
        "version": 0,
        "values": [
            {"element": "pupils", "combo": "grade=1;level=TH", "value": -2},
            {"element": "pupils", "combo": "grade=2;level=TH", "value": "x"},
        ],
    }
    resp = client.put(
        f"/api/collection/rounds/{rnd.pk}/units/{school.pk}/values",
        json.dumps(body),
        content_type="application/json",
        **_auth(staff),
    )
    assert resp.status_code == 422 and len(resp.json()["problems"]) == 2


def test_api_refuses_another_schools_data(client):
    rnd, school, officer, staff = open_th_round()
    other = make_school(commune("03127"), levels=("TH",)).unit
    h = _auth(staff)
    assert client.get(f"/api/collection/rounds/{rnd.pk}/units/{other.pk}", **h).status_code == 403
    body = {
        "version": 0,
        "values": [{"element": "pupils", "combo": "grade=1;level=TH", "value": 5}],
    }
    resp = client.put(
        f"/api/collection/rounds/{rnd.pk}/units/{other.pk}/values",
        json.dumps(body),
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 403 and not DataValue.objects.filter(unit=other).exists()
    stranger = make_user(Role.SCHOOL, make_school(commune("03151")).unit)
    assert (
        client.get(f"/api/collection/rounds/{rnd.pk}/rates", **_auth(stranger)).status_code == 403
    )


@pytest.mark.parametrize(
    "value",
    ["1_000", "١٢٣", "１２", "1e3", True, False, "۱۲", "12\u00a0000x"],
    ids=["underscore", "arabic-indic", "fullwidth", "exponent", "true", "false", "persian", "junk"],
)
def test_counts_take_plain_ascii_digits_only(client, value):
    rnd, school, officer, staff = open_th_round()
    body = {
        "version": 0,
        "values": [{"element": "pupils", "combo": "grade=1;level=TH", "value": value}],
    }
    resp = client.put(
        f"/api/collection/rounds/{rnd.pk}/units/{school.pk}/values",
        json.dumps(body),
        content_type="application/json",
        **_auth(staff),
    )
    assert resp.status_code == 422, resp.content
    (problem,) = resp.json()["problems"]
    # the message names the cell (section, row code, column) and says what is accepted
    assert problem["combo"] == "grade=1;level=TH" and "mã số" in problem["message_vi"]
    assert "chữ số 0–9" in problem["message_vi"]
    assert not DataValue.objects.filter(unit=school).exists()


@pytest.mark.parametrize("value", [1000, 1000.0, "1000", "1.000", " 1 000 "])
def test_plain_counts_still_accepted(client, value):
    rnd, school, officer, staff = open_th_round()
    body = {
        "version": 0,
        "values": [{"element": "pupils", "combo": "grade=1;level=TH", "value": value}],
    }
    resp = client.put(
        f"/api/collection/rounds/{rnd.pk}/units/{school.pk}/values",
        json.dumps(body),
        content_type="application/json",
        **_auth(staff),
    )
    assert resp.status_code == 200, resp.content
    assert DataValue.objects.get(unit=school, combo="grade=1;level=TH").value == 1000

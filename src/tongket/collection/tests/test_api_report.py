"""The one-request submission (POST …/report): save and submit in one transaction, refused as a
whole with every problem listed, the same scope and locks as the two-step path."""

from __future__ import annotations

import json

import pytest

from tongket.collection.models import DataValue, Submission, SubmissionEvent, ValueAudit
from tongket.collection.tests.factories import good_values, open_th_round
from tongket.core.testing.factories import commune, make_school
from tongket.core.tokens import create_token

pytestmark = pytest.mark.django_db


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user, 'test')}"}


def _cells(values: dict) -> list[dict]:
    return [{"element": e, "combo": c, "value": v} for (e, c), v in values.items()]


def _post(client, rnd, unit, body, h):
    return client.post(
        f"/api/collection/rounds/{rnd.pk}/units/{unit.pk}/report",
        json.dumps(body),
        content_type="application/json",
        **h,
    )


def test_one_request_saves_every_value_audits_it_and_submits(client):
    rnd, school, officer, staff = open_th_round()
    values = good_values()
    resp = _post(client, rnd, school, {"version": 0, "values": _cells(values)}, _auth(staff))
    assert resp.status_code == 200, resp.content
    out = resp.json()
    sub = Submission.objects.get(round=rnd, unit=school)
    assert out["status"] == "submitted" == sub.status
    assert out["version"] == sub.version == 1  # one transaction, one version
    stored = {
        (e, c): v
        for e, c, v in DataValue.objects.filter(unit=school).values_list(
            "element__code", "combo", "value"
        )
    }
    assert all(stored[k] == float(v) for k, v in values.items())
    assert stored[("pupils", "level=TH")] == 150.0  # the total the system computes
    assert out["values"] == len(stored) and out["changed"] == len(stored)
    audits = ValueAudit.objects.filter(submission=sub)
    assert audits.count() == len(stored) and set(audits.values_list("channel", flat=True)) == {
        "api"
    }
    assert list(
        SubmissionEvent.objects.filter(submission=sub).values_list("status", flat=True)
    ) == ["submitted"]
    again = _post(client, rnd, school, {"version": 1, "values": _cells(values)}, _auth(staff))
    assert again.status_code == 409 and again.json()["code"] == "locked"


def test_an_error_refuses_the_whole_request_and_lists_every_violation(client):
    rnd, school, officer, staff = open_th_round()
    values = good_values() | {
        ("pupils", "grade=3;level=TH;sex=f"): 31,  # more girls than pupils in grade 3
        ("pupils", "grade=4;level=TH;sex=f"): 40,  # and in grade 4
    }
    resp = _post(client, rnd, school, {"version": 0, "values": _cells(values)}, _auth(staff))
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "errors" and "lỗi phải sửa" in body["detail"]
    assert len(body["violations"]) == 2
    assert {v["severity"] for v in body["violations"]} == {"error"}
    assert all(v["cells"] and v["message_vi"] for v in body["violations"])
    assert not DataValue.objects.filter(unit=school).exists()
    assert not ValueAudit.objects.filter(unit=school).exists()
    assert not Submission.objects.filter(round=rnd, unit=school).exists()  # not even a draft


def test_a_warning_passes_only_with_its_explanation(client):
    rnd, school, officer, staff = open_th_round()
    values = good_values() | {("pupils", "grade=1;level=TH"): 100}  # 44 pupils a class
    h = _auth(staff)
    refused = _post(client, rnd, school, {"version": 0, "values": _cells(values)}, h)
    assert refused.status_code == 422 and refused.json()["code"] == "explain"
    key = refused.json()["violations"][0]["key"]
    assert not DataValue.objects.filter(unit=school).exists()
    explanations = {key: "Lớp ghép tạm thời", "made_up@x": "y" * 5000}  # a stray key
    body = {"values": _cells(values), "explanations": explanations}  # and no version
    ok = _post(client, rnd, school, body, h)
    assert ok.status_code == 200, ok.content
    assert ok.json()["warnings_explained"] == 1
    sub = Submission.objects.get(round=rnd, unit=school)
    assert sub.explanations == {key: "Lớp ghép tạm thời"}  # only its warning's explanation


def test_bad_cells_stale_version_and_another_school_change_nothing(client):
    rnd, school, officer, staff = open_th_round()
    h = _auth(staff)
    bad = [
        *_cells(good_values()),
        {"element": "pupils", "combo": "grade=9;level=TH", "value": 3},  # not on the form
        {"element": "classes", "combo": "grade=1;level=TH", "value": "1,5"},  # decimal count
    ]
    resp = _post(client, rnd, school, {"version": 0, "values": bad}, h)
    assert resp.status_code == 422 and len(resp.json()["problems"]) == 2
    stale = _post(client, rnd, school, {"version": 7, "values": _cells(good_values())}, h)
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    other = make_school(commune("03127"), levels=("TH",)).unit
    denied = _post(client, rnd, other, {"version": 0, "values": _cells(good_values())}, h)
    assert denied.status_code == 403
    assert not DataValue.objects.filter(unit__in=[school, other]).exists()
    assert not Submission.objects.filter(unit=other).exists()


def test_malformed_or_oversized_bodies_are_refused_before_any_write(client):
    rnd, school, officer, staff = open_th_round()
    h = _auth(staff)
    url = f"/api/collection/rounds/{rnd.pk}/units/{school.pk}/report"
    broken = client.post(url, "{not json", content_type="application/json", **h)
    assert broken.status_code in (400, 422)
    huge = {"values": [{"element": "pupils", "combo": "grade=1;level=TH", "value": 1}] * 5001}
    assert _post(client, rnd, school, huge, h).status_code == 422
    long_element = {"values": [{"element": "x" * 61, "combo": "", "value": 1}]}
    assert _post(client, rnd, school, long_element, h).status_code == 422
    empty = _post(client, rnd, school, {"values": []}, h)
    assert empty.status_code == 422 and "chưa có số liệu" in empty.json()["detail"]
    assert not DataValue.objects.filter(unit=school).exists()

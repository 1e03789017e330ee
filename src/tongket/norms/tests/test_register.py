"""National standard and accreditation register: dates, alerts, constraints, counts, scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from tongket.core.models import Role
from tongket.core.testing.factories import make_school, make_user
from tongket.norms import actions, queries
from tongket.norms.models import SchoolCertificate

from ._data import current_commune, put

pytestmark = pytest.mark.django_db


def _cert(school, kind="national_standard", level=1, day=dt.date(2021, 3, 15), user=None, no="1"):
    return actions.do_save_certificate(
        user,
        school=school.unit,
        kind=kind,
        level=level,
        decision_number=f"{no}/QĐ-UBND",
        decision_date=day,
        issued_by="UBND tỉnh Điện Biên",
    )


def test_expiry_is_five_years_and_renewal_five_months_before():
    school = make_school(current_commune("03127"), levels=("TH",))
    cert = _cert(school)
    assert cert.expires == dt.date(2026, 3, 14)  # valid 05 years (TT 17/2018)
    assert cert.renew_by == dt.date(2025, 10, 14)  # register ≥ 05 months before expiry
    assert "TT 17/2018" in cert.source


def test_alerts_list_schools_within_the_lead_time_or_expired():
    commune = current_commune("03127")
    due = make_school(commune, levels=("TH",))
    expired = make_school(commune, levels=("THCS",))
    fine = make_school(commune, levels=("MN",))
    renewed = make_school(commune, levels=("TH",))
    _cert(due, day=dt.date(2021, 3, 15))  # expires 14/3/2026
    _cert(expired, kind="accreditation", level=2, day=dt.date(2020, 1, 10))  # expired 9/1/2025
    _cert(fine, day=dt.date(2024, 5, 1))
    _cert(renewed, day=dt.date(2020, 12, 1), no="1")
    _cert(renewed, day=dt.date(2025, 11, 1), no="2")  # the newer one counts
    on = dt.date(2025, 12, 1)
    alerts = queries.renewal_alerts(commune, on)
    assert [(c.school_id, st) for c, st, _ in alerts] == [
        (expired.unit.pk, "expired"),
        (due.unit.pk, "renew"),
    ]
    assert alerts[1][2] == (dt.date(2026, 3, 14) - on).days
    whole, _ = queries.certificate_counts(commune, on)
    assert whole.schools == 4
    assert whole.valid == {"national_standard": 3}  # due, fine, renewed; the accreditation expired
    assert whole.standard_rate == "75,0%"
    assert queries.certificate_rate(commune, on) == (3, 4)
    assert queries.register_sentences(commune, on)[0].startswith(
        "Đến ngày 01/12/2025, 3/4 trường (75,0%) đạt chuẩn quốc gia"
    )


def test_levels_are_checked_with_vietnamese_messages():
    school = make_school(current_commune("03127"), levels=("TH",))
    with pytest.raises(actions.NormsError, match="chỉ có mức độ 1 hoặc 2"):
        _cert(school, level=3)
    with pytest.raises(actions.NormsError, match="cấp độ 1 đến 4"):
        _cert(school, kind="accreditation", level=5)
    cert = _cert(school, kind="accreditation", level=4)
    bad = SchoolCertificate(
        school=school.unit,
        kind="national_standard",
        level=3,
        decision_number="9",
        decision_date=cert.decision_date,
        expires=cert.expires,
        renew_by=cert.renew_by,
    )
    with pytest.raises(ValidationError) as err:
        bad.full_clean()
    assert "Trường đạt chuẩn quốc gia chỉ có mức độ 1 hoặc 2." in str(err.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()  # the database refuses it too
    with pytest.raises(actions.NormsError, match="theo quyết định số này"):
        _cert(school, kind="accreditation", level=3)  # same decision number twice


def test_only_officers_in_scope_write_the_register(client):
    commune = current_commune("03127")
    school = make_school(commune, levels=("TH",))
    other = make_school(current_commune("03151"), levels=("TH",))
    with pytest.raises(PermissionDenied):
        _cert(school, user=make_user(Role.SCHOOL, school.unit))
    with pytest.raises(PermissionDenied):
        _cert(other, user=make_user(Role.COMMUNE, commune))
    officer = make_user(Role.COMMUNE, commune)
    client.force_login(officer)
    resp = client.post(
        "/norms/register/new/",
        {
            "school": school.unit.pk,
            "kind": "national_standard",
            "level": 2,
            "decision_number": "15/QĐ-UBND",
            "decision_date": "10/01/2025",
            "issued_by": "UBND tỉnh",
        },
        follow=True,
    )
    page = resp.content.decode()
    assert "Hết hiệu lực 09/01/2030" in page
    cert = SchoolCertificate.objects.get(school=school.unit)
    page = client.get("/norms/register/", {"unit": commune.pk}).content.decode()
    assert school.unit.name in page and "15/QĐ-UBND" in page
    resp = client.post(
        f"/norms/register/{cert.pk}/edit/",
        {
            "school": school.unit.pk,
            "kind": "national_standard",
            "level": 3,
            "decision_number": "15/QĐ-UBND",
            "decision_date": "10/01/2025",
        },
    )
    assert "chỉ có mức độ 1 hoặc 2" in resp.content.decode()
    client.force_login(make_user(Role.SCHOOL, other.unit))
    assert client.get("/norms/register/", {"unit": commune.pk}).status_code == 403


def test_demo_register_follows_the_reported_school_standard():
    commune = current_commune("03127")
    std2 = make_school(commune, levels=("TH",))
    none = make_school(commune, levels=("TH",))
    put(
        std2.unit,
        "2025-2026",
        {("school_std", "level=TH;std_level=2"): 1, ("school_std", "level=TH;std_level=1"): 0},
    )
    put(none.unit, "2025-2026", {("school_std", "level=TH;std_level=1"): 0})
    out = io.StringIO()
    call_command("norms", "demo-register", "--province", "11", stdout=out)
    assert "giấy chứng nhận mẫu" in out.getvalue()
    std = SchoolCertificate.objects.filter(kind="national_standard")
    assert list(std.values_list("school_id", "level")) == [(std2.unit.pk, 2)]

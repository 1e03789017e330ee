"""Web shell: login, unit browser with diacritic-insensitive search, unit pages, scope."""

from __future__ import annotations

import pytest

from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user
from tongket.units.models import OrgUnit, UnitKind
from tongket.units.queries import unit_by_code

pytestmark = pytest.mark.django_db


def test_login_required_and_login_page_is_vietnamese(client):
    resp = client.get("/units/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]
    page = client.get("/login/").content.decode()
    assert "Đăng nhập" in page and "Mật khẩu" in page


def test_wrong_password_gets_a_vietnamese_message(client):
    make_user(Role.ADMIN, None, "quantri")
    resp = client.post("/login/", {"username": "quantri", "password": "sai"})
    assert "không đúng" in resp.content.decode()


def test_search_without_diacritics_finds_the_province(client):
    admin = make_user(Role.ADMIN, None)
    client.force_login(admin)
    page = client.get("/units/", {"q": "dien bien"}).content.decode()
    assert "Điện Biên" in page
    assert client.get("/units/", {"q": "Điện Biên"}).content.decode().count("Điện Biên") >= 1


def test_search_as_you_type_gets_the_results_alone(client):
    client.force_login(make_user(Role.ADMIN, None))
    resp = client.get(
        "/units/", {"q": "muong cha"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    text = resp.content.decode()
    assert text.lstrip().startswith('<div id="results">')  # the fragment, not the page
    assert "Mường Chà" in text and "<html" not in text and "Tính đến ngày" not in text
    assert "HX-Target" in resp["Vary"]
    empty = client.get("/units/", {"q": "zzzz"}, headers={"HX-Target": "results"}).content.decode()
    assert "Không tìm thấy đơn vị nào" in empty


def test_tree_as_of_a_date_before_and_after_the_reform(client):
    client.force_login(make_user(Role.ADMIN, None))
    province = unit_by_code(UnitKind.PROVINCE, "11")

    def children_part(day: str) -> str:
        page = client.get(f"/units/{province.pk}/", {"as_of": day}).content.decode()
        return page.split("Trực thuộc ngày", 1)[1]

    before, after = children_part("01/06/2025"), children_part("01/09/2025")
    assert "Huyện Mường Chà" in before and "Huyện Mường Chà" not in after
    assert "Phường Điện Biên Phủ" in after


def test_bad_date_gets_a_message_not_a_crash(client):
    client.force_login(make_user(Role.ADMIN, None))
    resp = client.get("/units/", {"as_of": "31/02/2025"})
    assert resp.status_code == 200 and "không đọc được ngày" in resp.content.decode()


def test_school_page_and_scope(client):
    school = make_school(commune("03127"))
    other = make_school(commune("03151"))
    user = make_user(Role.SCHOOL, school.unit)
    client.force_login(user)
    page = client.get(f"/units/{school.unit.pk}/").content.decode()
    assert school.unit.code in page and "Tiểu học" in page
    assert client.get(f"/units/{other.unit.pk}/").status_code == 403
    # search never shows units outside the user's scope
    listing = client.get("/units/", {"q": other.unit.name}).content.decode()
    assert other.unit.code not in listing


def test_legacy_unit_page_names_its_successor(client):
    client.force_login(make_user(Role.ADMIN, None))
    ha_giang = OrgUnit.objects.get(kind=UnitKind.PROVINCE, code="02")
    page = client.get(f"/units/{ha_giang.pk}/").content.decode()
    assert "Tuyên Quang" in page


def test_hostile_search_input_is_harmless(client):
    client.force_login(make_user(Role.ADMIN, None))
    resp = client.get("/units/", {"q": "<script>alert(1)</script>' OR 1=1 --"})
    assert resp.status_code == 200
    assert "<script>alert(1)</script>" not in resp.content.decode()

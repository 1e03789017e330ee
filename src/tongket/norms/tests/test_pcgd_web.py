"""PCGD–XMC on the web: upload, evaluate, store; broken files; who may upload; the demo command."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tongket.core.models import Role
from tongket.core.testing.factories import make_user
from tongket.norms.calc.pcgd import generate_survey, write_communes
from tongket.norms.models import PcgdCommune, PcgdResult
from tongket.norms.queries import pcgd_sentences, reason_vi
from tongket.units.models import UnitKind
from tongket.units.queries import unit_by_code

from ._data import CURRENT_DAY, current_commune

pytestmark = pytest.mark.django_db
CODES = ["03127", "03151", "03158"]


@pytest.fixture
def province():
    return unit_by_code(UnitKind.PROVINCE, "11", CURRENT_DAY)


@pytest.fixture
def files(tmp_path):
    survey = generate_survey(CODES, 200, 2025, 7, difficult=["03158"], path=tmp_path / "s.csv")
    text = survey.read_text(encoding="utf-8")
    n_rows = text.count("\n") - 1
    # one impossible row at the end: grade 1 at 40
    text += "999999,03127,1985,M,0,none,grade_1,0,,,0\n"
    communes = write_communes(tmp_path / "c.csv", CODES, difficult=["03158"])
    return text.encode(), communes.read_bytes(), n_rows + 1


def _upload(client, province, survey: bytes, communes: bytes, year="2025", name="dieu_tra.csv"):
    return client.post(
        f"/norms/pcgd/{province.pk}/upload/",
        {
            "year": year,
            "survey": SimpleUploadedFile(name, survey, content_type="text/csv"),
            "communes": SimpleUploadedFile("xa.csv", communes, content_type="text/csv"),
        },
        follow=True,
    )


def test_provincial_officer_uploads_and_sees_communes(client, province, files):
    survey, communes, bad_row = files
    client.force_login(make_user(Role.PROVINCE, province))
    resp = _upload(client, province, survey, communes)
    page = resp.content.decode()
    assert resp.status_code == 200 and "Đã đánh giá và lưu kết quả PCGD–XMC năm 2025" in page
    res = PcgdResult.objects.get(province=province, year=2025)
    assert res.survey_name == "dieu_tra.csv" and len(res.survey_sha256) == 64
    rows = {r.code: r for r in PcgdCommune.objects.filter(result=res)}
    assert set(rows) == set(CODES) and rows["03158"].difficult
    assert rows["03127"].commune == current_commune("03127")
    assert {"row": bad_row, "reason": "status grade_1 inconsistent with age 40"} in res.result[
        "rejected_rows"
    ]
    assert f'<td class="num">{bad_row}</td><td>tình trạng grade_1 không phù hợp với tuổi 40' in page
    assert "Phường Điện Biên Phủ" in page and "Toàn tỉnh" in page
    # failing criteria show the rate, the threshold and the people short
    failing = [r for r in rows.values() if r.failures]
    if failing:
        f = next(f for f in failing[0].failures if f["threshold"] is not None)
        assert f["short_by_people"] >= 1 and "Còn thiếu (người)" in page
    assert pcgd_sentences(province, 2025)[0].startswith("Năm 2025: ")
    # the same files again change nothing
    _upload(client, province, survey, communes)
    assert PcgdResult.objects.filter(province=province).count() == 1


def test_broken_files_get_a_vietnamese_message_and_nothing_is_saved(client, province, files):
    survey, communes, _ = files
    client.force_login(make_user(Role.PROVINCE, province))
    no_columns = b"person_id,commune_code\n1,03127\n"
    page = _upload(client, province, no_columns, communes).content.decode()
    assert "Chưa lưu kết quả: Tệp &#x27;dieu_tra.csv&#x27;: thiếu cột birth_year" in page
    foreign = b"commune_code,difficult\n03127,0\n01001,0\n"
    page = _upload(client, province, survey, foreign).content.decode()
    assert "1 mã xã không thuộc Điện Biên" in page and "01001" in page
    page = _upload(client, province, survey, communes, name="dieu_tra.pdf").content.decode()
    assert "không hỗ trợ định dạng" in page
    page = _upload(client, province, b"\x00\x01garbage", communes, name="x.xlsx").content.decode()
    assert "Chưa lưu kết quả" in page
    assert not PcgdResult.objects.exists() and not PcgdCommune.objects.exists()


def test_commune_officer_cannot_upload_for_the_province(client, province, files):
    survey, communes, _ = files
    client.force_login(make_user(Role.COMMUNE, current_commune("03127")))
    resp = _upload(client, province, survey, communes)
    assert resp.status_code == 403
    assert not PcgdResult.objects.exists()
    # and a leader reads but does not write
    client.force_login(make_user(Role.LEADER, province))
    assert _upload(client, province, survey, communes).status_code == 403


def test_commune_officer_sees_only_their_commune(client, province, files):
    survey, communes, _ = files
    client.force_login(make_user(Role.PROVINCE, province))
    _upload(client, province, survey, communes)
    client.force_login(make_user(Role.COMMUNE, current_commune("03151")))
    page = client.get("/norms/pcgd/", {"province": province.pk}).content.decode()
    assert "Phường Mường Lay" in page and "Phường Điện Biên Phủ" not in page
    assert "Tải lên kết quả điều tra" not in page


def test_reasons_are_translated():
    assert reason_vi("missing sex; malformed literacy_level (0/1/2)") == (
        "thiếu sex; mức biết chữ phải là 0, 1 hoặc 2"
    )


def test_demo_command_stores_a_result_for_the_demo_province(province):
    out = io.StringIO()
    call_command("pcgd", "demo", "--province", "11", "--year", "2025", "--people", "40", stdout=out)
    res = PcgdResult.objects.get(province=province, year=2025)
    assert res.communes.count() == 45  # Điện Biên's communes since 1/7/2025
    assert "PCGD–XMC 2025 Điện Biên: 45 xã" in out.getvalue()


def test_legacy_year_rolls_up_by_district(tmp_path):
    from tongket.norms import actions
    from tongket.norms.queries import pcgd_summary

    province = unit_by_code(UnitKind.PROVINCE, "11", CURRENT_DAY)
    codes = ["03154", "03155", "03157", "03160"]  # communes of Huyện Mường Nhé before 1/7/2025
    survey = generate_survey(codes, 150, 2024, 3, difficult=[], path=tmp_path / "s.csv")
    communes = write_communes(tmp_path / "c.csv", codes, difficult=[])
    res = actions.do_upload_pcgd(None, province, 2024, survey, communes)
    summary = pcgd_summary(res)
    assert [(d["name"], d["communes"]) for d in summary["districts"]] == [("Huyện Mường Nhé", 4)]
    assert {r.district_code for r in res.communes.all()} == {summary["districts"][0]["code"]}


def test_commune_officer_of_another_province_sees_nothing_of_it(client, province, files):
    """A commune officer of another province, naming this province's result: refused, and
    none of the upload's metadata (file names, time) on the page."""
    from tongket.units import queries as uq

    survey, communes, _ = files
    client.force_login(make_user(Role.PROVINCE, province))
    _upload(client, province, survey, communes, name="bi_mat.csv")
    res = PcgdResult.objects.get(province=province)
    other = unit_by_code(UnitKind.PROVINCE, "08", CURRENT_DAY)
    outsider = uq.descendants(other, CURRENT_DAY, kind=UnitKind.COMMUNE).first()
    client.force_login(make_user(Role.COMMUNE, outsider))
    for params in ({"province": province.pk, "result": res.pk}, {"province": province.pk}):
        resp = client.get("/norms/pcgd/", params)
        assert resp.status_code == 403 and "bi_mat.csv" not in resp.content.decode()

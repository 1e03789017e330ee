"""Staffing norms from collected values: TT 20/2023 vs TT 16/2017, roll-up in both tree modes."""

from __future__ import annotations

import pytest

from tongket.core.definitions import reference_date
from tongket.core.models import Role
from tongket.core.testing.factories import make_school, make_user
from tongket.norms import service
from tongket.units.models import UnitKind
from tongket.units.queries import parent, unit_by_code

from ._data import (
    CURRENT_DAY,
    LEGACY_DAY,
    current_commune,
    legacy_commune,
    put,
    school_across_reform,
    th_values,
)

pytestmark = pytest.mark.django_db


def _th(result):
    return result.result.levels["tieu_hoc"]


def test_th_school_with_10_two_session_classes_needs_15_plus_1_tpt_under_tt20():
    school = make_school(current_commune("03127"), levels=("TH",), region=3)
    put(school.unit, "2025-2026", th_values(pupils=300, teachers=14, tpt=1))
    res = service.compute_schools([school.unit], "2025-2026")[school.unit.pk]
    lr = _th(res)
    assert lr.rule_set == "tt20_2023"
    assert lr.required == 16  # 1,5 × 10 two-session classes + 1 Tổng phụ trách Đội
    assert lr.actual == 15 and lr.balance == -1
    text = " ".join(line for _, _, lines in res.levels for line in lines)
    assert "1,50 × 10 lớp = 15" in text and "Tổng phụ trách Đội" in text
    assert "Lớp học 2 buổi/ngày (mục II, dòng 17): 10/10 lớp" in text


def test_mixed_sessions_take_each_ratio():
    school = make_school(current_commune("03127"), levels=("TH",), region=3)
    put(school.unit, "2025-2026", th_values(two_session=8))
    lr = _th(service.compute_schools([school.unit], "2025-2026")[school.unit.pk])
    # 1,5 × 8 + 1,2 × 2 = 14,4 -> 14, + 1 TPT
    assert lr.required == 15
    assert any("1,50 × 8 lớp + 1,20 × 2 lớp = 14,40" in line for line in lr.explanation)


def test_norm_change_on_16_12_2023_between_two_periods():
    # Region 1: 380 pupils in 10 classes leave 380 - 10 × 35 = 30 pupils after classes are
    # formed; TT 20/2023 adds 30 // 12 = 2 teachers, TT 16/2017 has no such allowance.
    school = make_school(legacy_commune("03127"), levels=("TH",), region=1)
    for period in ("2023-2024", "2024-2025"):
        put(school.unit, period, th_values(pupils=380, teachers=16, tpt=1))
    before = _th(service.compute_schools([school.unit], "2023-2024")[school.unit.pk])
    after = _th(service.compute_schools([school.unit], "2024-2025")[school.unit.pk])
    assert reference_date("2023-2024").isoformat() == "2023-09-30"
    assert (before.rule_set, before.required, before.balance) == ("tt16_2017", 16, 1)
    assert (after.rule_set, after.required, after.balance) == ("tt20_2023", 18, -1)
    assert any("30 // 12 = 2" in line for line in after.explanation)


def test_subjects_from_the_form_and_the_report_sentences():
    commune = current_commune("03127")
    a = make_school(commune, levels=("TH",), region=3)
    b = make_school(commune, levels=("TH",), region=3)
    put(a.unit, "2025-2026", th_values(teachers=14, subjects={"anh": 0, "tin": 1, "tdtt": 1}))
    put(b.unit, "2025-2026", th_values(teachers=20, subjects={"anh": 3, "tin": 1, "tdtt": 1}))
    results = service.compute_schools([a.unit, b.unit], "2025-2026")
    lr = _th(results[a.unit.pk])
    assert "tieng_anh" in lr.required_by_subject and lr.actual_by_subject["tieng_anh"] == 0
    assert lr.actual_by_subject["van_hoa"] == 14 - 2  # class teachers = teachers - specialists
    assert sum(lr.required_by_subject.values()) == lr.required
    sentences = service.staffing_sentences(commune, "2025-2026")
    # a: 15 vs 16 (thiếu 1); b: 21 vs 16 (thừa 5) -> cân đối thừa 4; counted school by school
    # and subject by subject: thiếu 3 (a: Tiếng Anh 1, Nghệ thuật 1; b: Nghệ thuật 1), thừa 7.
    assert sentences == [
        "Tiểu học thiếu 3 giáo viên ở một số môn (trong đó Nghệ thuật 2, Tiếng Anh 1), thừa 7 "
        "giáo viên ở các môn khác, cân đối thừa 4 giáo viên."
    ]


def test_merged_commune_across_1_7_2025_in_both_tree_modes():
    # Xã Nậm Kè (03162, current) = legacy Xã Pá Mỳ (03159) + legacy Xã Nậm Kè (03162),
    # both of Huyện Mường Nhé; Xã Mường Toong (03163) stays a commune of its own.
    a = school_across_reform("03159", "03162", region=3)
    b = school_across_reform("03162", "03162", region=3)
    c = school_across_reform("03163", "03163", region=3)
    for s, teachers in ((a, 10), (b, 12), (c, 20)):
        put(s.unit, "2024-2025", th_values(teachers=teachers))  # each needs 16
    district = parent(legacy_commune("03162"), LEGACY_DAY)
    assert district.kind == UnitKind.DISTRICT
    as_of = service.compute_staffing(district, "2024-2025", "period")
    by_name = {g.unit.name: g for g in as_of.children if g.schools}
    assert set(by_name) == {"Xã Pá Mỳ", "Xã Nậm Kè", "Xã Mường Toong"}
    assert by_name["Xã Pá Mỳ"].by_group() == {"Tiểu học": -5}
    assert by_name["Xã Nậm Kè"].by_group() == {"Tiểu học": -3}

    province = unit_by_code(UnitKind.PROVINCE, "11", CURRENT_DAY)
    today = service.compute_staffing(province, "2024-2025", "current")
    groups = {g.unit.code: g for g in today.children if g.schools}
    merged = groups["03162"]
    assert merged.unit.valid_from.isoformat() == "2025-07-01"
    assert {s.unit.pk for s in merged.schools} == {a.unit.pk, b.unit.pk}
    assert merged.by_group() == {"Tiểu học": -8}
    assert groups["03163"].by_group() == {"Tiểu học": 5}
    # the province total is the same in both trees
    assert (
        today.whole.by_group()
        == service.compute_staffing(province, "2024-2025", "as_of").whole.by_group()
        == {"Tiểu học": -3}
    )

    # a unit missing from the asked tree switches to the other one, and says so
    new = service.compute_staffing(current_commune("03162"), "2024-2025", "as_of")
    assert new.mode == "current" and "chưa có" in new.note and len(new.whole.schools) == 2
    old = service.compute_staffing(legacy_commune("03159"), "2024-2025", "current")
    assert old.mode == "as_of" and [s.unit.pk for s in old.whole.schools] == [a.unit.pk]


def test_preschool_teachers_are_shared_between_nha_tre_and_mau_giao():
    school = make_school(current_commune("03127"), levels=("MN",))
    put(
        school.unit,
        "2025-2026",
        {
            ("classes", "age_group=nt_25_36m;level=MN"): 2,
            ("children", "age_group=nt_25_36m;level=MN"): 40,
            ("classes", "age_group=mg_5_6;level=MN"): 5,
            ("children", "age_group=mg_5_6;level=MN"): 200,
            ("staff", "level=MN;role=teacher"): 14,
        },
    )
    res = service.compute_schools([school.unit], "2025-2026")[school.unit.pk].result
    nt, mg = res.levels["nha_tre"], res.levels["mau_giao"]
    assert (nt.required, mg.required) == (5, 11)  # 2,5 × 2; 2,2 × 5
    assert nt.actual + mg.actual == 14
    assert any("vượt sĩ số" in line for line in mg.explanation)  # 200 children > 5 × 35


def test_page_shows_levels_subjects_and_explanations(client):
    commune = current_commune("03127")
    school = make_school(commune, levels=("TH",), region=3)
    put(school.unit, "2025-2026", th_values(subjects={"anh": 1}))
    user = make_user(Role.COMMUNE, commune)
    client.force_login(user)
    page = client.get("/norms/staffing/", {"period": "2025-2026"}).content.decode()
    # a class teacher and GDTC, Nghệ thuật, Tin học short; 2 class teachers over: cân đối thiếu 1
    assert (
        "Tiểu học thiếu 3 giáo viên ở một số môn (trong đó Giáo dục thể chất 1, Nghệ thuật 1, "
        "Tin học và Công nghệ 1), thừa 2 giáo viên ở các môn khác, cân đối thiếu 1 giáo viên."
    ) in page
    assert "<details>" in page and "1,50 × 10 lớp = 15" in page
    assert school.unit.name in page


def test_school_user_cannot_see_another_schools_staffing(client):
    commune = current_commune("03127")
    mine = make_school(commune, levels=("TH",))
    other = make_school(commune, levels=("TH",))
    for s in (mine, other):
        put(s.unit, "2025-2026", th_values())
    client.force_login(make_user(Role.SCHOOL, mine.unit))
    ok = client.get("/norms/staffing/", {"unit": mine.unit.pk, "period": "2025-2026"})
    assert ok.status_code == 200 and mine.unit.name in ok.content.decode()
    assert (
        client.get("/norms/staffing/", {"unit": other.unit.pk, "period": "2025-2026"}).status_code
        == 403
    )
    assert (
        client.get("/norms/staffing/", {"unit": commune.pk, "period": "2025-2026"}).status_code
        == 403
    )

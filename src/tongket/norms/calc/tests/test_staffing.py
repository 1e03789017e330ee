"""Staffing norms: TT 16/2017 -> TT 20/2023 on 16/12/2023, preschool TT 19/2023, sentences."""

import datetime as dt

import pytest

from tongket.norms.calc.packs import load_staffing
from tongket.norms.calc.staffing import LevelInput, SchoolInput, compute_school
from tongket.norms.calc.staffing_totals import group_sentence, summarize

BEFORE, AFTER = dt.date(2023, 12, 15), dt.date(2023, 12, 16)
GRADES = {1: 2, 2: 2, 3: 2, 4: 2, 5: 2}


def primary(pupils=370, region=3, sessions=2, teachers=None, **kw):
    level = LevelInput(
        "tieu_hoc", GRADES, pupils=pupils, sessions_per_day=sessions, teachers=teachers or {}
    )
    return SchoolInput("TH01", (level,), region=region, **kw)


def test_norm_change_adds_leftover_pupil_teacher_from_16_12_2023():
    # 10 two-session classes: 1.5 × 10 + 1 Tổng phụ trách Đội = 16 under TT 16/2017.
    before = compute_school(primary(), BEFORE).levels["tieu_hoc"]
    assert before.rule_set == "tt16_2017" and before.required == 16
    # TT 20/2023: 370 - 10 × 35 = 20 leftover pupils; region 3 -> 1 teacher per 17.
    after = compute_school(primary(), AFTER).levels["tieu_hoc"]
    assert after.rule_set == "tt20_2023" and after.required == 17
    assert any("20 // 17 = 1" in line for line in after.explanation)
    assert not any("dư" in line for line in before.explanation)


@pytest.mark.parametrize(("region", "extra"), [(1, 2), (2, 1), (3, 1)])
def test_leftover_per_region(region, extra):
    # 24 leftover pupils: region 1 (12) -> 2, region 2 (15) -> 1, region 3 (17) -> 1.
    lr = compute_school(primary(pupils=374, region=region), AFTER).levels["tieu_hoc"]
    assert lr.required == 16 + extra


def test_one_session_primary():
    lr = compute_school(primary(pupils=0, sessions=1), AFTER).levels["tieu_hoc"]
    assert lr.required_exact == 13  # 1.2 × 10 + 1
    assert any("1,20 × 10 lớp = 12" in line for line in lr.explanation)


def test_secondary_ratios_and_flags():
    thcs = SchoolInput("C2", (LevelInput("thcs", {6: 2, 7: 2, 8: 2, 9: 2}),))
    assert compute_school(thcs, AFTER).levels["thcs"].required_exact == pytest.approx(1.9 * 8 + 1)
    boarding = SchoolInput("C2B", (LevelInput("thcs", 10),), boarding=True)
    assert compute_school(boarding, AFTER).levels["thcs"].required == 23  # 2.2 × 10 + 1
    chuyen = SchoolInput("C3", (LevelInput("thpt", {10: 4, 11: 4, 12: 4}),), chuyen=True)
    lr = compute_school(chuyen, BEFORE).levels["thpt"]
    assert lr.required_exact == pytest.approx(3.1 * 12) and lr.required == 37
    dtnt = SchoolInput("C3B", (LevelInput("thpt", 10),), boarding=True)
    assert compute_school(dtnt, BEFORE).levels["thpt"].required == 24


@pytest.mark.parametrize(
    ("classes", "mountain", "flags", "expected"),
    [
        (28, False, {}, 2),
        (27, False, {}, 1),
        (19, True, {}, 2),
        (18, True, {}, 1),
        (5, False, {"boarding": True}, 2),
    ],
)
def test_vice_principals(classes, mountain, flags, expected):
    school = SchoolInput("X", (LevelInput("thcs", classes),), mountain_island=mountain, **flags)
    res = compute_school(school, BEFORE)
    assert res.vice_principals_required == expected
    assert any("Phó hiệu trưởng" in line for line in res.explanation)


def test_preschool_tt19():
    school = SchoolInput(
        "MN1",
        (
            LevelInput(
                "nha_tre",
                {"13-24m": 1, "25-36m": 1},
                children_by_band={"13-24m": 20, "25-36m": 30},
                teachers={"mam_non": 4},
            ),
            LevelInput(
                "mau_giao",
                {"3-4y": 1, "4-5y": 1, "5-6y": 2},
                children_by_band={"5-6y": 70},
                teachers={"mam_non": 10},
            ),
        ),
    )
    res = compute_school(school, AFTER)
    nt, mg = res.levels["nha_tre"], res.levels["mau_giao"]
    assert nt.rule_set == "tt19_2023" and nt.required == 5  # 2.5 × 2
    assert mg.required == 9  # 2.2 × 4 = 8.8 -> 9
    assert any("vượt sĩ số tối đa 25" in line for line in nt.explanation)  # 30 children > 25
    assert not any("vượt" in line for line in mg.explanation)  # 70 ≤ 2 × 35
    assert nt.balance == -1 and mg.balance == 1
    assert compute_school(school, BEFORE).levels["nha_tre"].rule_set == "ttlt06_2015"


def test_every_figure_is_explained():
    res = compute_school(primary(teachers={"van_hoa": 11}), AFTER)
    lr = res.levels["tieu_hoc"]
    text = "\n".join(lr.explanation)
    assert "TT 20/2023" in text and "1,50 × 10 lớp = 15" in text and "Tổng phụ trách Đội" in text
    assert sum(lr.required_by_subject.values()) == lr.required
    assert lr.explanation[-1] == "Hiện có 11, cần 17: thiếu 6."


def test_subject_split_and_sentence():
    teachers = {
        "van_hoa": 12,
        "tieng_anh": 0,
        "tin_hoc_cong_nghe": 0,
        "gdtc": 1,
        "am_nhac": 1,
        "my_thuat": 1,
        "tong_phu_trach_doi": 1,
    }
    results = [compute_school(primary(teachers=teachers), AFTER) for _ in range(3)]
    by_subject = results[0].levels["tieu_hoc"].balance_by_subject
    assert by_subject["tieng_anh"] == -1 and by_subject["tin_hoc_cong_nghe"] == -1
    labels = load_staffing().subject_labels
    b = summarize(results).group("Tiểu học")
    assert b.shortage_by_subject == {"tieng_anh": 3, "tin_hoc_cong_nghe": 3}
    assert b.surplus_by_subject == {"my_thuat": 3}  # 1 Mỹ thuật needs 0 of 17 by periods
    assert (b.required, b.actual) == (51, 48)
    assert group_sentence(b, labels) == (
        "Tiểu học thiếu 6 giáo viên ở một số môn (trong đó Tiếng Anh 3, Tin học và Công nghệ 3), "
        "thừa 3 giáo viên ở các môn khác, cân đối thiếu 3 giáo viên"
    )


def _school(code, level, classes, teachers):
    return SchoolInput(code, (LevelInput(level, classes, teachers={"total": teachers}),))


def test_group_sentences_name_gross_and_net_and_never_sum_levels():
    labels = load_staffing().subject_labels
    results = [
        compute_school(_school("NT", "nha_tre", 40, 60), AFTER),  # 100 needed: thiếu 40
        compute_school(_school("MG", "mau_giao", 10, 25), AFTER),  # 22 needed: thừa 3
        compute_school(_school("C2", "thcs", 100, 200), AFTER),  # 191 needed: thừa 9
        compute_school(_school("C3", "thpt", 4, 9), AFTER),  # 9 needed: đủ
    ]
    s = summarize(results)
    mn = s.group("Mầm non")
    assert (mn.shortage, mn.surplus, mn.balance) == (40, 3, -37)
    assert group_sentence(mn, labels) == (
        "Mầm non thiếu 40 giáo viên ở một số trường, thừa 3 giáo viên ở các trường khác, "
        "cân đối thiếu 37 giáo viên"
    )
    assert group_sentence(s.group("THCS"), labels) == "THCS thừa 9 giáo viên"
    assert group_sentence(s.group("THPT"), labels) == "THPT đủ giáo viên"
    assert [b.label for b in s.groups] == ["Mầm non", "THCS", "THPT"]
    assert set(s.levels) == {"nha_tre", "mau_giao", "thcs", "thpt"}
    big = summarize([compute_school(_school("T", "thcs", 1000, 666), AFTER)]).group("THCS")
    assert group_sentence(big, labels) == "THCS thiếu 1.235 giáo viên"  # 1,9 × 1000 + 1 − 666


def test_unknown_level_is_an_error():
    with pytest.raises(ValueError, match="unknown level 'dai_hoc'"):
        compute_school(SchoolInput("X", (LevelInput("dai_hoc", 3),)), AFTER)

"""One quantity, one value; registered = present + absent (synthetic sentences)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongket.factcheck.checks import analyse


def found(text, kind=None, severity=None):
    return [
        i
        for i in analyse(text).issues
        if (kind is None or i.kind == kind) and (severity is None or i.severity == severity)
    ]


def test_a_total_stated_twice_with_two_values_is_hard():
    text = (
        "Toàn tỉnh có 412 trường. Công tác quy hoạch được triển khai. Tổng số trường là 398 trường."
    )
    [issue] = found(text, severity="hard")
    assert issue.kind == "count_mismatch"
    assert {issue.stated, issue.expected} == {412, 398}


def test_a_total_of_another_year_or_level_is_not_the_same_quantity():
    other_year = "Năm 2020 toàn tỉnh có 405 trường. Hiện nay toàn tỉnh có 412 trường."
    assert found(other_year, severity="hard") == []
    levels = (
        "Cấp tiểu học: số học sinh bỏ học là 14 em.\nCòn cấp THCS: số học sinh bỏ học là 96 em."
    )
    assert found(levels, severity="hard") == []


def test_a_rate_over_two_bases_is_hard():
    text = (
        "Có 280/412 trường đạt chuẩn quốc gia, tỷ lệ 68%. Đến cuối kỳ, có 190/398 trường "
        "đạt chuẩn quốc gia (47,7%)."
    )
    issues = found(text, kind="count_mismatch", severity="hard")
    assert [(i.stated, i.expected) for i in issues] == [(398, 412)]


def test_rates_of_different_levels_or_populations_have_their_own_bases():
    text = (
        "Có 80/120 trường tiểu học đạt chuẩn quốc gia. Có 50/90 trường THCS đạt chuẩn quốc gia. "
        "Có 30/31 trường THPT đạt chuẩn quốc gia."
    )
    assert found(text, severity="hard") == []
    text = (
        "Có 280/412 trường đạt chuẩn quốc gia. Vùng khó khăn có 40/120 trường đạt chuẩn quốc gia."
    )
    assert found(text, severity="hard") == []


def test_a_rate_restated_from_its_numerator_and_base():
    text = "Toàn tỉnh có 400 trường. Có 300 trường đạt chuẩn quốc gia. Tỷ lệ trường đạt chuẩn quốc gia là 70%."
    [issue] = found(text, kind="ratio_mismatch")
    assert issue.severity == "soft" and issue.expected == 75
    ok = "Toàn tỉnh có 400 trường. Có 300 trường đạt chuẩn quốc gia. Tỷ lệ trường đạt chuẩn quốc gia là 75%."
    assert found(ok) == []


def test_a_count_and_its_own_share_is_not_a_restated_rate():
    assert found("Số học sinh bỏ học là 15 em (0,06%).") == []


@settings(max_examples=40, deadline=None)
@given(n=st.integers(10, 5000), gap=st.integers(1, 2000))
def test_the_same_total_with_the_same_value_is_never_flagged(n, gap):
    text = f"Toàn tỉnh có {n} trường. Có {gap} học sinh đạt giải. Tổng số trường là {n} trường."
    assert found(text, kind="count_mismatch") == []


def test_absent_cannot_outnumber_registered_minus_present():
    text = "Có 2.410 thí sinh đăng ký dự thi. Đến ngày thi, có 2.400 thí sinh dự thi, 25 thí sinh vắng thi."
    [issue] = found(text, severity="hard")
    assert (issue.kind, issue.stated, issue.expected) == ("count_mismatch", 25, 10)


@pytest.mark.parametrize(
    ("absent", "severities"),
    [(10, []), (4, ["soft"])],  # exact; fewer absent without reason than all absent: soft
)
def test_attendance_that_adds_up_or_names_one_kind_of_absence(absent, severities):
    text = (
        f"Có 2.410 thí sinh đăng ký dự thi; có 2.400 thí sinh dự thi, {absent} thí sinh bỏ thi "
        "không lý do."
    )
    assert [i.severity for i in found(text, kind="count_mismatch")] == severities


def test_totals_of_two_places_are_two_quantities():
    text = "Toàn tỉnh có 412 trường. Riêng toàn huyện Tân Lập có 38 trường."
    assert found(text, kind="count_mismatch") == []
    # One total names its place, the other does not, in a text about two places: only soft.
    text = "Toàn tỉnh có 412 trường; toàn huyện có 38 trường. Tổng số trường là 398 trường."
    assert [i.severity for i in found(text, kind="count_mismatch")] == ["soft"]

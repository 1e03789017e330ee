"""Counts in the shapes reports write them (synthetic sentences, written for these tests)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongket.factcheck.checks import analyse
from tongket.factcheck.extract import extract_facts


def counts(text):
    return [(f.value, f.counted) for f in extract_facts(text) if f.unit == "count"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Số học sinh lưu ban là 37.", [(37, "học sinh")]),
        (
            "Tổng số giáo viên: 48 (biên chế: 41; hợp đồng: 07).",
            [(48, "giáo viên"), (41, None), (7, None)],
        ),
        ("Học sinh giỏi 213 (44,6%).", [(213, "học sinh")]),
        ("Qua cân đo có 05 suy dinh dưỡng, tỷ lệ 1,2%.", [(5, None)]),
        ("Trường có 9 lớp/312 học sinh.", [(9, "lớp"), (312, "học sinh")]),
        ("Khối mẫu giáo: 140 trẻ/05 lớp.", [(140, "trẻ"), (5, "lớp")]),
        ("Nhà trường có09 lớp với 287cháu.", [(9, "lớp"), (287, "cháu")]),
        (
            "Tổ văn phòng có 01 kế toán, 02 bảo vệ và 04 cấp dưỡng.",
            [(1, "kế toán"), (2, "bảo vệ"), (4, "cấp dưỡng")],
        ),
        ("Kết quả khám định kỳ 240/240 trẻ, đạt 100%.", [(240, "trẻ")]),
        ("Có 41/63 tỉnh, thành phố đạt chuẩn.", [(41, "tỉnh, thành phố")]),
    ],
)
def test_count_shapes(text, expected):
    assert counts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Số: 125/BC-PGDĐT",
        "Ngày: 12 tháng 5",
        "Năm học: 2024-2025",
        "Số lớp: lớp 5",
        "Triển khai 09 nhóm nhiệm vụ trọng tâm",
        "Điều 3 (10%)",
        "Năm 2024 (100%)",
        "Số điện thoại: 0912 345 678",
        "Kỳ 2 năm học, lần 3",
        "Trường mầm non số 2: 3",
        "Thực hiện đến năm 2025, tỷ lệ 80%",
    ],
)
def test_not_counts(text):
    assert counts(text) == []


def test_a_rate_with_no_subject_belongs_to_the_fraction_its_clause_opened_with():
    text = (
        "Có 41/63 tỉnh, thành phố được công nhận đạt chuẩn phổ cập giáo dục tiểu học mức độ 3, "
        "đạt tỷ lệ 66%."
    )
    [issue] = [i for i in analyse(text).issues if i.kind == "ratio_mismatch"]
    assert (
        issue.severity == "hard" and issue.expected == 65
    )  # 41/63 = 65,08% at the precision stated
    text = "Có 1.950/2.000 thí sinh tốt nghiệp (kể cả thí sinh tự do); đạt tỷ lệ 97,5%."
    assert analyse(text).issues == []


def test_a_rate_of_another_subject_is_not_tied_to_the_fraction():
    text = "Có 41/63 tỉnh đạt chuẩn, trong đó tỷ lệ xã đạt chuẩn là 80%."
    assert [i for i in analyse(text).issues if i.kind == "ratio_mismatch"] == []


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 99_999), label=st.sampled_from(["Số học sinh là", "Tổng số giáo viên:"]))
def test_named_counts_read_their_value(n, label):
    from tongket.factcheck.numbers import format_vn

    shown = format_vn(n, 0)
    if 1900 <= n <= 2099:
        return  # a bare year after a label is never read as a count
    assert [v for v, _ in counts(f"{label} {shown}.")] == [n]


def scores(text):
    return [f.value for f in extract_facts(text) if f.unit == "other"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Có 7 thí sinh đạt điểm 9,8 môn Ngữ văn.", [9.8]),
        (
            "Thủ khoa có tổng điểm là 28,75 (điểm các môn: Toán 9,5; Ngữ văn 9,25).",
            [28.75, 9.5, 9.25],
        ),
        ("Điểm trung bình lớp 12 là 8,9.", [8.9]),
        ("Có 12 thí sinh đạt 9,5 điểm.", [9.5]),
    ],
)
def test_exam_scores(text, expected):
    assert scores(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Theo điểm 3 khoản 2 Điều 5 của Luật.",
        "Toán 9,5 triệu học sinh",
        "Điểm mới năm nay là 2,5 lần",
    ],
)
def test_not_scores(text):
    assert scores(text) == []

"""Breakdowns wherever their parts stand (synthetic sentences, written for these tests)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongket.factcheck.checks import analyse


def hard(text):
    return [i for i in analyse(text).issues if i.severity == "hard"]


def sums(text):
    return [i for i in analyse(text).issues if i.kind in ("sum_mismatch", "count_mismatch")]


def test_level_split_after_trong_do_past_the_total_is_hard():
    [issue] = hard(
        "Huyện có 52 trường, trong đó 20 trường mầm non, 19 trường tiểu học, 16 trường THCS."
    )
    assert (issue.kind, issue.stated, issue.expected) == ("sum_mismatch", 52, 55)


def test_level_split_in_a_parenthesis_without_marker():
    [issue] = hard(
        "Năm nay công nhận mới 14 trường (5 trường mầm non, 6 trường tiểu học và 4 trường THCS)."
    )
    assert (issue.stated, issue.expected) == (14, 15)
    assert (
        sums(
            "Năm nay công nhận mới 15 trường (5 trường mầm non, 6 trường tiểu học và 4 trường THCS)."
        )
        == []
    )


def test_level_split_in_the_next_sentence():
    text = "Toàn huyện có 61 trường. Mầm non 22 trường, tiểu học 21 trường, THCS 20 trường."
    [issue] = hard(text)
    assert (issue.stated, issue.expected) == (61, 63)
    ok = "Toàn huyện có 63 trường. Mầm non 22 trường, tiểu học 21 trường, THCS 20 trường."
    assert sums(ok) == []


def test_a_subset_in_the_next_sentence_is_not_hard():
    text = "Toàn huyện có 61 trường. Đạt chuẩn quốc gia: mầm non 12 trường, tiểu học 15 trường."
    assert hard(text) == []


def test_list_on_the_next_lines_with_a_sibling_that_adds_up_is_complete():
    text = (
        "Tổng số trẻ: 190 trẻ/07 lớp. Trong đó:\n"
        "- Nhà trẻ: 30 trẻ/02 lớp\n"
        "- Mẫu giáo 4 tuổi: 70 trẻ/02 lớp\n"
        "- Mẫu giáo 5 tuổi: 90 trẻ/02 lớp\n"
        "Nhà trường có 20 giáo viên."
    )
    [issue] = hard(text)  # children add up (190), classes do not (6, not 7)
    assert (issue.stated, issue.expected) == (7, 6)


def test_fraction_total_checked_on_numerators_and_denominators():
    text = (
        "Toàn tỉnh có 150/300 trường đạt chuẩn quốc gia, đạt tỷ lệ 50% (trong đó 40/100 trường "
        "mầm non, 60/110 trường tiểu học, 50/95 trường THCS)."
    )
    [issue] = hard(text)  # numerators add up to 150; denominators to 305
    assert (issue.stated, issue.expected) == (300, 305)
    assert "mẫu số" in issue.message_vi


def test_district_split_past_the_total_is_hard():
    text = "Tỉnh có 97 trường, trong đó huyện Tân Lập 31 trường, huyện Bình An 35 trường, thị xã Hòa Phú 33 trường."
    [issue] = hard(text)
    assert issue.expected == 99


def test_named_bare_parts_count_in_the_total_unit():
    text = "Trung học cơ sở thiếu 120 giáo viên (trong đó Toán 50, Ngữ văn 45, Tiếng Anh 40)."
    [issue] = hard(text)
    assert (issue.stated, issue.expected) == (120, 135)
    assert (
        sums("Trung học cơ sở thiếu 135 giáo viên (trong đó Toán 50, Ngữ văn 45, Tiếng Anh 40).")
        == []
    )


def test_a_single_part_larger_than_its_whole():
    [issue] = hard("Trường có 04 lớp (05 lớp học hai buổi).")
    assert issue.kind == "count_mismatch"
    [issue] = hard("Có 30 giáo viên, trong đó 32 giáo viên đạt chuẩn.")
    assert issue.kind == "count_mismatch"


def test_combined_schools_make_a_level_split_soft():
    text = (
        "Toàn huyện có 40 trường (có 3 trường liên cấp), trong đó 12 trường mầm non, "
        "16 trường tiểu học, 15 trường THCS."
    )
    assert hard(text) == []
    assert [i.severity for i in sums(text)] == ["soft"]


@pytest.mark.parametrize(
    "text",
    [
        # Overlapping categories: women and party members among the teachers.
        "Đơn vị có 80 giáo viên, trong đó 60 giáo viên nữ, 30 giáo viên là đảng viên.",
        # A figure per item is not a whole.
        "Mỗi đơn vị có 1 giải. Trong đó có 5 giải Nhì, 6 giải Ba.",
        # A list of names, then another clause with its own figures.
        "Có 3 trường gồm Hòa Bình, Tân Tiến, Đông Sơn được công nhận lại; 12 trường đạt mức 1.",
        # One part of a whole, smaller than it.
        "Huyện có 45 trường, trong đó 20 trường đạt chuẩn quốc gia.",
        # A change in the parenthesis.
        "Trường có 12 lớp (tăng 2 lớp so với năm trước).",
        # Last year's figure in the parenthesis.
        "Trường có 12 lớp (năm trước 14 lớp).",
        # A total in another clause before the marker.
        "Xã có 5 trường; trong đó, tiểu học 3 trường, THCS 3 trường đạt chuẩn.",
    ],
)
def test_not_flagged_as_hard(text):
    assert hard(text) == []


_LEVELS = ["mầm non", "tiểu học", "THCS", "THPT"]


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(st.integers(1, 400), min_size=2, max_size=4),
    shape=st.sampled_from(["trong đó", "gồm", "paren", "next"]),
    error=st.integers(-3, 3),
)
def test_level_breakdowns_in_every_shape(parts, shape, error):
    total = sum(parts) + error
    if total <= 0:
        return
    items = [f"{n} trường {lvl}" for n, lvl in zip(parts, _LEVELS, strict=False)]
    listed = ", ".join(items)
    if shape == "paren":
        text = f"Toàn tỉnh có {total} trường ({listed})."
    elif shape == "next":
        named = ", ".join(f"{lvl} {n} trường" for n, lvl in zip(parts, _LEVELS, strict=False))
        text = f"Toàn tỉnh có {total} trường. {named[0].upper()}{named[1:]}."
    else:
        text = f"Toàn tỉnh có {total} trường, {shape} {listed}."
    found = sums(text)
    if error == 0:
        assert found == []
    elif error < 0 or shape == "gồm":
        # Parts past a whole split by level, or a closed list off either way: hard.
        assert [i.severity for i in found] == ["hard"]
        assert found[0].expected == sum(parts)
    else:
        # Parts short of a level split: maybe levels not listed; never hard.
        assert all(i.severity == "soft" for i in found)


def test_staff_by_contract_in_a_parenthesis():
    text = "Đơn vị có 75 cán bộ, giáo viên, nhân viên (biên chế 61, hợp đồng 16)."
    [issue] = hard(text)
    assert (issue.stated, issue.expected) == (75, 77)
    assert sums("Đơn vị có 77 cán bộ, giáo viên, nhân viên (biên chế 61, hợp đồng 16).") == []


@pytest.mark.parametrize(
    "text",
    [
        "Xã có 5 trường THCS (cả huyện 30 trường).",
        "Có 4 trường đạt chuẩn mức độ 2 (trên tổng số 40 trường).",
        "Có 12 giáo viên dạy giỏi cấp tỉnh, đạt chuẩn nghề nghiệp (15 giáo viên năm trước).",
    ],
)
def test_a_wider_whole_in_an_aside_is_not_a_part(text):
    assert hard(text) == []


_TOKENS = [
    "trong đó",
    "gồm",
    "cụ thể",
    "(",
    ")",
    ",",
    ";",
    ".",
    ":",
    "\n",
    "\n- ",
    "toàn tỉnh có",
    "tổng số",
    "số học sinh là",
    "mỗi",
    "trường",
    "lớp",
    "trẻ",
    "giáo viên",
    "mầm non",
    "tiểu học",
    "THCS",
    "huyện Tân Lập",
    "Toán",
    "nữ",
    "biên chế",
    "đăng ký",
    "dự thi",
    "vắng",
    "tỷ lệ",
    "đạt",
    "liên cấp",
    "/",
    "%",
    "năm 2024",
    "đồng",
    "tỷ",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_TOKENS), st.integers(0, 99_999).map(str)),
        min_size=1,
        max_size=40,
    )
)
def test_any_mix_of_report_words_is_checked_without_error(tokens):
    text = " ".join(tokens)
    analysis = analyse(text)
    for issue in analysis.issues:
        assert issue.severity in ("hard", "soft")
        assert all(q in analysis.text for q in issue.quotes)


def test_gross_subject_shortages_under_a_net_total_are_hard():
    # The shape of a staffing sentence: a net shortage, then gross shortages by subject,
    # some named with an aside or by the word "môn".
    text = (
        "Tiểu học thiếu 20 giáo viên (trong đó thiếu giáo viên Văn hóa (giáo viên dạy lớp) 12, "
        "Tiếng Anh 6, Nghệ thuật (Âm nhạc, Mỹ thuật) 4); THCS thiếu 9 giáo viên (trong đó thiếu "
        "giáo viên Môn khác (HĐTN-HN, ...) 9, Ngữ văn 2)."
    )
    issues = hard(text)
    assert [(i.stated, i.expected) for i in issues] == [(20, 22), (9, 11)]


def test_net_and_gross_named_as_what_they_are_are_clean():
    text = (
        "Tiểu học thiếu 20 giáo viên ở một số môn (Văn hóa 12, Tiếng Anh 6, Nghệ thuật 2), thừa "
        "8 giáo viên ở các môn khác, cân đối thiếu 12 giáo viên."
    )
    assert hard(text) == []


def test_a_school_named_tong_so_n_is_not_a_total():
    text = (
        "Các đơn vị dẫn đầu: Trường THCS Sá Tổng số 1 (0,37%), Trường Tiểu học Sá Tổng số 2 (0,5%)."
    )
    facts = analyse(text).facts
    assert [f.unit for f in facts] == ["percent", "percent"]

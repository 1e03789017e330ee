import pytest

from tongket.factcheck.checks import analyse


def issues(text, severity=None):
    found = analyse(text).issues
    return [i for i in found if severity is None or i.severity == severity]


def test_budget_parts_exceeding_the_total_is_hard():
    text = (
        "Công tác sửa chữa trường lớp với tổng kinh phí là 176.001.542.000 đồng (trong đó "
        "xây dựng mới là 158.204.068.000 đồng, sửa chữa là 17.977.474.000 đồng); các trường "
        "THPT với tổng kinh phí là 7.400.000.000 đồng."
    )
    [issue] = issues(text)
    assert issue.kind == "sum_mismatch" and issue.severity == "hard"
    assert issue.stated == 176001542000 and issue.expected == 176181542000
    assert issue.quotes == ["176.001.542.000 đồng", "158.204.068.000 đồng", "17.977.474.000 đồng"]
    assert "176.181.542.000" in issue.message_vi and "176.181.542.000" in issue.message_en


def test_parts_that_add_up_are_fine_even_when_rounded():
    text = (
        "Kinh phí là 45,6 tỷ đồng, gồm: ngân sách tỉnh 30 tỷ đồng, ngân sách huyện 10,6 tỷ "
        "đồng, xã hội hóa 5 tỷ đồng."
    )
    assert issues(text) == []


def test_exhaustive_list_short_of_total_is_hard():
    text = "Toàn tỉnh có 460 trường, gồm 150 trường mầm non, 160 trường tiểu học, 120 trường THCS."
    [issue] = issues(text, "hard")
    assert issue.stated == 460 and issue.expected == 430


def test_trong_do_subset_is_not_an_error():
    text = "Toàn huyện có 1.200 giáo viên, trong đó 800 giáo viên nữ, 500 giáo viên là đảng viên."
    assert issues(text, "hard") == []  # overlapping categories: at most a soft note
    text = "Có 65 trường, trong đó 57 trường đạt chuẩn quốc gia."
    assert issues(text) == []


def test_a_change_is_neither_total_nor_part():
    assert issues("Có 12 trường (tăng 2 trường), trong đó 5 trường MN, 7 trường TH.") == []
    [issue] = issues("Có 12 trường (tăng 2 trường), gồm 5 trường MN, (giảm 1 trường) 8 trường TH.")
    assert (issue.stated, issue.expected) == (12, 13)


def test_level_partition_past_total_is_hard():
    text = "Toàn tỉnh có 456 trường, trong đó: mầm non 150 trường, tiểu học 160 trường, THCS 120 trường, THPT 30 trường."
    [issue] = issues(text, "hard")
    assert issue.expected == 460


def test_rates_listed_after_trong_do_are_not_shares():
    text = (
        "100% các tỷ lệ huy động đều đạt kế hoạch, trong đó: tỷ lệ huy động nhà trẻ đạt 51,6% "
        "(vượt 1,1% kế hoạch); tiểu học đạt 99,9%; THCS đạt 98,1%."
    )
    assert issues(text) == []


def test_ratio_mismatch_is_hard():
    [issue] = issues("có 202/337 trường đạt chuẩn, tỷ lệ 61,5%.")
    assert issue.kind == "ratio_mismatch" and issue.severity == "hard"
    assert issue.stated == 61.5 and issue.expected == pytest.approx(59.9)
    assert issue.quotes == ["202/337 trường", "61,5%"]


def test_ratio_rounded_is_fine_and_truncated_is_soft():
    assert issues("có 202/337 trường đạt chuẩn, tỷ lệ 59,94%.") == []
    assert issues("huy động 159.493/156.911 (đạt tỉ lệ 101.65%)") == []
    [issue] = issues("có 2/3 trường đạt chuẩn, tỷ lệ 66,6%.")  # 66,67 rounded
    assert issue.severity == "soft" and "cắt bớt" in issue.message_vi


def test_ratio_with_far_base_is_soft():
    text = "có 50/60 trường đạt chuẩn, đồng thời tỷ lệ huy động trẻ ra lớp đạt 95%."
    assert issues(text, "hard") == []


def test_shares_of_one_whole_past_100_is_hard():
    text = "Xếp loại học lực: Giỏi 25,3%, Khá 45,1%, Trung bình 29,5%, Yếu 2,1%."
    [issue] = issues(text)
    assert issue.kind == "sum_mismatch" and issue.severity == "hard"
    assert issue.stated == pytest.approx(102.0) and issue.expected == 100


def test_complete_scale_must_make_100_but_separate_wholes_are_not_added():
    assert issues("Học lực: Giỏi 25,3%, Khá 45,1%, Trung bình 27,5%, Yếu 2,1%.") == []
    assert issues("Hạnh kiểm: Tốt 85,2%; Khá 12,3%; Trung bình 2,5%.") == []
    text = "Rèn luyện: Tốt 80%, Khá 15%, Đạt 5%; Học tập: Tốt 40%, Khá 35%, Đạt 23%, Chưa đạt 2%."
    assert issues(text) == []
    assert issues("học lực khá 50%, hạnh kiểm tốt 80%.") == []
    [issue] = issues("Phẩm chất: Tốt 60%, Đạt 30%, Cần cố gắng 5%.")
    assert issue.stated == 95


def test_gap_against_stated_target_is_checked():
    text = "Tỷ lệ huy động đạt 82,5% (vượt 2,5% kế hoạch), chỉ tiêu giao là 81%."
    [issue] = issues(text)
    assert issue.kind == "target_mismatch" and issue.severity == "hard"
    assert issue.stated == 2.5 and issue.expected == pytest.approx(1.5)
    assert issues("Tỷ lệ huy động đạt 82,5% (vượt 1,5% kế hoạch), chỉ tiêu giao là 81%.") == []


def test_claimed_target_met_when_below():
    [issue] = issues("Tỷ lệ lên lớp đạt 97% (chỉ tiêu 98%), hoàn thành chỉ tiêu.")
    assert (issue.kind, issue.severity, issue.stated, issue.expected) == (
        "target_mismatch",
        "hard",
        97,
        98,
    )
    # An estimate just under its target is only a soft note.
    text = "có 202/337 trường đạt chuẩn, tỷ lệ 59,94%, ước đạt chỉ tiêu Nghị quyết năm (60-65%)."
    [issue] = issues(text)
    assert (issue.kind, issue.severity, issue.expected) == ("target_mismatch", "soft", 60)
    assert issues("Tỷ lệ lên lớp đạt 99% (chỉ tiêu 98%), hoàn thành chỉ tiêu.") == []


def test_not_met_claim_when_met_is_hard():
    [issue] = issues("Tỷ lệ tốt nghiệp 99% (chỉ tiêu 98%), chưa đạt chỉ tiêu.")
    assert issue.severity == "hard"


def test_same_count_stated_differently_is_soft_other():
    text = "Toàn ngành có 340 trường. Đến nay có 202/337 trường đạt chuẩn."
    [issue] = issues(text)
    assert (issue.kind, issue.severity, issue.stated, issue.expected) == ("other", "soft", 337, 340)
    assert issues("Toàn ngành có 337 trường. Đến nay có 202/337 trường đạt chuẩn.") == []


def test_issue_json_shape():
    d = issues("có 202/337 trường đạt chuẩn, tỷ lệ 61,5%.")[0].to_dict()
    assert set(d) == {
        "kind",
        "severity",
        "quotes",
        "stated",
        "expected",
        "message_vi",
        "message_en",
    }


def test_clean_report_has_no_issue():
    text = (
        "Toàn huyện có 65 trường, trong đó 25 trường mầm non, 22 trường tiểu học, 18 trường "
        "THCS. Có 57/65 trường đạt chuẩn quốc gia, tỷ lệ 87,69%. Tỷ lệ huy động trẻ 5 tuổi "
        "ra lớp đạt 100%; học sinh hoàn thành chương trình tiểu học đạt 99,8% (vượt 0,3% kế "
        "hoạch). Tổng kinh phí 12,5 tỷ đồng, chia ra: xây mới 10 tỷ đồng, sửa chữa 2,5 tỷ đồng."
    )
    assert issues(text) == []


def test_a_ceiling_target_is_met_from_below():
    from tongket.factcheck.checks import analyse

    over = analyse("Tỷ lệ học sinh bỏ học 0,54%, chưa đạt kế hoạch (không quá 0,4%).")
    assert not [i for i in over.issues if i.kind == "target_mismatch"]
    wrong = analyse("Tỷ lệ học sinh bỏ học 0,3%, chưa đạt kế hoạch (không quá 0,4%).")
    assert [i.severity for i in wrong.issues if i.kind == "target_mismatch"] == ["hard"]

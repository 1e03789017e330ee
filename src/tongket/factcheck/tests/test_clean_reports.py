"""A clean, well-written report must get no hard issue: every generated report runs through the
checker and a hard issue blocks it. Paragraphs written for this test in the style of a
province's year review."""

import pytest

from tongket.factcheck.checks import analyse

CLEAN = [
    "Toàn tỉnh có 369 trường, trong đó 120 trường mầm non, 150 trường tiểu học, 99 trường THCS; "
    "264/369 trường (71,5%) đạt chuẩn quốc gia.",
    "Năm học 2024-2025, toàn tỉnh có 369 trường (trong đó 23 trường liên cấp TH&THCS), với "
    "8.250 lớp và 215.400 học sinh. Theo cấp học, mầm non có 130 trường, tiểu học 140 trường, "
    "THCS 122 trường (mỗi trường liên cấp được tính ở từng cấp học).",
    "Tổng số cán bộ, giáo viên, nhân viên là 12.480 người, trong đó nữ 9.120 người, đảng viên "
    "5.300 người, người dân tộc thiểu số 4.210 người.",
    "Tỷ lệ huy động trẻ 5 tuổi ra lớp đạt 99,8% (vượt 0,3% kế hoạch); học sinh hoàn thành "
    "chương trình tiểu học 18.240/18.300 em, đạt 99,67%; tỷ lệ học sinh bỏ học 0,12%, giảm "
    "0,05% so với năm học trước.",
    "Kinh phí đầu tư cơ sở vật chất là 45,6 tỷ đồng, gồm ngân sách tỉnh 30 tỷ đồng, ngân sách "
    "huyện 10,6 tỷ đồng và xã hội hóa 5 tỷ đồng.",
    "Tiểu học thiếu 421 giáo viên ở một số môn, thừa 223 giáo viên ở các môn khác, cân đối "
    "thiếu 198 giáo viên.",
    "Kỳ thi tuyển sinh lớp 10 có 6.546 thí sinh đăng ký dự thi; có 6.510 thí sinh dự thi, "
    "36 thí sinh vắng thi. Toàn tỉnh có 8 huyện, thị xã, thành phố; huyện Tân Lập có 30 "
    "trường, huyện Bình An có 28 trường.",
    "Số trường đạt chuẩn quốc gia là 264 trường, tăng 12 trường so với năm học trước; tỷ lệ "
    "trường đạt chuẩn quốc gia là 71,5%. Năm học 2023-2024 toàn tỉnh có 252/366 trường đạt "
    "chuẩn quốc gia (68,9%).",
    "Xếp loại giáo viên: Tốt 62,4%; Khá 31,2%; Đạt 6,1%; Chưa đạt 0,3%. Tổng số lớp mẫu giáo "
    "là 1.204 lớp. Trong đó:\n- Lớp 3 tuổi: 380 lớp\n- Lớp 4 tuổi: 402 lớp\n- Lớp 5 tuổi: "
    "422 lớp\nCông tác phổ cập được duy trì: 129/129 xã đạt chuẩn PCGDTH mức độ 3.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_a_clean_report_gets_no_hard_issue(text):
    hard = [i for i in analyse(text).issues if i.severity == "hard"]
    assert hard == []


def test_the_same_report_with_its_known_faults_is_flagged():
    faulty = (
        "Số trường: 392 trường; 264/392 trường (67,3%) đạt chuẩn quốc gia. Theo cấp học, "
        "179/369 trường (48,5%) đạt chuẩn quốc gia. Tiểu học thiếu 198 giáo viên (trong đó "
        "thiếu Toán 160, Tiếng Việt 82, Tiếng Anh 81, Tin học 65, Âm nhạc 33)."
    )
    hard = [i for i in analyse(faulty).issues if i.severity == "hard"]
    kinds = sorted(i.kind for i in hard)
    assert kinds == ["count_mismatch", "sum_mismatch"]

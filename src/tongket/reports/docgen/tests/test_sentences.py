"""Vietnamese wording: vượt / đạt / chưa đạt, ranges, ceilings, Vietnamese numbers, traces."""

from __future__ import annotations

import re

import pytest

from tongket.reports.docgen import sentences as S
from tongket.reports.docgen.model import (
    IndicatorResult,
    NextTarget,
    ReportingStatus,
    StaffingLine,
    Target,
    UnitFigure,
    UnitKind,
    Verdict,
)
from tongket.reports.docgen.trace import check_text, number_tokens

VN_NUMBER = re.compile(r"\d{1,3}(\.\d{3})*(,\d+)?%?|\d+")


def ind(**kw):
    base = {"key": "k", "name": "Tỷ lệ huy động trẻ 3-5 tuổi đến trường", "value": 51.6}
    base.update(kw)
    return IndicatorResult(**base)


def test_brief_example_vuot():
    s = S.indicator_sentence(ind(target=Target(50.5), last_year=49.3))
    assert str(s) == (
        "Tỷ lệ huy động trẻ 3-5 tuổi đến trường đạt 51,6%, vượt 1,1 điểm phần trăm so với "
        "kế hoạch (50,5%), tăng 2,3 điểm phần trăm so với năm học trước."
    )
    assert [(t.text, t.key) for t in s.traces] == [
        ("3", "ind.k.name"),
        ("5", "ind.k.name"),
        ("51,6%", "ind.k.value"),
        ("1,1", "ind.k.gap"),
        ("50,5%", "ind.k.target.value"),
        ("2,3", "ind.k.change"),
    ]


def test_brief_example_range_chua_dat():
    i = ind(
        name="Số trường đạt chuẩn quốc gia",
        value=59.94,
        decimals=2,
        numerator=202,
        denominator=337,
        unit_label="trường",
        target=Target(low=60, high=65, source="chỉ tiêu Nghị quyết"),
    )
    assert str(S.indicator_sentence(i)) == (
        "Số trường đạt chuẩn quốc gia: 202/337 trường, tỷ lệ 59,94%, chưa đạt chỉ tiêu "
        "Nghị quyết (60-65%)."
    )
    assert S.verdict(i) is Verdict.CHUA_DAT


@pytest.mark.parametrize(
    ("value", "verdict", "phrase"),
    [
        (62.0, Verdict.DAT, "đạt chỉ tiêu (60-65%)"),
        (66.0, Verdict.VUOT, "vượt chỉ tiêu (60-65%)"),
        (60.0, Verdict.DAT, "đạt chỉ tiêu"),
        (65.0, Verdict.DAT, "đạt chỉ tiêu"),
    ],
)
def test_range_verdicts(value, verdict, phrase):
    i = ind(value=value, target=Target(low=60, high=65, source="chỉ tiêu"))
    assert S.verdict(i) is verdict
    assert phrase in str(S.indicator_sentence(i))


def test_chua_dat_single_target_states_gap():
    s = str(S.indicator_sentence(ind(value=88.4, target=Target(90), last_year=86.9)))
    assert "đạt 88,4%, chưa đạt kế hoạch (90%), thấp hơn 1,6 điểm phần trăm" in s
    assert "tăng 1,5 điểm phần trăm so với năm học trước" in s


def test_dat_exact_and_verdict_on_printed_figures():
    # 50,46 prints as 50,5%: the words must agree with the printed figure, not the raw one
    i = ind(value=50.46, target=Target(50.5))
    assert S.verdict(i) is Verdict.DAT
    assert str(S.indicator_sentence(i)).endswith("đạt 50,5%, đạt kế hoạch (50,5%).")


def test_ceiling_indicator_lower_is_better():
    i = ind(
        name="Tỷ lệ học sinh bỏ học",
        value=0.32,
        decimals=2,
        target=Target(0.5),
        higher_is_better=False,
        last_year=0.41,
    )
    s = str(S.indicator_sentence(i))
    assert S.verdict(i) is Verdict.VUOT
    assert "ở mức 0,32%, vượt kế hoạch (không quá 0,5%), thấp hơn 0,18 điểm phần trăm" in s
    assert "giảm 0,09 điểm phần trăm" in s
    i.value = 0.61
    assert S.verdict(i) is Verdict.CHUA_DAT
    assert "chưa đạt kế hoạch (không quá 0,5%), cao hơn 0,11" in str(S.indicator_sentence(i))


def test_count_and_money_units():
    c = ind(
        name="Tổng số học sinh",
        value=152340,
        unit_kind=UnitKind.COUNT,
        decimals=0,
        unit_label="học sinh",
        last_year=151090,
    )
    assert str(S.indicator_sentence(c)) == (
        "Tổng số học sinh: 152.340 học sinh, tăng 1.250 học sinh so với năm học trước."
    )
    m = ind(
        name="Tổng chi ngân sách",
        value=2_532_400_000_000,
        unit_kind=UnitKind.MONEY,
        money_scale="ty",
        target=Target(2_500_000_000_000, source="dự toán"),
    )
    assert str(S.indicator_sentence(m)) == (
        "Tổng chi ngân sách đạt 2.532,4 tỷ đồng, vượt 32,4 tỷ đồng so với dự toán (2.500 tỷ đồng)."
    )
    d = ind(name="Tổng chi", value=176001542000, unit_kind=UnitKind.MONEY, decimals=0)
    assert "176.001.542.000 đồng" in str(S.indicator_sentence(d))


def test_same_as_last_year_and_previous_label():
    s = str(S.indicator_sentence(ind(value=99.6, last_year=99.6), "cùng kỳ năm học trước"))
    assert s.endswith("đạt 99,6%, bằng cùng kỳ năm học trước.")


def test_leading_units():
    i = ind(leading_units=[UnitFigure("xã Mường Phăng", 78.2), UnitFigure("Phường 1", 75)])
    s = S.leading_sentence(i)
    assert str(s) == "Các đơn vị dẫn đầu: xã Mường Phăng (78,2%), Phường 1 (75,0%)."
    assert ("1", "ind.k.lead[1].name", "text") in s.traces


def test_section_two_sentences():
    rs = ReportingStatus("Báo cáo thống kê đầu năm học 2024-2025", 337, 312, 20, 5, ["Trường A"])
    assert str(S.reporting_sentence(rs)) == (
        "Báo cáo thống kê đầu năm học 2024-2025: 312/337 đơn vị nộp đúng hạn, 20 đơn vị nộp "
        "muộn, 5 đơn vị chưa nộp (Trường A)."
    )
    st = S.staffing_sentence(
        [StaffingLine("Mầm non", 180), StaffingLine("THCS", surplus=85), StaffingLine("THPT")]
    )
    assert str(st) == (
        "Đội ngũ giáo viên còn thừa, thiếu cục bộ: Mầm non thiếu 180 giáo viên; THCS thừa 85 "
        "giáo viên."
    )
    assert S.staffing_sentence([StaffingLine("THPT")]) is None
    mixed = S.staffing_sentence(
        [
            StaffingLine(
                "Tiểu học", 1421, 223, {"Tiếng Anh": 1160, "Tin học": 182, "các môn còn lại": 79}
            ),
            StaffingLine("Mầm non", 30, 30, place="trường"),
        ]
    )
    assert str(mixed) == (
        "Đội ngũ giáo viên còn thừa, thiếu cục bộ: Tiểu học thiếu 1.421 giáo viên ở một số môn "
        "(trong đó Tiếng Anh 1.160, Tin học 182, các môn còn lại 79), thừa 223 giáo viên ở các môn "
        "khác, cân đối thiếu 1.198 giáo viên; Mầm non thiếu 30 giáo viên ở một số trường, thừa 30 "
        "giáo viên ở các trường khác, cân đối đủ giáo viên."
    )
    assert ("1.198", "staffing.Tiểu học.net", "data") in mixed.traces


def test_next_targets():
    assert str(S.next_target_sentence(NextTarget("Tỷ lệ trường đạt chuẩn", low=62, high=65))) == (
        "Phấn đấu tỷ lệ trường đạt chuẩn đạt từ 62 đến 65%."
    )
    assert str(
        S.next_target_sentence(
            NextTarget("Số phòng học mới", UnitKind.COUNT, 120, decimals=0, unit_label="phòng")
        )
    ) == ("Phấn đấu số phòng học mới đạt 120 phòng.")


def test_every_sentence_traces_all_its_numbers(report):
    for i in report.indicators:
        s = S.indicator_sentence(i)
        check_text(s)
        assert [t.text for t in s.traces] == number_tokens(str(s))
        # no number without a source key; every figure written the Vietnamese way
        assert all(t.key for t in s.traces)
        assert all(VN_NUMBER.fullmatch(t.text) for t in s.traces), s.traces


def test_number_tokens_vietnamese_forms():
    assert number_tokens("đạt 176.001.542.000 đồng; 51,6%; 202/337 trường; 2024-2025.") == [
        "176.001.542.000",
        "51,6%",
        "202",
        "337",
        "2024",
        "2025",
    ]
    assert number_tokens("PL1 và BC-SGDĐT") == []


def test_text_refuses_untraced_digits():
    from tongket.reports.docgen.trace import Text

    with pytest.raises(ValueError):
        Text().lit("đạt 51,6%")

import json
import unicodedata

import pytest

from tongket.factcheck.extract import JSON_FIELDS, extract_facts, load_config

from ._seeds import seeds_dir


def one(text):
    facts = extract_facts(text)
    assert len(facts) == 1, [f.quote for f in facts]
    return facts[0]


def values(text):
    return [f.value for f in extract_facts(text)]


@pytest.mark.parametrize(
    ("text", "quote", "value", "unit"),
    [
        ("với tổng kinh phí là 176.001.542.000 đồng.", "176.001.542.000 đồng", 176001542000, "VND"),
        ("tỷ lệ huy động đạt 51,6%.", "51,6%", 51.6, "percent"),
        ("giáo viên trên chuẩn chiếm 4, 09% tổng số.", "4, 09%", 4.09, "percent"),
        ("quy ra thành tiền 10,2 tỷ đồng", "10,2 tỷ đồng", 10_200_000_000, "VND"),
        ("kinh phí hỗ trợ 23 triệu cho các em", "23 triệu", 23_000_000, "VND"),
        ("còn thiếu so với quy định là 03 người", "03 người", 3, "count"),
        ("đạt 101.65% kế hoạch", "101.65%", 101.65, "percent"),
        ("diện tích 150,54 ha", "150,54 ha", 150.54, "other"),
        ("có 1,234 học sinh dự thi", "1,234 học sinh", 1234, "count"),
    ],
)
def test_figures(text, quote, value, unit):
    f = one(text)
    assert f.quote == quote
    assert text[f.start : f.end] == quote
    assert f.value == pytest.approx(value)
    assert f.unit == unit


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("tổng giá trị hơn 532 tỷ đồng", "lower"),
        ("quy ra thành tiền trên 10,2 tỷ đồng", "lower"),
        ("gần 100% trường học", "approx"),
        ("dưới 2% học sinh bỏ học", "upper"),
        ("khoảng 1.200 học sinh", "approx"),
        ("ước 95% trẻ ra lớp", "approx"),
        ("đạt 95% trẻ ra lớp", "exact"),
    ],
)
def test_bounds_and_quote_includes_the_bound_word(text, bound):
    f = one(text)
    assert f.bound == bound
    assert text[f.start : f.end] == f.quote


@pytest.mark.parametrize(
    ("text", "rng"),
    [
        ("tỷ lệ từ 80 đến 85% học sinh", (80, 85)),
        ("chỉ tiêu Nghị quyết (60-65%)", (60, 65)),
        ("huy động được từ 17% - 19%", (17, 19)),
    ],
)
def test_ranges(text, rng):
    f = one(text)
    assert f.range == rng
    assert f.value == rng[0]
    assert f.unit == "percent"


def test_fraction_with_counted_noun():
    f = one("toàn ngành có 57/65 trường đạt chuẩn quốc gia")
    assert (f.value, f.numerator, f.denominator, f.counted) == (57, 57, 65, "trường")
    assert f.quote == "57/65 trường"
    assert f.indicator == "national_standard_schools"


def test_fraction_followed_by_its_rate():
    facts = extract_facts("huy động học sinh là 159.493/156.911 (đạt tỉ lệ 101,65%)")
    assert [f.value for f in facts] == [159493, 101.65]
    assert facts[1].numerator == 159493 and facts[1].denominator == 156911


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("có 193 cháu/7 lớp", [193, 7]),  # a count pair, not a fraction: both are counts
        ("tỷ lệ trẻ lớp 1/tổng số trẻ đạt 80%", [80]),
        ("Sáng ngày 20/01/2022, hội nghị có 65 điểm cầu", [65]),
        ("Số: 125/BC-SGDĐT về 12 trường", [12]),
        ("theo Quyết định 1234/QĐ-UBND, 40 trường", [40]),
        ("Thông tư số 32/2020/TT-BGDĐT và Luật số 43/2019/QH14", []),
        ("năm học 2019-2020 và giai đoạn 2021 - 2025", []),
        ("Điện thoại: 0912.345.678 hoặc 0236 3822 456", []),
        ("1. Tăng cường công tác\na) Tổ chức\nII. NHIỆM VỤ", []),
        ("tháng 01/2019 có 5 trường", [5]),
        ("Nghị quyết 29-NQ/TW và dịch Covid-19", []),
        ("trường TH số 2 xã Thanh Xương, năm thứ 2 thực hiện", []),
        ("thực hiện 09 nhóm nhiệm vụ và 05 nhóm giải pháp", []),
        ("dạy học 2 buổi/ngày cho trẻ 5 tuổi, 6-10 tuổi", []),
        ("Đang truy cập150 Hôm nay29,758 1526 lượt xem", []),
        ("lúc 07:36:10 ngày 19/11/2019", []),
        ("xếp thứ 20/63 tỉnh thành", []),
        ("Ngày 15/9, 100% trường khai giảng", [100]),
        ("khối 9, 100% học sinh tốt nghiệp", [100]),
        ("kỷ niệm 15 năm thành lập tỉnh, vào lớp 10 trường THPT", []),
    ],
)
def test_things_that_are_not_facts(text, expected):
    assert values(text) == expected


def test_gap_to_plan_gives_target_and_is_not_a_fact():
    f = one("tỷ lệ huy động trẻ đến nhà trẻ đạt 51,6% (vượt 1,1% kế hoạch)")
    assert f.value == 51.6 and f.target == 50.5
    f = one("tỷ lệ đạt 90,5% (thấp hơn 2,5% so với kế hoạch)")
    assert f.target == 93.0


def test_shortage_against_plan_stays_a_fact():
    text = "Toàn huyện có 1.200 giáo viên, hiện còn thiếu 55 giáo viên so với kế hoạch."
    assert [(f.value, f.target) for f in extract_facts(text)] == [(1200, None), (55, None)]


def test_change_against_last_year_is_a_fact():
    facts = extract_facts("có 337 trường (giảm 03 trường so với cùng kỳ)")
    assert [f.value for f in facts] == [337, 3]


def test_stated_target_before_and_after():
    facts = extract_facts("Chỉ tiêu tuyển sinh lớp 10 được giao là 81%, thực hiện đạt 82,5%.")
    assert [(f.value, f.target) for f in facts] == [(81, 81), (82.5, 81)]
    facts = extract_facts("có 202/337 trường đạt chuẩn, tỷ lệ 59,94%, ước đạt chỉ tiêu (60-65%).")
    assert [(f.value, f.target) for f in facts] == [(202, None), (59.94, 60), (60, 60)]
    assert facts[1].numerator == 202


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("huy động dân số 6-10 tuổi đi học tiểu học đạt 99,9%", "primary"),
        ("THCS thừa 85 giáo viên", "lower_secondary"),
        ("tham gia có 65 điểm cầu các trường MN, TH, THCS", "all"),
        ("có 28 trường Mầm non", "preschool"),
        ("các trường THPT trực thuộc với tổng kinh phí là 7.400.000.000 đồng", "upper_secondary"),
        ("Trung tâm GDTX có 120 học viên", "continuing"),
        ("có 38 điểm cầu", None),
    ],
)
def test_levels(text, level):
    assert one(text).level == level


def test_level_standard_reached():
    assert values("21 xã đạt chuẩn PCGDTH mức độ 3") == [21, 3]
    assert values("tổ chức hội thảo mức độ 2") == []  # "mức độ" needs a standard before it
    facts = extract_facts("duy trì đạt chuẩn phổ cập PCGDTH mức độ 3")
    assert [(f.value, f.unit, f.quote) for f in facts] == [(3, "other", "mức độ 3")]


def test_offsets_refer_to_nfc_text():
    nfd = unicodedata.normalize("NFD", "Tỷ lệ huy động đạt 98,3% và có 57/65 trường")
    nfc = unicodedata.normalize("NFC", nfd)
    for f in extract_facts(nfd):
        assert nfc[f.start : f.end] == f.quote


def test_json_fields():
    d = one("đạt 51,6%").to_dict()
    assert tuple(d) == JSON_FIELDS
    json.dumps(d)


def test_config_is_yaml_and_extensible(tmp_path):
    cfg_file = tmp_path / "ind.yaml"
    cfg_file.write_text(
        "counted: [con gà]\nindicators:\n  - code: chickens\n    keywords: [nuôi]\n"
    )
    cfg = load_config(str(cfg_file))
    facts = extract_facts("nuôi 12 con gà và 3 trường", cfg)
    assert [(f.value, f.indicator) for f in facts] == [(12, "chickens")]


def test_seed_figures_are_found():
    folder = seeds_dir()
    if folder is None:
        pytest.skip("shared seeds not present")
    for label_path in sorted(folder.glob("*.json")):
        label = json.loads(label_path.read_text(encoding="utf-8"))
        text = (folder / label["file"]).read_text(encoding="utf-8")
        found = {round(f.value, 4) for f in extract_facts(text)}
        for fact in label["facts"]:
            if not fact.get("implicit"):
                assert round(fact["value"], 4) in found, (label["file"], fact["quote"])

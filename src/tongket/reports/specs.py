"""What a review report shows: its key indicators per kind, the annex tables, the issuing body
and the default signature/recipients per unit kind. Data only; builder.py reads it.

Indicators are the catalog's (figures from the analytics engine) except the assessment shares
and the semester-I figures, which figures.py sums from stored values (see there why).
"""

from __future__ import annotations

from dataclasses import dataclass

from tongket.reports.docgen import ReportKind, SignPrefix
from tongket.reports.figures import SumIndicator, Term

START, END, HK1 = "start", "end", "hk1"  # which forms a figure comes from


@dataclass(frozen=True)
class Spec:
    code: str  # catalog indicator code, or a SumIndicator code (source="sums")
    group: str
    short: str  # chart and annex label
    num_label: str = ""  # annex header of the numerator
    den_label: str = ""
    unit_label: str = ""  # count noun: "trẻ", "học sinh", "trường"
    decimals: int = 1
    source: str = "engine"  # engine | sums
    round: str = START
    fraction: bool = False  # "264/392 trường, tỷ lệ 67,3%" in the sentence
    leading: bool = True  # name the leading child units
    name: str = ""  # sums only (engine names come from the catalog)
    direction: str = "up"  # sums only


MN, PT, QUALITY, STAFF = (
    "Giáo dục mầm non",
    "Giáo dục phổ thông",
    "Chất lượng giáo dục",
    "Đội ngũ, trường lớp và cơ sở vật chất",
)
HK1_GROUP = "Kết quả học kỳ I"


def _pct(code, group, short, num, den, label, rnd=START, **kw) -> Spec:
    return Spec(code, group, short, num, den, label, round=rnd, **kw)


SPECS: list[Spec] = [
    _pct("mobilisation_mn_0_2", MN, "Huy động nhà trẻ", "Trẻ nhà trẻ", "Dân số 0-2 tuổi", "trẻ"),
    _pct("mobilisation_mn_3_5", MN, "Huy động 3-5 tuổi", "Trẻ mẫu giáo", "Dân số 3-5 tuổi", "trẻ"),
    _pct("mobilisation_mn_5", MN, "Huy động 5 tuổi", "Trẻ 5 tuổi ra lớp", "Dân số 5 tuổi", "trẻ"),
    Spec("children_per_group", MN, "Trẻ/nhóm, lớp", "Số trẻ", "Số nhóm, lớp", "trẻ", leading=False),
    _pct("mobilisation_th", PT, "Huy động TH", "Học sinh TH", "Dân số 6-10 tuổi", "học sinh"),
    _pct(
        "mobilisation_thcs", PT, "Huy động THCS", "Học sinh THCS", "Dân số 11-14 tuổi", "học sinh"
    ),
    _pct(
        "mobilisation_thpt", PT, "Huy động THPT", "Học sinh THPT", "Dân số 15-17 tuổi", "học sinh"
    ),
    _pct("completion_th", PT, "Hoàn thành TH", "Hoàn thành CTTH", "Lớp 1 năm t-4", "học sinh", END),
    _pct(
        "completion_thcs",
        PT,
        "Hoàn thành THCS",
        "Tốt nghiệp THCS",
        "Lớp 6 năm t-3",
        "học sinh",
        END,
    ),
    _pct(
        "completion_thpt",
        PT,
        "Hoàn thành THPT",
        "Tốt nghiệp THPT",
        "Lớp 10 năm t-2",
        "học sinh",
        END,
    ),
    _pct(
        "dropout_rate",
        PT,
        "Bỏ học",
        "Học sinh bỏ học",
        "Tổng số học sinh",
        "học sinh",
        END,
        decimals=2,
    ),
    Spec("pupils_per_class", PT, "HS/lớp", "Số học sinh", "Số lớp", "học sinh", leading=False),
    Spec("total_pupils", PT, "Học sinh", unit_label="học sinh", decimals=0, leading=False),
    Spec("total_children", MN, "Trẻ mầm non", unit_label="trẻ", decimals=0, leading=False),
    _pct(
        "rp_th_htt",
        QUALITY,
        "TH Hoàn thành tốt",
        "Hoàn thành tốt",
        "Được đánh giá",
        "học sinh",
        END,
        source="sums",
        name="Tỷ lệ học sinh tiểu học Hoàn thành tốt",
    ),
    _pct(
        "rp_th_ht",
        QUALITY,
        "TH Hoàn thành",
        "Hoàn thành",
        "Được đánh giá",
        "học sinh",
        END,
        source="sums",
        name="Tỷ lệ học sinh tiểu học Hoàn thành",
        direction="none",
        leading=False,
    ),
    _pct(
        "rp_th_cht",
        QUALITY,
        "TH Chưa hoàn thành",
        "Chưa hoàn thành",
        "Được đánh giá",
        "học sinh",
        END,
        source="sums",
        name="Tỷ lệ học sinh tiểu học Chưa hoàn thành",
        direction="down",
    ),
    _pct(
        "rp_learn_tot",
        QUALITY,
        "Học tập Tốt",
        "Tốt",
        "Được đánh giá",
        "học sinh",
        END,
        source="sums",
        name="Tỷ lệ học sinh THCS, THPT có kết quả học tập Tốt",
    ),
    _pct(
        "rp_learn_kha",
        QUALITY,
        "Học tập Khá",
        "Khá",
        "Được đánh giá",
        "học sinh",
        END,
        source="sums",
        name="Tỷ lệ học sinh THCS, THPT có kết quả học tập Khá",
        direction="none",
        leading=False,
    ),
    _pct(
        "rp_learn_dat",
        QUALITY,
        "Học tập Đạt",
        "Đạt",
        "Được đánh giá",
        "học sinh",
        END,
        source="sums",
        name="Tỷ lệ học sinh THCS, THPT có kết quả học tập Đạt",
        direction="none",
        leading=False,
    ),
    _pct(
        "rp_learn_cd",
        QUALITY,
        "Học tập Chưa đạt",
        "Chưa đạt",
        "Được đánh giá",
        "học sinh",
        END,
        source="sums",
        name="Tỷ lệ học sinh THCS, THPT có kết quả học tập Chưa đạt",
        direction="down",
    ),
    _pct(
        "rp_conduct_tot",
        QUALITY,
        "Rèn luyện Tốt",
        "Rèn luyện Tốt",
        "Được đánh giá",
        "học sinh",
        END,
        source="sums",
        name="Tỷ lệ học sinh THCS, THPT rèn luyện Tốt",
    ),
    _pct(
        "national_standard_rate",
        STAFF,
        "Chuẩn quốc gia",
        "Trường đạt chuẩn",
        "Số trường",
        "trường",
        fraction=True,
    ),
    _pct(
        "teacher_qual_rate",
        STAFF,
        "GV đạt chuẩn",
        "GV đạt chuẩn trở lên",
        "Số giáo viên",
        "giáo viên",
    ),
    _pct("solid_classroom_rate", STAFF, "Phòng kiên cố", "Phòng kiên cố", "Số phòng học", "phòng"),
    _pct("two_session_rate", STAFF, "Lớp 2 buổi/ngày", "Lớp 2 buổi", "Số lớp TH", "lớp"),
    Spec(
        "teachers_per_class",
        STAFF,
        "GV/lớp",
        "Số giáo viên",
        "Số lớp",
        "giáo viên",
        decimals=2,
        leading=False,
    ),
    Spec("total_schools", STAFF, "Số trường", unit_label="trường", decimals=0, leading=False),
    Spec(
        "total_teachers", STAFF, "Số giáo viên", unit_label="giáo viên", decimals=0, leading=False
    ),
    # semester I (form SK-HK1): only in the sơ kết report
    Spec(
        "rp_hk1_pupils",
        HK1_GROUP,
        "HS cuối HK I",
        unit_label="học sinh",
        decimals=0,
        source="sums",
        round=HK1,
        name="Số học sinh phổ thông cuối học kỳ I",
        leading=False,
        direction="none",
    ),
    _pct(
        "rp_hk1_dropout",
        HK1_GROUP,
        "Bỏ học HK I",
        "Bỏ học trong HK I",
        "Học sinh đầu năm",
        "học sinh",
        HK1,
        source="sums",
        decimals=2,
        direction="down",
        name="Tỷ lệ học sinh bỏ học trong học kỳ I (so với số học sinh đầu năm học)",
    ),
    _pct(
        "rp_hk1_htt",
        HK1_GROUP,
        "HK I: TH Hoàn thành tốt",
        "Hoàn thành tốt",
        "Được đánh giá",
        "học sinh",
        HK1,
        source="sums",
        name="Tỷ lệ học sinh tiểu học Hoàn thành tốt (học kỳ I)",
    ),
    _pct(
        "rp_hk1_tot",
        HK1_GROUP,
        "HK I: học tập Tốt",
        "Tốt",
        "Được đánh giá",
        "học sinh",
        HK1,
        source="sums",
        name="Tỷ lệ học sinh THCS có kết quả học tập Tốt (học kỳ I)",
    ),
]
BY_CODE = {s.code: s for s in SPECS}

GIAO_BAN_CODES = [
    "mobilisation_mn_5",
    "mobilisation_th",
    "mobilisation_thcs",
    "dropout_rate",
    "national_standard_rate",
    "total_pupils",
    "total_schools",
]


def specs_for(kind: ReportKind) -> list[Spec]:
    if kind is ReportKind.SO_KET:  # start-of-year figures of the year, then semester I
        return [s for s in SPECS if s.round == START] + [s for s in SPECS if s.round == HK1]
    if kind is ReportKind.GIAO_BAN:
        return [BY_CODE[c] for c in GIAO_BAN_CODES]
    return [s for s in SPECS if s.round != HK1]


# Annex tables: rows = child units, columns = numerator / denominator / value per indicator.
ANNEXES: list[tuple[str, list[str]]] = [
    (
        "Quy mô trường, lớp, học sinh, giáo viên",
        [
            "total_schools",
            "total_children",
            "total_pupils",
            "total_teachers",
            "pupils_per_class",
            "rp_hk1_pupils",
        ],
    ),
    ("Tỷ lệ huy động trẻ, học sinh", ["mobilisation_mn_5", "mobilisation_th", "mobilisation_thcs"]),
    (
        "Hoàn thành chương trình, bỏ học",
        ["completion_th", "completion_thcs", "dropout_rate", "rp_hk1_dropout"],
    ),
    (
        "Trường chuẩn quốc gia, đội ngũ, cơ sở vật chất",
        ["national_standard_rate", "teacher_qual_rate", "solid_classroom_rate"],
    ),
    ("Kết quả đánh giá học sinh", ["rp_th_htt", "rp_learn_tot", "rp_conduct_tot", "rp_hk1_htt"]),
]
GIAO_BAN_ANNEXES = 1  # the short version keeps the first annex only

# Trend charts (school years): (title, [(series label, indicator)])
TRENDS = [
    (
        "Tỷ lệ huy động qua các năm học",
        [
            ("Trẻ 5 tuổi", "mobilisation_mn_5"),
            ("Tiểu học", "mobilisation_th"),
            ("THCS", "mobilisation_thcs"),
        ],
    ),
    ("Tỷ lệ trường đạt chuẩn quốc gia qua các năm học", [("Tỷ lệ", "national_standard_rate")]),
]

# --------------------------------------------------------------------------- summed figures

_TH_GRADES = "1|2|3|4|5"
_SEC_GRADES = "6|7|8|9|10|11|12"
_TH_RESULTS = "htt|ht|cht"
_SEC_RESULTS = "tot|kha|dat|chua_dat"


def _share(code: str, element: str, grades: str, levels: str, result: str, results: str):
    def side(res: str) -> tuple[Term, ...]:
        return (Term.of(element, grade=grades, level=levels, result=res),)

    return SumIndicator(code, code, side(result), side(results))


_PUPILS_ALL = (Term.of("pupils", level="TH|THCS|THPT"),)
SUM_INDICATORS: list[SumIndicator] = [
    _share("rp_th_htt", "assess_th", _TH_GRADES, "TH", "htt", _TH_RESULTS),
    _share("rp_th_ht", "assess_th", _TH_GRADES, "TH", "ht", _TH_RESULTS),
    _share("rp_th_cht", "assess_th", _TH_GRADES, "TH", "cht", _TH_RESULTS),
    _share("rp_learn_tot", "assess_learning", _SEC_GRADES, "THCS|THPT", "tot", _SEC_RESULTS),
    _share("rp_learn_kha", "assess_learning", _SEC_GRADES, "THCS|THPT", "kha", _SEC_RESULTS),
    _share("rp_learn_dat", "assess_learning", _SEC_GRADES, "THCS|THPT", "dat", _SEC_RESULTS),
    _share("rp_learn_cd", "assess_learning", _SEC_GRADES, "THCS|THPT", "chua_dat", _SEC_RESULTS),
    _share("rp_conduct_tot", "assess_conduct", _SEC_GRADES, "THCS|THPT", "tot", _SEC_RESULTS),
    SumIndicator("rp_hk1_pupils", "rp_hk1_pupils", (Term.of("pupils_hk1", level="TH|THCS|THPT"),)),
    # dropouts during semester I over the pupils of the start-of-year forms (den_period set
    # by the builder to the school year)
    SumIndicator(
        "rp_hk1_dropout",
        "rp_hk1_dropout",
        (Term.of("dropouts_hk1", level="TH|THCS|THPT"),),
        _PUPILS_ALL,
        den_period="<school-year>",
    ),
    SumIndicator(
        "rp_hk1_htt",
        "rp_hk1_htt",
        (Term.of("assess_hk1", level="TH", result="htt"),),
        (Term.of("assess_hk1", level="TH", result=_TH_RESULTS),),
    ),
    SumIndicator(
        "rp_hk1_tot",
        "rp_hk1_tot",
        (Term.of("assess_hk1", level="THCS", result="tot"),),
        (Term.of("assess_hk1", level="THCS", result=_SEC_RESULTS),),
    ),
]

# --------------------------------------------------------------------------- per unit kind

SUMMARY = {
    ReportKind.TONG_KET: "Tổng kết năm học {p} và phương hướng, nhiệm vụ năm học {n}",
    ReportKind.SO_KET: "Sơ kết học kỳ I năm học {p} và phương hướng, nhiệm vụ học kỳ II",
    ReportKind.GIAO_BAN: "Tình hình thực hiện nhiệm vụ năm học {p} (hội nghị giao ban)",
}
KIND_LABELS = {
    ReportKind.TONG_KET: "Tổng kết năm học",
    ReportKind.SO_KET: "Sơ kết học kỳ I",
    ReportKind.GIAO_BAN: "Giao ban",
}

SIGNATURES = {  # unit kind -> (prefix, authority, position)
    "province": (SignPrefix.KT, "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
    "district": (SignPrefix.NONE, "TRƯỞNG PHÒNG", "TRƯỞNG PHÒNG"),
    "commune": (SignPrefix.NONE, "TRƯỞNG PHÒNG", "TRƯỞNG PHÒNG"),
    "school": (SignPrefix.NONE, "HIỆU TRƯỞNG", "HIỆU TRƯỞNG"),
}
RECIPIENTS = {
    "province": [
        "Bộ GD&ĐT (để b/c)",
        "TT Tỉnh ủy, HĐND, UBND tỉnh (để b/c)",
        "Lãnh đạo Sở",
        "Các phòng chuyên môn thuộc Sở",
        "UBND các xã, phường",
    ],
    "district": ["UBND huyện (để b/c)", "Sở GD&ĐT (để b/c)", "Các trường trên địa bàn"],
    "commune": ["UBND xã, phường (để b/c)", "Sở GD&ĐT (để b/c)", "Các trường trên địa bàn"],
    "school": ["UBND xã, phường (để b/c)", "Hội đồng trường"],
}
PROPOSAL_TO = {
    "province": "Bộ Giáo dục và Đào tạo",
    "district": "UBND huyện",
    "commune": "Sở Giáo dục và Đào tạo",
    "school": "UBND xã, phường",
}

"""A realistic sample report (a provincial year review), for tests, the bench and demos.

Figures are invented but plausible for a mountain province after the 2025 reform (a Sở with
~130 communes and ~1,000 schools). Deterministic: the same arguments give the same report.
"""

from __future__ import annotations

import datetime as dt
import random

from .model import (
    AnnexColumn,
    AnnexTable,
    BarChart,
    IndicatorResult,
    IssuingBody,
    LineChart,
    NextTarget,
    ProposalGroup,
    QualityOutlier,
    ReportingStatus,
    ReportKind,
    ReviewReport,
    Signature,
    SignPrefix,
    StaffingLine,
    Target,
    UnitFigure,
    UnitKind,
    UnitsBehind,
)

_SYLLABLES = [
    "Mường",
    "Nà",
    "Pú",
    "Sín",
    "Chà",
    "Thanh",
    "Na",
    "Hua",
    "Tủa",
    "Phình",
    "Sáng",
    "Pa",
    "Ham",
    "Búng",
    "Chiềng",
    "Xá",
    "Nậm",
    "Quài",
    "Tả",
    "Si",
    "Lay",
    "Nưa",
    "Luân",
    "Phăng",
    "Chung",
    "Ẳng",
    "Cang",
    "Hồ",
    "Nhé",
    "Khoa",
    "Ảng",
    "Pồng",
]


def commune_names(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        name = f"{rnd.choice(_SYLLABLES)} {rnd.choice(_SYLLABLES)}"
        if name not in seen and name.split()[0] != name.split()[1]:
            seen.add(name)
            names.append(name)
    return names


_SHORT = {
    "huy_dong_mg_3_5": "Huy động 3-5 tuổi",
    "huy_dong_mg_5": "Huy động 5 tuổi",
    "ban_tru_mn": "Bán trú mầm non",
    "hoan_thanh_th": "Hoàn thành tiểu học",
    "tot_nghiep_thcs": "Tốt nghiệp THCS",
}


def _indicators() -> list[IndicatorResult]:
    pct = UnitKind.PERCENT
    return [
        IndicatorResult(
            "huy_dong_mg_3_5",
            "Tỷ lệ huy động trẻ 3-5 tuổi đến trường",
            51.6,
            pct,
            group="Giáo dục mầm non",
            target=Target(50.5),
            last_year=49.3,
            leading_units=[
                UnitFigure("xã Mường Phăng", 78.2),
                UnitFigure("phường Thanh Nưa", 75.0),
            ],
        ),
        IndicatorResult(
            "huy_dong_mg_5",
            "Tỷ lệ huy động trẻ 5 tuổi ra lớp",
            99.6,
            pct,
            group="Giáo dục mầm non",
            target=Target(99.5),
            last_year=99.6,
        ),
        IndicatorResult(
            "ban_tru_mn",
            "Tỷ lệ trẻ mầm non được tổ chức ăn bán trú",
            88.4,
            pct,
            group="Giáo dục mầm non",
            target=Target(90),
            last_year=86.9,
        ),
        IndicatorResult(
            "hs_th_2_buoi",
            "Tỷ lệ học sinh tiểu học học 2 buổi/ngày",
            97.35,
            pct,
            decimals=2,
            group="Giáo dục phổ thông",
            target=Target(low=95, high=98),
            last_year=96.12,
        ),
        IndicatorResult(
            "hoan_thanh_th",
            "Tỷ lệ học sinh hoàn thành chương trình tiểu học",
            99.8,
            pct,
            group="Giáo dục phổ thông",
            target=Target(99.5),
            last_year=99.7,
        ),
        IndicatorResult(
            "tot_nghiep_thcs",
            "Tỷ lệ học sinh tốt nghiệp THCS",
            98.9,
            pct,
            group="Giáo dục phổ thông",
            target=Target(99.0),
            last_year=98.4,
        ),
        IndicatorResult(
            "bo_hoc_thcs",
            "Tỷ lệ học sinh THCS bỏ học",
            0.32,
            pct,
            decimals=2,
            group="Giáo dục phổ thông",
            target=Target(0.5),
            last_year=0.41,
            higher_is_better=False,
        ),
        IndicatorResult(
            "tong_hs",
            "Tổng số học sinh phổ thông",
            152340,
            UnitKind.COUNT,
            decimals=0,
            unit_label="học sinh",
            group="Giáo dục phổ thông",
            last_year=151090,
        ),
        IndicatorResult(
            "chuan_qg",
            "Số trường đạt chuẩn quốc gia",
            59.94,
            pct,
            decimals=2,
            numerator=202,
            denominator=337,
            unit_label="trường",
            group="Cơ sở vật chất và chất lượng",
            last_year=57.57,
            target=Target(
                low=60,
                high=65,
                source="chỉ tiêu Nghị quyết",
                source_document="Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XIV",
            ),
        ),
        IndicatorResult(
            "kien_co_hoa",
            "Tỷ lệ phòng học kiên cố",
            86.7,
            pct,
            group="Cơ sở vật chất và chất lượng",
            target=Target(85),
            last_year=84.1,
        ),
        IndicatorResult(
            "phong_hoc_moi",
            "Số phòng học được xây mới",
            96,
            UnitKind.COUNT,
            decimals=0,
            unit_label="phòng",
            group="Cơ sở vật chất và chất lượng",
            target=Target(100),
        ),
        IndicatorResult(
            "chi_ngan_sach",
            "Tổng chi ngân sách cho giáo dục",
            2_532_400_000_000,
            UnitKind.MONEY,
            decimals=1,
            money_scale="ty",
            group="Cơ sở vật chất và chất lượng",
            target=Target(2_500_000_000_000, source="dự toán"),
            last_year=2_410_000_000_000,
        ),
    ]


def commune_annex(n: int, seed: int = 11) -> AnnexTable:
    rnd = random.Random(seed)
    cols = [
        AnnexColumn("Xã, phường", "text"),
        AnnexColumn("Số trường", "count"),
        AnnexColumn("Số lớp", "count"),
        AnnexColumn("Số học sinh", "count"),
        AnnexColumn("Số giáo viên", "count"),
        AnnexColumn("Trẻ 3-5 tuổi", "count"),
        AnnexColumn("Trẻ 3-5 tuổi ra lớp", "count"),
        AnnexColumn("Huy động 3-5 tuổi (%)", "percent", 1),
        AnnexColumn("Trường đạt chuẩn", "count"),
        AnnexColumn("Tỷ lệ đạt chuẩn (%)", "percent", 1),
        AnnexColumn("Phòng học kiên cố (%)", "percent", 1),
        AnnexColumn("Kinh phí (triệu đồng)", "money", 0),
    ]
    rows: list[list[object]] = []
    nums: list[list[float]] = []  # each row's numeric columns (1..11), summed for the total
    for name in commune_names(n):
        schools = rnd.randint(4, 14)
        classes = schools * rnd.randint(8, 20)
        pupils = classes * rnd.randint(22, 34)
        teachers = round(classes * rnd.uniform(1.3, 1.9))
        kids = rnd.randint(300, 1800)
        enrolled = round(kids * rnd.uniform(0.35, 0.8))
        std = rnd.randint(0, schools)
        numbers: list[float] = [
            schools,
            classes,
            pupils,
            teachers,
            kids,
            enrolled,
            round(enrolled / kids * 100, 1),
            std,
            round(std / schools * 100, 1),
            round(rnd.uniform(60, 100), 1),
            rnd.randint(8_000, 60_000),
        ]
        nums.append(numbers)
        rows.append([f"Xã {name}", *numbers])
    sums = [sum(r[j] for r in nums) for j in range(6)]  # schools .. children enrolled
    std_total = sum(r[7] for r in nums)
    total: list[object] = [
        "Tổng cộng",
        *sums,
        round(sums[5] / sums[4] * 100, 1),
        std_total,
        round(std_total / sums[0] * 100, 1),
        None,
        sum(r[10] for r in nums),
    ]
    return AnnexTable(
        "Phụ lục 1",
        "Số liệu chủ yếu theo xã, phường",
        cols,
        rows,
        total_row=total,
        note="Nguồn: báo cáo thống kê cuối năm học 2024-2025.",
    )


def school_annex(n: int, seed: int = 13, in_docx: bool = True) -> AnnexTable:
    rnd = random.Random(seed)
    levels = ["Mầm non", "Tiểu học", "THCS", "TH&THCS"]
    communes = commune_names(max(1, n // 8))
    cols = [
        AnnexColumn("Trường", "text"),
        AnnexColumn("Xã, phường", "text"),
        AnnexColumn("Cấp học", "text"),
        AnnexColumn("Số lớp", "count"),
        AnnexColumn("Số học sinh", "count"),
        AnnexColumn("Số giáo viên", "count"),
        AnnexColumn("Đạt chuẩn QG", "text"),
    ]
    rows: list[list[object]] = []
    for i in range(n):
        level = rnd.choice(levels)
        commune = rnd.choice(communes)
        classes = rnd.randint(5, 35)
        rows.append(
            [
                f"Trường {level} {commune} số {i % 3 + 1}",
                f"Xã {commune}",
                level,
                classes,
                classes * rnd.randint(20, 35),
                round(classes * rnd.uniform(1.2, 2.0)),
                "Mức 1" if rnd.random() < 0.6 else "",
            ]
        )
    return AnnexTable("Phụ lục 2", "Danh sách trường học", cols, rows, in_docx=in_docx)


def sample_report(n_communes: int = 12, n_schools: int = 30, charts: bool = True) -> ReviewReport:
    inds = _indicators()
    chart_list: list[BarChart | LineChart] = []
    if charts:
        shown = [
            (i, t)
            for i in inds
            if i.unit_kind is UnitKind.PERCENT
            and (t := i.target) is not None
            and not t.is_range
            and i.higher_is_better
        ][:5]
        chart_list = [
            BarChart(
                "Kế hoạch và thực hiện một số chỉ tiêu năm học 2024-2025",
                [_SHORT.get(i.key, i.key) for i, _ in shown],
                [i.value for i, _ in shown],
                [t.value for _, t in shown],
            ),
            LineChart(
                "Tỷ lệ huy động trẻ mầm non qua các năm học",
                ["2020-2021", "2021-2022", "2022-2023", "2023-2024", "2024-2025"],
                {
                    "Trẻ 3-5 tuổi": [44.8, 46.1, 47.9, 49.3, 51.6],
                    "Trẻ 5 tuổi": [99.1, 99.3, 99.4, 99.6, 99.6],
                },
            ),
            LineChart(
                "Tỷ lệ trường đạt chuẩn quốc gia qua các năm học",
                ["2020-2021", "2021-2022", "2022-2023", "2023-2024", "2024-2025"],
                {"Toàn tỉnh": [48.2, 51.0, 54.3, 57.57, 59.94]},
                decimals=2,
            ),
        ]
    annexes = []
    if n_communes:
        annexes.append(commune_annex(n_communes))
    if n_schools:
        annexes.append(school_annex(n_schools))
    return ReviewReport(
        issuing_body=IssuingBody(
            "UBND TỈNH ĐIỆN BIÊN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Sở Giáo dục và Đào tạo tỉnh Điện Biên"
        ),
        number="125",
        symbol="BC-SGDĐT",
        place="Điện Biên",
        date=dt.date(2025, 7, 18),
        kind=ReportKind.TONG_KET,
        summary="Tổng kết năm học 2024-2025 và phương hướng, nhiệm vụ năm học 2025-2026",
        intro=[
            "Năm học 2024-2025 là năm học toàn ngành thực hiện sắp xếp đơn vị hành chính hai "
            "cấp; được sự quan tâm lãnh đạo, chỉ đạo của Tỉnh ủy, HĐND, UBND tỉnh, ngành Giáo "
            "dục và Đào tạo đã hoàn thành cơ bản các mục tiêu, nhiệm vụ năm học.",
        ],
        indicators=inds,
        results_text=["Công tác phổ cập giáo dục, xóa mù chữ được duy trì và nâng cao."],
        units_behind=[
            UnitsBehind(
                "Tỷ lệ huy động trẻ 3-5 tuổi",
                [UnitFigure("xã Sín Thầu", 31.4), UnitFigure("xã Mường Nhé", 35.9)],
                threshold=40,
                key="huy_dong_mg_3_5",
            )
        ],
        reporting=[
            ReportingStatus(
                "Báo cáo thống kê đầu năm học 2024-2025",
                337,
                312,
                20,
                5,
                ["Trường Mầm non Sín Thầu", "Trường PTDTBT TH Chung Chải"],
                key="dau_nam",
            )
        ],
        staffing=[
            StaffingLine("Mầm non", shortage=180),
            StaffingLine(
                "Tiểu học",
                shortage=98,
                surplus=23,
                subjects_short={"Tiếng Anh": 42, "Tin học": 31, "các môn còn lại": 25},
            ),
            StaffingLine("THCS", surplus=85),
        ],
        outliers=[
            QualityOutlier(
                "Trường TH Thanh Xương", "Tỷ lệ học sinh hoàn thành tốt môn Toán", 98.5, 62.0
            )
        ],
        limitations_text=["Cơ sở vật chất một số trường vùng cao còn thiếu, xuống cấp."],
        causes=[
            "Địa bàn rộng, dân cư phân tán; điều kiện kinh tế - xã hội còn nhiều khó khăn.",
            "Công tác tham mưu của một số đơn vị chưa kịp thời.",
        ],
        next_targets=[
            NextTarget("Tỷ lệ huy động trẻ 3-5 tuổi đến trường", value=53),
            NextTarget("Tỷ lệ trường đạt chuẩn quốc gia", low=62, high=65),
        ],
        next_period="năm học 2025-2026",
        tasks=[
            "Tiếp tục thực hiện Chương trình giáo dục phổ thông 2018.",
            "Rà soát, bố trí đội ngũ giáo viên theo định mức mới.",
        ],
        proposals=[
            ProposalGroup(
                "Bộ Giáo dục và Đào tạo", ["Bổ sung biên chế giáo viên cho các tỉnh miền núi."]
            ),
            ProposalGroup("UBND tỉnh", ["Bố trí kinh phí kiên cố hóa trường lớp."]),
        ],
        charts=chart_list,
        annexes=annexes,
        signature=Signature(SignPrefix.KT, "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"),
        recipients=[
            "Bộ GD&ĐT (để b/c)",
            "TT Tỉnh ủy, HĐND, UBND tỉnh (để b/c)",
            "Lãnh đạo Sở",
            "Các phòng chuyên môn thuộc Sở",
            "UBND các xã, phường",
        ],
        archive="VT, KHTC",
    )

"""Plain-data model of a review report (báo cáo tổng kết / sơ kết / giao ban).

Everything here is a frozen-ish dataclass of plain Python values: the Django side fills it from
the database (values, targets, units), the generator only reads it. Nothing in this package
imports Django, so the same model can be fed from a test factory, a bench or a CLI.

Numbers are stored as given (floats/ints/Decimals in their natural unit: percent points for
rates, persons/schools for counts, đồng for money); formatting happens only at rendering time,
through tongket.core.vntext, so the document and the annex workbook show the same figures.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Number = int | float | Decimal


class ReportKind(enum.StrEnum):
    TONG_KET = "tong-ket"  # tổng kết năm học (end of year, with next year's tasks)
    SO_KET = "so-ket"  # sơ kết học kỳ I (January)
    GIAO_BAN = "giao-ban"  # quarterly briefing


class UnitKind(enum.StrEnum):
    PERCENT = "percent"  # value in percent points: 51.6 means 51,6%
    COUNT = "count"  # persons, schools, classes...
    MONEY = "money"  # đồng; shown scaled (triệu / tỷ đồng) when money_scale says so


class Verdict(enum.StrEnum):
    VUOT = "vượt"
    DAT = "đạt"
    CHUA_DAT = "chưa đạt"


class SignPrefix(enum.StrEnum):
    """Signing authority prefixes of NĐ 30/2020, Phụ lục I, mục 8."""

    NONE = ""
    TM = "TM."  # thay mặt (collective bodies: TM. ỦY BAN NHÂN DÂN)
    KT = "KT."  # ký thay (deputy signs for the head)
    TL = "TL."  # thừa lệnh
    TUQ = "TUQ."  # thừa ủy quyền
    Q = "Q."  # quyền (acting head)


# Money scales: the divisor and the unit word. "tỷ" = 10^9, "triệu" = 10^6 (DOMAIN.md §10).
MONEY_SCALES: dict[str, tuple[int, str]] = {
    "dong": (1, "đồng"),
    "trieu": (1_000_000, "triệu đồng"),
    "ty": (1_000_000_000, "tỷ đồng"),
}


@dataclass
class IssuingBody:
    parent: str  # cơ quan chủ quản, e.g. "UBND TỈNH ĐIỆN BIÊN" (may be "" for top bodies)
    name: str  # cơ quan ban hành, e.g. "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    full_name: str = ""  # used in annex captions: "của Sở Giáo dục và Đào tạo tỉnh Điện Biên"


@dataclass
class Target:
    """A target (chỉ tiêu): one value or a range, with the document it comes from."""

    value: Number | None = None
    low: Number | None = None
    high: Number | None = None
    source: str = "kế hoạch"  # how sentences name it: "kế hoạch", "chỉ tiêu Nghị quyết"
    source_document: str = ""  # e.g. "Nghị quyết số 01-NQ/TU ngày 15/10/2020"

    def __post_init__(self) -> None:
        if self.value is None and (self.low is None or self.high is None):
            raise ValueError("chỉ tiêu cần một giá trị hoặc một khoảng (low, high)")
        if self.value is not None and (self.low is not None or self.high is not None):
            raise ValueError("chỉ tiêu chỉ có một giá trị hoặc một khoảng, không cả hai")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"khoảng chỉ tiêu sai: {self.low} > {self.high}")

    @property
    def is_range(self) -> bool:
        return self.value is None


@dataclass
class UnitFigure:
    """One unit's figure, for "dẫn đầu là xã A (78,2%)" or "còn thấp: xã B (40,1%)"."""

    name: str
    value: Number
    key: str = ""  # optional stable id (org unit code) for traceability


@dataclass
class IndicatorResult:
    key: str  # stable id, used in trace keys: "huy_dong_mg_3_5"
    name: str  # "Tỷ lệ huy động trẻ 3-5 tuổi đến trường"
    value: Number
    unit_kind: UnitKind = UnitKind.PERCENT
    decimals: int = 1
    unit_label: str = ""  # count/money noun: "trường", "học sinh"; money uses money_scale
    group: str = ""  # subheading in section I, e.g. "Giáo dục mầm non"
    numerator: Number | None = None  # "202/337 trường" when both are given
    denominator: Number | None = None
    target: Target | None = None
    last_year: Number | None = None
    leading_units: list[UnitFigure] = field(default_factory=list)
    higher_is_better: bool = True  # False for dropout, repeaters: "vượt" means lower
    money_scale: str = "dong"
    # "(trong đó 23 trường liên cấp)" after the figure: a part of the figure, with its noun
    of_which: tuple[Number, str] | None = None
    # a follow-up sentence listing figures that are NOT parts summing to the figure (schools
    # teaching each level: a liên cấp school counts in each), introduced by parts_intro
    parts: list[UnitFigure] = field(default_factory=list)
    parts_intro: str = ""

    def __post_init__(self) -> None:
        if self.money_scale not in MONEY_SCALES:
            raise ValueError(f"money_scale phải là một trong {sorted(MONEY_SCALES)}")
        if (self.numerator is None) != (self.denominator is None):
            raise ValueError(f"{self.key}: cần cả tử số và mẫu số, hoặc không cái nào")


@dataclass
class UnitsBehind:
    """Units below a threshold on one indicator (section II)."""

    indicator_name: str
    units: list[UnitFigure]
    unit_kind: UnitKind = UnitKind.PERCENT
    decimals: int = 1
    key: str = ""  # indicator key, used in trace keys
    threshold: Number | None = None  # "dưới 60%": the reference the caller selected with
    higher_is_better: bool = True  # False (dropout): units *above* the threshold, "trên 0,5%"


@dataclass
class ReportingStatus:
    """Timeliness of one reporting round (late / missing reports)."""

    round_name: str  # "Báo cáo thống kê đầu năm học 2024-2025"
    expected: int
    on_time: int
    late: int
    missing: int
    missing_units: list[str] = field(default_factory=list)
    key: str = ""


@dataclass
class StaffingLine:
    """Teacher shortage/surplus of one level (TT 19/2023, TT 20/2023 norms), as
    tongket.norms.calc.staffing_totals.Balance gives it: ``shortage`` and ``surplus`` are gross
    (counted school by school and subject by subject), their difference is the net balance, and
    ``subjects_short`` are parts of ``shortage`` that add up to it exactly."""

    level: str  # "Mầm non", "Tiểu học", "THCS"
    shortage: int = 0
    surplus: int = 0
    subjects_short: dict[str, int] = field(default_factory=dict)  # {"Tiếng Anh": 42}
    place: str = "môn"  # gross figures counted by "môn" (subject) or only by "trường" (school)

    @property
    def balance(self) -> int:
        """surplus − shortage: the net balance (cân đối), negative when short."""
        return self.surplus - self.shortage

    @property
    def net(self) -> int:
        """The net balance as printed after "cân đối thiếu/thừa"."""
        return abs(self.balance)


@dataclass
class QualityOutlier:
    """A unit whose figure stands out from the others (possible reporting error or concern)."""

    unit_name: str
    indicator_name: str
    value: Number
    reference: Number
    reference_label: str = "trung vị toàn tỉnh"
    unit_kind: UnitKind = UnitKind.PERCENT
    decimals: int = 1
    key: str = ""


@dataclass
class NextTarget:
    """A target for the next period (section III)."""

    name: str
    unit_kind: UnitKind = UnitKind.PERCENT
    value: Number | None = None
    low: Number | None = None
    high: Number | None = None
    decimals: int = 1
    unit_label: str = ""
    key: str = ""


@dataclass
class ProposalGroup:
    addressee: str  # "Bộ Giáo dục và Đào tạo" -> "Đối với Bộ Giáo dục và Đào tạo:"
    items: list[str]


@dataclass
class BarChart:
    """Plan vs actual bars, one category per indicator or unit."""

    title: str
    categories: list[str]
    actual: list[Number]
    plan: list[Number | None]
    unit_kind: UnitKind = UnitKind.PERCENT
    decimals: int = 1
    actual_label: str = "Thực hiện"
    plan_label: str = "Kế hoạch"


@dataclass
class LineChart:
    """Trends: one line per series over periods (school years)."""

    title: str
    periods: list[str]
    series: dict[str, list[Number | None]]
    unit_kind: UnitKind = UnitKind.PERCENT
    decimals: int = 1


Chart = BarChart | LineChart


@dataclass
class AnnexColumn:
    header: str
    kind: str = "text"  # text | count | percent | money | stt
    decimals: int = 0
    width_mm: float = 0  # 0: let the generator share the width


@dataclass
class AnnexTable:
    code: str  # "Phụ lục 1"
    title: str  # "Kết quả huy động trẻ theo xã, phường"
    columns: list[AnnexColumn]
    rows: list[list[object]]
    total_row: Sequence[object] | None = None  # given by the caller (rolled up from stored values)
    note: str = ""  # source note under the table
    in_docx: bool = True  # very long annexes may go to the workbook only
    key: str = ""

    def __post_init__(self) -> None:
        n = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row) != n:
                raise ValueError(f"{self.code}: dòng {i + 1} có {len(row)} cột, cần {n}")
        if self.total_row is not None and len(self.total_row) != n:
            raise ValueError(f"{self.code}: dòng tổng cộng cần {n} cột")
        if not self.key:
            self.key = self.code


@dataclass
class Signature:
    prefix: SignPrefix = SignPrefix.NONE
    authority: str = ""  # "GIÁM ĐỐC" (the head for whom one signs)
    position: str = ""  # "PHÓ GIÁM ĐỐC" (the signer's own title)
    name: str = ""

    def title_lines(self) -> list[str]:
        """Lines above the signature space, e.g. ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]."""
        lines = []
        if self.prefix is not SignPrefix.NONE:
            lines.append(f"{self.prefix.value} {self.authority}".strip())
            if self.position:
                lines.append(self.position)
        else:
            lines.append(self.position or self.authority)
        return [line.upper() for line in lines if line]


@dataclass
class ReviewReport:
    issuing_body: IssuingBody
    number: str  # "125" ("" for a draft: "Số:      /BC-SGDĐT")
    symbol: str  # "BC-SGDĐT"
    place: str  # "Điện Biên"
    date: dt.date
    kind: ReportKind
    summary: str  # trích yếu: "Tổng kết năm học 2024-2025 và phương hướng, ..."
    title: str = "BÁO CÁO"
    intro: list[str] = field(default_factory=list)  # opening paragraphs (user text)
    indicators: list[IndicatorResult] = field(default_factory=list)
    results_text: list[str] = field(default_factory=list)  # user text after the figures
    units_behind: list[UnitsBehind] = field(default_factory=list)
    reporting: list[ReportingStatus] = field(default_factory=list)
    staffing: list[StaffingLine] = field(default_factory=list)
    outliers: list[QualityOutlier] = field(default_factory=list)
    limitations_text: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)  # nguyên nhân (user text)
    next_targets: list[NextTarget] = field(default_factory=list)
    next_period: str = ""  # "năm học 2025-2026"
    tasks: list[str] = field(default_factory=list)  # nhiệm vụ, giải pháp (user text)
    proposals: list[ProposalGroup] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    annexes: list[AnnexTable] = field(default_factory=list)
    signature: Signature = field(default_factory=Signature)
    recipients: list[str] = field(default_factory=list)  # "Bộ GD&ĐT (để b/c)"
    archive: str = "VT"  # "- Lưu: VT, KHTC." -> archive="VT, KHTC"
    summary_table: bool = True  # the "Bảng tổng hợp" of indicators vs targets in section I

    @property
    def number_line(self) -> str:
        """'Số: 125/BC-SGDĐT'; a draft without number keeps the blank NĐ 30 leaves for it."""
        number = self.number or "      "
        return f"Số: {number}/{self.symbol}"

"""What a review report is made of before it is built: its errors, the sources of its figures,
the user-written narrative, and the facts of its issuing unit (the NĐ 30 heading, the tree and
the year it reads). Split from builder.py, which re-exports these names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tongket.core import definitions
from tongket.core import periods as pd
from tongket.reports.docgen import IssuingBody, ReportKind, ReviewReport
from tongket.reports.docgen.sentences import lower_first
from tongket.units import queries as uq
from tongket.units.models import OrgUnit
from tongket.units.models import UnitKind as OrgKind


class ReportError(ValueError):
    """A report that cannot be built (unknown period, unit kind without a report)."""


@dataclass
class Source:
    """Where one printed figure comes from. kind: engine | sum | target | rates | staffing |
    outlier | jump; ref: the arguments to re-read it; raw: the figure put in the model."""

    kind: str
    raw: object
    ref: dict


@dataclass
class Built:
    report: ReviewReport
    unit: OrgUnit
    period: str
    kind: ReportKind
    mode: str
    tree_day: dt.date
    sources: dict[str, Source] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    policy: definitions.Policy = definitions.REPORT_POLICY  # which submissions it counts


@dataclass
class Narrative:
    """The user-written parts (a ReportDraft, or defaults)."""

    number: str = ""
    symbol: str = ""
    date: dt.date | None = None
    intro: str = ""
    causes: str = ""
    tasks: str = ""
    proposals: str = ""
    next_period: str = ""
    sign_prefix: str = ""
    sign_authority: str = ""
    sign_position: str = ""
    sign_name: str = ""
    recipients: str = ""
    limitations: str = ""
    policy: str = definitions.REPORT_POLICY.value  # which submissions count (core.definitions)


def lines(text: str) -> list[str]:
    return [ln.strip().lstrip("-•").strip() for ln in (text or "").splitlines() if ln.strip()]


# --------------------------------------------------------------------------- unit facts


def report_year(period: str) -> pd.Period:
    try:
        p = pd.parse(period)
    except pd.PeriodError as exc:
        raise ReportError(str(exc)) from exc
    return p if p.kind == pd.PeriodKind.SCHOOL_YEAR else p.school_year


def report_tree(unit: OrgUnit, period: str, mode: str) -> tuple[str, dt.date, str]:
    """units.queries.resolve_mode, refused as a ReportError."""
    try:
        return uq.resolve_mode(unit, period, mode)
    except (uq.NotInTree, definitions.DefinitionError) as exc:
        raise ReportError(str(exc)) from exc


def province_of(unit: OrgUnit, day: dt.date) -> OrgUnit | None:
    if unit.kind == OrgKind.PROVINCE:
        return unit
    return next((a for a in uq.ancestors(unit, day) if a.kind == OrgKind.PROVINCE), None)


def short_name(unit: OrgUnit) -> str:
    name = unit.name
    for prefix in ("Tỉnh ", "Thành phố ", "Thành Phố "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _initials(name: str) -> str:
    words = [w for w in name.split() if w.lower() != "trường"]
    return "".join(w[0].upper() for w in words if w[0].isalpha())[:8]


def issuing_body(unit: OrgUnit, day: dt.date, province: OrgUnit | None) -> tuple[IssuingBody, str]:
    """(issuing body, symbol) by unit kind, as NĐ 30 heads a document."""
    pname = short_name(province) if province else ""
    ptype = (province.division_type or "tỉnh") if province else "tỉnh"
    if unit.kind == OrgKind.PROVINCE:
        return (
            IssuingBody(
                f"UBND {ptype.upper()} {pname.upper()}",
                "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
                f"Sở Giáo dục và Đào tạo {ptype} {pname}",
            ),
            "BC-SGDĐT",
        )
    if unit.kind == OrgKind.COMMUNE:
        return (
            IssuingBody(
                f"UBND {unit.name.upper()}",
                "PHÒNG VĂN HÓA - XÃ HỘI",
                f"Phòng Văn hóa - Xã hội {lower_first(unit.name)}",
            ),
            "BC-VHXH",
        )
    if unit.kind == OrgKind.DISTRICT:
        return (
            IssuingBody(
                f"UBND {unit.name.upper()}",
                "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
                f"Phòng Giáo dục và Đào tạo {lower_first(unit.name)}",
            ),
            "BC-PGDĐT",
        )
    if unit.kind == OrgKind.SCHOOL:
        parent = uq.parent(unit, day)
        levels = getattr(getattr(unit, "school", None), "levels", None) or []
        if "THPT" in levels or parent is None:
            head = f"SỞ GD&ĐT {ptype.upper()} {pname.upper()}".strip()
        else:
            head = f"UBND {parent.name.upper()}"
        return IssuingBody(head, unit.name.upper(), unit.name), f"BC-{_initials(unit.name)}"
    raise ReportError("Chỉ lập báo cáo cho tỉnh, huyện (trước 1/7/2025), xã/phường hoặc trường.")


def default_date(kind: ReportKind, year: pd.Period, today: dt.date) -> dt.date:
    """The conventional date (30/6 for the year review, 31/1 for semester I), never later
    than today: a past year's review is dated as it would have been."""
    y = year.start.year
    usual = {ReportKind.TONG_KET: dt.date(y + 1, 6, 30), ReportKind.SO_KET: dt.date(y + 1, 1, 31)}
    return min(usual.get(kind, today), today)

"""The definitions every figure depends on, in one place ("one truth"), as plain Python.

Every reader of figures (the analytics engine's input, dashboards, the review report, staffing,
the register, PCGD, Excel exports, the API) imports these; none keeps a copy. They are:

* **Tree modes**: a figure rolls up either by the unit tree *as it was* on the period's reference
  date (``as_of``) or by *today's* tree (``current``), legacy units re-attributed through their
  successor links. ``parse_mode`` also reads the older spellings ``period`` / ``today``.
* **Which submissions count** (``Policy``): *working figures* count reports that are submitted
  or approved (a dashboard never shows what a school is still typing or what was sent back);
  a *report to be signed* counts approved reports only unless the office states otherwise.
  Values written without a submission (historical imports) always count.
* **A period's reference date**: the day whose tree a period's figures roll up by, which is the
  statistical reference date of its start-of-year round for a school year and its semesters
  (30/9, pack schedule ``start_of_year``), and the last day of any other period; and the day the
  certificate register is counted for a period (the end-of-year reference date, 31/5, for a
  school year), never later than today.
* **How a school counts**: a school is one unit in "Số trường", counted from the unit tree (a
  liên cấp school is one school); per-level breakdowns show a combined school in each level it
  teaches and say how many such schools there are. National-standard schools are counted from
  the certificate register (valid on the register date), never from the forms, which the
  data-quality view holds against it.
* **Change, gap and verdict**: computed once from unrounded values and rounded once for display,
  with the display decimals of the indicator's unit.

The schedule dates come from the catalog pack (packs/vn/catalog/pack.yaml, with their legal
source), read once.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from pathlib import Path

import yaml

from tongket.core import periods as pd

# --------------------------------------------------------------------------- tree modes

MODE_AS_OF = "as_of"  # the tree as it was on the period's reference date
MODE_CURRENT = "current"  # today's tree, legacy units re-attributed through successor links
MODES = (MODE_AS_OF, MODE_CURRENT)
MODE_LABELS = {MODE_AS_OF: "Cây đơn vị tại kỳ báo cáo", MODE_CURRENT: "Cây đơn vị hiện nay"}
_MODE_SPELLINGS = {
    MODE_AS_OF: MODE_AS_OF,
    MODE_CURRENT: MODE_CURRENT,
    "period": MODE_AS_OF,
    "today": MODE_CURRENT,
    "": MODE_AS_OF,
}


class DefinitionError(ValueError):
    """A mode or policy that does not exist (the message is Vietnamese, for the user)."""


def parse_mode(text: str | None) -> str:
    """'as_of' | 'current' (also 'period' | 'today'; empty is 'as_of')."""
    mode = _MODE_SPELLINGS.get((text or "").strip())
    if mode is None:
        raise DefinitionError(f"Chế độ cây đơn vị không hợp lệ: '{text}' (as_of hoặc current).")
    return mode


# --------------------------------------------------------------------------- which counts


class Policy(StrEnum):
    WORKING = "working"  # submitted or approved: the figures an office works with
    APPROVED = "approved"  # approved only: what a signed report states by default


COUNTED_STATUSES: dict[Policy, tuple[str, ...]] = {
    Policy.WORKING: ("submitted", "approved"),
    Policy.APPROVED: ("approved",),
}
POLICY_LABELS = {
    Policy.WORKING: "Số liệu đã nộp và đã duyệt",
    Policy.APPROVED: "Chỉ số liệu đã duyệt",
}
# The sentence a document prints so that its reader knows which reports it counts.
POLICY_STATEMENTS = {
    Policy.WORKING: "Số liệu tổng hợp từ các báo cáo đã nộp (kể cả báo cáo chưa được duyệt).",
    Policy.APPROVED: "Số liệu tổng hợp từ các báo cáo đã được duyệt.",
}
DASHBOARD_POLICY = Policy.WORKING
REPORT_POLICY = Policy.APPROVED


def parse_policy(text: str | None, default: Policy = DASHBOARD_POLICY) -> Policy:
    value = (text or "").strip()
    if not value:
        return default
    try:
        return Policy(value)
    except ValueError:
        raise DefinitionError(
            f"Phạm vi số liệu không hợp lệ: '{text}' (working hoặc approved)."
        ) from None


def counts(status: str | None, policy: Policy = DASHBOARD_POLICY) -> bool:
    """Does a value written by a submission in this status count? None: no submission."""
    return status is None or status in COUNTED_STATUSES[policy]


# --------------------------------------------------------------------------- reference dates

PACK_FILE = Path(__file__).resolve().parents[3] / "packs" / "vn" / "catalog" / "pack.yaml"


@functools.lru_cache(maxsize=4)
def schedule_day_month(name: str, pack_file: Path = PACK_FILE) -> tuple[int, int]:
    """(day, month) of a round's reference date in the catalog pack, e.g. (30, 9)."""
    head = yaml.safe_load(pack_file.read_text(encoding="utf-8")) or {}
    text = str(((head.get("schedules") or {}).get(name) or {}).get("as_of", ""))
    try:
        day, month = (int(x) for x in text.split("/"))
        dt.date(2000, month, day)
    except ValueError:
        raise DefinitionError(f"{pack_file}: lịch '{name}' thiếu ngày as_of dạng dd/mm") from None
    return day, month


def reference_date(period: str | pd.Period) -> dt.date:
    """The day whose tree a period's figures roll up by ("the tree as of the period").

    A school year and its semesters use the reference date of the start-of-year statistical
    round (30/9 of the first year: the 1/7/2025 reform fell between school years, so any day
    inside a year picks the same tree); any other period uses its last day.
    """
    p = pd.parse(period) if isinstance(period, str) else period
    if p.kind in (pd.PeriodKind.SCHOOL_YEAR, pd.PeriodKind.SEMESTER):
        return round_date(p, "start_of_year")
    return p.end


def round_date(period: str | pd.Period, round_name: str) -> dt.date:
    """The data date of a statistical round of a school year (start_of_year 30/9, end_of_year
    31/5, ... from the pack), e.g. what a filled form says its figures are "tính đến"."""
    p = pd.parse(period) if isinstance(period, str) else period
    day, month = schedule_day_month(round_name)
    y = p.school_year.start.year
    return dt.date(y if month >= pd.SCHOOL_YEAR_START_MONTH else y + 1, month, day)


def register_date(period: str | pd.Period, today: dt.date) -> dt.date:
    """The day the certificate register is counted for a period, never later than today.

    A school year: the end-of-year statistical reference date (31/5 of its second year), the
    state a year review reports and never after the review's own date (30/6); a semester or
    any other period: its last day.
    """
    p = pd.parse(period) if isinstance(period, str) else period
    end = round_date(p, "end_of_year") if p.kind == pd.PeriodKind.SCHOOL_YEAR else p.end
    return min(end, today)


def survey_date(year: int) -> dt.date:
    """Reference date of the PCGD–XMC household survey of a calendar year (30/9)."""
    day, month = schedule_day_month("population")
    return dt.date(year, month, day)


# --------------------------------------------------------------------------- schools

# Elements derived from the unit tree and the register rather than typed into forms (the
# catalog pack declares them with `derived:`; analytics.inputs computes them).
SCHOOL_UNITS = "school_units"  # 1 per school (total row), 1 per level it teaches (level rows)
MULTI_LEVEL = "multi_level"  # dimension option of SCHOOL_UNITS: 1 per school teaching ≥ 2 levels
STD_SCHOOLS = "std_schools"  # 1 per school with a valid national-standard certificate
SCHOOL_LEVELS = ("MN", "TH", "THCS", "THPT")


# --------------------------------------------------------------------------- display

DECIMALS = {"percent": 1, "ratio": 1, "count": 0, "money": 0}


def decimals_of(unit: str) -> int:
    """Decimals a figure of this unit is shown with, on every surface."""
    return DECIMALS.get(unit, 1)


def rounded(value: float | Decimal, decimals: int) -> Decimal:
    """The value as shown: rounded half away from zero, as people do by hand."""
    quant = Decimal(1).scaleb(-decimals)
    return Decimal(str(value)).quantize(quant, rounding=ROUND_HALF_UP)


def finite(x) -> bool:
    """A number that is neither missing nor NaN."""
    return x is not None and not (isinstance(x, float) and math.isnan(x))


VUOT = "vượt"  # exceeded the target
DAT = "đạt"  # met it
CHUA_DAT = "chưa đạt"  # not met


@dataclass(frozen=True)
class Change:
    absolute: float | None  # value - previous, unrounded
    percent: float | None  # relative change in %; None when the previous figure is 0 or missing

    def shown(self, decimals: int) -> Decimal | None:
        """The change as printed (rounded once, from the unrounded difference)."""
        return None if self.absolute is None else rounded(self.absolute, decimals)


def change(value: float | None, previous: float | None) -> Change:
    """Change on an earlier figure, from unrounded values."""
    if not (finite(value) and finite(previous)):
        return Change(None, None)
    diff = float(value) - float(previous)  # type: ignore[arg-type]
    pct = diff / abs(float(previous)) * 100 if previous else None  # type: ignore[arg-type]
    return Change(diff, pct)


@dataclass(frozen=True)
class TargetCheck:
    value: float | None
    target: float | tuple[float, float]
    gap: float | None  # value - target; for a range, distance past the nearer bound (0 inside)
    percent_of_target: float | None  # value / target * 100 (range: against its lower bound)
    verdict: str | None  # VUOT, DAT, CHUA_DAT; None without a value


def compare_to_target(
    value: float | None,
    target: float | tuple[float, float],
    higher_is_better: bool = True,
    tolerance: float = 0.0,
) -> TargetCheck:
    """Verdict of a value against a target value or range (lo, hi).

    tolerance is absolute, in the indicator's unit: within it of the target counts as
    'đạt' rather than 'vượt' or 'chưa đạt'. For a range, 'đạt' is inside [lo, hi] (widened by
    the tolerance), 'vượt' beyond the good end, 'chưa đạt' beyond the bad end.
    """
    if tolerance < 0:
        raise ValueError("Dung sai phải ≥ 0 / tolerance must be >= 0")
    if isinstance(target, tuple | list):
        lo, hi = float(target[0]), float(target[1])
        if lo > hi:
            raise ValueError(
                f"Khoảng chỉ tiêu ngược ({lo}, {hi}) / target range ({lo}, {hi}) is reversed"
            )
        tgt: float | tuple[float, float] = (lo, hi)
    else:
        lo = hi = float(target)
        tgt = lo
    if not finite(value):
        return TargetCheck(None, tgt, None, None, None)
    v = float(value)  # type: ignore[arg-type]
    gap = v - hi if v > hi else v - lo if v < lo else 0.0
    pct = v / lo * 100 if lo != 0 else None
    if higher_is_better:
        verdict = VUOT if v > hi + tolerance else DAT if v >= lo - tolerance else CHUA_DAT
    else:
        verdict = VUOT if v < lo - tolerance else DAT if v <= hi + tolerance else CHUA_DAT
    return TargetCheck(v, tgt, gap, pct, verdict)


def check_target(
    value: float | None,
    target: float | tuple[float, float],
    decimals: int,
    higher_is_better: bool = True,
    scale: float = 1.0,
) -> TargetCheck:
    """The one plan-vs-actual of every surface: the gap from unrounded figures, and the verdict
    decided on that gap as shown (rounded once to ``decimals``, in units of ``scale``), so the
    words never contradict the gap printed beside them: a gap shown as 0,0 is 'đạt'."""
    c = compare_to_target(value, target, higher_is_better)
    if c.gap is None:
        return c
    g = rounded(c.gap / scale, decimals) * (1 if higher_is_better else -1)
    verdict = VUOT if g > 0 else CHUA_DAT if g < 0 else DAT
    return TargetCheck(c.value, c.target, c.gap, c.percent_of_target, verdict)

"""Periods of the school calendar, as plain Python (no Django import).

Codes, one canonical spelling each (parse() also reads the Vietnamese spellings):
  school year   "2024-2025"            1/9/2024 .. 31/8/2025
  semester      "2024-2025 HK1"/"HK2"  HK1 1/9 .. 15/1, HK2 16/1 .. 31/5 (configurable)
  quarter       "2024-Q3"              ("Quý III/2024", "Q3/2024")
  month         "2024-09"              ("09/2024", "tháng 9/2024")
  calendar year "2024"
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

SCHOOL_YEAR_START_MONTH = 9
HK1_END = (15, 1)  # (day, month) semester I ends; the yearly school calendar may move it
HK2_END = (31, 5)
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


class PeriodKind(StrEnum):
    SCHOOL_YEAR = "school_year"
    SEMESTER = "semester"
    QUARTER = "quarter"
    MONTH = "month"
    YEAR = "year"


KIND_LABEL_VI = {
    PeriodKind.SCHOOL_YEAR: "năm học",
    PeriodKind.SEMESTER: "học kỳ",
    PeriodKind.QUARTER: "quý",
    PeriodKind.MONTH: "tháng",
    PeriodKind.YEAR: "năm",
}


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    kind: PeriodKind
    code: str

    def __str__(self) -> str:
        return self.code

    @property
    def label_vi(self) -> str:
        if self.kind == PeriodKind.SCHOOL_YEAR:
            return f"Năm học {self.code}"
        if self.kind == PeriodKind.SEMESTER:
            year, sem = self.code.split(" ")
            return f"Học kỳ {'I' if sem == 'HK1' else 'II'} năm học {year}"
        if self.kind == PeriodKind.QUARTER:
            year, q = self.code.split("-Q")
            return f"Quý {['I', 'II', 'III', 'IV'][int(q) - 1]}/{year}"
        if self.kind == PeriodKind.MONTH:
            year, month = self.code.split("-")
            return f"Tháng {int(month)}/{year}"
        return f"Năm {self.code}"

    def contains(self, other: Period | dt.date) -> bool:
        if isinstance(other, dt.date):
            return self.start <= other <= self.end
        return self.start <= other.start and other.end <= self.end

    @property
    def school_year(self) -> Period:
        return school_year_of(self.start)

    def previous(self) -> Period:
        """The same kind of period one step back (last year for a school year)."""
        return parse(_shift(self, -1))

    def same_period_last_year(self) -> Period:
        if self.kind in (PeriodKind.SCHOOL_YEAR, PeriodKind.YEAR):
            return self.previous()
        if self.kind == PeriodKind.SEMESTER:
            y, sem = self.code.split(" ")
            return school_year(int(y[:4]) - 1).semester(int(sem[-1]))
        if self.kind == PeriodKind.QUARTER:
            y, q = self.code.split("-Q")
            return quarter(int(y) - 1, int(q))
        y, m = self.code.split("-")
        return month(int(y) - 1, int(m))

    def semester(self, n: int) -> Period:
        if self.kind != PeriodKind.SCHOOL_YEAR:
            raise PeriodError("only a school year has semesters")
        y = self.start.year
        if n == 1:
            return Period(
                self.start,
                dt.date(y + 1, HK1_END[1], HK1_END[0]),
                PeriodKind.SEMESTER,
                f"{self.code} HK1",
            )
        if n == 2:
            start = dt.date(y + 1, HK1_END[1], HK1_END[0]) + dt.timedelta(days=1)
            return Period(
                start,
                dt.date(y + 1, HK2_END[1], HK2_END[0]),
                PeriodKind.SEMESTER,
                f"{self.code} HK2",
            )
        raise PeriodError(f"học kỳ phải là 1 hoặc 2, không phải {n}")


def school_year(start_year: int) -> Period:
    if not 1900 <= start_year <= 2200:
        raise PeriodError(f"năm học bắt đầu năm {start_year} không hợp lệ")
    return Period(
        dt.date(start_year, SCHOOL_YEAR_START_MONTH, 1),
        dt.date(start_year + 1, SCHOOL_YEAR_START_MONTH, 1) - dt.timedelta(days=1),
        PeriodKind.SCHOOL_YEAR,
        f"{start_year}-{start_year + 1}",
    )


def quarter(year: int, q: int) -> Period:
    if q not in (1, 2, 3, 4):
        raise PeriodError(f"quý phải từ 1 đến 4, không phải {q}")
    first = 3 * (q - 1) + 1
    last = first + 2
    return Period(
        dt.date(year, first, 1),
        dt.date(year, last, calendar.monthrange(year, last)[1]),
        PeriodKind.QUARTER,
        f"{year}-Q{q}",
    )


def month(year: int, m: int) -> Period:
    if not 1 <= m <= 12:
        raise PeriodError(f"tháng phải từ 1 đến 12, không phải {m}")
    return Period(
        dt.date(year, m, 1),
        dt.date(year, m, calendar.monthrange(year, m)[1]),
        PeriodKind.MONTH,
        f"{year}-{m:02d}",
    )


def year(y: int) -> Period:
    return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), PeriodKind.YEAR, str(y))


def school_year_of(day: dt.date) -> Period:
    return school_year(day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1)


_SY = re.compile(r"^(?:năm học\s+)?(\d{4})\s*[-–/]\s*(\d{4})$", re.I)
_SEM = re.compile(
    r"^(?:(\d{4})\s*[-–]\s*(\d{4})\s+HK\s*([12])|(?:học kỳ|hk)\s*(I{1,2}|[12])\s*(?:năm học)?\s*(\d{4})\s*[-–]\s*(\d{4}))$",
    re.I,
)
_Q = re.compile(r"^(?:(\d{4})\s*-?\s*Q([1-4])|(?:quý|q)\s*(IV|I{1,3}|[1-4])\s*/\s*(\d{4}))$", re.I)
_M = re.compile(r"^(?:(\d{4})-(\d{1,2})|(?:tháng\s*)?(\d{1,2})\s*/\s*(\d{4}))$", re.I)
_Y = re.compile(r"^(?:năm\s*)?(\d{4})$", re.I)


def _num(token: str) -> int:
    return ROMAN[token.upper()] if token.upper() in ROMAN else int(token)


def parse(text: str) -> Period:
    """Parse a period code or its Vietnamese spelling; PeriodError says what was expected."""
    raw = " ".join(text.strip().split())
    if m := _SY.match(raw):
        a, b = int(m.group(1)), int(m.group(2))
        if b != a + 1:
            raise PeriodError(f"năm học '{raw}': năm sau phải bằng năm trước + 1")
        return school_year(a)
    if m := _SEM.match(raw):
        if m.group(1):
            a, b, sem = int(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            sem, a, b = _num(m.group(4)), int(m.group(5)), int(m.group(6))
        if b != a + 1:
            raise PeriodError(f"học kỳ '{raw}': năm học không hợp lệ")
        return school_year(a).semester(sem)
    if m := _Q.match(raw):
        if m.group(1):
            return quarter(int(m.group(1)), int(m.group(2)))
        return quarter(int(m.group(4)), _num(m.group(3)))
    if m := _M.match(raw):
        if m.group(1):
            return month(int(m.group(1)), int(m.group(2)))
        return month(int(m.group(4)), int(m.group(3)))
    if m := _Y.match(raw):
        return year(int(m.group(1)))
    raise PeriodError(
        f"không hiểu kỳ báo cáo '{text}' (ví dụ: 2024-2025, 2024-2025 HK1, 2024-Q3, 2024-09, 2024)"
    )


def _shift(p: Period, step: int) -> str:
    if p.kind == PeriodKind.SCHOOL_YEAR:
        return school_year(p.start.year + step).code
    if p.kind == PeriodKind.YEAR:
        return str(p.start.year + step)
    if p.kind == PeriodKind.SEMESTER:
        y, sem = p.code.split(" ")
        idx = int(y[:4]) * 2 + int(sem[-1]) - 1 + step
        return f"{idx // 2}-{idx // 2 + 1} HK{idx % 2 + 1}"
    if p.kind == PeriodKind.QUARTER:
        y, q = p.code.split("-Q")
        idx = int(y) * 4 + int(q) - 1 + step
        return f"{idx // 4}-Q{idx % 4 + 1}"
    y, m = p.code.split("-")
    idx = int(y) * 12 + int(m) - 1 + step
    return f"{idx // 12}-{idx % 12 + 1:02d}"


@dataclass(frozen=True)
class RoundSchedule:
    """When a round's data is taken (as_of) and when it is due, relative to the school year."""

    as_of: tuple[int, int]  # (day, month)
    due: tuple[int, int]

    def dates(self, sy: Period) -> tuple[dt.date, dt.date]:
        def at(dm: tuple[int, int]) -> dt.date:
            day, mon = dm
            yr = sy.start.year if mon >= SCHOOL_YEAR_START_MONTH else sy.start.year + 1
            return dt.date(yr, mon, day)

        return at(self.as_of), at(self.due)

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongket.core import periods
from tongket.core.periods import PeriodError, PeriodKind


@pytest.mark.parametrize(
    ("text", "code", "kind"),
    [
        ("2024-2025", "2024-2025", PeriodKind.SCHOOL_YEAR),
        ("Năm học 2024 - 2025", "2024-2025", PeriodKind.SCHOOL_YEAR),
        ("2024-2025 HK1", "2024-2025 HK1", PeriodKind.SEMESTER),
        ("học kỳ II năm học 2024-2025", "2024-2025 HK2", PeriodKind.SEMESTER),
        ("2024-Q3", "2024-Q3", PeriodKind.QUARTER),
        ("Quý IV/2024", "2024-Q4", PeriodKind.QUARTER),
        ("2024-09", "2024-09", PeriodKind.MONTH),
        ("tháng 9/2024", "2024-09", PeriodKind.MONTH),
        ("2024", "2024", PeriodKind.YEAR),
    ],
)
def test_parse_spellings(text, code, kind):
    p = periods.parse(text)
    assert (p.code, p.kind) == (code, kind)


@pytest.mark.parametrize("bad", ["2024-2026", "HK3 2024-2025", "2024-13", "Quý V/2024", "abc", ""])
def test_parse_rejects_with_vietnamese_message(bad):
    with pytest.raises(PeriodError):
        periods.parse(bad)


def test_containment_and_school_year_of_dates():
    sy = periods.parse("2024-2025")
    assert sy.contains(periods.parse("2024-2025 HK1"))
    assert sy.contains(periods.parse("2025-Q1"))
    assert not sy.contains(periods.parse("2025-Q3"))
    assert periods.school_year_of(dt.date(2025, 8, 31)).code == "2024-2025"
    assert periods.school_year_of(dt.date(2025, 9, 1)).code == "2025-2026"
    assert sy.previous().code == "2023-2024"
    assert periods.parse("2024-2025 HK1").previous().code == "2023-2024 HK2"
    assert periods.parse("2025-Q1").previous().code == "2024-Q4"
    assert periods.parse("2025-01").same_period_last_year().code == "2024-01"


def test_semesters_tile_the_teaching_year():
    sy = periods.school_year(2024)
    hk1, hk2 = sy.semester(1), sy.semester(2)
    assert hk1.start == sy.start and hk2.start == hk1.end + dt.timedelta(days=1)
    assert hk1.label_vi == "Học kỳ I năm học 2024-2025"


def test_round_schedule_dates():
    sched = periods.RoundSchedule(as_of=(30, 9), due=(30, 10))
    assert sched.dates(periods.school_year(2024)) == (dt.date(2024, 9, 30), dt.date(2024, 10, 30))
    eoy = periods.RoundSchedule(as_of=(31, 5), due=(30, 6))
    assert eoy.dates(periods.school_year(2024)) == (dt.date(2025, 5, 31), dt.date(2025, 6, 30))


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31)))
def test_every_date_is_in_exactly_one_school_year_and_month(day):
    sy = periods.school_year_of(day)
    assert sy.contains(day)
    assert not sy.previous().contains(day)
    m = periods.parse(f"{day.year}-{day.month:02d}")
    assert m.contains(day) and periods.parse(m.code) == m

"""The definitions every figure depends on (pure: no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongket.core import definitions as d
from tongket.core.vntext import format_number


def test_tree_modes_have_one_vocabulary():
    assert d.parse_mode("") == d.parse_mode("as_of") == d.parse_mode("period") == d.MODE_AS_OF
    assert d.parse_mode("current") == d.parse_mode("today") == d.MODE_CURRENT
    with pytest.raises(d.DefinitionError, match="Chế độ cây đơn vị không hợp lệ"):
        d.parse_mode("yesterday")


def test_which_submissions_count():
    assert d.counts("submitted") and d.counts("approved") and d.counts(None)
    assert not d.counts("draft") and not d.counts("returned")
    assert d.counts("approved", d.Policy.APPROVED) and d.counts(None, d.Policy.APPROVED)
    assert not d.counts("submitted", d.Policy.APPROVED)
    assert d.REPORT_POLICY is d.Policy.APPROVED and d.DASHBOARD_POLICY is d.Policy.WORKING
    assert d.parse_policy("", d.REPORT_POLICY) is d.Policy.APPROVED
    with pytest.raises(d.DefinitionError, match="Phạm vi số liệu"):
        d.parse_policy("all")


def test_reference_dates_come_from_the_pack():
    assert d.schedule_day_month("start_of_year") == (30, 9)
    assert d.reference_date("2024-2025") == dt.date(2024, 9, 30)
    assert d.reference_date("2024-2025 HK2") == dt.date(2024, 9, 30)  # one tree per year
    assert d.reference_date("2025-Q1") == dt.date(2025, 3, 31)
    assert d.round_date("2024-2025", "end_of_year") == dt.date(2025, 5, 31)
    assert d.round_date("2024-2025", "semester_1_review") == dt.date(2024, 12, 31)
    assert d.survey_date(2025) == dt.date(2025, 9, 30)


def test_the_register_is_counted_never_after_today():
    today = dt.date(2026, 12, 4)
    assert d.register_date("2024-2025", today) == dt.date(2025, 5, 31)
    assert d.register_date("2024-2025 HK1", today) == dt.date(2025, 1, 15)
    assert d.register_date("2026-2027", today) == today  # a year still running


def test_a_pack_without_the_date_is_refused(tmp_path):
    bad = tmp_path / "pack.yaml"
    bad.write_text("schedules:\n  start_of_year: {due: '30/10'}\n", encoding="utf-8")
    with pytest.raises(d.DefinitionError, match="as_of"):
        d.schedule_day_month("start_of_year", bad)


def test_change_is_computed_from_unrounded_figures_and_rounded_once():
    # 67,34 and 67,26 both show as 67,3; the change is +0,1, not "bằng"
    c = d.change(67.34, 67.26)
    assert c.shown(1) == Decimal("0.1")
    assert d.change(None, 3).absolute is None and d.change(3, 0).percent is None


def test_a_gap_shown_as_zero_is_met():
    c = d.check_target(50.46, 50.5, 1)
    assert c.verdict == d.DAT and d.rounded(c.gap, 1) == 0
    assert d.check_target(50.56, 50.5, 1).verdict == d.VUOT
    assert d.check_target(50.44, 50.5, 1).verdict == d.CHUA_DAT
    # lower is better: a dropout rate under its ceiling "vượt"
    assert d.check_target(0.38, 0.5, 2, higher_is_better=False).verdict == d.VUOT
    assert d.check_target(61.0, (60.0, 65.0), 1).verdict == d.DAT
    assert d.check_target(59.94, (60.0, 65.0), 2).verdict == d.CHUA_DAT


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(finite, finite, st.integers(min_value=0, max_value=3))
def test_verdict_never_contradicts_the_printed_gap(value, target, decimals):
    c = d.check_target(value, target, decimals)
    shown = d.rounded(c.gap, decimals)
    assert c.verdict == (d.VUOT if shown > 0 else d.CHUA_DAT if shown < 0 else d.DAT)
    # the gap is printed with the same rounding as every figure of the report
    assert format_number(shown, decimals) == format_number(c.gap, decimals)


@given(finite, finite, st.integers(min_value=0, max_value=3))
def test_change_printed_is_the_unrounded_change_rounded(value, previous, decimals):
    c = d.change(value, previous)
    assert format_number(c.shown(decimals), decimals) == format_number(value - previous, decimals)

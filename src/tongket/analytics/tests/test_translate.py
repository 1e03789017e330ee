"""core.expr semantics carried faithfully into the engine (pure: no database)."""

from __future__ import annotations

import pytest

from tongket.analytics.engine import RollupEngine
from tongket.analytics.service import shift_period
from tongket.analytics.translate import (
    TranslationError,
    compile_indicators,
    engine_rows,
    filter_combos,
    linear_refs,
)
from tongket.core import expr as cx

EDGES = [(10, 1, None, None), (11, 1, None, None)]  # two schools under one commune


def _engine(indicators, values, periods=("2024-2025",)):
    compiled = compile_indicators(indicators)
    rows = engine_rows(compiled, values, shift_period, set(periods))
    eng = RollupEngine(compiled.indicators, edges=EDGES, combos=compiled.combos, threads=1)
    eng.build(rows.columns())
    return eng


def test_a_filter_selects_exactly_its_dimensions_not_finer_rows():
    ind = [{"code": "th", "numerator": "pupils[level=TH]"}]
    values = [
        ("pupils", "level=TH", 10, "2024-2025", 100.0),
        ("pupils", "grade=1;level=TH", 10, "2024-2025", 60.0),  # a finer row: never summed in
        ("pupils", "grade=2;level=TH", 10, "2024-2025", 40.0),
        ("pupils", "", 10, "2024-2025", 999.0),  # the bare total row: another reference
    ]
    eng = _engine(ind, values)
    assert eng.indicator_values(10, "2024-2025", indicators=["th"])[0].value == 100.0


def test_alternatives_and_no_filter_means_the_total_row():
    ind = [
        {"code": "g12", "numerator": "pupils[grade=1|2;level=TH]"},
        {"code": "all", "numerator": "pupils"},
    ]
    values = [
        ("pupils", "grade=1;level=TH", 10, "2024-2025", 60.0),
        ("pupils", "grade=2;level=TH", 11, "2024-2025", 40.0),
        ("pupils", "grade=3;level=TH", 10, "2024-2025", 7.0),
        ("pupils", "grade=1;level=TH;sex=f", 10, "2024-2025", 30.0),
        ("pupils", "", 10, "2024-2025", 5.0),
    ]
    eng = _engine(ind, values)
    got = {r.indicator: r.value for r in eng.indicator_values(1, "2024-2025")}
    assert got == {"g12": 100.0, "all": 5.0}
    assert filter_combos(()) == {""}
    assert filter_combos(cx.parse("x[grade=1|2;level=TH]").refs[0].filters) == {
        "grade=1;level=TH",
        "grade=2;level=TH",
    }


def test_period_offset_reads_the_cohort_years_back():
    ind = [
        {
            "code": "completion",
            "numerator": "completers[level=TH]",
            "denominator": "pupils[grade=1;level=TH]@-4",
            "factor": 100,
        }
    ]
    values = [
        ("pupils", "grade=1;level=TH", 10, "2020-2021", 50.0),
        ("pupils", "grade=1;level=TH", 10, "2024-2025", 999.0),  # this year's intake: not it
        ("completers", "level=TH", 10, "2024-2025", 45.0),
    ]
    eng = _engine(ind, values, periods=("2020-2021", "2024-2025"))
    r = eng.indicator_values(10, "2024-2025", indicators=["completion"])[0]
    assert (r.numerator, r.denominator, r.value) == (45.0, 50.0, 90.0)


def test_linear_forms_are_accepted_and_products_refused():
    e = linear_refs(cx.parse("(a + 2 * b) / 2 - c"))
    assert {r.element: c for r, c in e.items()} == {"a": 0.5, "b": 1.0, "c": -1.0}
    for bad in ("a * b", "a / b", "a + 1", "a - a"):
        with pytest.raises(TranslationError):
            linear_refs(cx.parse(bad))
    with pytest.raises(TranslationError, match="Chỉ số x"):
        compile_indicators([{"code": "x", "numerator": "a * b"}])


def test_shift_period_moves_school_years_semesters_and_quarters():
    assert shift_period("2024-2025", -4) == "2020-2021"
    assert shift_period("2024-2025 HK1", -1) == "2023-2024 HK1"
    assert shift_period("2025-Q3", 1) == "2026-Q3"
    assert shift_period("không phải kỳ", 1) is None

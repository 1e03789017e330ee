"""Any figures written into the template, as numbers or as Vietnamese text, read back the same."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongket.collection.excel import plan_layout, read_upload
from tongket.core.vntext import format_number

from .helpers import KEY, edit, expected, form, template

PLAN = plan_layout(form().code, form().layout)
INPUTS = [c for c in PLAN.cells if c.kind == "input"]
TEMPLATE = template()

figures = st.integers(min_value=0, max_value=10**9)
typed = st.one_of(
    figures.map(lambda n: (n, n)),
    figures.map(lambda n: (float(n), n)),
    figures.map(lambda n: (str(n), n)),
    figures.map(lambda n: (format_number(n), n)),  # "1.234.567"
)
fills = st.dictionaries(st.sampled_from(INPUTS), typed, max_size=25)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fills)
def test_random_fills_round_trip(fill):
    data = edit(TEMPLATE, {pc.coord: shown for pc, (shown, _n) in fill.items()})
    result = read_upload(data, expected(), form().layout, KEY)
    assert result.errors == []
    got = {k: v for k, v in result.values.items() if v is not None}
    assert got == {(pc.element, pc.combo): float(n) for pc, (_s, n) in fill.items()}


@settings(max_examples=15, deadline=None)
@given(st.dictionaries(st.sampled_from(INPUTS), figures, max_size=25))
def test_prefilled_values_read_back(values):
    stored = {(pc.element, pc.combo): float(n) for pc, n in values.items()}
    result = read_upload(template(stored), expected(), form().layout, KEY)
    assert {k: v for k, v in result.values.items() if v is not None} == stored

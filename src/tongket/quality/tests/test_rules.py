from hypothesis import given
from hypothesis import strategies as st

from tongket.quality.rules import RuleSpec, evaluate

FEMALE = RuleSpec(
    "f_le_t", "pupils[sex=f]", "<=", "pupils", "error", "Nữ lớn hơn tổng số", "Girls exceed total"
)
SIZE = RuleSpec(
    "size",
    "pupils[grade=1|2;level=TH]",
    "<=",
    "35 * classes[grade=1|2;level=TH] + 5",
    "warning",
    "Sĩ số cao",
    "Large classes",
)


def test_one_rule_checks_every_disaggregation():
    values = {
        ("pupils", "level=TH"): 60,
        ("pupils", "level=TH;sex=f"): 30,
        ("pupils", "grade=1;level=TH"): 30,
        ("pupils", "grade=1;level=TH;sex=f"): 14,
        ("pupils", "grade=2;level=TH"): 30,
        ("pupils", "grade=2;level=TH;sex=f"): 31,
    }
    found = evaluate([FEMALE], values)
    assert [(v.context, v.left, v.right) for v in found] == [("grade=2;level=TH", 31, 30)]
    assert found[0].cells == (("pupils", "grade=2;level=TH;sex=f"),)


def test_rules_skip_forms_without_the_data():
    assert evaluate([FEMALE], {("children", "level=MN"): 10}) == []


def test_alternatives_sum_and_missing_right_side_counts_as_zero():
    values = {("pupils", "grade=1;level=TH"): 100, ("pupils", "grade=2;level=TH"): 90}
    found = evaluate([SIZE], values)
    assert found == []  # no classes at all: the rule has nothing to compare with
    values |= {("classes", "grade=1;level=TH"): 3, ("classes", "grade=2;level=TH"): 3}
    assert evaluate([SIZE], values) == []


@given(st.integers(0, 500), st.integers(0, 500))
def test_female_rule_fires_exactly_when_girls_exceed_total(total, girls):
    values = {("pupils", "level=TH"): total, ("pupils", "level=TH;sex=f"): girls}
    assert bool(evaluate([FEMALE], values)) == (girls > total)

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


STAFF = RuleSpec(
    "qual_sum",
    "staff[qual=below] + staff[qual=std] + staff[qual=below]",
    "<=",
    "staff + 0 * staff[qual=std]",
    "error",
    "Tổng theo trình độ vượt tổng số",
    "Qualifications exceed total",
)


def test_a_reference_named_twice_counts_twice_and_marks_its_cells():
    values = {
        ("staff", "level=TH"): 20,
        ("staff", "level=TH;qual=below"): 4,
        ("staff", "level=TH;qual=std"): 13,
    }
    found = evaluate([STAFF], values)
    assert [(v.context, v.left, v.right) for v in found] == [("level=TH", 21, 20)]
    assert found[0].cells == (
        ("staff", "level=TH;qual=below"),
        ("staff", "level=TH;qual=std"),
        ("staff", "level=TH;qual=below"),
    )
    values[("staff", "level=TH")] = 21
    assert evaluate([STAFF], values) == []


@given(
    st.dictionaries(
        st.tuples(st.sampled_from(["1", "2", "3"]), st.sampled_from(["", "f"])),
        st.integers(0, 60),
        max_size=6,
    ),
    st.dictionaries(st.sampled_from(["1", "2", "3"]), st.integers(0, 3), max_size=3),
)
def test_rules_agree_with_a_direct_count(pupils, classes):
    """The size and female rules, evaluated over every grade, against the count by hand."""
    values: dict[tuple[str, str], float] = {}
    for (grade, sex), n in pupils.items():
        values[("pupils", f"grade={grade};level=TH" + (";sex=f" if sex else ""))] = n
    for grade, n in classes.items():
        values[("classes", f"grade={grade};level=TH")] = n
    found = {(v.rule, v.context) for v in evaluate([FEMALE, SIZE], values)}
    expected = set()
    for grade in "123":
        total, girls = pupils.get((grade, "")), pupils.get((grade, "f"))
        if total is not None and girls is not None and girls > total:
            expected.add(("f_le_t", f"grade={grade};level=TH"))
    # SIZE names grade 1|2 and level: one context (''), summed over grades 1 and 2
    left = [n for (g, sex), n in pupils.items() if g in "12" and not sex]
    right = [n for g, n in classes.items() if g in "12"]
    if left and right and sum(left) > 35 * sum(right) + 5:
        expected.add(("size", ""))
    assert found == expected

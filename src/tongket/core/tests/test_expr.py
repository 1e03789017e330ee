import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongket.core import expr


def test_refs_filters_and_offsets():
    e = expr.parse("pupils[grade=1|2;sex=f] + 2 * classes - staff[role=teacher]@-1")
    assert [r.element for r in e.refs] == ["pupils", "classes", "staff"]
    assert e.refs[0].filters == (("grade", ("1", "2")), ("sex", ("f",)))
    assert e.refs[2].offset == -1
    values = {"pupils": 10, "classes": 3, "staff": 4}
    assert e.evaluate(lambda r: values[r.element]) == 12


def test_division_by_zero_and_missing_data_give_none():
    assert expr.parse("a / b").evaluate(lambda r: 0 if r.element == "b" else 1) is None
    assert expr.parse("a + b").evaluate(lambda r: None) is None


@pytest.mark.parametrize(
    "hostile",
    [
        "__import__('os').system('id')",
        "a.b",
        "a ** 99",
        "lambda: 1",
        "[a]",
        "a if b else c",
        "'x'",
        "",
    ],
)
def test_hostile_expressions_are_refused(hostile):
    with pytest.raises(expr.ExpressionError):
        expr.parse(hostile)


def test_unknown_element_is_named():
    with pytest.raises(expr.ExpressionError, match="'ghost'"):
        expr.parse("ghost + pupils", {"pupils"})


@given(st.dictionaries(st.sampled_from(["sex", "grade", "eth"]), st.sampled_from(["1", "f", "y"])))
def test_combo_key_round_trips(combo):
    assert expr.combo_dict(expr.combo_key(combo)) == combo

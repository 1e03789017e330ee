"""The indicator expression language: what it accepts, and that hostile input is refused."""

from __future__ import annotations

import pytest

from tongket.analytics.engine.expr import (
    MAX_LENGTH,
    ExpressionError,
    Operand,
    combos_matching,
    parse,
)


def terms(text):
    return {str(op): c for op, c in parse(text).terms}


def test_sums_differences_filters_and_coefficients():
    assert terms("pupils_total") == {"pupils_total": 1.0}
    assert terms("pupils_total[sex=female]") == {"pupils_total[sex=female]": 1.0}
    assert terms("a + b - c") == {"a": 1.0, "b": 1.0, "c": -1.0}
    assert terms("-a + 2 * b - 0.5*(c - d)") == {"a": -1.0, "b": 2.0, "c": -0.5, "d": 0.5}
    # filters are a set: order and spacing do not matter, equal operands merge
    assert terms("x[sex=female, eth=dtts] + x[ eth = dtts ,sex=female ]") == {
        "x[eth=dtts, sex=female]": 2.0
    }
    assert terms("x[combo=7]") == {"x[combo=7]": 1.0}


def test_codes_with_dots_vietnamese_and_quotes():
    assert terms("tt25.mn.r12 + học_sinh") == {"tt25.mn.r12": 1.0, "học_sinh": 1.0}
    ((op, _),) = parse('"01.ĐN-MN/r12"[sex=female]').terms
    assert op == Operand("01.ĐN-MN/r12", (("sex", "female"),))


@pytest.mark.parametrize(
    "text, where, what",
    [
        ("__import__('os').system('rm -rf /')", 11, "not allowed"),
        ("open('x').read()", 5, "not allowed"),
        ("a.__class__", None, None),  # a dotted code is only a code: accepted, never evaluated
        ("a / b", 3, "numerator / denominator"),
        ("a * b", 3, "products of values"),
        ("f(a)", 2, "function calls"),
        ("3", 1, "bare constant"),
        ("a + 1", 5, "bare constant"),
        ("a +", 4, "end of expression"),
        ("", 1, "empty"),
        ("a[sex]", 6, "expected '='"),
        ("a[combo=x]", 9, "combo must be a number"),
        ("a[sex=male, sex=female]", 13, "filtered twice"),
        ("a - a", 1, "cancel out"),
        ("(a", 3, "expected ')'"),
        ("a ; DROP TABLE x", 3, "not allowed"),
        ("a\x00", 2, "not allowed"),
        ('"unterminated', 1, "unterminated"),
        ("(" * 40 + "a" + ")" * 40, 17, "nested too deeply"),
    ],
)
def test_rejections_say_where_and_why(text, where, what):
    if where is None:
        assert parse(text)
        return
    with pytest.raises(ExpressionError) as info:
        parse(text)
    err = info.value
    assert what in str(err)
    assert f"position {where}" in str(err) and f"vị trí {where}" in str(err)
    assert isinstance(err, ValueError)


def test_size_limits():
    with pytest.raises(ExpressionError, match="longer than"):
        parse("a+" * MAX_LENGTH + "a")
    with pytest.raises(ExpressionError, match="must be a string"):
        parse(42)  # type: ignore[arg-type]


def test_combos_matching():
    catalog = {
        1: {"sex": "male", "eth": "kinh"},
        2: {"sex": "female", "eth": "kinh"},
        3: {"sex": "female", "eth": "dtts"},
    }
    assert combos_matching((), catalog) is None
    assert combos_matching((("sex", "female"),), catalog) == {2, 3}
    assert combos_matching((("eth", "dtts"), ("sex", "female")), catalog) == {3}
    assert combos_matching((("combo", "9"),), {}) == {9}
    assert combos_matching((("sex", "other"),), catalog) == set()

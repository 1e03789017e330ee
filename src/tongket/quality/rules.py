"""Validation rules over one unit's values, as plain Python (no Django import).

One rule applies across every disaggregation: "pupils[sex=f] <= pupils" is evaluated for each
*context*, the part of a value's combo that the rule's references do not name (grade=3;level=TH
for example). A reference selects the value whose combo is exactly its filter plus the context.
A reference with no value in a context counts as 0; a context where the left side has no data
at all is skipped, so a rule about primary pupils never fires on a preschool form.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import product

from tongket.core import expr

OPS = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": lambda a, b: abs(a - b) < 1e-9,
    "!=": lambda a, b: abs(a - b) >= 1e-9,
}

Values = Mapping[tuple[str, str], float]


@dataclass(frozen=True)
class RuleSpec:
    code: str
    left: str
    op: str
    right: str
    severity: str
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class Violation:
    rule: str
    severity: str
    context: str  # the combo the rule failed in ('' = totals)
    left: float
    right: float
    message_vi: str
    message_en: str
    cells: tuple[tuple[str, str], ...]  # (element, combo) of the left side, to mark on the form


def _options(ref: expr.Ref) -> list[dict[str, str]]:
    dims = [d for d, _ in ref.filters]
    return [
        dict(zip(dims, choice, strict=True)) for choice in product(*[o for _, o in ref.filters])
    ]


def _resolve(ref: expr.Ref, context: dict[str, str], values: Values, hits: list) -> float | None:
    total, found = 0.0, False
    for opt in _options(ref):
        key = (ref.element, expr.combo_key({**context, **opt}))
        if key in values and values[key] is not None:
            total += float(values[key])
            found = True
            hits.append(key)
    return total if found else None


def _contexts(refs: Iterable[expr.Ref], values: Values) -> set[str]:
    named: set[str] = set()
    elements = set()
    for ref in refs:
        named |= ref.dims
        elements.add(ref.element)
    out = set()
    for element, combo in values:
        if element not in elements:
            continue
        combo_d = expr.combo_dict(combo)
        out.add(expr.combo_key({k: v for k, v in combo_d.items() if k not in named}))
    return out


def evaluate(rules: Iterable[RuleSpec], values: Values) -> list[Violation]:
    """Every violation of every rule over one unit's values {(element, combo): value}."""
    out: list[Violation] = []
    for rule in rules:
        left, right = expr.parse(rule.left), expr.parse(rule.right)
        for context_key in sorted(_contexts([*left.refs, *right.refs], values)):
            context = expr.combo_dict(context_key)
            left_hits: list = []
            left_found = [_resolve(r, context, values, left_hits) for r in left.refs]
            if all(v is None for v in left_found):
                continue
            right_found = [_resolve(r, context, values, []) for r in right.refs]
            if right.refs and all(v is None for v in right_found):
                continue  # e.g. girls per grade against classes: no classes by sex exist

            def or_zero(r: expr.Ref, c: dict[str, str] = context) -> float:
                return _resolve(r, c, values, []) or 0.0

            lv = left.evaluate(or_zero)
            rv = right.evaluate(or_zero)
            if lv is None or rv is None:
                continue
            if not OPS[rule.op](lv, rv):
                out.append(
                    Violation(
                        rule.code,
                        rule.severity,
                        context_key,
                        lv,
                        rv,
                        rule.message_vi,
                        rule.message_en,
                        tuple(left_hits),
                    )
                )
    return out

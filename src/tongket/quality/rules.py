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
from functools import lru_cache
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


@lru_cache(maxsize=4096)
def _options(ref: expr.Ref) -> tuple[dict[str, str], ...]:
    """Every combination of the reference's filter options (one dict per choice). Cached:
    a form's rules hold a few dozen references and are evaluated on every save."""
    dims = [d for d, _ in ref.filters]
    return tuple(
        dict(zip(dims, choice, strict=True)) for choice in product(*[o for _, o in ref.filters])
    )


@lru_cache(maxsize=1024)
def _parse(source: str) -> expr.Expression:
    return expr.parse(source)


def _resolve(
    ref: expr.Ref, context: dict[str, str], values: Values
) -> tuple[float | None, list[tuple[str, str]]]:
    """The sum of the reference's values in the context (None: no value at all), and the cells
    it read."""
    total, hits = 0.0, []
    for opt in _options(ref):
        key = (ref.element, expr.combo_key({**context, **opt}))
        v = values.get(key)
        if v is not None:
            total += float(v)
            hits.append(key)
    return (total if hits else None), hits


def _contexts(
    refs: Iterable[expr.Ref], values: Values, combos: Mapping[str, dict[str, str]]
) -> set[str]:
    named: set[str] = set()
    elements = set()
    for ref in refs:
        named |= ref.dims
        elements.add(ref.element)
    out = set()
    for element, combo in values:
        if element not in elements:
            continue
        out.add(expr.combo_key({k: v for k, v in combos[combo].items() if k not in named}))
    return out


def evaluate(rules: Iterable[RuleSpec], values: Values) -> list[Violation]:
    """Every violation of every rule over one unit's values {(element, combo): value}."""
    out: list[Violation] = []
    combos = {c: expr.combo_dict(c) for _, c in values}  # each combo text parsed once
    for rule in rules:
        left, right = _parse(rule.left), _parse(rule.right)
        for context_key in sorted(_contexts([*left.refs, *right.refs], values, combos)):
            context = expr.combo_dict(context_key)
            # each reference is summed once per context, whichever side and however often it
            # is named
            # (keyed by identity: hashing a Ref hashes all its filters)
            memo: dict[int, tuple[float | None, list[tuple[str, str]]]] = {}

            def found(r: expr.Ref, c: dict[str, str] = context, m: dict = memo):
                hit = m.get(id(r))
                if hit is None:
                    hit = m[id(r)] = _resolve(r, c, values)
                return hit

            left_found = [found(r) for r in left.refs]
            if all(v is None for v, _ in left_found):
                continue
            if right.refs and all(found(r)[0] is None for r in right.refs):
                continue  # e.g. girls per grade against classes: no classes by sex exist

            def or_zero(r: expr.Ref) -> float:
                return found(r)[0] or 0.0

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
                        tuple(hit for _, hits in left_found for hit in hits),
                    )
                )
    return out

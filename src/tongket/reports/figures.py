"""Direct sums of stored values over a unit's subtree: the small adapter the report needs where
the analytics engine has no indicator.

Three uses:
- assessment distributions (Hoàn thành tốt / Tốt ...): the end-of-year forms carry results per
  grade only, so the catalog's total-row indicators have no values (analytics/quality.py makes
  the same observation); the shares are summed here from the grade rows;
- semester-I figures (form SK-HK1, period "2024-2025 HK1"): pupils at the end of semester I and
  dropouts during it;
- the official statistical forms filled for a unit (each cell summed over its schools, split
  by School.ownership).

Which values count is the one rule of analytics.inputs.counted_q under the report's policy
(core.definitions: approved reports only for a report to be signed, unless the office states
otherwise; imports without a submission always). Figures are sums of stored values and ratios
of such sums, never averages of rates. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tongket.analytics.inputs import counted_q
from tongket.collection.models import DataValue
from tongket.core.definitions import DASHBOARD_POLICY, Policy
from tongket.units.models import School, UnitClosure, active_q


def combo_dims(combo: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in combo.split(";") if part) if combo else {}


@dataclass(frozen=True)
class Term:
    """element[dim=a|b;dim2=c]: the values whose combo has exactly these dimensions, each with
    one of the listed options (core.expr's exact-dimension rule)."""

    element: str
    dims: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, element: str, **dims: str) -> Term:
        return cls(element, tuple(sorted((d, tuple(v.split("|"))) for d, v in dims.items())))

    def matches(self, element: str, combo: str) -> bool:
        if element != self.element:
            return False
        have = combo_dims(combo)
        if set(have) != {d for d, _ in self.dims}:
            return False
        return all(have[d] in opts for d, opts in self.dims)


@dataclass(frozen=True)
class SumIndicator:
    """A rate (factor 100) or count of term sums; `den_period_offset` reads the denominator in
    another period (semester-I dropouts over the start-of-year pupils of the school year)."""

    code: str
    name: str
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...] = ()
    factor: float = 100.0
    den_period: str = ""  # "" = the same period as the numerator

    @property
    def elements(self) -> set[str]:
        return {t.element for t in (*self.numerator, *self.denominator)}


@dataclass
class SumValue:
    value: float | None
    numerator: float | None
    denominator: float | None


def member_map(unit_id: int, on: dt.date, by_children: list[int] | None = None) -> dict[int, int]:
    """descendant unit id -> group id: the unit itself, or each of `by_children` (its
    children in the tree of the date) for the descendants under them."""
    if by_children is None:
        rows = (
            UnitClosure.objects.filter(ancestor_id=unit_id)
            .filter(active_q(on))
            .values_list("descendant_id", flat=True)
        )
        return dict.fromkeys(rows, unit_id)
    pairs = (
        UnitClosure.objects.filter(ancestor_id__in=by_children)
        .filter(active_q(on))
        .values_list("descendant_id", "ancestor_id")
    )
    return dict(pairs)


def raw_values(
    unit_id: int,
    on: dt.date,
    periods: Iterable[str],
    elements: Iterable[str],
    policy: Policy = DASHBOARD_POLICY,
) -> list[tuple[int, str, str, str, float]]:
    """(unit, period, element, combo, value) of the counted values under the unit."""
    under = UnitClosure.objects.filter(ancestor_id=unit_id).filter(active_q(on))
    return list(
        DataValue.objects.filter(counted_q(policy))
        .filter(
            unit_id__in=under.values("descendant_id"),
            period__in=list(periods),
            element__code__in=sorted(set(elements)),
        )
        .values_list("unit_id", "period", "element__code", "combo", "value")
    )


class Sums:
    """Term sums per (group, period) over the values of a unit's subtree, read in one query."""

    def __init__(
        self,
        unit_id: int,
        on: dt.date,
        periods: Iterable[str],
        indicators: Iterable[SumIndicator],
        children: list[int] | None = None,
        policy: Policy = DASHBOARD_POLICY,
    ) -> None:
        self.indicators = {i.code: i for i in indicators}
        self.unit_id = unit_id
        elements = {e for i in self.indicators.values() for e in i.elements}
        groups = member_map(unit_id, on)
        child_of = member_map(unit_id, on, children) if children else {}
        terms = {t for i in self.indicators.values() for t in (*i.numerator, *i.denominator)}
        self.totals: dict[tuple[int, str, Term], float] = defaultdict(float)
        self.present: set[tuple[int, str, Term]] = set()
        for uid, period, element, combo, value in raw_values(
            unit_id, on, periods, elements, policy
        ):
            for term in terms:
                if term.matches(element, combo):
                    for g in (groups.get(uid), child_of.get(uid)):
                        if g is not None:
                            self.totals[(g, period, term)] += value
                            self.present.add((g, period, term))

    def _side(self, group: int, period: str, terms: tuple[Term, ...]) -> float | None:
        keys = [(group, period, t) for t in terms]
        if not any(k in self.present for k in keys):
            return None
        return sum(self.totals.get(k, 0.0) for k in keys)

    def get(self, group: int, period: str, code: str) -> SumValue:
        ind = self.indicators[code]
        num = self._side(group, period, ind.numerator)
        if not ind.denominator:
            return SumValue(num, num, None)
        den = self._side(group, ind.den_period or period, ind.denominator)
        if num is None or not den:
            return SumValue(None, num, den)
        return SumValue(num / den * ind.factor, num, den)


def ownership_sums(
    unit_id: int,
    on: dt.date,
    period: str,
    elements: Iterable[str],
    policy: Policy = DASHBOARD_POLICY,
) -> dict[tuple[str, str], dict[str, float]]:
    """(element, combo) -> {"": total, "cong_lap": ..., "tu_thuc": ...} over the schools under
    the unit as of the date (counted values only)."""
    rows = raw_values(unit_id, on, [period], elements, policy)
    owner = dict(
        School.objects.filter(unit_id__in={r[0] for r in rows}).values_list("unit_id", "ownership")
    )
    out: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for uid, _, element, combo, value in rows:
        cell = out[(element, combo)]
        cell[""] += value
        if uid in owner:
            cell[owner[uid]] += value
    return out

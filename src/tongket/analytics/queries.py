"""Read side of analytics: targets (own or inherited), plan vs actual, drill-down rows,
trends, reporting rates. Figures come from the engine (service.py), targets from the
database; nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from tongket.analytics import service
from tongket.analytics.engine import (
    MODE_AS_OF,
    TargetCheck,
    change,
)
from tongket.analytics.engine.targets import rank_values
from tongket.analytics.fmt import format_pct_change, format_signed, format_target, format_value
from tongket.analytics.models import Target
from tongket.analytics.translate import IndicatorInfo
from tongket.core import definitions
from tongket.core import periods as pd
from tongket.core.definitions import DASHBOARD_POLICY, Policy, check_target
from tongket.units import queries as uq
from tongket.units.models import OrgUnit, UnitClosure, active_q

if TYPE_CHECKING:  # annotations only: the functions below import collection lazily
    from tongket.collection.models import ReportingRound
    from tongket.collection.queries import Rates


tree_day = uq.mode_day  # the date whose tree a view uses (one definition, in units.queries)


# --------------------------------------------------------------------------- targets


@dataclass
class ResolvedTarget:
    target: Target
    inherited_from: OrgUnit | None  # None: the unit's own target

    @property
    def text(self) -> str:
        return format_target(self.target.target, self.target.indicator.unit)


def ancestor_chains(unit_ids: list[int], on: dt.date) -> dict[int, list[int]]:
    """Each unit then its ancestors, nearest first, in the tree of that date (one query)."""
    rows = (
        UnitClosure.objects.filter(descendant_id__in=list(unit_ids))
        .filter(active_q(on))
        .order_by("descendant_id", "depth")
        .values_list("descendant_id", "ancestor_id")
    )
    chains: dict[int, list[int]] = {u: [] for u in unit_ids}
    for d, a in rows:
        chains[d].append(a)
    return {u: chain or [u] for u, chain in chains.items()}


def targets_for(
    unit_ids: list[int], period: str, indicators: list[str] | None = None
) -> dict[tuple[int, str], ResolvedTarget]:
    """(unit, indicator) -> the unit's own target for the period, else its nearest
    ancestor's as of the period (a province's plan applies to each commune that has none).

    A unit outside the tree of the period (a commune created on 1/7/2025 seen in 2024-2025)
    inherits through today's tree instead, so it is never left without its province's plan.
    """
    on = definitions.reference_date(period)
    chains = ancestor_chains(unit_ids, on)
    lost = [u for u, chain in chains.items() if len(chain) == 1]
    if lost:
        chains.update(ancestor_chains(lost, timezone.localdate()))
    wanted = {a for chain in chains.values() for a in chain}
    qs = Target.objects.filter(period=period, unit_id__in=wanted).select_related(
        "indicator", "unit"
    )
    if indicators is not None:
        qs = qs.filter(indicator__code__in=indicators)
    by_unit: dict[int, dict[str, Target]] = {}
    for t in qs:
        by_unit.setdefault(t.unit_id, {})[t.indicator.code] = t
    out: dict[tuple[int, str], ResolvedTarget] = {}
    for u, chain in chains.items():
        for anc in chain:
            for code, t in by_unit.get(anc, {}).items():
                if (u, code) not in out:
                    out[(u, code)] = ResolvedTarget(t, None if anc == u else t.unit)
    return out


# --------------------------------------------------------------------------- plan vs actual


class _AgainstPlan:
    """The Vietnamese texts of a value held against its target (plan rows and child rows)."""

    value: float | None
    info: IndicatorInfo
    target: ResolvedTarget | None
    check: TargetCheck | None

    @property
    def value_text(self) -> str:
        return format_value(self.value, self.info.unit, self.info.decimals)

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "–"
        return format_target(self.target.target.target, self.info.unit, self.info.decimals)

    @property
    def gap_text(self) -> str:
        gap = self.check.gap if self.check else None
        return format_signed(gap, self.info.unit, self.info.decimals)

    @property
    def verdict(self) -> str | None:
        return self.check.verdict if self.check else None


@dataclass
class PlanRow(_AgainstPlan):
    info: IndicatorInfo
    unit: OrgUnit
    value: float | None
    numerator: float | None
    denominator: float | None
    target: ResolvedTarget | None
    check: TargetCheck | None
    last: float | None  # the previous period of the same kind
    same_last_year: float | None
    rank: int | None
    siblings: int

    @property
    def change_last_text(self) -> str:
        return format_signed(
            change(self.value, self.last).absolute, self.info.unit, self.info.decimals
        )

    @property
    def change_last_pct_text(self) -> str:
        return format_pct_change(change(self.value, self.last).percent)

    @property
    def change_year_text(self) -> str:
        return format_signed(
            change(self.value, self.same_last_year).absolute, self.info.unit, self.info.decimals
        )

    @property
    def rank_text(self) -> str:
        return f"{self.rank}/{self.siblings}" if self.rank else "–"


def previous_periods(period: str) -> tuple[str | None, str | None]:
    """(the period before, the same period last year); equal for a school year."""
    try:
        p = pd.parse(period)
    except pd.PeriodError:
        return None, None
    return p.previous().code, p.same_period_last_year().code


def verdict_of(value: float | None, resolved: ResolvedTarget | None, info: IndicatorInfo):
    if resolved is None:
        return None
    return check_target(value, resolved.target.target, info.decimals, info.higher_is_better)


def plan_rows(
    unit: OrgUnit,
    period: str,
    mode: str = MODE_AS_OF,
    indicators: list[str] | None = None,
    policy: Policy = DASHBOARD_POLICY,
) -> list[PlanRow]:
    """Every indicator of one unit: value, target, gap, verdict, changes, rank among siblings."""
    svc = service.get(policy)
    info = svc.info()
    codes = [c for c in (indicators or list(info)) if c in info]
    last, year_ago = previous_periods(period)
    now = svc.values([unit.pk], period, mode, codes)
    prev = svc.values([unit.pk], last, mode, codes) if last else {}
    ago = svc.values([unit.pk], year_ago, mode, codes) if year_ago else {}
    targets = targets_for([unit.pk], period, codes)
    day = tree_day(period, mode)
    parent = uq.parent(unit, day)
    sib_ids = [s.pk for s in uq.children(parent, day)] if parent else [unit.pk]
    sib_vals = svc.values(sib_ids, period, mode, codes)
    rows = []
    for code in codes:
        iv = now[(unit.pk, code)]
        ranks = rank_values(
            {s: sib_vals[(s, code)].value for s in sib_ids}, info[code].direction != "down"
        )
        resolved = targets.get((unit.pk, code))
        rows.append(
            PlanRow(
                info=info[code],
                unit=unit,
                value=iv.value,
                numerator=iv.numerator,
                denominator=iv.denominator,
                target=resolved,
                check=verdict_of(iv.value, resolved, info[code]),
                last=prev[(unit.pk, code)].value if prev else None,
                same_last_year=ago[(unit.pk, code)].value if ago else None,
                rank=ranks.get(unit.pk),
                siblings=sum(1 for r in ranks.values() if r is not None),
            )
        )
    return rows


@dataclass
class ChildRow(_AgainstPlan):
    unit: OrgUnit
    value: float | None
    numerator: float | None
    denominator: float | None
    target: ResolvedTarget | None
    check: TargetCheck | None
    rank: int | None
    info: IndicatorInfo
    has_children: bool


def children_rows(
    unit: OrgUnit,
    period: str,
    indicator: str,
    mode: str = MODE_AS_OF,
    policy: Policy = DASHBOARD_POLICY,
):
    """The unit's children in the tree of the mode, with the indicator, ranked."""
    svc = service.get(policy)
    info = svc.info()[indicator]
    day = tree_day(period, mode)
    kids = list(uq.children(unit, day))
    ids = [k.pk for k in kids]
    vals = svc.values(ids, period, mode, [indicator])
    targets = targets_for(ids, period, [indicator])
    ranks = rank_values({i: vals[(i, indicator)].value for i in ids}, info.direction != "down")
    with_kids = set(
        uq.UnitParent.objects.filter(parent_id__in=ids)
        .filter(active_q(day))
        .values_list("parent_id", flat=True)
    )
    rows = []
    for k in kids:
        iv = vals[(k.pk, indicator)]
        resolved = targets.get((k.pk, indicator))
        rows.append(
            ChildRow(
                k,
                iv.value,
                iv.numerator,
                iv.denominator,
                resolved,
                verdict_of(iv.value, resolved, info),
                ranks.get(k.pk),
                info,
                k.pk in with_kids,
            )
        )
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit.name))
    return rows


def trend_rows(
    unit: OrgUnit, indicator: str, mode: str = MODE_AS_OF, policy: Policy = DASHBOARD_POLICY
) -> list[tuple]:
    """(period, value, target or None) over the school years that have figures."""
    svc = service.get(policy)
    years = [p for p in svc.periods() if pd.parse(p).kind == pd.PeriodKind.SCHOOL_YEAR]
    out = []
    for p in years:
        v = svc.value(unit.pk, p, indicator, mode).value
        t = targets_for([unit.pk], p, [indicator]).get((unit.pk, indicator))
        out.append((p, v, t.target.target if t else None))
    return out


# --------------------------------------------------------------------------- reporting


@dataclass
class RoundRates:
    round: ReportingRound
    rates: Rates


def reporting_rates(unit: OrgUnit, period: str) -> list[RoundRates]:
    """Expected vs submitted per round of the period (its semesters included) that covers
    the unit: rounds opened at the unit, above it, or below it."""
    from tongket.collection.models import ReportingRound
    from tongket.collection.queries import reporting_rates as rates_of

    family = {period, f"{period} HK1", f"{period} HK2"}
    out = []
    for rnd in (
        ReportingRound.objects.filter(period__in=family)
        .select_related("form", "root")
        .order_by("form__code")
    ):
        day = rnd.as_of
        if rnd.root_id == unit.pk or uq.is_under(unit, rnd.root_id, day):
            out.append(RoundRates(rnd, rates_of(rnd, under=unit)))
        elif uq.is_under(rnd.root_id, unit, day):
            out.append(RoundRates(rnd, rates_of(rnd)))
    return out


def map_points(
    unit: OrgUnit,
    period: str,
    indicator: str,
    mode: str = MODE_AS_OF,
    policy: Policy = DASHBOARD_POLICY,
) -> list[dict]:
    """Communes under the unit (in the tree of the mode) with coordinates and the value."""
    svc = service.get(policy)
    info = svc.info()[indicator]
    day = tree_day(period, mode)
    communes = [
        c
        for c in uq.descendants(unit, day, kind="commune", include_self=True)
        if c.latitude is not None and c.longitude is not None
    ]
    vals = svc.values([c.pk for c in communes], period, mode, [indicator])
    targets = targets_for([c.pk for c in communes], period, [indicator])
    out = []
    for c in communes:
        v = vals[(c.pk, indicator)].value
        resolved = targets.get((c.pk, indicator))
        check = verdict_of(v, resolved, info)
        out.append(
            {
                "unit": c,
                "lat": c.latitude,
                "lon": c.longitude,
                "value": v,
                "text": format_value(v, info.unit, info.decimals),
                "verdict": check.verdict if check else None,
            }
        )
    return out


def default_period(periods: list[str]) -> str | None:
    """The period a page opens on, the same on every page: the latest school year whose rounds
    are closed (complete figures), else the latest school year, else the latest period."""
    from tongket.collection.models import ReportingRound

    years = [p for p in periods if pd.parse(p).kind == pd.PeriodKind.SCHOOL_YEAR]
    closed = set(
        ReportingRound.objects.filter(status=ReportingRound.Status.CLOSED).values_list(
            "period", flat=True
        )
    )
    done = [p for p in years if p in closed]
    pick = done or years or periods
    return pick[-1] if pick else None

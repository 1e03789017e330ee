"""Analytics API (django-ninja Router, mounted by tongket/api.py): indicator values, targets
and verdicts, with the dashboard's scope rule: the unit must be readable by the user as of
the date of the tree asked for (the period's, or today's for mode=current).

Every figure comes with its text as the pages and documents print it (`text`, `change_text`,
`gap_text`), from the same formatter, and `policy` chooses which reports count (working:
submitted and approved, the default; approved: approved only, as a signed report counts)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from tongket.analytics import queries, service
from tongket.analytics.engine import MODE_AS_OF, MODES
from tongket.analytics.engine.targets import VERDICT_EN
from tongket.analytics.fmt import format_value
from tongket.core.definitions import DASHBOARD_POLICY, DefinitionError, Policy, parse_policy
from tongket.core.scope import require_read
from tongket.units.models import OrgUnit

router = Router(tags=["analytics"])  # auth: the API-wide session or token auth


class IndicatorOut(Schema):
    code: str
    name_vi: str
    name_en: str
    unit: str
    direction: str
    numerator: str
    denominator: str | None
    factor: float
    decimals: int


class ValueOut(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    period: str
    mode: str
    indicator: str
    value: float | None
    numerator: float | None
    denominator: float | None
    rank: int | None = None
    text: str = ""
    policy: str = DASHBOARD_POLICY.value


class TargetOut(Schema):
    indicator: str
    unit_code: str
    period: str
    value: float | None
    low: float | None
    high: float | None
    source: str
    inherited_from: str | None


class VerdictOut(Schema):
    indicator: str
    unit_code: str
    period: str
    mode: str
    value: float | None
    target: str | None
    gap: float | None
    percent_of_target: float | None
    verdict: str | None
    verdict_en: str | None
    same_period_last_year: float | None
    rank: int | None
    siblings: int
    text: str = ""
    gap_text: str = ""
    change_text: str = ""  # on the same period last year


def _policy(text: str) -> Policy:
    try:
        return parse_policy(text)
    except DefinitionError as exc:
        raise HttpError(422, f"{exc} / policy must be working or approved") from None


def _checked(
    request, unit_id: int, period: str, mode: str, policy: Policy = DASHBOARD_POLICY
) -> OrgUnit:
    """Validate the query and the user's scope; 422 for a bad query, 403 outside scope."""
    if mode not in MODES:
        raise HttpError(422, f"mode phải là một trong {', '.join(MODES)} / unknown mode")
    if not service.get(policy).holds(period):
        raise HttpError(422, f"Chưa có số liệu kỳ '{period}' / no figures for period {period}")
    unit = get_object_or_404(OrgUnit, pk=unit_id)
    require_read(request.user, unit.pk, queries.tree_day(period, mode))
    return unit


@router.get("/indicators", response=list[IndicatorOut], summary="Danh mục chỉ số / indicators")
def indicators(request):
    return [
        IndicatorOut(
            code=i.code,
            name_vi=i.name_vi,
            name_en=i.name_en,
            unit=i.unit,
            direction=i.direction,
            numerator=i.numerator,
            denominator=i.denominator,
            factor=i.factor,
            decimals=i.decimals,
        )
        for i in service.get().info().values()
    ]


@router.get("/values", response=list[ValueOut], summary="Giá trị chỉ số / indicator values")
def values(
    request,
    unit: int,
    period: str,
    mode: str = MODE_AS_OF,
    indicator: str | None = None,
    children: bool = False,
    policy: str = "",
):
    """The unit's indicators; with children=true, the indicator for each child, ranked."""
    pol = _policy(policy)
    u = _checked(request, unit, period, mode, pol)
    info = service.get(pol).info()
    if indicator is not None and indicator not in info:
        raise HttpError(422, f"Không có chỉ số '{indicator}' / unknown indicator")
    if children:
        if indicator is None:
            raise HttpError(422, "children=true cần indicator / children=true needs indicator")
        return [
            ValueOut(
                unit_id=r.unit.pk,
                unit_code=r.unit.code,
                unit_name=r.unit.name,
                period=period,
                mode=mode,
                indicator=indicator,
                value=r.value,
                numerator=r.numerator,
                denominator=r.denominator,
                rank=r.rank,
                text=r.value_text,
                policy=pol.value,
            )
            for r in queries.children_rows(u, period, indicator, mode, policy=pol)
        ]
    codes = [indicator] if indicator else list(info)
    vals = service.get(pol).values([u.pk], period, mode, codes)
    return [
        ValueOut(
            unit_id=u.pk,
            unit_code=u.code,
            unit_name=u.name,
            period=period,
            mode=mode,
            indicator=code,
            value=v.value,
            numerator=v.numerator,
            denominator=v.denominator,
            text=format_value(v.value, info[code].unit, info[code].decimals),
            policy=pol.value,
        )
        for (_, code), v in vals.items()
    ]


@router.get("/targets", response=list[TargetOut], summary="Chỉ tiêu (kể cả kế thừa) / targets")
def targets(request, unit: int, period: str):
    u = _checked(request, unit, period, MODE_AS_OF)
    out = []
    for (_, code), r in sorted(queries.targets_for([u.pk], period).items()):
        t = r.target
        out.append(
            TargetOut(
                indicator=code,
                unit_code=u.code,
                period=period,
                value=t.value,
                low=t.low,
                high=t.high,
                source=t.source,
                inherited_from=r.inherited_from.code if r.inherited_from else None,
            )
        )
    return out


@router.get("/verdicts", response=list[VerdictOut], summary="So với chỉ tiêu / plan vs actual")
def verdicts(request, unit: int, period: str, mode: str = MODE_AS_OF, policy: str = ""):
    pol = _policy(policy)
    u = _checked(request, unit, period, mode, pol)
    return [
        VerdictOut(
            indicator=r.info.code,
            unit_code=u.code,
            period=period,
            mode=mode,
            value=r.value,
            target=r.target_text if r.target else None,
            gap=r.check.gap if r.check else None,
            percent_of_target=r.check.percent_of_target if r.check else None,
            verdict=r.verdict,
            verdict_en=VERDICT_EN.get(r.verdict) if r.verdict else None,
            same_period_last_year=r.same_last_year,
            rank=r.rank,
            siblings=r.siblings,
            text=r.value_text,
            gap_text=r.gap_text,
            change_text=r.change_year_text,
        )
        for r in queries.plan_rows(u, period, mode, policy=pol)
    ]

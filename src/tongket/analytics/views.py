"""Dashboard, data quality, targets and exports. Thin: figures come from queries.py and
quality.py, writes go through actions.py, and every view checks scope (core.scope) on the
unit it shows, as of the date of the tree it shows."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from tongket.analytics import actions, charts, export, quality, queries, service
from tongket.analytics.engine import MODE_AS_OF, MODES
from tongket.analytics.fmt import format_value
from tongket.analytics.models import Target
from tongket.catalog.models import Indicator
from tongket.core import definitions
from tongket.core import periods as pd
from tongket.core.definitions import (
    DASHBOARD_POLICY,
    MODE_LABELS,
    POLICY_LABELS,
    DefinitionError,
    Policy,
    parse_policy,
)
from tongket.core.downloads import attachment
from tongket.core.scope import can_read_unit, is_admin, profile_of, require_read
from tongket.core.vntext import format_number, format_percent
from tongket.core.xlsx import number_format
from tongket.units import queries as uq
from tongket.units.models import OrgUnit, UnitKind

DEFAULT_INDICATOR = "mobilisation_th"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Ctx:
    unit: OrgUnit
    period: str
    mode: str
    indicator: str
    day: dt.date
    periods: list[str]
    info: dict
    policy: Policy = DASHBOARD_POLICY

    def query(self, **over) -> str:
        params = {
            "unit": self.unit.pk,
            "period": self.period,
            "mode": self.mode,
            "indicator": self.indicator,
            "policy": self.policy.value,
            **over,
        }
        return urlencode(params)


def home_unit(user) -> OrgUnit:
    prof = profile_of(user)
    if prof is not None and prof.unit is not None:
        return prof.unit
    if is_admin(user):
        return uq.nation()
    raise PermissionDenied("Tài khoản chưa gắn với đơn vị nào.")


default_period = queries.default_period  # re-exported: the home page opens the same year


def context(request: HttpRequest) -> Ctx:
    """Unit, period, mode and indicator from the query string, checked against scope."""
    try:
        policy = parse_policy(request.GET.get("policy"))
    except DefinitionError:
        policy = DASHBOARD_POLICY
    svc = service.get(policy)
    periods = svc.periods()
    info = svc.info()
    period = request.GET.get("period") or default_period(periods)
    if period not in periods:
        period = default_period(periods)
    if period is None:
        raise Http404("Chưa có số liệu nào.")
    mode = request.GET.get("mode", MODE_AS_OF)
    if mode not in MODES:
        mode = MODE_AS_OF
    indicator = request.GET.get("indicator") or DEFAULT_INDICATOR
    if indicator not in info:
        indicator = next(iter(info), DEFAULT_INDICATOR)
    raw = request.GET.get("unit")
    if raw:
        if not raw.isdigit():
            raise Http404("Đơn vị không hợp lệ.")
        unit = get_object_or_404(OrgUnit, pk=int(raw))
    else:
        unit = home_unit(request.user)
    day = queries.tree_day(period, mode)
    require_read(request.user, unit.pk, day)
    return Ctx(unit, period, mode, indicator, day, periods, info, policy)


def crumbs(request: HttpRequest, ctx: Ctx) -> list[OrgUnit]:
    """Ancestors the user may open (a school user's trail starts at the school)."""
    return [
        a for a in uq.ancestors(ctx.unit, ctx.day) if can_read_unit(request.user, a.pk, ctx.day)
    ]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    ctx = context(request)
    info = ctx.info[ctx.indicator]
    plan = queries.plan_rows(ctx.unit, ctx.period, ctx.mode, policy=ctx.policy)
    kids = queries.children_rows(ctx.unit, ctx.period, ctx.indicator, ctx.mode, policy=ctx.policy)
    trend = queries.trend_rows(ctx.unit, ctx.indicator, ctx.mode, policy=ctx.policy)
    points = queries.map_points(ctx.unit, ctx.period, ctx.indicator, ctx.mode, policy=ctx.policy)
    for p in points:
        p["href"] = "?" + ctx.query(unit=p["unit"].pk)
    show_map = ctx.unit.kind in (UnitKind.NATION, UnitKind.PROVINCE, UnitKind.DISTRICT) and points
    verdicts = {v: sum(1 for r in plan if r.verdict == v) for v in ("vượt", "đạt", "chưa đạt")}
    rates = [
        {
            "round": rr.round,
            "r": rr.rates,
            "submitted_pct": format_percent(rr.rates.submitted_pct),
            "on_time_pct": format_percent(rr.rates.on_time_pct),
        }
        for rr in queries.reporting_rates(ctx.unit, ctx.period)
    ]
    return render(
        request,
        "analytics/dashboard.html",
        {
            "ctx": ctx,
            "period_label": pd.parse(ctx.period).label_vi,
            "info": info,
            "indicators": list(ctx.info.values()),
            "modes": list(MODE_LABELS.items()),
            "policies": list(POLICY_LABELS.items()),
            "crumbs": crumbs(request, ctx),
            "plan": plan,
            "verdicts": verdicts,
            "kids": kids,
            "kids_leaf": ctx.unit.kind == UnitKind.SCHOOL,
            "trend_svg": charts.line_chart(trend, info.unit, f"{info.name_vi} qua các năm học"),
            "map_svg": charts.point_map(points, f"{info.name_vi} theo xã/phường")
            if show_map
            else None,
            "rates": rates,
            "q": ctx.query(),
        },
    )


@login_required
def quality_view(request: HttpRequest) -> HttpResponse:
    ctx = context(request)
    outliers = quality.outliers(ctx.unit, ctx.period)
    jumps = quality.jumps(ctx.unit, ctx.period)
    unapproved = quality.unapproved(ctx.unit, ctx.period)
    std_on, std_mismatch = quality.standard_cross_check(ctx.unit, ctx.period, ctx.policy)
    return render(
        request,
        "analytics/quality.html",
        {
            "ctx": ctx,
            "crumbs": crumbs(request, ctx),
            "outliers": [
                {
                    "r": o,
                    "value": format_value(o.value, o.unit_kind),
                    "median": format_value(o.median, o.unit_kind),
                    "z": format_number(o.z, 1),
                }
                for o in outliers
            ],
            "jumps": [
                {
                    "r": j,
                    "previous": format_number(j.previous),
                    "current": format_number(j.current),
                    "ratio": "–" if j.ratio is None else "×" + format_number(j.ratio, 2),
                }
                for j in jumps
            ],
            "unapproved": unapproved,
            "std_on": std_on,
            "std_mismatch": std_mismatch,
            "previous": service.shift_period(ctx.period, -1),
            "q": ctx.query(),
            "modes": list(MODE_LABELS.items()),
            "policies": list(POLICY_LABELS.items()),
            "indicators": list(ctx.info.values()),
        },
    )


# --------------------------------------------------------------------------- exports


def _xlsx(name: str, data: bytes) -> HttpResponse:
    return attachment(data, name, XLSX)


@login_required
def export_table(request: HttpRequest, table: str) -> HttpResponse:
    ctx = context(request)  # the scope check happens here, before any figure is read
    mode_label = definitions.MODE_LABELS[ctx.mode]
    subtitle = f"{ctx.unit.name} · {ctx.period} · {mode_label}"
    slug = f"{ctx.unit.code}_{ctx.period}".replace(" ", "_")
    if table == "plan":
        rows = queries.plan_rows(ctx.unit, ctx.period, ctx.mode, policy=ctx.policy)
        data = export.workbook(
            "Kết quả so với chỉ tiêu",
            subtitle,
            [
                "Mã",
                "Chỉ số",
                "Đơn vị tính",
                "Kết quả",
                "Chỉ tiêu",
                "Văn bản",
                "Chênh lệch",
                "Đánh giá",
                "Năm trước",
                "Xếp hạng",
            ],
            [
                [
                    r.info.code,
                    r.info.name_vi,
                    r.info.unit,
                    r.value,
                    r.target_text,
                    r.target.target.source if r.target else "",
                    r.gap_text,
                    r.verdict or "",
                    r.same_last_year,
                    r.rank_text,
                ]
                for r in rows
            ],
            [None, None, None, "0.0", None, None, None, None, "0.0", None],
        )
        return _xlsx(f"chi_tieu_{slug}.xlsx", data)
    if table == "children":
        info = ctx.info[ctx.indicator]
        rows = queries.children_rows(
            ctx.unit, ctx.period, ctx.indicator, ctx.mode, policy=ctx.policy
        )
        fmt = number_format(info.decimals)  # the indicator's decimals, as on the page
        data = export.workbook(
            info.name_vi[:31],
            subtitle,
            [
                "Hạng",
                "Mã",
                "Đơn vị",
                "Kết quả",
                "Tử số",
                "Mẫu số",
                "Chỉ tiêu",
                "Chênh lệch",
                "Đánh giá",
            ],
            [
                [
                    r.rank,
                    r.unit.code,
                    r.unit.name,
                    r.value,
                    r.numerator,
                    r.denominator,
                    r.target_text,
                    r.gap_text,
                    r.verdict or "",
                ]
                for r in rows
            ],
            [None, None, None, fmt, "#,##0", "#,##0", None, None, None],
        )
        return _xlsx(f"{ctx.indicator}_{slug}.xlsx", data)
    if table == "quality":
        out = quality.outliers(ctx.unit, ctx.period)
        jumps = quality.jumps(ctx.unit, ctx.period)
        found: list[list[object]] = [
            ["Ngoại lai", o.check_name, o.unit.code, o.unit.name, o.value, o.median, round(o.z, 2)]
            for o in out
        ] + [
            [
                "Tăng/giảm bất thường",
                j.check_name,
                j.unit.code,
                j.unit.name,
                j.current,
                j.previous,
                j.ratio,
            ]
            for j in jumps
        ]
        data = export.workbook(
            "Chất lượng số liệu",
            subtitle,
            ["Loại", "Kiểm tra", "Mã", "Đơn vị", "Giá trị", "Trung vị / năm trước", "z / tỷ số"],
            found,
        )
        return _xlsx(f"chat_luong_{slug}.xlsx", data)
    raise Http404("Không có bảng này.")


# --------------------------------------------------------------------------- targets


def _float(text: str) -> float | None:
    return actions.parse_number(text) if text and text.strip() else None


@login_required
def targets_view(request: HttpRequest) -> HttpResponse:
    ctx = context(request)
    may_edit = actions.can_set_targets(request.user)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(
                "Chỉ chuyên viên Sở hoặc cán bộ xã/phường mới được giao chỉ tiêu."
            )
        p = request.POST
        try:
            actions.set_target(
                request.user,
                p.get("indicator", ""),
                ctx.unit,
                p.get("period") or ctx.period,
                value=_float(p.get("value", "")),
                low=_float(p.get("low", "")),
                high=_float(p.get("high", "")),
                source=p.get("source", ""),
            )
            messages.success(request, "Đã lưu chỉ tiêu.")
            return redirect(reverse("analytics:targets") + "?" + ctx.query())
        except actions.TargetError as exc:
            messages.error(request, str(exc))
    own = (
        Target.objects.filter(unit=ctx.unit)
        .select_related("indicator", "created_by")
        .order_by("-period", "indicator__id")
    )
    inherited = [
        r
        for (_, _), r in sorted(
            queries.targets_for([ctx.unit.pk], ctx.period).items(), key=lambda kv: kv[0][1]
        )
        if r.inherited_from is not None
    ]
    return render(
        request,
        "analytics/targets.html",
        {
            "ctx": ctx,
            "crumbs": crumbs(request, ctx),
            "own": own,
            "inherited": inherited,
            "may_edit": may_edit,
            "catalog": Indicator.objects.order_by("id"),
            "q": ctx.query(),
            "posted": request.POST if request.method == "POST" else {},
        },
    )


@login_required
@require_POST
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(Target.objects.select_related("unit"), pk=pk)
    try:
        actions.delete_target(request.user, target)
        messages.success(request, "Đã xoá chỉ tiêu.")
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/analytics/") else reverse("analytics:targets"))


@login_required
def targets_import(request: HttpRequest) -> HttpResponse:
    """Upload (xlsx or yaml) -> a dry-run report by row -> commit. Between the two steps the
    file waits in the session, keyed by its hash, so the user confirms exactly what was
    checked."""
    if not actions.can_set_targets(request.user):
        raise PermissionDenied("Chỉ chuyên viên Sở hoặc cán bộ xã/phường mới được giao chỉ tiêu.")
    report, token, name, error = None, "", "", ""
    if request.method == "POST":
        if request.POST.get("token"):
            token = request.POST["token"]
            pending = request.session.get("analytics_import", {})
            if pending.get("token") != token:
                error = "Phiên nhập đã hết hạn; hãy tải tệp lên lại."
            else:
                name = pending["name"]
                data = base64.b64decode(pending["data"])
                report, error = _run_import(request.user, name, data, commit=True)
                if report and report.committed:
                    request.session.pop("analytics_import", None)
                    messages.success(
                        request,
                        f"Đã ghi {report.ok} chỉ tiêu ({report.created} mới, {report.updated} cập nhật).",
                    )
                    return redirect("analytics:targets")
        elif f := request.FILES.get("file"):
            name, data = f.name or "", f.read()
            report, error = _run_import(request.user, name, data, commit=False)
            if report and not report.has_problems:
                token = hashlib.sha256(data).hexdigest()
                request.session["analytics_import"] = {
                    "token": token,
                    "name": name,
                    "data": base64.b64encode(data).decode(),
                }
        else:
            error = "Chọn tệp Excel (.xlsx) hoặc YAML để nhập."
    return render(
        request,
        "analytics/import.html",
        {"report": report, "token": token, "name": name, "error": error},
    )


def _run_import(user, name: str, data: bytes, *, commit: bool):
    try:
        if name.lower().endswith((".yaml", ".yml")):
            rows = actions.read_yaml(data.decode("utf-8"))
        elif name.lower().endswith(".xlsx"):
            rows = actions.read_xlsx(data)
        else:
            return None, "Chỉ nhận tệp .xlsx hoặc .yaml."
        channel = "excel" if name.lower().endswith(".xlsx") else None
        return actions.import_targets(user, rows, commit=commit, channel=channel), ""
    except (actions.TargetError, UnicodeDecodeError) as exc:
        return None, str(exc)

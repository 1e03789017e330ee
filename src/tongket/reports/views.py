"""Review report pages: choose unit/period/kind, edit the draft, generate in the background,
follow the job (the page refreshes itself every second) and download DOCX/XLSX/PDF.

Views parse the request and call reports.actions (every write and scope check); they never
write models themselves.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from tongket.collection.models import ReportingRound
from tongket.core import periods as pd
from tongket.core.definitions import MODES
from tongket.core.downloads import attachment
from tongket.core.scope import is_admin, profile_of
from tongket.reports import actions
from tongket.reports.builder import ReportError
from tongket.reports.forms import DraftForm
from tongket.reports.models import KIND_CHOICES, MODE_CHOICES, ReportDraft, ReportJob
from tongket.units.models import OrgUnit

FILES = {
    "bao-cao.docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "phu-luc.xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "bao-cao.pdf": ("pdf", "application/pdf"),
    "bieu-thong-ke.xlsx": (
        "forms_xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def school_years() -> list[str]:
    years = set()
    for p in ReportingRound.objects.values_list("period", flat=True).distinct():
        try:
            years.add(pd.parse(p).school_year.code)
        except pd.PeriodError:
            continue
    return sorted(years, reverse=True)


def _params(request: HttpRequest, data=None) -> tuple[OrgUnit, str, str, str]:
    data = data if data is not None else request.GET
    raw = str(data.get("unit", "")).strip()
    if raw:
        if not raw.isdigit():
            raise Http404
        unit = get_object_or_404(OrgUnit, pk=int(raw))
    else:
        prof = profile_of(request.user)
        if prof is None or prof.unit is None:
            raise PermissionDenied("Tài khoản chưa được gắn với đơn vị nào; hãy chọn đơn vị.")
        unit = prof.unit
    years = school_years()
    period = str(data.get("period", "")).strip() or next(
        (y for y in years if ReportingRound.objects.filter(period=y, status="closed").exists()),
        years[0] if years else "",
    )
    kind = str(data.get("kind", "")).strip() or "tong-ket"
    mode = str(data.get("mode", "")).strip() or "as_of"
    if not period:
        raise Http404("Chưa có năm học nào có số liệu.")
    try:
        period, k = actions.canonical(period, kind)
    except ReportError:
        raise Http404 from None
    if mode not in MODES:
        raise Http404
    return unit, period, k.value, mode


def _query(unit, period, kind, mode="as_of") -> str:
    return urlencode({"unit": unit.pk, "period": period, "kind": kind, "mode": mode})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    prof = profile_of(request.user)
    if not request.GET.get("unit") and is_admin(request.user) and (prof is None or not prof.unit):
        # an administrator has no unit of their own: choose the province first
        from tongket.units import queries as uq

        provinces = uq.children(uq.nation(), uq.today())
        return render(request, "reports/pick.html", {"provinces": provinces})
    unit, period, kind, mode = _params(request)
    try:
        actions.require_generate(request.user, unit, period, mode)
    except ReportError as exc:
        raise Http404(str(exc)) from None
    draft = actions.get_draft(unit, period, kind)
    jobs = ReportJob.objects.filter(unit=unit, period=period, kind=kind).defer(
        "docx", "xlsx", "pdf", "forms_xlsx"
    )
    if not is_admin(request.user):
        jobs = jobs.filter(user_id=request.user.pk or 0)  # login_required: never 0
    context = {
        "unit": unit,
        "period": period,
        "kind": kind,
        "mode": mode,
        "years": school_years(),
        "kinds": KIND_CHOICES,
        "modes": MODE_CHOICES,
        "draft": draft,
        "jobs": [actions.expire_stale(j) for j in jobs[:5]],
        "latest": next((j for j in jobs[:5] if j.status == ReportJob.Status.DONE), None),
        "can_edit": _can_edit(request.user, unit, period),
        "query": _query(unit, period, kind, mode),
    }
    return render(request, "reports/index.html", context)


def _can_edit(user, unit, period) -> bool:
    try:
        actions.require_edit(user, unit, period)
        return True
    except (PermissionDenied, ReportError):
        return False


@login_required
def draft_edit(request: HttpRequest) -> HttpResponse:
    unit, period, kind, mode = _params(request, request.POST if request.method == "POST" else None)
    actions.require_edit(request.user, unit, period)
    draft = actions.get_draft(unit, period, kind)
    form = DraftForm(request.POST or None, instance=draft)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_draft(request.user, unit, period, kind, form.cleaned_data)
        except ReportError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Đã lưu bản thảo. Lập lại báo cáo để cập nhật số liệu.")
            return redirect(f"{reverse('reports:index')}?{_query(unit, period, kind, mode)}")
    context = {
        "unit": unit,
        "period": period,
        "kind": kind,
        "mode": mode,
        "kind_label": dict(KIND_CHOICES)[kind],
        "form": form,
        "query": _query(unit, period, kind, mode),
        "draft": draft,
    }
    if draft is not None:  # the draft's change log, on its own page
        from tongket.core import audit
        from tongket.core import history as hist

        context["rows"] = hist.rows(ReportDraft, list(audit.history(ReportDraft, draft.pk)))
    return render(request, "reports/draft.html", context)


@login_required
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    unit, period, kind, mode = _params(request, request.POST)
    try:
        job = actions.start_job(
            request.user, unit, period, kind, mode, want_pdf=bool(request.POST.get("pdf"))
        )
    except actions.ReportBusy as exc:
        # refused, not queued: the page says so and the client may come back (429, like an API)
        resp = render(
            request,
            "reports/busy.html",
            {"message": str(exc), "query": _query(unit, period, kind, mode)},
            status=429,
        )
        resp["Retry-After"] = "60"
        return resp
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('reports:index')}?{_query(unit, period, kind, mode)}")
    return redirect("reports:job", pk=job.pk)


@login_required
@require_POST
def mark_final(request: HttpRequest) -> HttpResponse:
    unit, period, kind, mode = _params(request, request.POST)
    try:
        actions.do_mark_final(request.user, unit, period, kind)
    except ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã chốt bản chính thức của báo cáo.")
    return redirect(f"{reverse('reports:index')}?{_query(unit, period, kind, mode)}")


def _job(request: HttpRequest, pk: int, files: bool = False) -> ReportJob:
    qs = ReportJob.objects.select_related("unit")
    if not files:
        qs = qs.defer("docx", "xlsx", "pdf", "forms_xlsx")
    job = get_object_or_404(qs, pk=pk)
    actions.require_job(request.user, job)
    return job


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    job = actions.expire_stale(_job(request, pk))
    have = {}
    if job.status == ReportJob.Status.DONE:
        row = ReportJob.objects.filter(pk=pk).values(*[f for f, _ in FILES.values()]).get()
        have = {name: len(row[f]) for name, (f, _) in FILES.items() if row[f]}
    context = {
        "job": job,
        "unit": job.unit,
        "files": have,
        "kind_label": dict(KIND_CHOICES).get(job.kind, job.kind),
        "query": _query(job.unit, job.period, job.kind, job.mode),
        "position": actions.queue_position(job),
    }
    # htmx polls the status card alone while the job runs; a plain request gets the page
    partial = request.headers.get("HX-Request") == "true"
    resp = render(request, "reports/_job.html" if partial else "reports/job.html", context)
    patch_vary_headers(resp, ["HX-Request"])
    return resp


@login_required
def download(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    if what not in FILES:
        raise Http404
    job = _job(request, pk, files=True)
    field, mime = FILES[what]
    data = getattr(job, field)
    if job.status != ReportJob.Status.DONE or not data:
        raise Http404("Chưa có tệp này.")
    stem = f"{job.kind}-{job.period}-{job.unit.code}"
    return attachment(bytes(data), f"{stem}-{what}", mime)

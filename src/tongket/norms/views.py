"""Norm pages: staffing thiếu/thừa, PCGD–XMC results and upload, the certificate register.

Views parse the request, check scope and call norms.service / norms.queries to read and
norms.actions to write; they never write models themselves.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tongket.core import periods
from tongket.core.definitions import MODE_LABELS, DefinitionError, register_date, survey_date
from tongket.core.models import Role
from tongket.core.scope import can_read_unit, can_write_unit, is_admin, profile_of, require_read
from tongket.core.vntext import format_date, parse_date
from tongket.norms import actions, queries, service
from tongket.norms.calc import staffing as calc
from tongket.norms.calc import staffing_totals as calc_totals
from tongket.norms.forms import CertificateForm, PcgdUploadForm
from tongket.norms.models import CertificateKind, PcgdResult, SchoolCertificate
from tongket.units import queries as uq
from tongket.units.models import OrgUnit, UnitKind


def _home_unit(user) -> OrgUnit:
    prof = profile_of(user)
    if prof is not None and prof.unit is not None:
        return prof.unit
    if is_admin(user):
        return uq.nation()
    raise PermissionDenied("Tài khoản chưa được gắn với đơn vị nào.")


def _unit_param(request: HttpRequest, name: str = "unit") -> OrgUnit:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return _home_unit(request.user)
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(OrgUnit, pk=int(raw))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    province = _province_of(request.user)
    return render(
        request,
        "norms/index.html",
        {"province": province, "can_pcgd": _can_read_pcgd(request.user, province)},
    )


def _can_read_pcgd(user, province: OrgUnit | None) -> bool:
    """What pcgd() would allow: the province picker (no province) or some of its communes."""
    if province is None:
        return True
    try:
        _pcgd_scope(user, province, uq.today().year)
    except PermissionDenied:
        return False
    return True


# --------------------------------------------------------------------------- staffing


@login_required
def staffing(request: HttpRequest) -> HttpResponse:
    unit = _unit_param(request)
    known = service.known_periods()
    period = request.GET.get("period", "").strip() or service.opening_period()
    if not period:
        messages.info(request, "Chưa có đợt báo cáo đầu năm học nào.")
        return render(request, "norms/staffing.html", {"unit": unit, "report": None})
    try:
        periods.parse(period)
    except periods.PeriodError:
        raise Http404 from None
    try:
        mode, day, _ = uq.resolve_mode(unit, period, request.GET.get("mode", ""))
    except (uq.NotInTree, DefinitionError):
        raise Http404 from None
    require_read(request.user, unit.pk, day)
    report = service.compute_staffing(unit, period, mode)
    crumbs = [a for a in uq.ancestors(unit, day) if can_read_unit(request.user, a.pk, day)]
    school_rows = None
    if not report.children:  # a commune or a school: show schools with their explanations
        school_rows = report.whole.schools
    explain = report.explanations()
    labels = service.labels_pack().subject_labels
    # Headline, tables and sentences all come from report.whole.summary (one computation).
    context = {
        "unit": unit,
        "report": report,
        "period": period,
        "periods": known,
        "modes": MODE_LABELS,
        "crumbs": crumbs,
        "groups": [(b, explain.get(b.label, [])) for b in report.whole.summary.groups],
        "subject_rows": _subject_rows(report.whole.summary.groups, labels),
        "group_labels": [label for label, _ in calc.REPORT_GROUPS],
        "school_rows": school_rows,
        "sentences": report.whole.sentences,
        "on_text": format_date(report.on),
        "tree_text": format_date(report.tree_date),
    }
    return render(request, "norms/staffing.html", context)


def _subject_rows(groups, labels) -> list[tuple[str, str, int, int]]:
    """(group, subject, thiếu, thừa): the parts of each group's gross shortage and surplus."""
    rows = []
    for b in groups:
        if not b.by_subject:
            continue
        keys = set(b.shortage_by_subject) | set(b.surplus_by_subject)
        for k in sorted(keys, key=lambda k: calc_totals.subject_label(k, labels)):
            rows.append(
                (
                    b.label,
                    calc_totals.subject_label(k, labels),
                    b.shortage_by_subject.get(k, 0),
                    b.surplus_by_subject.get(k, 0),
                )
            )
        rows.append((b.label, "Cộng", b.shortage, b.surplus))
    return rows


# --------------------------------------------------------------------------- PCGD–XMC


def _province_of(user) -> OrgUnit | None:
    prof = profile_of(user)
    if prof is None or prof.unit is None:
        return None
    if prof.unit.kind == UnitKind.PROVINCE:
        return prof.unit
    day = uq.today()
    return next((a for a in uq.ancestors(prof.unit, day) if a.kind == UnitKind.PROVINCE), None)


def _can_upload(user, province: OrgUnit, year: int) -> bool:
    try:
        actions.require_pcgd_upload(user, province, year)
    except PermissionDenied:
        return False
    return True


def _pcgd_scope(user, province: OrgUnit, year: int) -> list[int] | None:
    """None: the whole province is readable; else the commune ids the user may see."""
    ref = survey_date(year)
    if can_read_unit(user, province.pk, uq.today()) or can_read_unit(user, province.pk, ref):
        return None
    prof = profile_of(user)
    if (
        prof is not None
        and prof.role == Role.COMMUNE
        and prof.unit_id is not None
        # only a commune of this province (now or at the survey's date): another province's
        # result would show its file names and upload time
        and (
            uq.is_under(prof.unit_id, province.pk, uq.today())
            or uq.is_under(prof.unit_id, province.pk, ref)
        )
    ):
        return [prof.unit_id]
    raise PermissionDenied("Bạn không có quyền xem dữ liệu của đơn vị này.")


@login_required
def pcgd(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("province", "").strip()
    province = (
        get_object_or_404(OrgUnit, pk=int(raw), kind=UnitKind.PROVINCE)
        if raw.isdigit()
        else _province_of(request.user)
    )
    if province is None:
        provinces = uq.children(uq.nation(), uq.today())
        return render(request, "norms/pcgd_pick.html", {"provinces": provinces})
    results = queries.pcgd_results(province)
    year_raw = request.GET.get("year", "").strip()
    result = None
    if request.GET.get("result", "").isdigit():
        result = get_object_or_404(PcgdResult, pk=int(request.GET["result"]), province=province)
    elif year_raw.isdigit():
        result = queries.latest_pcgd(province, int(year_raw))
    elif results:
        result = results[0]
    year = result.year if result else (int(year_raw) if year_raw.isdigit() else uq.today().year)
    only = _pcgd_scope(request.user, province, year)
    form = PcgdUploadForm(initial={"year": year})
    return _render_pcgd(request, province, results, result, only, form)


def _render_pcgd(request, province, results, result, only, form) -> HttpResponse:
    year = result.year if result else uq.today().year
    return render(
        request,
        "norms/pcgd.html",
        {
            "province": province,
            "results": results if only is None else [],
            "result": result,
            "summary": queries.pcgd_summary(result, only) if result else None,
            "restricted": only is not None,
            "form": form if _can_upload(request.user, province, year) else None,
        },
    )


@login_required
@require_POST
def pcgd_upload(request: HttpRequest, province_id: int) -> HttpResponse:
    province = get_object_or_404(OrgUnit, pk=province_id, kind=UnitKind.PROVINCE)
    form = PcgdUploadForm(request.POST, request.FILES)
    year = form.data.get("year", "")
    if not form.is_valid():
        messages.error(
            request,
            "Chưa tải lên được: " + " ".join(str(e) for errs in form.errors.values() for e in errs),
        )
    else:
        year = form.cleaned_data["year"]
        try:
            res = actions.do_upload_pcgd(
                request.user,
                province,
                year,
                form.cleaned_data["survey"],
                form.cleaned_data["communes"],
                note=form.cleaned_data["note"],
            )
        except actions.NormsError as exc:
            messages.error(request, f"Chưa lưu kết quả: {exc.message_vi}")
        else:
            n = len(res.result.get("rejected_rows", []))
            messages.success(
                request,
                f"Đã đánh giá và lưu kết quả PCGD–XMC năm {res.year}: {res.communes.count()} xã, "
                f"{n} dòng bị loại.",
            )
            return redirect(f"{reverse('norms:pcgd')}?province={province.pk}&result={res.pk}")
    return redirect(f"{reverse('norms:pcgd')}?province={province.pk}&year={year}")


# --------------------------------------------------------------------------- register


def _day(request: HttpRequest) -> tuple[dt.date, str]:
    raw = request.GET.get("on", "").strip()
    if not raw:
        return uq.today(), ""
    try:
        return parse_date(raw), ""
    except ValueError as exc:
        return uq.today(), str(exc)


def _school_years() -> list[str]:
    """School years with reporting rounds, newest first."""
    from tongket.collection.models import ReportingRound

    codes = set(ReportingRound.objects.values_list("period", flat=True))
    years = {c for c in codes if periods.parse(c).kind == periods.PeriodKind.SCHOOL_YEAR}
    return sorted(years, reverse=True)


def _can_edit_register(user) -> bool:
    prof = profile_of(user)
    return is_admin(user) or (prof is not None and prof.role in (Role.PROVINCE, Role.COMMUNE))


@login_required
def register(request: HttpRequest) -> HttpResponse:
    unit = _unit_param(request)
    on, error = _day(request)
    if not unit.active_on(on):
        on = unit.valid_to or unit.valid_from
    require_read(request.user, unit.pk, on)
    kind = request.GET.get("kind", "")
    kind = kind if kind in CertificateKind.values else ""
    status = request.GET.get("status", "")
    status = status if status in queries.STATUS_LABELS else ""
    text = request.GET.get("q", "").strip()[:100]
    whole, children = queries.certificate_counts(unit, on)
    return render(
        request,
        "norms/register.html",
        {
            "unit": unit,
            "on": on,
            "on_text": format_date(on),
            "error": error,
            "kind": kind,
            "status": status,
            "q": text,
            "kinds": CertificateKind.choices,
            "statuses": queries.STATUS_LABELS,
            "whole": whole,
            "children": children,
            "alerts": queries.renewal_alerts(unit, on),
            "rows": queries.certificates(unit, on, kind, status, text)[:500],
            "can_edit": _can_edit_register(request.user),
            "crumbs": [a for a in uq.ancestors(unit, on) if can_read_unit(request.user, a.pk, on)],
            "year_days": [(y, register_date(y, uq.today())) for y in _school_years()],
        },
    )


def _editable_schools(user):
    day = uq.today()
    root = _home_unit(user)
    return uq.schools_under(root, day).order_by("name")


@login_required
def certificate_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not _can_edit_register(request.user):
        raise PermissionDenied("Bạn không có quyền cập nhật sổ theo dõi.")
    cert = (
        get_object_or_404(SchoolCertificate.objects.select_related("school"), pk=pk) if pk else None
    )
    if cert is not None and not can_write_unit(request.user, cert.school_id, uq.today()):
        raise PermissionDenied("Bạn không có quyền sửa dữ liệu của đơn vị này.")
    schools = _editable_schools(request.user)
    if cert is not None:
        schools = schools | OrgUnit.objects.filter(pk=cert.school_id)
    if request.method == "POST":
        form = CertificateForm(request.POST, schools=schools)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = actions.do_save_certificate(
                    request.user,
                    school=data["school"],
                    kind=data["kind"],
                    level=data["level"],
                    decision_number=data["decision_number"],
                    decision_date=data["decision_date"],
                    issued_by=data["issued_by"],
                    note=data["note"],
                    certificate=cert,
                )
            except actions.NormsError as exc:
                form.add_error(None, exc.message_vi)
            else:
                messages.success(
                    request,
                    f"Đã lưu: {saved}. Hết hiệu lực {format_date(saved.expires)}; đăng ký đánh giá "
                    f"lại trước {format_date(saved.renew_by)}.",
                )
                return redirect(f"{reverse('norms:register')}?unit={saved.school_id}")
    else:
        form = CertificateForm(schools=schools, instance=cert)
    ctx: dict = {"form": form, "cert": cert}
    if cert is not None:  # its editor and its change log, on the certificate's own page
        from tongket.core import audit
        from tongket.core import history as hist

        entries = list(audit.history(SchoolCertificate, cert.pk))
        ctx.update(last=entries[0] if entries else None, rows=hist.rows(SchoolCertificate, entries))
    return render(request, "norms/certificate_form.html", ctx)


@login_required
@require_POST
def certificate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cert = get_object_or_404(SchoolCertificate, pk=pk)
    school_id = cert.school_id
    actions.do_delete_certificate(request.user, cert)
    messages.success(request, "Đã xóa giấy chứng nhận.")
    return redirect(f"{reverse('norms:register')}?unit={school_id}")

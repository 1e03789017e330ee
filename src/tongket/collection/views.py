"""Collection pages: what is due, the form as on paper, review, rounds and reporting rates.

Views parse the request and call collection.actions; they never write models themselves.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tongket.catalog.models import Form
from tongket.collection import actions, forms_logic, queries
from tongket.collection.errors import CellErrors, CollectionError
from tongket.collection.models import ReportingRound, Submission, ValueAudit
from tongket.collection.status import return_reason
from tongket.core import params
from tongket.core.scope import is_admin, profile_of
from tongket.core.vntext import format_number, parse_date
from tongket.units.models import OrgUnit


def _rounds_for(user):
    prof = profile_of(user)
    qs = ReportingRound.objects.select_related("form", "root").order_by("-as_of", "form__code")
    if is_admin(user):
        return list(qs[:200])
    if prof is None or prof.unit is None:
        return []
    return [r for r in qs[:500] if _visible(user, r)]


def _visible(user, rnd: ReportingRound) -> bool:
    try:
        actions.access_round_by_id(user, rnd.pk)
    except (PermissionDenied, CollectionError):
        return False
    return True


@login_required
def index(request: HttpRequest) -> HttpResponse:
    prof = profile_of(request.user)
    due = (
        queries.due_for_unit(prof.unit) if prof and prof.unit and prof.unit.kind == "school" else []
    )
    rounds = [] if due else _rounds_for(request.user)
    officer = (prof is not None and prof.role in ("commune", "province")) or is_admin(request.user)
    return render(
        request,
        "collection/index.html",
        {
            "due": due,
            "rounds": rounds,
            "officer": officer,
            "forms": Form.objects.filter(is_current=True).order_by("code") if officer else [],
        },
    )


def _cells_from_post(request: HttpRequest, form: Form) -> dict[tuple[str, str], object]:
    raw: dict[tuple[str, str], object] = {}
    for index, (element, combo, computed) in enumerate(form.cells):
        name = f"c{index}"
        if not computed and name in request.POST:
            raw[(element, combo)] = request.POST.get(name, "")
    return raw


@login_required
def entry(request: HttpRequest, round_id: int, unit_id: int) -> HttpResponse:
    rnd = actions.access_round_by_id(request.user, round_id)
    try:
        sub = actions.access_submission(request.user, rnd, unit_id, write=request.method == "POST")
    except CollectionError as exc:
        messages.error(request, exc.message_vi)
        return redirect("collection:index")
    form = rnd.form
    posted: dict = {}
    cell_problems: dict[tuple[str, str], str] = {}
    if request.method == "POST":
        raw = _cells_from_post(request, form)
        posted = raw
        try:
            version = params.integer(request.POST.get("version"), "phiên bản", default=-1)
            sub = actions.do_save_values(
                request.user,
                sub,
                raw,
                expected_version=version,
                reason=request.POST.get("reason", ""),
            )
            if request.POST.get("action") == "submit":
                explanations = {
                    k[4:]: v for k, v in request.POST.dict().items() if k.startswith("why:")
                }
                sub = actions.do_submit(
                    request.user, sub, expected_version=sub.version, explanations=explanations
                )
                messages.success(request, "Đã nộp báo cáo.")
            else:
                messages.success(request, "Đã lưu bản nháp.")
            return redirect("collection:entry", round_id=rnd.pk, unit_id=unit_id)
        except CellErrors as exc:
            cell_problems = {(p["element"], p["combo"]): p["message_vi"] for p in exc.problems}
            messages.error(request, exc.message_vi)
        except CollectionError as exc:
            messages.error(request, exc.message_vi)
            if exc.code != "conflict":
                posted = {}
            sub.refresh_from_db() if sub.pk else None
    values = actions.current_values(sub)
    violations = actions.validate_submission(sub) if sub.pk else []
    for v in violations:
        for key in v.cells:
            cell_problems.setdefault(
                key, f"{v.message_vi} ({format_number(v.left)} so với {format_number(v.right)})"
            )
    index = forms_logic.cell_index(form)
    cell_pos = {(e, c): i for i, (e, c, _) in enumerate(form.cells)}
    sections = []
    for sec in form.layout["sections"]:
        rows = []
        for row in sec["rows"]:
            cells = []
            for cell in row["cells"]:
                key = (cell["element"], cell["combo"])
                shown = posted.get(key, values.get(key))
                cells.append(
                    {
                        "name": f"c{cell_pos[key]}",
                        "value": ""
                        if shown is None
                        else (format_number(shown) if not isinstance(shown, str) else shown),
                        "raw": _input_text(shown),
                        "computed": cell["computed"],
                        "problem": cell_problems.get(key),
                        "label": index[key].label,
                        "group": f"{sec['code']}-{row['element']}-{row['cells'].index(cell)}",
                    }
                )
            rows.append({**row, "cells": cells})
        sections.append({**sec, "rows": rows})
    editable = (
        sub.status in ("draft", "returned")
        and rnd.status == "open"
        and actions.can_write_unit(request.user, unit_id, rnd.as_of)
    )
    warnings = [v for v in violations if v.severity == "warning"]
    return render(
        request,
        "collection/entry.html",
        {
            "round": rnd,
            "sub": sub,
            "unit": OrgUnit.objects.get(pk=unit_id),
            "sections": sections,
            "editable": editable,
            "errors": [v for v in violations if v.severity == "error"],
            "warnings": [
                (actions.warning_key(v), v, sub.explanations.get(actions.warning_key(v), ""))
                for v in warnings
            ],
            "events": sub.events.all() if sub.pk else [],
            "return_reason": return_reason(sub),
            "can_review": sub.pk and actions.can_review(request.user, sub),
            "can_reopen": sub.pk
            and sub.status in ("submitted", "approved")
            and _is_officer(request.user),
        },
    )


def _input_text(value: object) -> str:
    """What an input box shows: what the user typed back, or a stored number without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_officer(user) -> bool:
    prof = profile_of(user)
    return is_admin(user) or (prof is not None and prof.role in ("commune", "province"))


@login_required
@require_POST
def review(request: HttpRequest, submission_id: int) -> HttpResponse:
    sub = actions.access_submission_by_id(request.user, submission_id, write=True)
    what = request.POST.get("action")
    try:
        if what == "approve":
            actions.do_approve(request.user, sub, request.POST.get("reason", ""))
            messages.success(request, "Đã duyệt báo cáo.")
        elif what == "return":
            actions.do_return(request.user, sub, request.POST.get("reason", ""))
            messages.success(request, "Đã trả lại báo cáo.")
        elif what == "reopen":
            actions.do_reopen(request.user, sub, request.POST.get("reason", ""))
            messages.success(request, "Đã mở lại báo cáo.")
        else:
            messages.error(request, "Thao tác không hợp lệ.")
    except CollectionError as exc:
        messages.error(request, exc.message_vi)
    back = request.POST.get("next", "")
    if back.startswith("/collection/"):  # the review queue sends the officer back to it
        return redirect(back)
    return redirect("collection:entry", round_id=sub.round_id, unit_id=sub.unit_id)


@login_required
def audit(request: HttpRequest, submission_id: int) -> HttpResponse:
    sub = actions.access_submission_by_id(request.user, submission_id)
    rows = ValueAudit.objects.filter(submission=sub).select_related("user").order_by("-at")
    element = request.GET.get("element")
    if element:
        rows = rows.filter(element_code=element, combo=request.GET.get("combo", ""))
    index = forms_logic.cell_index(sub.round.form)
    return render(
        request,
        "collection/audit.html",
        {
            "sub": sub,
            "rows": [(r, index.get((r.element_code, r.combo))) for r in rows[:1000]],
        },
    )


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = actions.access_round_by_id(request.user, round_id)
    prof = profile_of(request.user)
    under = prof.unit if prof and prof.unit and not is_admin(request.user) else None
    rates = queries.reporting_rates(rnd, under)
    from tongket.collection.review import review_queue

    # the submitted reports of this round in the user's scope, each one click from its review
    waiting = review_queue(request.user, round_id=rnd.pk, status="submitted").items
    return render(
        request,
        "collection/round.html",
        {
            "round": rnd,
            "rates": rates,
            "waiting": [i for i in waiting if i.sub.round_id == rnd.pk],
            "officer": _is_officer(request.user),
            "can_manage": actions.can_manage_round(request.user, rnd),
            "events": rnd.events.select_related("user"),
        },
    )


@login_required
@require_POST
def round_action(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = actions.access_round_by_id(request.user, round_id)
    what, reason = request.POST.get("action"), request.POST.get("reason", "")
    try:
        if what == "close":
            actions.do_close_round(request.user, rnd, reason)
        elif what == "reopen":
            actions.do_reopen_round(request.user, rnd, reason)
        elif what == "extend":
            actions.do_extend_round(
                request.user, rnd, parse_date(request.POST.get("due", "")), reason
            )
        elif what == "remind":
            sent = actions.do_send_reminders(request.user, rnd)
            messages.success(request, f"Đã gửi nhắc nhở tới {sent} địa chỉ.")
        else:
            raise CollectionError("Thao tác không hợp lệ.")
        if what != "remind":
            messages.success(request, "Đã cập nhật đợt báo cáo.")
    except (CollectionError, ValueError) as exc:
        messages.error(request, getattr(exc, "message_vi", str(exc)))
    return redirect("collection:round", round_id=rnd.pk)


@login_required
@require_POST
def open_round(request: HttpRequest) -> HttpResponse:
    prof = profile_of(request.user)
    form = get_object_or_404(Form, pk=params.object_id(request.POST.get("form"), "biểu mẫu"))
    root = prof.unit if prof and prof.unit else None
    if is_admin(request.user) and request.POST.get("root"):
        root = get_object_or_404(OrgUnit, pk=params.object_id(request.POST.get("root"), "đơn vị"))
    if root is None:
        raise PermissionDenied("Cần chọn đơn vị mở đợt báo cáo.")
    try:
        due = parse_date(request.POST["due"]) if request.POST.get("due") else None
        rnd = actions.do_open_round(
            request.user, form, request.POST.get("period", ""), root, due=due
        )
    except (CollectionError, ValueError) as exc:
        messages.error(request, getattr(exc, "message_vi", str(exc)))
        return redirect("collection:index")
    messages.success(request, f"Đã mở đợt {rnd.form.code} kỳ {rnd.period}, hạn {rnd.due:%d/%m/%Y}.")
    return redirect("collection:round", round_id=rnd.pk)


__all__ = ["Submission", "dt"]

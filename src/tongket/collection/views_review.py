"""The review queue and the review of one report beside last year's values.

Thin: the queue and the comparison come from collection.review, approving many goes through
actions.do_approve_many (the single approval's checks, one by one)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from tongket.collection import actions, review
from tongket.collection.status import return_reason, status_label


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    review.my_level(request.user)  # raises PermissionDenied for schools and leaders
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
        back = reverse("collection:queue") + (
            "?" + request.POST["query"] if request.POST.get("query") else ""
        )
        if not ids:
            messages.error(request, "Chưa chọn báo cáo nào để duyệt.")
            return redirect(back)
        result = actions.do_approve_many(request.user, ids, request.POST.get("note", ""))
        if result.approved:
            messages.success(request, f"Đã duyệt {len(result.approved)} báo cáo.")
        for _sid, sub, why in result.skipped:
            name = f"{sub.unit.name} ({sub.round.form.code})" if sub else "Báo cáo"
            messages.warning(request, f"Bỏ qua {name}: {why}")
        return redirect(back)
    filters = {
        "round_id": _int(request.GET.get("round")),
        "form_code": request.GET.get("form", ""),
        "commune_id": _int(request.GET.get("commune")),
        "status": request.GET.get("status") or "waiting",
        "warnings": request.GET.get("warnings", ""),
        "sort": request.GET.get("sort") or "oldest",
    }
    if filters["status"] not in dict(review.STATUS_CHOICES):
        filters["status"] = "waiting"
    q = review.review_queue(request.user, **filters)  # type: ignore[arg-type]
    return render(
        request,
        "collection/queue.html",
        {
            "queue": q,
            "f": filters,
            "status_choices": review.STATUS_CHOICES,
            "sort_choices": review.SORT_CHOICES,
            "query": urlencode(
                [(k, v) for k, v in request.GET.items() if isinstance(v, str) and v]
            ),
            "clean": sum(1 for i in q.items if i.mine and i.clean),
        },
    )


@login_required
def submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    """One report for review: every cell beside last year's, the biggest moves highlighted,
    errors and warnings with the school's explanations, and the approve / return buttons."""
    sub = actions.access_submission_by_id(request.user, submission_id)
    violations = actions.validate_submission(sub)
    warnings = [
        (v, sub.explanations.get(actions.warning_key(v), ""))
        for v in violations
        if v.severity == "warning"
    ]
    back = request.GET.get("next", "")
    if not back.startswith("/collection/"):
        back = reverse("collection:queue")
    try:
        can_review = actions.can_review(request.user, sub)
    except PermissionDenied:
        can_review = False
    return render(
        request,
        "collection/review.html",
        {
            "sub": sub,
            "round": sub.round,
            "label": status_label(sub),
            "reason": return_reason(sub),
            "cmp": review.comparison(sub),
            "errors": [v for v in violations if v.severity == "error"],
            "warnings": warnings,
            "can_review": can_review,
            "events": sub.events.select_related("user"),
            "back": back,
        },
    )

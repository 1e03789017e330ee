"""Excel pages: download a pre-filled workbook; upload one or a zip, see the dry run, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tongket.collection import actions, uploads
from tongket.collection.errors import CollectionError
from tongket.core.downloads import attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def download(request: HttpRequest, round_id: int, unit_id: int) -> HttpResponse:
    rnd = actions.access_round_by_id(request.user, round_id)
    name, data = uploads.workbook_for(request.user, rnd, unit_id)
    return attachment(data, name, XLSX)


@login_required
@require_POST
def upload(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = actions.access_round_by_id(request.user, round_id)
    f = request.FILES.get("file")
    unit_id = int(request.POST["unit"]) if request.POST.get("unit", "").isdigit() else None
    if f is None:
        messages.error(request, "Chưa chọn tệp để tải lên.")
        return redirect("collection:round", round_id=rnd.pk)
    name, size = f.name or "", f.size or 0  # both always set on a file Django received
    max_bytes = uploads.limits().max_bytes
    if size > max_bytes:
        messages.error(
            request,
            f"Tệp “{name}” quá lớn ({size // 1024} KB); giới hạn {max_bytes // 1024} KB.",
        )
        return _back(rnd.pk, unit_id)
    data = f.read()
    is_zip = name.lower().endswith(".zip")
    outcomes = (
        uploads.batch(request.user, rnd, data, apply=False)
        if is_zip
        else [uploads.preview(request.user, rnd, data, name, unit_id)]
    )
    # "Xác nhận lưu" only when some file would be saved: nothing to confirm otherwise
    can_save = any(o.ok and not o.duplicate for o in outcomes)
    pending = (
        uploads.stash(request.user, rnd, data, name, is_zip=is_zip, unit_id=unit_id)
        if can_save
        else None
    )
    return render(
        request,
        "collection/upload.html",
        {
            "round": rnd,
            "outcomes": outcomes,
            "pending": pending,
            "dry_run": True,
            "unit_id": unit_id,
        },
    )


def _back(round_id: int, unit_id: int | None):
    if unit_id:
        return redirect("collection:entry", round_id=round_id, unit_id=unit_id)
    return redirect("collection:round", round_id=round_id)


@login_required
@require_POST
def confirm(request: HttpRequest, pending_id: int) -> HttpResponse:
    try:
        pending = uploads.take_pending(request.user, pending_id)
    except CollectionError as exc:
        messages.error(request, exc.message_vi)
        return redirect("collection:index")
    rnd = actions.access_round_by_id(request.user, pending.round_id)
    data = bytes(pending.data)
    choices = uploads.parse_choices(request.POST)
    if pending.is_zip:
        outcomes = uploads.batch(request.user, rnd, data, apply=True, choices=choices)
    else:
        outcomes = [
            uploads.commit(request.user, rnd, data, pending.name, pending.unit_id, choices.get(0))
        ]
    # a conflict still to settle (new since the dry run, or left unchosen): the file stays
    # pending and the page asks again; files applied meanwhile now change nothing
    waiting = any(o.open_conflicts for o in outcomes)
    if not waiting:
        pending.delete()
    return render(
        request,
        "collection/upload.html",
        {
            "round": rnd,
            "outcomes": outcomes,
            "dry_run": waiting,
            "pending": pending if waiting else None,
            "unit_id": pending.unit_id,
        },
    )

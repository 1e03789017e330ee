from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongket.core import periods
from tongket.core.home import desk
from tongket.core.vntext import format_date


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """ "Việc cần làm": each role's next actions (core.home gathers them)."""
    from tongket.units.queries import today

    day = today()
    return render(
        request,
        "core/home.html",
        {
            **desk(request.user, day),
            "today": format_date(day),
            "school_year": periods.school_year_of(day).label_vi,
        },
    )


@login_required
def history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """ "Lịch sử thay đổi" of one object: every entry of the change log, newest first."""
    from tongket.core import history as hist

    obj, entries = hist.access_history(request.user, kind, pk)
    title = str(obj) if obj is not None else (entries[0].object_repr if entries else "")
    return render(
        request,
        "core/history.html",
        {
            "kind_label": hist.KIND_LABEL[kind],
            "title": title,
            "deleted": obj is None,
            "rows": hist.rows(hist.model_of(kind), entries),
        },
    )


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's own API keys: list, create (the key shown once, on this response only),
    revoke."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from tongket.core import tokens

    new_key = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                raw = request.POST.get("id", "")
                t = tokens.revoke_token(
                    request.user, int(raw) if raw.isdigit() else 0, request.POST.get("reason", "")
                )
                messages.success(request, f"Đã thu hồi khoá '{t.name}'.")
                return redirect("api_tokens")
            raw_days = request.POST.get("days", "").strip()
            if raw_days and not raw_days.isdigit():
                raise tokens.TokenError("Số ngày hiệu lực phải là một số nguyên dương.")
            new_key = tokens.create_token(
                request.user,
                request.POST.get("name", ""),
                int(raw_days) if raw_days else None,
                actor=request.user,
            )
        except tokens.TokenError as exc:
            messages.error(request, str(exc))
    rows = [(t, tokens.status(t)) for t in tokens.tokens_of(request.user)]
    resp = render(request, "core/tokens.html", {"rows": rows, "new_key": new_key})
    resp["Cache-Control"] = "no-store"  # the new key must not stay in any cache
    return resp

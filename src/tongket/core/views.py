from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongket.core import periods
from tongket.core.scope import profile_of
from tongket.core.vntext import format_date


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from tongket.collection.queries import due_for_unit
    from tongket.units.queries import today

    prof = profile_of(request.user)
    unit = prof.unit if prof else None
    day = today()
    due = due_for_unit(unit, day) if unit is not None and unit.kind == "school" else []
    return render(
        request,
        "core/home.html",
        {
            "unit": unit,
            "today": format_date(day),
            "school_year": periods.school_year_of(day).label_vi,
            "due": [(rnd, sub, (day - rnd.due).days) for rnd, sub in due],
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

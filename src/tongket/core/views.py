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

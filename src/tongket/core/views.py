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

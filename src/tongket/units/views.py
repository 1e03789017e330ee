"""Unit browser: the tree as of a chosen date, search with or without diacritics, a unit page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers

from tongket.core.scope import can_read_unit, is_admin, profile_of, require_read
from tongket.core.vntext import format_date, parse_date
from tongket.units import queries as q
from tongket.units.models import OrgUnit, UnitClosure, UnitKind, active_q


def _as_of(request: HttpRequest):
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return q.today(), ""
    try:
        return parse_date(raw), ""
    except ValueError as exc:
        return q.today(), str(exc)


@login_required
def browse(request: HttpRequest) -> HttpResponse:
    on, error = _as_of(request)
    text = request.GET.get("q", "").strip()[:100]
    prof = profile_of(request.user)
    root = q.nation() if is_admin(request.user) or prof is None or prof.unit is None else prof.unit
    results = []
    if text:
        qs = OrgUnit.objects.search(text).filter(active_q(on))
        if not is_admin(request.user):
            scope = (
                UnitClosure.objects.filter(ancestor=root)
                .filter(active_q(on))
                .values("descendant_id")
            )
            qs = qs.filter(pk__in=scope)
        results = list(qs.order_by("kind", "name")[:200])
    # as the user types, htmx asks for the results alone
    partial = request.headers.get("HX-Target") == "results"
    children = [] if partial else list(q.children(root, on))
    resp = render(
        request,
        "units/_results.html" if partial else "units/browse.html",
        {
            "root": root,
            "children": children,
            "results": results,
            "q": text,
            "as_of": on,
            "as_of_text": format_date(on),
            "error": error,
        },
    )
    patch_vary_headers(resp, ["HX-Target"])
    return resp


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, pk=pk)
    on, error = _as_of(request)
    if not unit.active_on(on):
        on = unit.valid_to or unit.valid_from
    require_read(request.user, unit.pk, on)
    school = getattr(unit, "school", None) if unit.kind == UnitKind.SCHOOL else None
    children = list(q.children(unit, on))
    counts: dict[str, int] = {}
    for child in q.descendants(unit, on).values_list("kind", flat=True):
        counts[child] = counts.get(child, 0) + 1
    context = {
        "unit": unit,
        "school": school,
        "as_of": on,
        "as_of_text": format_date(on),
        "error": error,
        "ancestors": _mark_readable(request.user, q.ancestors(unit, on), on),
        "children": children,
        "counts": [(UnitKind(k).label, n) for k, n in sorted(counts.items(), key=lambda kv: kv[0])],
        "successors": [
            (_readable(request, s), w) for s, w in (q.successors(unit) if unit.valid_to else [])
        ],
        "predecessors": [_readable(request, p) for p in q.predecessors(unit)],
    }
    return render(request, "units/detail.html", context)


def _mark_readable(user, units, on) -> list[OrgUnit]:
    """Each unit with .readable: the page links only what the user may open (the same check
    detail() makes), and names the rest without a link."""
    out = list(units)
    for u in out:
        u.readable = can_read_unit(user, u.pk, on)  # type: ignore[attr-defined]
    return out


def _readable(request: HttpRequest, unit: OrgUnit) -> OrgUnit:
    unit.readable = can_read_unit(request.user, unit.pk, unit.valid_from)  # type: ignore[attr-defined]
    return unit


def not_found(request: HttpRequest) -> HttpResponse:  # pragma: no cover - routing guard
    raise Http404

"""Read side of the unit tree: the tree as of a date, descendants, successors, predecessors.

Every query here is one indexed lookup in UnitClosure/UnitParent/UnitSuccessor, whatever the
depth of the tree, so they stay cheap at national scale.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tongket.units.models import (
    OrgUnit,
    UnitClosure,
    UnitKind,
    UnitParent,
    UnitSuccessor,
    active_q,
)


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


class NotInTree(ValueError):
    """A unit that is in neither tree of a period (the message is Vietnamese)."""


def mode_day(period: str, mode: str) -> dt.date:
    """The date whose tree a mode uses: the period's reference date, or today."""
    from tongket.core import definitions as d

    return d.reference_date(period) if d.parse_mode(mode) == d.MODE_AS_OF else today()


def resolve_mode(unit: OrgUnit, period: str, mode: str) -> tuple[str, dt.date, str]:
    """(the tree mode actually used, its day, a note): a unit absent from the asked tree (a
    commune created in 2025 asked for 2023-2024, a legacy district asked for today) switches
    to the other tree, and the note says so; in neither tree, NotInTree."""
    from tongket.core import definitions as d
    from tongket.core.vntext import format_date

    mode = d.parse_mode(mode)
    want = mode_day(period, mode)
    if unit.active_on(want):
        return mode, want, ""
    other = d.MODE_CURRENT if mode == d.MODE_AS_OF else d.MODE_AS_OF
    other_day = mode_day(period, other)
    if unit.active_on(other_day):
        why = (
            "chưa có vào ngày"
            if mode == d.MODE_AS_OF
            else "không còn trong cây đơn vị hiện nay, ngày"
        )
        label = d.MODE_LABELS[other].lower()
        return (
            other,
            other_day,
            f"{unit.name} {why} {format_date(want)}: số liệu tổng hợp theo {label}.",
        )
    raise NotInTree(f"{unit.name} không có trong cây đơn vị của kỳ {period}.")


def nation() -> OrgUnit:
    return OrgUnit.objects.get(kind=UnitKind.NATION)


def unit_by_code(kind: str, code: str, on: dt.date | None = None) -> OrgUnit:
    """The unit of that kind and code alive on the date (codes of legacy and current communes
    may coincide, so the date decides)."""
    on = on or today()
    qs = OrgUnit.objects.filter(kind=kind, code=code).filter(active_q(on))
    unit = qs.first()
    if unit is None:
        raise OrgUnit.DoesNotExist(
            f"Không có {UnitKind(kind).label.lower()} mã '{code}' vào ngày {on:%d/%m/%Y}."
        )
    return unit


def children(unit: OrgUnit | int, on: dt.date) -> QuerySet[OrgUnit]:
    uid = unit if isinstance(unit, int) else unit.pk
    child_ids = UnitParent.objects.filter(parent_id=uid).filter(active_q(on)).values("child_id")
    return OrgUnit.objects.filter(pk__in=child_ids).filter(active_q(on)).order_by("kind", "name")


def parent(unit: OrgUnit | int, on: dt.date) -> OrgUnit | None:
    uid = unit if isinstance(unit, int) else unit.pk
    link = (
        UnitParent.objects.filter(child_id=uid)
        .filter(active_q(on))
        .select_related("parent")
        .first()
    )
    return link.parent if link else None


def ancestors(unit: OrgUnit | int, on: dt.date) -> list[OrgUnit]:
    """From the root down to the unit's parent."""
    uid = unit if isinstance(unit, int) else unit.pk
    rows = (
        UnitClosure.objects.filter(descendant_id=uid, depth__gt=0)
        .filter(active_q(on))
        .select_related("ancestor")
        .order_by("-depth")
    )
    return [r.ancestor for r in rows]


def descendants(
    unit: OrgUnit | int, on: dt.date, kind: str | None = None, include_self: bool = False
) -> QuerySet[OrgUnit]:
    uid = unit if isinstance(unit, int) else unit.pk
    rows = UnitClosure.objects.filter(ancestor_id=uid).filter(active_q(on))
    if not include_self:
        rows = rows.filter(depth__gt=0)
    qs = OrgUnit.objects.filter(pk__in=rows.values("descendant_id")).filter(active_q(on))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def schools_under(unit: OrgUnit | int, on: dt.date) -> QuerySet[OrgUnit]:
    return descendants(unit, on, kind=UnitKind.SCHOOL, include_self=True)


def is_under(unit: OrgUnit | int, ancestor: OrgUnit | int, on: dt.date) -> bool:
    uid = unit if isinstance(unit, int) else unit.pk
    aid = ancestor if isinstance(ancestor, int) else ancestor.pk
    return (
        UnitClosure.objects.filter(ancestor_id=aid, descendant_id=uid).filter(active_q(on)).exists()
    )


def successors(unit: OrgUnit | int) -> list[tuple[OrgUnit, float]]:
    """What the unit became (after merges, following chains to units alive today)."""
    uid = unit if isinstance(unit, int) else unit.pk
    out: dict[int, tuple[OrgUnit, float]] = {}
    frontier: list[tuple[int, float]] = [(uid, 1.0)]
    seen: set[int] = set()
    while frontier:
        current, share = frontier.pop()
        if current in seen:
            continue
        seen.add(current)
        links = list(UnitSuccessor.objects.filter(old_id=current).select_related("new"))
        if not links and current != uid:
            unit_obj = OrgUnit.objects.get(pk=current)
            prev = out.get(current, (unit_obj, 0.0))[1]
            out[current] = (unit_obj, prev + share)
        for link in links:
            frontier.append((link.new_id, share * link.weight))
    return sorted(out.values(), key=lambda pair: (pair[0].kind, pair[0].code))


def predecessors(unit: OrgUnit | int) -> list[OrgUnit]:
    """The units this one came from (one step back)."""
    uid = unit if isinstance(unit, int) else unit.pk
    ids = UnitSuccessor.objects.filter(new_id=uid).values("old_id")
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("kind", "code"))


def tree_stats(on: dt.date) -> dict[str, int]:
    """Units of each kind that sit in the tree on the date (alive and linked to a parent)."""
    out: dict[str, int] = {}
    for kind in UnitKind.values:
        qs = OrgUnit.objects.filter(kind=kind).filter(active_q(on))
        if kind != UnitKind.NATION:
            linked = UnitParent.objects.filter(active_q(on)).values("child_id")
            qs = qs.filter(pk__in=linked)
        out[kind] = qs.count()
    return out

"""All writes to the unit tree go through here, so the closure table never drifts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from tongket.core.vntext import nfc
from tongket.units.closure import closure_rows
from tongket.units.models import (
    EPOCH,
    OrgUnit,
    School,
    SchoolLevel,
    UnitClosure,
    UnitKind,
    UnitParent,
)
from tongket.units.queries import descendants


def _unit_spans(ids: Iterable[int] | None = None) -> dict[int, tuple[dt.date, dt.date | None]]:
    qs = OrgUnit.objects.all() if ids is None else OrgUnit.objects.filter(pk__in=list(ids))
    return {pk: (start, end) for pk, start, end in qs.values_list("pk", "valid_from", "valid_to")}


@transaction.atomic
def rebuild_closure(unit_ids: Iterable[int] | None = None) -> int:
    """Recompute closure rows for the given units (default: all). Returns rows written."""
    links = list(UnitParent.objects.values_list("child_id", "parent_id", "valid_from", "valid_to"))
    spans = _unit_spans()
    only = list(unit_ids) if unit_ids is not None else None
    rows = closure_rows(links, spans, only)
    if only is None:
        UnitClosure.objects.all().delete()
    else:
        UnitClosure.objects.filter(descendant_id__in=only).delete()
    UnitClosure.objects.bulk_create(
        [
            UnitClosure(ancestor_id=a, descendant_id=d, depth=depth, valid_from=s, valid_to=e)
            for a, d, depth, s, e in rows
        ],
        batch_size=5000,
    )
    return len(rows)


@transaction.atomic
def set_parent(child: OrgUnit, parent: OrgUnit, valid_from: dt.date) -> UnitParent:
    """Attach `child` to `parent` from `valid_from`, closing the link it had then.

    A link that starts after `valid_from` is a conflict the caller must resolve; it is refused
    rather than silently rewritten.
    """
    if not parent.active_on(valid_from):
        raise ValidationError(f"'{parent}' không còn hoạt động vào ngày {valid_from:%d/%m/%Y}.")
    later = UnitParent.objects.filter(child=child, valid_from__gt=valid_from).first()
    if later is not None:
        raise ValidationError(
            f"'{child}' đã có đơn vị cấp trên từ {later.valid_from:%d/%m/%Y}, sau ngày đã chọn."
        )
    current = (
        UnitParent.objects.filter(child=child, valid_from__lte=valid_from)
        .filter(valid_to__isnull=True)
        .first()
        or UnitParent.objects.filter(
            child=child, valid_from__lte=valid_from, valid_to__gte=valid_from
        ).first()
    )
    if current is not None:
        if current.parent_id == parent.pk:
            return current
        if current.valid_from == valid_from:
            current.delete()
        else:
            current.valid_to = valid_from - dt.timedelta(days=1)
            current.save()
    link = UnitParent(child=child, parent=parent, valid_from=valid_from)
    link.save()
    subtree = [child.pk, *descendants(child, valid_from).values_list("pk", flat=True)]
    rebuild_closure(subtree)
    return link


@transaction.atomic
def create_school(
    *,
    code: str,
    name: str,
    commune: OrgUnit,
    levels: list[str],
    opened: dt.date | None = None,
    **profile: object,
) -> School:
    if commune.kind != UnitKind.COMMUNE:
        raise ValidationError(f"Trường phải thuộc một xã/phường, không phải '{commune}'.")
    bad = [lv for lv in levels if lv not in SchoolLevel.values]
    if bad or not levels:
        raise ValidationError(f"Cấp học không hợp lệ: {', '.join(bad) or '(trống)'}.")
    start = max(opened or EPOCH, commune.valid_from)
    unit = OrgUnit(
        kind=UnitKind.SCHOOL, code=code.strip(), name=nfc(name.strip()), valid_from=start
    )
    unit.full_clean()
    unit.save()
    school = School(unit=unit, levels=levels, opened=opened, **profile)
    school.full_clean()
    school.save()
    link = UnitParent(child=unit, parent=commune, valid_from=start, valid_to=commune.valid_to)
    link.save()
    rebuild_closure([unit.pk])
    return school

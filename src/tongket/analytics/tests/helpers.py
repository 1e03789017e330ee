"""Small builders for analytics tests: values straight into the database, school pairs."""

from __future__ import annotations

import datetime as dt

from tongket.catalog.models import DataElement
from tongket.collection.models import DataValue
from tongket.units.models import OrgUnit, UnitKind, UnitSuccessor
from tongket.units.queries import descendants, unit_by_code

CURRENT = dt.date(2025, 9, 1)
LEGACY = dt.date(2024, 9, 1)


def put(unit: OrgUnit, period: str, element: str, combo: str, value: float, submission=None):
    return DataValue.objects.create(
        element=DataElement.objects.get(code=element),
        combo=combo,
        unit=unit,
        period=period,
        value=value,
        submission=submission,
        source="import",
    )


def province(code: str = "11") -> OrgUnit:
    return unit_by_code(UnitKind.PROVINCE, code, CURRENT)


def merged_commune(province_code: str = "11") -> tuple[OrgUnit, list[OrgUnit]]:
    """A current commune of the province formed by merging >= 2 whole legacy communes."""
    current = set(
        descendants(province(province_code), CURRENT, kind=UnitKind.COMMUNE).values_list(
            "pk", flat=True
        )
    )
    by_new: dict[int, list[int]] = {}
    for old, new, w in UnitSuccessor.objects.filter(
        new_id__in=current, old__kind=UnitKind.COMMUNE
    ).values_list("old_id", "new_id", "weight"):
        by_new.setdefault(new, []).append(old if w == 1.0 else -1)
    for new, olds in sorted(by_new.items()):
        whole = [o for o in olds if o > 0]
        # only olds that do not also feed another commune (a pure merge)
        if (
            len(whole) >= 2
            and len(whole) == len(olds)
            and all(UnitSuccessor.objects.filter(old_id=o).count() == 1 for o in whole)
        ):
            return OrgUnit.objects.get(pk=new), list(OrgUnit.objects.filter(pk__in=whole[:2]))
    raise AssertionError("no merged commune found")

"""Test data: schools in the real tree with start-of-year values as the forms store them."""

from __future__ import annotations

import datetime as dt

from tongket.catalog.models import DataElement
from tongket.collection.models import DataValue
from tongket.core.testing.factories import make_school
from tongket.units.actions import set_parent
from tongket.units.models import REFORM_DATE, UnitKind
from tongket.units.queries import unit_by_code

LEGACY_DAY = dt.date(2024, 9, 30)
CURRENT_DAY = dt.date(2025, 9, 30)


def legacy_commune(code: str):
    return unit_by_code(UnitKind.COMMUNE, code, LEGACY_DAY)


def current_commune(code: str):
    return unit_by_code(UnitKind.COMMUNE, code, CURRENT_DAY)


def school_across_reform(old_code: str, new_code: str, levels=("TH",), **profile):
    """A school in a legacy commune until 30/6/2025 and in its successor from 1/7/2025."""
    school = make_school(legacy_commune(old_code), levels=levels, **profile)
    set_parent(school.unit, current_commune(new_code), REFORM_DATE)
    return school


def put(unit, period: str, values: dict[tuple[str, str], float]) -> None:
    """values: {(element, combo): value}, combos canonical (dimensions sorted)."""
    ids = dict(DataElement.objects.values_list("code", "pk"))
    DataValue.objects.bulk_create(
        DataValue(element_id=ids[e], combo=c, unit=unit, period=period, value=v, source="import")
        for (e, c), v in values.items()
    )


def th_values(
    classes_per_grade: int = 2,
    pupils: int = 300,
    two_session: int | None = None,
    teachers: int = 14,
    tpt: int = 1,
    subjects: dict[str, int] | None = None,
) -> dict[tuple[str, str], float]:
    """Form 02.ĐN-TH cells for one primary school."""
    v: dict[tuple[str, str], float] = {}
    for g in range(1, 6):
        v[("classes", f"grade={g};level=TH")] = classes_per_grade
        v[("pupils", f"grade={g};level=TH")] = pupils // 5
    v[("classes", "level=TH")] = classes_per_grade * 5
    v[("pupils", "level=TH")] = pupils
    v[("classes_two_session", "level=TH")] = (
        classes_per_grade * 5 if two_session is None else two_session
    )
    v[("staff", "level=TH;role=teacher")] = teachers
    v[("staff", "level=TH;role=tpt")] = tpt
    v[("staff", "level=TH;role=vice")] = 1
    v[("staff", "level=TH;role=teacher;sex=f")] = teachers - 2  # split columns are ignored
    for subject, n in (subjects or {}).items():
        v[("teachers_subject", f"level=TH;subject={subject}")] = n
    return v

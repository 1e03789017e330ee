"""What the figures are made of: the one query layer between stored data and every reader.

* **Counted values**: a value written by a submission counts when the policy counts the
  submission's status (tongket.core.definitions: working figures count submitted and approved
  reports, a signed report approved ones only); values without a submission (historical
  imports such as the grade-1 intakes behind completion rates) always count. The collection
  workflow keeps one row per (element, combo, unit, period) and points it at the submission
  that last wrote it, so the rule is one join.
* **Derived values**: elements the catalog marks `derived:` are computed here, never typed:
  `school_units` (a school is one unit in "Số trường", and one in each level it teaches) from
  the unit tree on the period's reference date, and `std_schools` (national-standard schools)
  from the certificate register on the period's register date. The engine rolls them up like
  any value, so the dashboard, the API, the report and the exports state the same count.

Everything that sums stored values (the engine's feeder, the report's direct sums, staffing,
the official forms workbook) filters with `counted_q`, and nothing else decides it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Max, Q

from tongket.core import definitions as d


def counted_q(policy: d.Policy = d.DASHBOARD_POLICY, prefix: str = "") -> Q:
    """DataValue rows that count in figures under ``policy`` (prefix: a relation path)."""
    return Q(**{f"{prefix}submission__isnull": True}) | Q(
        **{f"{prefix}submission__status__in": d.COUNTED_STATUSES[d.Policy(policy)]}
    )


def counted_values(elements: Iterable[str], combos: Iterable[str], policy: d.Policy, **filters):
    """(element, combo, unit, period, value) of the counted values of the given elements."""
    from tongket.collection.models import DataValue

    elements, combos = sorted(elements), sorted(combos)
    if not elements:
        return []
    return (
        DataValue.objects.filter(counted_q(policy), **filters)
        .filter(element__code__in=elements, combo__in=combos)
        .values_list("element__code", "combo", "unit_id", "period", "value")
        .iterator(chunk_size=5000)
    )


def counted_periods(policy: d.Policy) -> set[str]:
    from tongket.collection.models import DataValue

    return set(
        DataValue.objects.filter(counted_q(policy)).values_list("period", flat=True).distinct()
    )


# --------------------------------------------------------------------------- derived values


def school_rows(school_levels: dict[int, list[str]], period: str, level_options: set[str]):
    """The `school_units` rows of schools: total row 1, a row per level taught, liên cấp 1."""
    for unit_id, levels in school_levels.items():
        yield d.SCHOOL_UNITS, "", unit_id, period, 1.0
        taught = [lv for lv in dict.fromkeys(levels) if lv in level_options]
        for lv in taught:
            yield d.SCHOOL_UNITS, f"level={lv}", unit_id, period, 1.0
        if len(taught) > 1:
            yield d.SCHOOL_UNITS, "lien_cap=y", unit_id, period, 1.0


def standard_rows(schools: Iterable[int], levels: dict[int, int], period: str):
    """The `std_schools` rows: per certified school its total row 1 and its level row; a
    school without a valid certificate gives 0 (a known zero: the register is the authority)."""
    for unit_id in schools:
        level = levels.get(unit_id)
        yield d.STD_SCHOOLS, "", unit_id, period, 1.0 if level else 0.0
        if level:
            yield d.STD_SCHOOLS, f"std_level={level}", unit_id, period, 1.0


def schools_on(day: dt.date, unit_ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """{school unit: levels} of the schools that exist on ``day`` (how a school counts)."""
    from tongket.units.models import OrgUnit, UnitKind, active_q

    qs = OrgUnit.objects.filter(active_q(day), kind=UnitKind.SCHOOL)
    if unit_ids is not None:
        qs = qs.filter(pk__in=list(unit_ids))
    return {pk: list(levels or []) for pk, levels in qs.values_list("pk", "school__levels")}


def derived_values(
    periods: Iterable[str],
    today: dt.date,
    unit_ids: Iterable[int] | None = None,
    elements: Iterable[str] | None = None,
):
    """(element, combo, unit, period, value) of the derived elements for the given periods."""
    from tongket.norms.queries import valid_levels

    wanted = set(elements) if elements is not None else {d.SCHOOL_UNITS, d.STD_SCHOOLS}
    ids = list(unit_ids) if unit_ids is not None else None
    level_options = set(d.SCHOOL_LEVELS)
    out = []
    for period in periods:
        day = d.reference_date(period)
        schools = schools_on(day, ids)
        if d.SCHOOL_UNITS in wanted:
            out.extend(school_rows(schools, period, level_options))
        if d.STD_SCHOOLS in wanted and schools:
            on = d.register_date(period, today)
            levels = valid_levels(list(schools), on)
            out.extend(standard_rows(schools, levels, period))
    return out


def derived_fingerprint() -> tuple[object, ...]:
    """Changes whenever a derived value may: schools, certificates (compared for equality)."""
    from tongket.norms.models import SchoolCertificate
    from tongket.units.models import School

    return (
        *School.objects.aggregate(n=Count("id"), m=Max("id")).values(),
        *SchoolCertificate.objects.aggregate(
            n=Count("id"), m=Max("id"), u=Max("updated_at")
        ).values(),
    )

"""Read side of collection: reporting rates per round and unit, what is due for a user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from tongket.collection.actions import expected_units, unit_expected
from tongket.collection.models import ReportingRound, Submission
from tongket.units.models import OrgUnit
from tongket.units.queries import descendants


@dataclass
class MissingUnit:
    unit: OrgUnit
    status: str  # 'missing' (nothing), 'draft' or 'returned'
    days_late: int

    @property
    def label(self) -> str:
        from tongket.collection.status import label_for

        return label_for(None if self.status == "missing" else self.status)


@dataclass
class Rates:
    expected: int = 0
    submitted: int = 0  # submitted or approved
    on_time: int = 0
    late: int = 0
    missing: int = 0
    returned: int = 0
    approved: int = 0
    behind: list[MissingUnit] = field(default_factory=list)

    @property
    def submitted_pct(self) -> float | None:
        return 100 * self.submitted / self.expected if self.expected else None

    @property
    def on_time_pct(self) -> float | None:
        return 100 * self.on_time / self.expected if self.expected else None


def reporting_rates(
    rnd: ReportingRound, under: OrgUnit | None = None, today: dt.date | None = None
) -> Rates:
    today = today or timezone.localdate()
    expected = expected_units(rnd)
    if under is not None and under.pk != rnd.root_id:
        scope = set(descendants(under, rnd.as_of, include_self=True).values_list("pk", flat=True))
        expected = expected.filter(pk__in=scope)
    units = {u.pk: u for u in expected}
    subs = {s.unit_id: s for s in Submission.objects.filter(round=rnd, unit_id__in=list(units))}
    deadline = timezone.make_aware(dt.datetime.combine(rnd.due, dt.time.max))
    r = Rates(expected=len(units))
    late_days = max(0, (today - rnd.due).days)
    for pk, unit in units.items():
        sub = subs.get(pk)
        if sub is None or sub.status in (Submission.Status.DRAFT, Submission.Status.RETURNED):
            if sub is not None and sub.status == Submission.Status.RETURNED:
                r.returned += 1
            r.missing += 1
            r.behind.append(MissingUnit(unit, "missing" if sub is None else sub.status, late_days))
            continue
        r.submitted += 1
        if sub.status == Submission.Status.APPROVED:
            r.approved += 1
        if sub.submitted_at and sub.submitted_at > deadline:
            r.late += 1
        else:
            r.on_time += 1
    r.behind.sort(key=lambda m: (m.status != "returned", m.unit.name))
    return r


def due_for_unit(
    unit: OrgUnit, today: dt.date | None = None
) -> list[tuple[ReportingRound, Submission | None]]:
    """Open rounds the unit must report in, with its submission if it has one."""
    today = today or timezone.localdate()
    out = []
    for rnd in ReportingRound.objects.filter(status=ReportingRound.Status.OPEN).select_related(
        "form", "root"
    ):
        if unit_expected(rnd, unit.pk):
            out.append((rnd, Submission.objects.filter(round=rnd, unit=unit).first()))
    return sorted(out, key=lambda pair: pair[0].due)

"""Data-quality views: outliers among peer schools, implausible year-on-year jumps, reports
never approved. The statistics are the engine's pure functions (targets.py); this module
chooses peers and periods from the database.

The peer checks below are rates the engine computes beside the catalog's indicators. They name
the grade rows explicitly because the end-of-year forms carry assessment results per grade
only: the catalog's `assess_th[result=htt;level=TH]` (a total row, under core.expr's exact
semantics) has no values to read. Thresholds follow targets.py (modified z > 3.5; a ratio
beyond ×2 with a change of at least 10). They belong in the rule pack once packs carry
quality thresholds; they are here, as data, until then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict

from django.utils import timezone

from tongket.analytics import service
from tongket.analytics.engine import MODE_AS_OF, mad_outliers, yoy_jumps
from tongket.core import definitions
from tongket.core.definitions import DASHBOARD_POLICY, Policy
from tongket.units.models import OrgUnit, School
from tongket.units.queries import schools_under

_TH = "grade=1|2|3|4|5;level=TH"


class CheckIndicator(TypedDict):
    """An indicator row as compile_indicators reads it, plus the school level it checks."""

    code: str
    name_vi: str
    numerator: str
    denominator: str | None
    factor: int
    unit: str
    direction: str
    level: str


CHECK_INDICATORS: list[CheckIndicator] = [
    {
        "code": "qc_htt_share_th",
        "name_vi": "Tỷ lệ học sinh tiểu học Hoàn thành tốt (các khối 1-5)",
        "numerator": f"assess_th[{_TH};result=htt]",
        "denominator": f"assess_th[{_TH};result=htt|ht|cht]",
        "factor": 100,
        "unit": "percent",
        "direction": "none",
        "level": "TH",
    },
    {
        "code": "qc_good_learning_thcs",
        "name_vi": "Tỷ lệ học sinh THCS học tập Tốt (các khối 6-9)",
        "numerator": "assess_learning[grade=6|7|8|9;level=THCS;result=tot]",
        "denominator": "assess_learning[grade=6|7|8|9;level=THCS;result=tot|kha|dat|chua_dat]",
        "factor": 100,
        "unit": "percent",
        "direction": "none",
        "level": "THCS",
    },
    {
        "code": "qc_pupils_per_class_th",
        "name_vi": "Số học sinh bình quân một lớp (tiểu học)",
        "numerator": "pupils[level=TH]",
        "denominator": "classes[level=TH]",
        "factor": 1,
        "unit": "ratio",
        "direction": "none",
        "level": "TH",
    },
    {
        "code": "qc_pupils_th",
        "name_vi": "Số học sinh tiểu học",
        "numerator": "pupils[level=TH]",
        "denominator": None,
        "factor": 1,
        "unit": "count",
        "direction": "none",
        "level": "TH",
    },
    {
        "code": "qc_pupils_thcs",
        "name_vi": "Số học sinh THCS",
        "numerator": "pupils[level=THCS]",
        "denominator": None,
        "factor": 1,
        "unit": "count",
        "direction": "none",
        "level": "THCS",
    },
    {
        "code": "qc_children_mn",
        "name_vi": "Số trẻ mầm non",
        "numerator": "children[level=MN]",
        "denominator": None,
        "factor": 1,
        "unit": "count",
        "direction": "none",
        "level": "MN",
    },
]
OUTLIER_CHECKS = ["qc_htt_share_th", "qc_good_learning_thcs", "qc_pupils_per_class_th"]
JUMP_CHECKS = ["qc_pupils_th", "qc_pupils_thcs", "qc_children_mn"]
LEVEL_OF = {c["code"]: c["level"] for c in CHECK_INDICATORS}
Z_THRESHOLD = 3.5
MAX_RATIO = 2.0
MIN_CHANGE = 10.0


@dataclass
class OutlierRow:
    check: str
    check_name: str
    unit: OrgUnit
    value: float
    median: float
    z: float
    peers: int
    unit_kind: str  # the check's unit: percent, ratio


@dataclass
class JumpRow:
    check: str
    check_name: str
    unit: OrgUnit
    previous: float
    current: float
    ratio: float | None
    reason: str


def peer_schools(root: OrgUnit, on: dt.date, level: str) -> list[OrgUnit]:
    """Schools under root on the date that teach the level (multi-level schools included)."""
    units = list(schools_under(root, on))
    levels = dict(
        School.objects.filter(unit__in=[u.pk for u in units]).values_list("unit_id", "levels")
    )
    return [u for u in units if level in (levels.get(u.pk) or [])]


def outliers(root: OrgUnit, period: str, policy: Policy = DASHBOARD_POLICY) -> list[OutlierRow]:
    svc = service.get(policy)
    info = svc.info(include_checks=True)
    on = definitions.reference_date(period)
    out: list[OutlierRow] = []
    for code in OUTLIER_CHECKS:
        peers = peer_schools(root, on, LEVEL_OF[code])
        by_id = {u.pk: u for u in peers}
        vals = svc.values(by_id, period, MODE_AS_OF, [code])
        series = {u: v.value for (u, _), v in vals.items() if v.value is not None}
        for o in mad_outliers(series, Z_THRESHOLD):
            out.append(
                OutlierRow(
                    code,
                    info[code].name_vi,
                    by_id[o.key],
                    o.value,
                    o.median,
                    o.z,
                    len(series),
                    info[code].unit,
                )
            )
    return out


def jumps(root: OrgUnit, period: str, policy: Policy = DASHBOARD_POLICY) -> list[JumpRow]:
    """Schools whose count changed implausibly on the same period of the previous year."""
    svc = service.get(policy)
    info = svc.info(include_checks=True)
    previous = service.shift_period(period, -1)
    if previous is None:
        return []
    on = definitions.reference_date(period)
    out: list[JumpRow] = []
    for code in JUMP_CHECKS:
        peers = peer_schools(root, on, LEVEL_OF[code])
        by_id = {u.pk: u for u in peers}
        now = svc.values(by_id, period, MODE_AS_OF, [code])
        before = svc.values(by_id, previous, MODE_AS_OF, [code])
        cur = {u: v.value for (u, _), v in now.items() if v.value is not None}
        prev = {u: v.value for (u, _), v in before.items() if v.value is not None}
        for j in yoy_jumps(cur, prev, MAX_RATIO, MIN_CHANGE, Z_THRESHOLD):
            out.append(
                JumpRow(
                    code, info[code].name_vi, by_id[j.key], j.previous, j.current, j.ratio, j.reason
                )
            )
    return sorted(out, key=lambda r: -(abs((r.ratio or 99) - 1)))


@dataclass
class StandardMismatch:
    """A school whose forms and register disagree on the national standard."""

    unit: OrgUnit
    forms_level: int  # the level its forms report (0: not standard)
    register_level: int  # the level of its valid certificate on the register date (0: none)


def standard_cross_check(
    root: OrgUnit, period: str, policy: Policy = DASHBOARD_POLICY
) -> tuple[dt.date, list[StandardMismatch]]:
    """National-standard schools are stated once, from the register (core.definitions); what
    the forms report is held against it here, school by school, for the office to reconcile.
    Only schools whose forms of the period were filed (and count) are compared. Returns the
    register date and the schools that disagree."""
    from tongket.analytics.inputs import counted_q
    from tongket.collection.models import DataValue
    from tongket.norms.queries import valid_levels

    day = definitions.reference_date(period)
    on = definitions.register_date(period, timezone.localdate())
    schools = {u.pk: u for u in schools_under(root, day)}
    reported: dict[int, int] = {}
    filed: set[int] = set()  # schools whose counted forms of the period say anything at all
    rows = (
        DataValue.objects.filter(counted_q(policy), period=period)
        .filter(element__code__in=("schools", "school_std"), unit_id__in=list(schools))
        .values_list("unit_id", "element__code", "combo", "value")
    )
    for unit_id, element, combo, value in rows:
        filed.add(unit_id)
        if element == "school_std" and value:
            level = int(dict(p.split("=", 1) for p in combo.split(";")).get("std_level", "0"))
            reported[unit_id] = max(reported.get(unit_id, 0), level)
    register = valid_levels(sorted(filed), on)
    out = [
        StandardMismatch(schools[pk], reported.get(pk, 0), register.get(pk, 0))
        for pk in sorted(filed, key=lambda k: schools[k].name)
        if bool(reported.get(pk)) != bool(register.get(pk))
    ]
    return on, out


def unapproved(root: OrgUnit, period: str) -> list:
    """Submissions of the period under root that never reached 'approved': in a closed round
    they will not be approved any more; in an open one they are waiting."""
    from tongket.collection.models import Submission
    from tongket.units.models import UnitClosure, active_q

    family = {period, f"{period} HK1", f"{period} HK2"}
    subs = (
        Submission.objects.filter(round__period__in=family)
        .exclude(status=Submission.Status.APPROVED)
        .select_related("unit", "round__form")
        .order_by("round__status", "unit__name", "round__form__code")
    )
    scope: dict[dt.date, set[int]] = {}
    rows = []
    for s in subs:
        day = s.round.as_of
        if day not in scope:  # one closure query per cut-off date, not per submission
            scope[day] = set(
                UnitClosure.objects.filter(ancestor_id=root.pk)
                .filter(active_q(day))
                .values_list("descendant_id", flat=True)
            )
        if s.unit_id in scope[day]:
            rows.append(s)
    return rows

"""Read side of review: what waits for an officer's level, and a report beside last year's.

The queue reads each round's values in one query and runs the same rules as submission
(actions.rules_for), so the "has warnings" filter and the approve-many check agree with what
the school saw. Writes (approve, approve many, return) stay in actions.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongket.collection import actions, forms_logic
from tongket.collection.models import DataValue, ReportingRound, Submission
from tongket.collection.status import label_for, next_level
from tongket.core import periods
from tongket.core.models import Role
from tongket.core.scope import is_admin, profile_of
from tongket.core.vntext import format_number
from tongket.quality.rules import Violation, evaluate
from tongket.units.models import OrgUnit, UnitClosure, UnitKind, active_q

# what the status filter offers: "waiting" is what waits for the user's own level
STATUS_CHOICES = (
    ("waiting", "Chờ tôi duyệt"),
    ("submitted", "Đã nộp, chờ duyệt (mọi cấp)"),
    ("returned", "Trả lại"),
    ("approved", "Đã duyệt"),
    ("draft", "Đang nhập"),
)
SORT_CHOICES = (
    ("oldest", "Nộp sớm nhất trước"),
    ("newest", "Nộp gần nhất trước"),
    ("unit", "Theo tên đơn vị"),
    ("problems", "Nhiều cảnh báo trước"),
)
MOVED_TOP = 10  # cells highlighted as having moved most since last year
MOVED_MIN = 0.2  # ... and only when they moved by at least a fifth
MOVED_MIN_ABS = 3.0  # ... and by at least 3 (0 → 2 rooms is +200% but no news)


@dataclass
class QueueItem:
    sub: Submission
    label: str
    commune: OrgUnit | None
    errors: int
    warnings: int
    unexplained: int
    waiting_days: int
    mine: bool  # waiting for the user's own level: the user can approve it

    @property
    def clean(self) -> bool:
        """No error and every warning explained: may be approved with others in one go."""
        return self.errors == 0 and self.unexplained == 0


@dataclass
class Queue:
    items: list[QueueItem]
    level: str | None  # the user's approval level (None: administrator, any level)
    rounds: list[ReportingRound] = field(default_factory=list)
    communes: list[OrgUnit] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)


def my_level(user) -> str | None:
    """The approval level of the user: 'commune', 'province', or None for an administrator
    (who may act at any level). Other roles review nothing."""
    if is_admin(user):
        return None
    prof = profile_of(user)
    if prof is None or prof.role not in actions.ROLE_LEVEL:
        raise PermissionDenied("Chỉ cán bộ xã/phường hoặc chuyên viên Sở mới duyệt báo cáo.")
    return actions.ROLE_LEVEL[Role(prof.role)]


def _scope_ids(user, rnd: ReportingRound) -> set[int] | None:
    """Units of the round the user may read (None: all, for an administrator)."""
    if is_admin(user):
        return None
    prof = profile_of(user)
    if prof is None or prof.unit_id is None:
        return set()
    return set(
        UnitClosure.objects.filter(ancestor_id=prof.unit_id)
        .filter(active_q(rnd.as_of))
        .values_list("descendant_id", flat=True)
    )


def _communes(unit_ids: list[int], on: dt.date) -> dict[int, OrgUnit]:
    rows = (
        UnitClosure.objects.filter(descendant_id__in=unit_ids, ancestor__kind=UnitKind.COMMUNE)
        .filter(active_q(on))
        .select_related("ancestor")
    )
    return {r.descendant_id: r.ancestor for r in rows}


def violations_by_unit(rnd: ReportingRound, unit_ids: list[int]) -> dict[int, list[Violation]]:
    """The rules of the round's form over each unit's values: one query for all units."""
    cells = {(e, c) for e, c, _ in rnd.form.cells}
    values: dict[int, dict[tuple[str, str], float]] = defaultdict(dict)
    rows = DataValue.objects.filter(unit_id__in=unit_ids, period=rnd.period).values_list(
        "unit_id", "element__code", "combo", "value"
    )
    for unit_id, element, combo, value in rows.iterator(chunk_size=5000):
        if (element, combo) in cells:
            values[unit_id][(element, combo)] = value
    rules = tuple(actions.rules_for(rnd.form))
    out = {}
    for u in unit_ids:
        held = values.get(u, {})
        key = (rules, tuple(sorted(held.items())))
        hit = _CHECKED.get(key)
        if hit is None:
            if len(_CHECKED) >= _CHECKED_MAX:  # a bound; one province's open rounds fit
                _CHECKED.clear()
            hit = _CHECKED[key] = evaluate(list(rules), held)
        out[u] = list(hit)
    return out


# A submitted report's values are locked until it is re-opened, and the queue is read many
# times a day: the rules' verdict is kept per (rules, values) (about 10 ms a report saved; the
# key holds the values themselves, so a changed value or rule is simply a new key).
_CHECKED: dict[tuple, list[Violation]] = {}
_CHECKED_MAX = 20_000


def review_queue(
    user,
    *,
    round_id: int | None = None,
    form_code: str = "",
    commune_id: int | None = None,
    status: str = "waiting",
    warnings: str = "",
    sort: str = "oldest",
    today: dt.date | None = None,
) -> Queue:
    """Reports of open rounds in the user's scope, filtered and sorted.

    status "waiting" (the default) is what waits for the user's level; `warnings` "yes" keeps
    the reports with an error or a warning, "no" the others."""
    today = today or timezone.localdate()
    try:
        level = my_level(user)
        officer = True
    except PermissionDenied:
        level, officer = None, False
    if status == "waiting" and not officer:
        return Queue([], None)
    wanted = "submitted" if status in ("waiting", "submitted") else status
    rounds = list(
        ReportingRound.objects.filter(status=ReportingRound.Status.OPEN)
        .select_related("form", "root")
        .order_by("-due", "form__code")
    )
    queue = Queue([], level)
    for rnd in rounds:
        scope = _scope_ids(user, rnd)
        if scope is not None and not scope:
            continue
        subs = Submission.objects.filter(round=rnd, status=wanted).select_related("unit")
        if scope is not None:
            subs = subs.filter(unit_id__in=scope)
        found = list(subs)
        mine_by_id = {
            s.pk: s.status == "submitted"
            and officer
            and (level is None or next_level(rnd.approval_levels, s.approved_level) == level)
            for s in found
        }
        if status == "waiting":
            found = [s for s in found if mine_by_id[s.pk]]
        if not found:
            continue
        queue.rounds.append(rnd)
        if form_code and rnd.form.code != form_code:
            continue
        if round_id and rnd.pk != round_id:
            continue
        unit_ids = [s.unit_id for s in found]
        communes = _communes(unit_ids, rnd.as_of)
        checks = violations_by_unit(rnd, unit_ids)
        for s in found:
            s.round = rnd
            vs = checks.get(s.unit_id, [])
            problems = actions.unexplained(s, vs)
            since = s.submitted_at or s.updated_at
            queue.items.append(
                QueueItem(
                    sub=s,
                    label=label_for(s.status, s.approved_level, rnd.approval_levels),
                    commune=communes.get(s.unit_id)
                    or (s.unit if s.unit.kind == UnitKind.COMMUNE else None),
                    errors=sum(1 for v in vs if v.severity == "error"),
                    warnings=sum(1 for v in vs if v.severity == "warning"),
                    unexplained=sum(1 for v in problems if v.severity == "warning"),
                    waiting_days=max(0, (today - timezone.localdate(since)).days) if since else 0,
                    mine=mine_by_id[s.pk],
                )
            )
    queue.forms = sorted({r.form.code for r in queue.rounds})
    seen: dict[int, OrgUnit] = {}
    for item in queue.items:
        if item.commune is not None:
            seen.setdefault(item.commune.pk, item.commune)
    queue.communes = sorted(seen.values(), key=lambda u: u.name)
    if commune_id:
        queue.items = [i for i in queue.items if i.commune and i.commune.pk == commune_id]
    if warnings == "yes":
        queue.items = [i for i in queue.items if i.errors or i.warnings]
    elif warnings == "no":
        queue.items = [i for i in queue.items if not (i.errors or i.warnings)]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    keys = {
        "oldest": lambda i: (i.sub.submitted_at or far, i.sub.unit.name),
        "newest": lambda i: (-(i.sub.submitted_at or far).timestamp(), i.sub.unit.name),
        "unit": lambda i: (i.sub.unit.name, i.sub.round.form.code),
        "problems": lambda i: (-(i.errors + i.warnings), i.sub.submitted_at or far),
    }
    queue.items.sort(key=keys.get(sort, keys["oldest"]))
    return queue


# --- one report beside last year's ------------------------------------------------------


def moved_most(
    now: dict[tuple[str, str], float],
    before: dict[tuple[str, str], float],
    top: int = MOVED_TOP,
    at_least: float = MOVED_MIN,
    at_least_abs: float = MOVED_MIN_ABS,
) -> dict[tuple[str, str], float]:
    """The cells whose value moved most since last year: key -> relative change (0.5 = +50%).

    Relative to last year's value (at least 1, so 0 → 3 counts as +300%), at most `top` cells,
    each having moved by at least `at_least` of last year's value and by at least
    `at_least_abs` in absolute terms (small counts swing by whole percents for nothing).
    A cell with no value last year is not a move."""
    moves = {}
    for key, value in now.items():
        old = before.get(key)
        if old is None or abs(value - old) < at_least_abs:
            continue
        change = (value - old) / max(abs(old), 1.0)
        if abs(change) >= at_least:
            moves[key] = change
    ranked = sorted(moves.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:top]
    return dict(ranked)


def previous_period(code: str) -> str | None:
    try:
        return periods.parse(code).same_period_last_year().code
    except (periods.PeriodError, ValueError):
        return None


def previous_values(sub: Submission) -> dict[tuple[str, str], float]:
    """The unit's values on the same cells for the same period one year earlier."""
    prev = previous_period(sub.round.period)
    if prev is None:
        return {}
    cells = {(e, c) for e, c, _ in sub.round.form.cells}
    rows = DataValue.objects.filter(unit_id=sub.unit_id, period=prev).values_list(
        "element__code", "combo", "value"
    )
    return {(e, c): v for e, c, v in rows if (e, c) in cells}


def _pct(change: float) -> str:
    sign = "+" if change > 0 else "−"
    return f"{sign}{format_number(abs(change) * 100, 0)}%"


def comparison(sub: Submission) -> dict:
    """The form's sections with, in every cell, this year's value, last year's and the change;
    the cells that moved most are flagged (and listed, largest first)."""
    form = sub.round.form
    now = actions.current_values(sub)
    before = previous_values(sub)
    moved = moved_most(now, before)
    index = forms_logic.cell_index(form)
    sections = []
    for sec in form.layout["sections"]:
        rows = []
        for row in sec["rows"]:
            cells = []
            for cell in row["cells"]:
                key = (cell["element"], cell["combo"])
                value, old = now.get(key), before.get(key)
                cells.append(
                    {
                        "value": "" if value is None else format_number(value),
                        "previous": "" if old is None else format_number(old),
                        "change": _pct(moved[key]) if key in moved else "",
                        "moved": key in moved,
                        "label": index[key].label,
                    }
                )
            rows.append({**row, "cells": cells})
        sections.append({**sec, "rows": rows})
    top = [
        {
            "label": index[key].label,
            "value": format_number(now[key]),
            "previous": format_number(before[key]),
            "change": _pct(change),
        }
        for key, change in moved.items()
        if key in index
    ]
    return {
        "sections": sections,
        "previous_period": previous_period(sub.round.period),
        "has_previous": bool(before),
        "moved": top,
    }

""" "Việc cần làm": what each role finds on its first page, read from the apps that own it.

Read-only composition: the school's forms come from collection.queries, what waits for an
officer from collection.review (the same queue as /collection/review/), the leader's figures
from analytics.queries.plan_rows (the dashboard's own rows, so the figures are the same), the
administrator's health from the reports' jobs and the pending uploads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongket.collection.errors import CollectionError
from tongket.collection.models import ReportingRound, Submission
from tongket.collection.status import return_reason, status_css, status_label
from tongket.core.models import Role
from tongket.core.scope import is_admin, profile_of
from tongket.units.models import OrgUnit

HOME_WAITING = 8  # reports listed on the home page (the queue has them all)
HOME_LATE_UNITS = 5  # late units named per round


def time_left(due: dt.date, today: dt.date) -> tuple[str, str]:
    """'còn 5 ngày' / 'hạn cuối hôm nay' / 'quá hạn 3 ngày', with a class for its colour."""
    days = (due - today).days
    if days > 0:
        return f"còn {days} ngày", "warn" if days <= 7 else "muted"
    if days == 0:
        return "hạn cuối hôm nay", "bad"
    return f"quá hạn {-days} ngày", "bad"


@dataclass
class DueForm:
    round: ReportingRound
    sub: Submission | None
    label: str
    css: str
    reason: str  # why it came back, when it did
    left: str  # time left, for what the school still has to do
    left_css: str
    action: str  # the button's words

    @property
    def done(self) -> bool:
        return self.sub is not None and self.sub.status in ("submitted", "approved")


def school_desk(unit: OrgUnit, today: dt.date) -> list[DueForm]:
    """The school's open forms: returned ones first (with their reason), then what is still
    to be entered by nearest deadline, then what is already submitted."""
    from tongket.collection.queries import due_for_unit

    out = []
    for rnd, sub in due_for_unit(unit, today):
        if sub is not None:
            sub.round = rnd
        label = status_label(sub)
        returned = sub is not None and sub.status == "returned"
        done = sub is not None and sub.status in ("submitted", "approved")
        left, left_css = ("", "") if done else time_left(rnd.due, today)
        out.append(
            DueForm(
                rnd,
                sub,
                label,
                status_css(label),
                return_reason(sub) if returned else "",
                left,
                left_css,
                "Sửa và nộp lại" if returned else "Xem" if done else "Nhập biểu",
            )
        )
    out.sort(key=lambda d: (d.sub is None or d.sub.status != "returned", d.done, d.round.due))
    return out


@dataclass
class LateRound:
    round: ReportingRound
    expected: int
    submitted: int
    behind: int
    days_late: int
    names: list[str] = field(default_factory=list)


@dataclass
class Deadline:
    round: ReportingRound
    left: str
    left_css: str
    expected: int
    submitted: int


def _rounds_in_scope(user, unit: OrgUnit | None) -> list[ReportingRound]:
    """Open rounds the user sees (an officer's own round, or the province's round over them)."""
    from tongket.collection import actions

    out = []
    for rnd in ReportingRound.objects.filter(status=ReportingRound.Status.OPEN).select_related(
        "form", "root"
    ):
        try:
            actions.access_round_by_id(user, rnd.pk)
        except (PermissionDenied, CollectionError):  # not visible to this user
            continue
        out.append(rnd)
    return sorted(out, key=lambda r: (r.due, r.form.code))


def rounds_desk(
    user, unit: OrgUnit | None, today: dt.date
) -> tuple[list[LateRound], list[Deadline]]:
    """Open rounds past their due date with units still behind (named), and the deadlines to
    come with how far the user's area has got."""
    from tongket.collection.queries import reporting_rates

    late, upcoming = [], []
    for rnd in _rounds_in_scope(user, unit):
        under = unit if unit is not None and unit.pk != rnd.root_id else None
        rates = reporting_rates(rnd, under, today)
        if rates.expected == 0:
            continue
        if rnd.due < today and rates.behind:
            late.append(
                LateRound(
                    rnd,
                    rates.expected,
                    rates.submitted,
                    len(rates.behind),
                    (today - rnd.due).days,
                    [m.unit.name for m in rates.behind[:HOME_LATE_UNITS]],
                )
            )
        elif rnd.due >= today:
            left, css = time_left(rnd.due, today)
            upcoming.append(Deadline(rnd, left, css, rates.expected, rates.submitted))
    late.sort(key=lambda r: (-r.days_late, r.round.form.code))
    return late, upcoming


def leader_indicators(unit: OrgUnit) -> dict:
    """The dashboard's rows of the unit for its default period, those with a target, the ones
    missing their target first."""
    from tongket.analytics import queries, service
    from tongket.analytics.engine import MODE_AS_OF
    from tongket.analytics.queries import default_period
    from tongket.core import periods as pd

    period = default_period(service.get().periods())
    if period is None:
        return {"period": None, "rows": [], "verdicts": {}}
    rows = [r for r in queries.plan_rows(unit, period, MODE_AS_OF) if r.target is not None]
    order = {"chưa đạt": 0, "đạt": 1, "vượt": 2}
    rows.sort(key=lambda r: (order.get(r.verdict or "", 3), r.info.name_vi))
    verdicts = {v: sum(1 for r in rows if r.verdict == v) for v in ("vượt", "đạt", "chưa đạt")}
    return {
        "period": period,
        "period_label": pd.parse(period).label_vi,
        "rows": rows,
        "verdicts": verdicts,
    }


def last_backup() -> dt.datetime | None:
    """When the newest backup was written, if this installation records one: the newest file
    under <data_dir>/backups (where `tongket backup` keeps its archives). None when unknown."""
    folder = Path(settings.TONGKET.data_dir) / "backups"
    try:
        newest = max((p.stat().st_mtime for p in folder.iterdir() if p.is_file()), default=None)
    except OSError:
        return None
    if newest is None:
        return None
    return dt.datetime.fromtimestamp(newest, tz=dt.UTC)


def admin_desk(today: dt.date) -> dict:
    from tongket.collection.models import PendingUpload
    from tongket.reports.models import ReportJob

    since = timezone.now() - dt.timedelta(days=7)
    queued = ReportJob.objects.filter(
        status__in=[ReportJob.Status.PENDING, ReportJob.Status.RUNNING]
    )
    failed = ReportJob.objects.filter(status=ReportJob.Status.FAILED, created_at__gte=since)
    uploads = PendingUpload.objects.order_by("created_at")
    oldest = uploads.values_list("created_at", flat=True).first()
    return {
        "backup": last_backup(),
        "jobs_queued": queued.count(),
        "jobs_failed": list(failed.select_related("unit", "user")[:10]),
        "uploads": uploads.count(),
        "uploads_oldest": oldest,
    }


def desk(user, today: dt.date) -> dict:
    """Everything the home page shows for the user's role."""
    from tongket.collection.review import review_queue

    prof = profile_of(user)
    unit = prof.unit if prof else None
    role = "admin" if is_admin(user) else (prof.role if prof else "")
    ctx: dict = {"role": role, "unit": unit}
    if role == Role.SCHOOL and unit is not None:
        forms = school_desk(unit, today)
        ctx["forms"] = forms
        ctx["returned"] = [f for f in forms if f.sub is not None and f.sub.status == "returned"]
        ctx["todo"] = [f for f in forms if not f.done]
    if role in (Role.COMMUNE, Role.PROVINCE):
        queue = review_queue(user, today=today)
        ctx["waiting_count"] = len(queue.items)
        ctx["waiting"] = queue.items[:HOME_WAITING]
        ctx["level"] = queue.level
    if role in (Role.COMMUNE, Role.PROVINCE, Role.LEADER, "admin"):
        ctx["late"], ctx["deadlines"] = rounds_desk(user, unit, today)
    if role == Role.LEADER and unit is not None:
        ctx["plan"] = leader_indicators(unit)
    if role == "admin":
        ctx["health"] = admin_desk(today)
    return ctx

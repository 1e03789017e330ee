"""The rounds of the collection workflow: who is expected, open, close, re-open, extend.
Part of the collection actions (collection.actions re-exports every name here): each checks the
user's scope, runs in one transaction and logs the change."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from tongket.catalog.models import Form
from tongket.collection.errors import CollectionError, PermissionDenied
from tongket.collection.models import ReportingRound, RoundEvent
from tongket.core import audit, periods
from tongket.core.models import ChangeLog, Role
from tongket.core.scope import is_admin, profile_of, require_write
from tongket.core.vntext import clean_text
from tongket.units.models import OrgUnit, UnitClosure, UnitKind, active_q
from tongket.units.queries import descendants

ROLE_LEVEL = {Role.COMMUNE: "commune", Role.PROVINCE: "province"}
ROUND_FIELDS = ("status", "due", "as_of", "approval_levels")  # what the change log compares


# --- rounds ----------------------------------------------------------------------------


def expected_units(rnd: ReportingRound) -> QuerySet[OrgUnit]:
    """Units that must report: schools of the form's levels under the root as of the cut-off."""
    form = rnd.form
    if "COMMUNE" in form.levels:
        return descendants(rnd.root, rnd.as_of, kind=UnitKind.COMMUNE, include_self=True)
    schools = descendants(rnd.root, rnd.as_of, kind=UnitKind.SCHOOL, include_self=True)
    ids = [
        pk
        for pk, levels in schools.values_list("pk", "school__levels")
        if set(levels or []) & set(form.levels)
    ]
    return OrgUnit.objects.filter(pk__in=ids).order_by("name")


def unit_expected(rnd: ReportingRound, unit_id: int) -> bool:
    """Whether the unit must report in the round: `unit_id in expected_units(rnd)`, decided on
    the one closure row (root, unit) as of the cut-off, joined to the unit and its school row:
    one flat indexed query, cheap to plan, rather than listing every school under the root."""
    on = rnd.as_of
    rows = UnitClosure.objects.filter(ancestor_id=rnd.root_id, descendant_id=unit_id).filter(
        active_q(on), active_q(on, "descendant__")
    )
    if "COMMUNE" in rnd.form.levels:
        return rows.filter(descendant__kind=UnitKind.COMMUNE).exists()
    levels = list(
        rows.filter(descendant__kind=UnitKind.SCHOOL).values_list(
            "descendant__school__levels", flat=True
        )[:1]
    )
    return bool(levels) and bool(set(levels[0] or []) & set(rnd.form.levels))


def _officer(user, unit: OrgUnit, on: dt.date) -> str:
    prof = profile_of(user)
    if is_admin(user):
        return "province"
    if prof is None or prof.role not in ROLE_LEVEL:
        raise PermissionDenied(
            "Chỉ cán bộ xã/phường hoặc chuyên viên Sở mới thực hiện được việc này."
        )
    require_write(user, unit.pk, on)
    return ROLE_LEVEL[Role(prof.role)]


@transaction.atomic
def do_open_round(
    user,
    form: Form,
    period_code: str,
    root: OrgUnit,
    *,
    due: dt.date | None = None,
    as_of: dt.date | None = None,
    approval_levels: list[str] | None = None,
) -> ReportingRound:
    try:
        period = periods.parse(period_code)
    except periods.PeriodError as exc:
        raise CollectionError(str(exc), "bad period") from exc
    if period.kind != form.period_kind:
        raise CollectionError(
            f"Biểu {form.code} báo cáo theo {periods.KIND_LABEL_VI[periods.PeriodKind(form.period_kind)]}, "
            f"không theo kỳ '{period.code}'.",
            "period kind does not match the form",
        )
    from tongket.catalog.actions import default_pack_dir
    from tongket.catalog.packs import check_pack

    sched = check_pack(default_pack_dir()).schedules.get(form.round, {})
    if sched and (as_of is None or due is None):
        a = tuple(int(x) for x in str(sched["as_of"]).split("/"))
        d = tuple(int(x) for x in str(sched["due"]).split("/"))
        default_as_of, default_due = periods.RoundSchedule(a, d).dates(period.school_year)  # type: ignore[arg-type]
        as_of, due = as_of or default_as_of, due or default_due
    as_of, due = as_of or period.end, due or period.end
    _officer(user, root, as_of)
    if due < as_of:
        raise CollectionError("Hạn nộp phải sau ngày chốt số liệu.", "due date before cut-off")
    if ReportingRound.objects.filter(form=form, period=period.code, root=root).exists():
        raise CollectionError(
            f"Đợt {form.code} kỳ {period.code} đã được mở cho {root.name}.", "round exists"
        )
    rnd = ReportingRound.objects.create(
        form=form,
        period=period.code,
        root=root,
        as_of=as_of,
        due=due,
        opened_by=user,
        approval_levels=approval_levels
        or (["commune", "province"] if root.kind == UnitKind.PROVINCE else ["commune"]),
    )
    RoundEvent.objects.create(round=rnd, action="open", user=user, detail=f"hạn {due:%d/%m/%Y}")
    audit.record(user, rnd, ChangeLog.Action.OPEN, after=audit.snapshot(rnd, ROUND_FIELDS))
    return rnd


def _round_change(user, rnd: ReportingRound, action: str, reason: str, detail: str = "") -> None:
    if not reason.strip():
        raise CollectionError("Cần ghi lý do.", "a reason is required")
    _officer(user, rnd.root, rnd.as_of)
    RoundEvent.objects.create(
        round=rnd, action=action, user=user, reason=clean_text(reason).strip()[:500], detail=detail
    )


def _round_log(user, rnd: ReportingRound, action: str, before: dict, reason: str) -> None:
    after = audit.snapshot(rnd, ROUND_FIELDS)
    audit.record(user, rnd, action, before=before, after=after, reason=clean_text(reason))


def can_manage_round(user, rnd: ReportingRound) -> bool:
    """Whether close/reopen/extend/remind would be allowed: the page shows those buttons only
    then (the same check _round_change and do_send_reminders make)."""
    try:
        _officer(user, rnd.root, rnd.as_of)
    except PermissionDenied:
        return False
    return True


@transaction.atomic
def do_close_round(user, rnd: ReportingRound, reason: str) -> ReportingRound:
    _round_change(user, rnd, "close", reason)
    before = audit.snapshot(rnd, ROUND_FIELDS)
    rnd.status = ReportingRound.Status.CLOSED
    rnd.save(update_fields=["status"])
    _round_log(user, rnd, ChangeLog.Action.CLOSE, before, reason)
    return rnd


@transaction.atomic
def do_reopen_round(user, rnd: ReportingRound, reason: str) -> ReportingRound:
    _round_change(user, rnd, "reopen", reason)
    before = audit.snapshot(rnd, ROUND_FIELDS)
    rnd.status = ReportingRound.Status.OPEN
    rnd.save(update_fields=["status"])
    _round_log(user, rnd, ChangeLog.Action.REOPEN, before, reason)
    return rnd


@transaction.atomic
def do_extend_round(user, rnd: ReportingRound, new_due: dt.date, reason: str) -> ReportingRound:
    if new_due <= rnd.due:
        raise CollectionError("Hạn mới phải sau hạn hiện tại.", "new due date must be later")
    _round_change(user, rnd, "extend", reason, f"{rnd.due:%d/%m/%Y} → {new_due:%d/%m/%Y}")
    before = audit.snapshot(rnd, ROUND_FIELDS)
    rnd.due = new_due
    rnd.save(update_fields=["due"])
    _round_log(user, rnd, ChangeLog.Action.EXTEND, before, reason)
    return rnd

"""Every write of the collection workflow: rounds, drafts, submit, return, approve, re-open.

Views, the API, Excel uploads and jobs call these and nothing else writes collection data. Each
action checks the user's scope, runs in one transaction, and audits what it changes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tongket.catalog.models import DataElement, Form, ValidationRule
from tongket.collection import forms_logic
from tongket.collection.cells import clean_cell_values
from tongket.collection.errors import (
    CollectionError,
    ConcurrentEdit,
    PermissionDenied,
    SubmitRefused,
)
from tongket.collection.models import (
    DataValue,
    ReportingRound,
    RoundEvent,
    Submission,
    SubmissionEvent,
    ValueAudit,
)
from tongket.core import audit
from tongket.core.models import ChangeLog
from tongket.core.scope import can_write_unit, is_admin, profile_of, require_read, require_write
from tongket.core.vntext import clean_text
from tongket.quality.rules import RuleSpec, Violation, evaluate

LEVEL_RANK = {"commune": 1, "province": 2}  # an approval is undone by its level or one above
LEVEL_VI = {"commune": "xã/phường", "province": "Sở"}
MAX_EXPLANATION = 1000  # characters kept of a warning's written explanation


# --- rounds: collection.round_actions, re-exported ---------------------------------------

from tongket.collection.round_actions import (  # noqa: E402
    ROLE_LEVEL,
    ROUND_FIELDS,
    _officer,
    can_manage_round,
    do_close_round,
    do_extend_round,
    do_open_round,
    do_reopen_round,
    expected_units,
    unit_expected,
)

__all__ = [
    "ROLE_LEVEL",
    "ROUND_FIELDS",
    "can_manage_round",
    "do_close_round",
    "do_extend_round",
    "do_open_round",
    "do_reopen_round",
    "expected_units",
    "unit_expected",
]

# --- access ----------------------------------------------------------------------------


def access_round_by_id(user, round_id: int) -> ReportingRound:
    rnd = ReportingRound.objects.select_related("form", "root").filter(pk=round_id).first()
    if rnd is None:
        raise CollectionError("Không có đợt báo cáo này.", "no such round", code="not_found")
    prof = profile_of(user)
    if not is_admin(user) and prof is not None and prof.unit_id is not None:
        # a school or commune sees a provincial round; it only acts on its own units in it
        from tongket.units.queries import is_under

        if not (
            is_under(prof.unit_id, rnd.root_id, rnd.as_of)
            or is_under(rnd.root_id, prof.unit_id, rnd.as_of)
            or prof.unit_id == rnd.root_id
        ):
            raise PermissionDenied("Bạn không có quyền xem đợt báo cáo này.")
    elif not is_admin(user):
        raise PermissionDenied("Bạn không có quyền xem đợt báo cáo này.")
    return rnd


def _check_unit_in_round(user, rnd: ReportingRound, unit_id: int, *, write: bool) -> None:
    """The user may read (write) the unit's data as of the round, and the unit must report."""
    (require_write if write else require_read)(user, unit_id, rnd.as_of)
    if not unit_expected(rnd, unit_id):
        raise CollectionError(
            "Đơn vị này không thuộc diện báo cáo của đợt.", "unit not expected in round"
        )


def access_submission(user, rnd: ReportingRound, unit_id: int, *, write: bool) -> Submission:
    """The unit's submission in the round (created as a draft on first access by a writer)."""
    _check_unit_in_round(user, rnd, unit_id, write=write)
    if write:
        sub, _ = Submission.objects.select_related("unit").get_or_create(round=rnd, unit_id=unit_id)
    else:
        found = Submission.objects.filter(round=rnd, unit_id=unit_id).select_related("unit").first()
        if found is None:
            return Submission(round=rnd, unit_id=unit_id)  # unsaved: nothing reported yet
        sub = found
    sub.round = rnd  # the round (with its form) this request already read
    return sub


def access_submission_by_id(user, submission_id: int, *, write: bool = False) -> Submission:
    sub = (
        Submission.objects.select_related("round__form", "round__root", "unit")
        .filter(pk=submission_id)
        .first()
    )
    if sub is None:
        raise CollectionError("Không có báo cáo này.", "no such submission", code="not_found")
    (require_write if write else require_read)(user, sub.unit_id, sub.round.as_of)
    return sub


# --- values ----------------------------------------------------------------------------


@dataclass
class _Snapshot:
    """What an action left in the database for one version of a submission: its values and,
    once computed, their violations. Set by do_save_values / do_submit on the instance they
    return, so reading the result back in the same request costs no query (a new version, or
    another instance, reads the database as before)."""

    version: int
    values: dict[tuple[str, str], float]
    violations: list[Violation] | None = None
    changed: int = 0  # cells the action wrote (each with its audit row)


def _snapshot(sub: Submission) -> _Snapshot | None:
    snap = getattr(sub, "_tongket_snapshot", None)
    return snap if snap is not None and snap.version == sub.version else None


def _form_elements(form: Form) -> dict[str, tuple[int, str]]:
    """code -> (pk, value_type) of the form's data elements (one query)."""
    codes = {e for e, _, _ in form.cells}
    return {
        code: (pk, vtype)
        for code, pk, vtype in DataElement.objects.filter(code__in=codes).values_list(
            "code", "pk", "value_type"
        )
    }


def _stored(
    sub: Submission, elements: dict[str, tuple[int, str]]
) -> dict[tuple[str, str], tuple[int, float]]:
    """(element, combo) -> (row pk, value) of the unit's values in the period on the form's
    cells (one query, no join)."""
    codes = {pk: code for code, (pk, _) in elements.items()}
    cells = {(e, c) for e, c, _ in sub.round.form.cells}
    rows = DataValue.objects.filter(
        unit_id=sub.unit_id, period=sub.round.period, element_id__in=list(codes)
    ).values_list("pk", "element_id", "combo", "value")
    out = {}
    for pk, el, combo, value in rows:
        key = (codes[el], combo)
        if key in cells:
            out[key] = (pk, value)
    return out


def current_values(sub: Submission) -> dict[tuple[str, str], float]:
    if sub.pk is None:
        return {}
    snap = _snapshot(sub)
    if snap is not None:
        return dict(snap.values)
    rows = DataValue.objects.filter(unit_id=sub.unit_id, period=sub.round.period).values_list(
        "element__code", "combo", "value"
    )
    cells = set(map(tuple, (c[:2] for c in sub.round.form.cells)))
    return {(e, c): v for e, c, v in rows if (e, c) in cells}


def _locked(sub: Submission) -> Submission:
    """The submission re-read with its row locked for update, for a write or a review.

    Only the submission row is locked exclusively. Its round and form rows are share-locked
    first, so the round cannot be closed (nor the form rewritten) while the write is under way,
    but the writes of the other schools of the round go on in parallel: a plain
    select_for_update() over the join would lock the round row exclusively and make every
    school of the round wait for the one before it. The round's mutable fields are read under
    that lock (a close or an extension that committed a moment ago counts); the round and form
    already loaded by the caller are kept, not read again (a form's layout is large JSON)."""
    rnd = sub.round
    if connection.vendor == "postgresql":
        rounds, forms = ReportingRound._meta.db_table, Form._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT r.status, r.due, r.approval_levels FROM {rounds} r "
                f"JOIN {forms} f ON f.id = r.form_id WHERE r.id = %s FOR SHARE",
                [sub.round_id],
            )
            status, due, levels = cur.fetchone()
    else:  # SQLite writes one at a time (transaction_mode IMMEDIATE): a plain read is enough
        status, due, levels = ReportingRound.objects.values_list(
            "status", "due", "approval_levels"
        ).get(pk=sub.round_id)
    rnd.status, rnd.due = status, due
    rnd.approval_levels = json.loads(levels) if isinstance(levels, str) else levels
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(round_id=sub.round_id, unit_id=sub.unit_id)  # the unique key: sub may be unsaved
    )
    locked.round = rnd
    return locked


def _editable(sub: Submission) -> None:
    if sub.round.status != ReportingRound.Status.OPEN:
        raise CollectionError(
            "Đợt báo cáo đã đóng; không thể sửa hay nộp.", "the round is closed", code="closed"
        )
    if sub.status in (Submission.Status.SUBMITTED, Submission.Status.APPROVED):
        raise CollectionError(
            "Báo cáo đã nộp hoặc đã duyệt nên bị khoá; cần mở lại (có lý do) trước khi sửa.",
            "the submission is locked; re-open it first",
            code="locked",
        )


_VALUE_COLUMNS = (
    "element",
    "combo",
    "unit",
    "period",
    "value",
    "submission",
    "source",
    "updated_at",
)
_AUDIT_COLUMNS = (
    "submission",
    "element_code",
    "combo",
    "unit",
    "period",
    "old_value",
    "new_value",
    "user",
    "at",
    "reason",
    "channel",
)


def _insert_rows(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT the rows (values ready for the database, in `fields` order) in one statement.

    On PostgreSQL the rows travel as one JSON array of arrays (json.dumps, in C) that the server
    unpacks and casts column by column: a form's rows used to go as one array parameter per
    column, and quoting each element into the statement (psycopg's client-side binding) was the
    biggest single cost of saving a form. Elsewhere (SQLite in tests) executemany."""
    if not rows:
        return
    cols = [model._meta.get_field(f) for f in fields]
    qn = connection.ops.quote_name
    names = ", ".join(qn(c.column) for c in cols)
    table = qn(model._meta.db_table)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            casts = ", ".join(
                f"(e->>{i})::{c.db_type(connection).split('(')[0]}" for i, c in enumerate(cols)
            )
            cur.execute(
                f"INSERT INTO {table} ({names}) SELECT {casts} FROM json_array_elements(%s::json) e",
                [json.dumps(rows)],  # _write_values sends times as ISO text
            )
        else:
            marks = ", ".join(["%s"] * len(cols))
            cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _write_values(
    user, sub: Submission, raw: dict[tuple[str, str], object], *, channel: str, reason: str
) -> tuple[dict[tuple[str, str], float], int]:
    """Write the posted values of a locked, editable submission with their audit rows; return
    the values the form holds afterwards and how many cells changed. The caller bumps the
    version (once per transaction)."""
    form = sub.round.form
    elements = _form_elements(form)
    clean = clean_cell_values(form, raw, types={c: t for c, (_, t) in elements.items()})
    stored = _stored(sub, elements)  # the current values and their rows, read under the lock
    old = {key: value for key, (_, value) in stored.items()}
    merged = {**old, **clean}
    merged.update(forms_logic.compute_totals(form, merged))
    now = timezone.now()
    period, user_id, why = sub.round.period, getattr(user, "pk", None), reason[:300]
    at = connection.ops.adapt_datetimefield_value(now)  # auto_now(_add) of the new rows
    if isinstance(at, dt.datetime):
        at = at.isoformat()  # PostgreSQL: the rows travel as JSON (see _insert_rows)
    audits: list[tuple] = []  # rows of _AUDIT_COLUMNS
    creates: list[tuple] = []  # rows of _VALUE_COLUMNS
    updates: list[DataValue] = []
    deletes: list[int] = []
    after: dict[tuple[str, str], float] = {}
    for e, c, _ in form.cells:
        key = (e, c)
        new, before = merged.get(key), old.get(key)
        if new is not None:
            after[key] = new
        if new == before:
            continue
        row = stored.get(key)
        if new is None:
            if row is not None:
                deletes.append(row[0])
        elif row is None:
            creates.append((elements[e][0], c, sub.unit_id, period, new, sub.pk, channel, at))
        else:
            updates.append(
                DataValue(pk=row[0], value=new, submission=sub, source=channel, updated_at=now)
            )
        audits.append((sub.pk, e, c, sub.unit_id, period, before, new, user_id, at, why, channel))
    if deletes:
        DataValue.objects.filter(pk__in=deletes).delete()
    _insert_rows(DataValue, _VALUE_COLUMNS, creates)
    if updates:
        DataValue.objects.bulk_update(updates, ["value", "submission", "source", "updated_at"])
    _insert_rows(ValueAudit, _AUDIT_COLUMNS, audits)
    # a returned report stays returned until resubmitted, so the officer sees it came back
    return after, len(audits)


def _open_for_write(user, sub: Submission, expected_version: int | None) -> Submission:
    """The submission locked for a write by `user`: in scope, round open, not locked by a
    submission or an approval, and (when the caller names one) still at the expected version."""
    require_write(user, sub.unit_id, sub.round.as_of)
    sub = _locked(sub)
    _editable(sub)
    if expected_version is not None and sub.version != expected_version:
        raise ConcurrentEdit()
    return sub


@transaction.atomic
def do_save_values(
    user,
    sub: Submission,
    raw: dict[tuple[str, str], object],
    *,
    expected_version: int,
    channel: str = ValueAudit.Channel.WEB,
    reason: str = "",
) -> Submission:
    """Save a draft. Optimistic lock: the version the user started from must still be current."""
    sub = _open_for_write(user, sub, expected_version)
    after, changed = _write_values(user, sub, raw, channel=channel, reason=reason)
    now = timezone.now()
    # the row is locked (select_for_update): the new version is the old one plus one
    Submission.objects.filter(pk=sub.pk).update(version=F("version") + 1, updated_at=now)
    sub.version, sub.updated_at = sub.version + 1, now
    sub._tongket_snapshot = _Snapshot(sub.version, after, changed=changed)  # type: ignore[attr-defined]
    return sub


@transaction.atomic
def do_save_and_submit(
    user,
    rnd: ReportingRound,
    unit_id: int,
    raw: dict[tuple[str, str], object],
    *,
    expected_version: int | None,
    explanations: dict[str, str] | None = None,
    channel: str = ValueAudit.Channel.API,
    reason: str = "",
) -> Submission:
    """Save the values and submit, in one transaction: what do_save_values then do_submit do,
    with one lock and one read (the API's one-request submission, for school systems that
    send a whole form at once). If the submission is refused (out of scope, a bad cell, an
    error, a warning without its explanation), nothing is saved, not even an empty draft.
    `expected_version` None skips the optimistic check (the row is still locked, and every
    change audited)."""
    _check_unit_in_round(user, rnd, unit_id, write=True)
    # the first report of the unit creates its submission row inside this transaction
    Submission.objects.bulk_create([Submission(round=rnd, unit_id=unit_id)], ignore_conflicts=True)
    sub = _open_for_write(user, Submission(round=rnd, unit_id=unit_id), expected_version)
    after, changed = _write_values(user, sub, raw, channel=channel, reason=reason)
    if not after:
        raise CollectionError("Báo cáo chưa có số liệu nào.", "the report is empty")
    sub._tongket_snapshot = _Snapshot(sub.version, after, changed=changed)  # type: ignore[attr-defined]
    return _submit_locked(user, sub, explanations)


# --- validation and workflow -------------------------------------------------------------


_RULES_CACHE: dict[tuple, list[RuleSpec]] = {}


def rules_for(form: Form) -> list[RuleSpec]:
    """The validation rules that apply to the form. The rules are read on every call (an
    administrator may edit them); parsing them is memoised on the rows' content."""
    elements = frozenset(e for e, _, _ in form.cells)
    rows = tuple(
        ValidationRule.objects.order_by("pk").values_list(
            "code", "left", "op", "right", "severity", "message_vi", "message_en"
        )
    )
    key = (elements, rows)
    hit = _RULES_CACHE.get(key)
    if hit is not None:
        return list(hit)
    from tongket.core.expr import parse

    out = []
    for code, left_text, op, right_text, severity, msg_vi, msg_en in rows:
        left = {ref.element for ref in parse(left_text).refs}
        refs = left | {ref.element for ref in parse(right_text).refs}
        if refs & elements and left <= elements:
            out.append(RuleSpec(code, left_text, op, right_text, severity, msg_vi, msg_en))
    if len(_RULES_CACHE) > 64:  # forms x rule-set versions; a bound, never reached in practice
        _RULES_CACHE.clear()
    _RULES_CACHE[key] = out
    return list(out)


def validate_submission(sub: Submission) -> list[Violation]:
    snap = _snapshot(sub) if sub.pk is not None else None
    if snap is None:
        return evaluate(rules_for(sub.round.form), current_values(sub))
    if snap.violations is None:
        snap.violations = evaluate(rules_for(sub.round.form), snap.values)
    return list(snap.violations)


def changed_cells(sub: Submission) -> int | None:
    """How many cells the action that returned `sub` wrote (None when not known)."""
    snap = _snapshot(sub)
    return snap.changed if snap is not None else None


def warning_key(v: Violation) -> str:
    return f"{v.rule}@{v.context}"


def _notify(sub: Submission) -> None:
    from tongket.collection.signals import values_changed

    unit_id, period, status = sub.unit_id, sub.round.period, sub.status
    transaction.on_commit(
        lambda: values_changed.send(
            sender=Submission, unit_id=unit_id, period=period, status=status
        )
    )


def _event(sub: Submission, status: str, user, reason: str = "", level: str = "") -> None:
    _notify(sub)
    SubmissionEvent.objects.create(
        submission=sub,
        status=status,
        user=user,
        at=timezone.now(),
        reason=clean_text(reason)[:500],
        level=level,
    )


@transaction.atomic
def do_submit(
    user, sub: Submission, *, expected_version: int, explanations: dict[str, str] | None = None
) -> Submission:
    sub = _open_for_write(user, sub, expected_version)
    values = current_values(sub)  # read once, under the lock, for both checks
    if not values:
        raise CollectionError("Báo cáo chưa có số liệu nào.", "the report is empty")
    sub._tongket_snapshot = _Snapshot(sub.version, values)  # type: ignore[attr-defined]
    return _submit_locked(user, sub, explanations)


def _submit_locked(user, sub: Submission, explanations: dict[str, str] | None) -> Submission:
    """Submit a locked, editable submission whose snapshot holds its values: errors block,
    each warning needs its explanation; the version is bumped and the event written."""
    violations = validate_submission(sub)
    errors = [v for v in violations if v.severity == "error"]
    if errors:
        raise SubmitRefused(
            f"Còn {len(errors)} lỗi phải sửa trước khi nộp: {errors[0].message_vi}.",
            f"{len(errors)} errors must be fixed first",
            code="errors",
            violations=errors,
        )
    # only the explanations of this submission's warnings are kept, each of a sensible length:
    # a client cannot park arbitrary keys or text on the submission
    warned = {warning_key(v) for v in violations if v.severity == "warning"}
    explanations = {
        k: clean_text(v).strip()[:MAX_EXPLANATION]
        for k, v in (explanations or {}).items()
        if k in warned and isinstance(v, str) and clean_text(v).strip()
    }
    missing = [
        v for v in violations if v.severity == "warning" and warning_key(v) not in explanations
    ]
    if missing:
        raise SubmitRefused(
            f"Cảnh báo cần giải trình trước khi nộp: {missing[0].message_vi}.",
            "warnings need a written explanation",
            code="explain",
            violations=missing,
        )
    snap = _snapshot(sub)
    explained = {k: v for k, v in explanations.items() if sub.explanations.get(k) != v}
    if explained:  # the change log keeps each changed explanation, old and new
        audit.record(
            user,
            sub,
            ChangeLog.Action.EXPLAIN,
            before={k: sub.explanations.get(k) for k in explained},
            after=explained,
        )
    sub.explanations = {**sub.explanations, **explanations}
    sub.status = Submission.Status.SUBMITTED
    sub.submitted_at = timezone.now()
    sub.approved_level = ""
    sub.version += 1
    sub.save(
        update_fields=[
            "explanations",
            "status",
            "submitted_at",
            "approved_level",
            "version",
            "updated_at",
        ]
    )
    if snap is not None:
        snap.version = sub.version  # same values and violations, the submitted version
    _event(sub, sub.status, user)
    return sub


def _review_level(user, sub: Submission) -> str:
    from tongket.collection.status import next_level

    level = _officer(user, sub.unit, sub.round.as_of)
    expected = next_level(sub.round.approval_levels, sub.approved_level)
    if expected is None:
        raise CollectionError("Báo cáo đã được duyệt đủ các cấp.", "already fully approved")
    if level != expected and not is_admin(user):
        raise CollectionError(
            f"Báo cáo đang chờ cấp {'xã/phường' if expected == 'commune' else 'Sở'} duyệt.",
            f"waiting for the {expected} level",
        )
    return expected


@transaction.atomic
def do_approve(user, sub: Submission, note: str = "") -> Submission:
    """Approve at the level the report waits for; `note` is kept on the workflow event."""
    sub = _locked(sub)
    if sub.status != Submission.Status.SUBMITTED:
        raise CollectionError(
            "Chỉ duyệt được báo cáo đã nộp.", "only submitted reports can be approved"
        )
    level = _review_level(user, sub)
    sub.approved_level = level
    if level == (sub.round.approval_levels or ["province"])[-1]:
        sub.status = Submission.Status.APPROVED
        sub.approved_at = timezone.now()
    sub.version += 1
    sub.save()
    _event(sub, Submission.Status.APPROVED, user, reason=note.strip(), level=level)
    return sub


@dataclass
class ApproveManyResult:
    approved: list[Submission]
    skipped: list[tuple[int, Submission | None, str]]  # (id asked for, the report, why)


def unexplained(sub: Submission, violations: list[Violation] | None = None) -> list[Violation]:
    """Errors, and warnings without a written explanation: what keeps a report from being
    approved with others in one go (an officer opens it and decides)."""
    violations = validate_submission(sub) if violations is None else violations
    return [
        v
        for v in violations
        if v.severity == "error"
        or (v.severity == "warning" and not sub.explanations.get(warning_key(v)))
    ]


def do_approve_many(user, submission_ids: list[int], note: str = "") -> ApproveManyResult:
    """Approve every clean report of the list, each through do_approve (same scope, level and
    status checks, one transaction each, so one refusal does not undo the others). A report
    with an error or an unexplained warning is skipped with the reason, as is any report
    do_approve refuses."""
    out = ApproveManyResult([], [])
    for sid in dict.fromkeys(submission_ids):  # once each, in the order given
        sub = None
        try:
            sub = access_submission_by_id(user, sid, write=True)
            with transaction.atomic():
                problems = unexplained(sub)
                if problems:
                    errors = sum(1 for v in problems if v.severity == "error")
                    why = (
                        f"còn {errors} lỗi: {problems[0].message_vi}"
                        if errors
                        else f"cảnh báo chưa giải trình: {problems[0].message_vi}"
                    )
                    out.skipped.append((sid, sub, why))
                    continue
                out.approved.append(do_approve(user, sub, note))
        except (CollectionError, PermissionDenied) as exc:
            why = getattr(exc, "message_vi", None) or str(exc) or "không có quyền duyệt"
            out.skipped.append((sid, sub, why))
    return out


@transaction.atomic
def do_return(user, sub: Submission, reason: str) -> Submission:
    if not reason.strip():
        raise CollectionError("Cần ghi lý do trả lại.", "a reason is required")
    sub = _locked(sub)
    if sub.status != Submission.Status.SUBMITTED:
        raise CollectionError(
            "Chỉ trả lại được báo cáo đã nộp.", "only submitted reports can be returned"
        )
    level = _review_level(user, sub)
    sub.status, sub.approved_level = Submission.Status.RETURNED, ""
    sub.version += 1
    sub.save()
    _event(sub, sub.status, user, reason=reason.strip(), level=level)
    return sub


@transaction.atomic
def do_reopen(user, sub: Submission, reason: str) -> Submission:
    """Unlock an approved (or submitted) report for correction; needs an officer and a reason."""
    if not reason.strip():
        raise CollectionError("Cần ghi lý do mở lại.", "a reason is required")
    sub = _locked(sub)
    level = _officer(user, sub.unit, sub.round.as_of)
    if sub.status not in (Submission.Status.APPROVED, Submission.Status.SUBMITTED):
        raise CollectionError("Báo cáo chưa bị khoá.", "not locked")
    approved_by = sub.approved_level or (
        (sub.round.approval_levels or ["province"])[-1]
        if sub.status == Submission.Status.APPROVED
        else ""
    )
    if (
        approved_by
        and not is_admin(user)
        and LEVEL_RANK.get(level, 0) < LEVEL_RANK.get(approved_by, 99)
    ):
        # what a level approved, only that level (or one above) may undo
        raise PermissionDenied(
            f"Báo cáo đã được cấp {LEVEL_VI.get(approved_by, approved_by)} duyệt; chỉ cấp "
            f"{LEVEL_VI.get(approved_by, approved_by)} trở lên mới mở lại được."
        )
    sub.status, sub.approved_level, sub.approved_at = Submission.Status.RETURNED, "", None
    sub.version += 1
    sub.save()
    _event(sub, sub.status, user, reason="Mở lại: " + reason.strip(), level=level)
    return sub


def can_review(user, sub: Submission) -> bool:
    try:
        _review_level(user, sub)
    except (CollectionError, PermissionDenied):
        return False
    return sub.status == Submission.Status.SUBMITTED and can_write_unit(
        user, sub.unit_id, sub.round.as_of
    )


def do_send_reminders(user, rnd: ReportingRound) -> int:
    """E-mail the users of every unit still behind (nothing submitted, a draft, or returned)."""
    from django.conf import settings
    from django.core.mail import send_mass_mail

    from tongket.collection.queries import reporting_rates
    from tongket.core.models import Profile

    _officer(user, rnd.root, rnd.as_of)
    behind = reporting_rates(rnd).behind
    unit_ids = [m.unit.pk for m in behind]
    mails = []
    for prof in Profile.objects.filter(unit_id__in=unit_ids).select_related("user", "unit"):
        if not prof.user.email:
            continue
        subject = f"[Tongket] Nhắc nộp báo cáo {rnd.form.code} kỳ {rnd.period}"
        body = (
            f"Kính gửi {prof.full_name or prof.user.username},\n\n{prof.unit.name if prof.unit else ''} chưa nộp báo cáo "
            f"{rnd.form.name_vi} kỳ {rnd.period}, hạn nộp {rnd.due:%d/%m/%Y}.\n"
            "Đề nghị đơn vị hoàn thành và nộp báo cáo trên Tongket.\n"
        )
        mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, [prof.user.email]))
    send_mass_mail(mails, fail_silently=False)
    RoundEvent.objects.create(round=rnd, action="remind", user=user, detail=f"{len(mails)} thư")
    return len(mails)

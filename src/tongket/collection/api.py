"""Collection API: rounds, submissions, values (read and write within scope), reporting rates."""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import PermissionDenied
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import BaseModel, Field

from tongket.collection import actions, queries, uploads
from tongket.collection.errors import CollectionError
from tongket.collection.models import ReportingRound, Submission
from tongket.collection.status import status_label
from tongket.core.scope import is_admin, profile_of

router = Router(tags=["collection"])


class RoundOut(Schema):
    id: int
    form: str
    form_version: str
    period: str
    root_code: str
    as_of: dt.date
    due: dt.date
    status: str


class CellIn(Schema):
    element: str
    combo: str = ""
    # bool first: JSON true stays True (and is refused by cells.py, naming the cell) instead
    # of being read as 1.0 by pydantic's lax float
    value: bool | float | str | None


class ValuesIn(Schema):
    version: int
    values: list[CellIn]
    reason: str = ""


class SubmitIn(Schema):
    version: int
    explanations: dict[str, str] = {}


class ReportCell(BaseModel):
    # a plain pydantic model, not a ninja Schema: a form of 500 cells is validated in
    # pydantic's core, without ninja's per-object Python hook (which reads ORM attributes)
    element: str = Field(max_length=60)
    combo: str = Field(default="", max_length=200)
    # bool first: JSON true stays True (and is refused by cells.py, naming the cell) instead
    # of being read as 1.0 by pydantic's lax float
    value: bool | float | str | None


class ReportIn(BaseModel):
    version: int | None = Field(
        default=None, description="optimistic lock: the version read; null = whatever is current"
    )
    values: list[ReportCell] = Field(max_length=5000)
    explanations: dict[str, str] = {}
    reason: str = Field(default="", max_length=300)


class ReportOut(BaseModel):
    id: int
    round_id: int
    unit_id: int
    status: str
    status_label: str = Field(description="the state in the user's words (Chờ xã duyệt, …)")
    version: int
    submitted_at: dt.datetime | None
    changed: int = Field(description="cells written by this request (each audited)")
    values: int = Field(description="values the form holds now (totals included)")
    warnings_explained: int


class SubmissionOut(Schema):
    id: int | None
    round_id: int
    unit_code: str
    status: str
    status_label: str
    version: int
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    values: list[CellIn]
    errors: list[str]
    warnings: dict[str, str]


class RatesOut(Schema):
    expected: int
    submitted: int
    on_time: int
    late: int
    missing: int
    returned: int
    approved: int
    behind: list[dict]


def _round_out(r: ReportingRound) -> RoundOut:
    return RoundOut(
        id=r.pk,
        form=r.form.code,
        form_version=r.form.version,
        period=r.period,
        root_code=r.root.code,
        as_of=r.as_of,
        due=r.due,
        status=r.status,
    )


def _sub_out(sub: Submission) -> SubmissionOut:
    values = actions.current_values(sub)
    violations = actions.validate_submission(sub) if sub.pk else []
    return SubmissionOut(
        id=sub.pk,
        round_id=sub.round_id,
        unit_code=sub.unit.code,
        status=sub.status,
        status_label=status_label(sub),
        version=sub.version,
        submitted_at=sub.submitted_at,
        approved_at=sub.approved_at,
        values=[CellIn(element=e, combo=c, value=v) for (e, c), v in sorted(values.items())],
        errors=[v.message_vi for v in violations if v.severity == "error"],
        warnings={
            actions.warning_key(v): v.message_vi for v in violations if v.severity == "warning"
        },
    )


@router.get("/rounds", response=list[RoundOut])
def list_rounds(request, status: str | None = None):
    qs = ReportingRound.objects.select_related("form", "root").order_by("-as_of")
    if status:
        qs = qs.filter(status=status)
    prof = profile_of(request.user)
    if is_admin(request.user):
        return [_round_out(r) for r in qs[:500]]
    out = []
    for r in qs[:500]:
        if prof and prof.unit_id:
            try:
                actions.access_round_by_id(request.user, r.pk)
            except (PermissionDenied, CollectionError):  # not visible to this user
                continue
            out.append(_round_out(r))
    return out


@router.get("/rounds/{round_id}/rates", response=RatesOut)
def round_rates(request, round_id: int):
    rnd = actions.access_round_by_id(request.user, round_id)
    prof = profile_of(request.user)
    under = prof.unit if prof and prof.unit and not is_admin(request.user) else None
    r = queries.reporting_rates(rnd, under)
    return RatesOut(
        expected=r.expected,
        submitted=r.submitted,
        on_time=r.on_time,
        late=r.late,
        missing=r.missing,
        returned=r.returned,
        approved=r.approved,
        behind=[
            {
                "unit_code": m.unit.code,
                "unit_name": m.unit.name,
                "status": m.status,
                "days_late": m.days_late,
            }
            for m in r.behind
        ],
    )


@router.get("/rounds/{round_id}/units/{unit_id}", response=SubmissionOut)
def get_submission(request, round_id: int, unit_id: int):
    rnd = actions.access_round_by_id(request.user, round_id)
    return _sub_out(actions.access_submission(request.user, rnd, unit_id, write=False))


@router.put("/rounds/{round_id}/units/{unit_id}/values", response=SubmissionOut)
def put_values(request, round_id: int, unit_id: int, payload: ValuesIn):
    rnd = actions.access_round_by_id(request.user, round_id)
    sub = actions.access_submission(request.user, rnd, unit_id, write=True)
    raw: dict[tuple[str, str], object] = {(c.element, c.combo): c.value for c in payload.values}
    sub = actions.do_save_values(
        request.user,
        sub,
        raw,
        expected_version=payload.version,
        channel="api",
        reason=payload.reason,
    )
    return _sub_out(sub)


@router.post("/rounds/{round_id}/units/{unit_id}/submit", response=SubmissionOut)
def submit(request, round_id: int, unit_id: int, payload: SubmitIn):
    rnd = actions.access_round_by_id(request.user, round_id)
    sub = actions.access_submission(request.user, rnd, unit_id, write=True)
    sub = actions.do_submit(
        request.user, sub, expected_version=payload.version, explanations=payload.explanations
    )
    return _sub_out(sub)


@router.post("/rounds/{round_id}/units/{unit_id}/report", response=ReportOut)
def submit_report(request, round_id: int, unit_id: int, payload: ReportIn):
    """Save the values and submit them in one request (one transaction): for a school's own
    system that sends the whole form at once. Refused as a whole, with every problem listed
    (422), when a cell is bad, a rule reports an error or a warning lacks its explanation."""
    rnd = actions.access_round_by_id(request.user, round_id)
    raw: dict[tuple[str, str], object] = {(c.element, c.combo): c.value for c in payload.values}
    sub = actions.do_save_and_submit(
        request.user,
        rnd,
        unit_id,
        raw,
        expected_version=payload.version,
        explanations=payload.explanations,
        channel="api",
        reason=payload.reason,
    )
    return ReportOut(
        id=sub.pk,
        round_id=sub.round_id,
        unit_id=sub.unit_id,
        status=sub.status,
        status_label=status_label(sub),
        version=sub.version,
        submitted_at=sub.submitted_at,
        changed=actions.changed_cells(sub) or 0,
        values=len(actions.current_values(sub)),
        warnings_explained=len(sub.explanations),
    )


# --- Excel upload ----------------------------------------------------------------------


class ConflictOut(BaseModel):
    element: str
    combo: str
    place: str = Field(description="sheet!cell in the workbook")
    base: float | None = Field(description="the value when the workbook was downloaded")
    current: float | None = Field(description="the value stored now")
    mine: float | None = Field(description="the workbook's value")
    choice: str | None = Field(description="mine, theirs, or null: still to choose")


class UploadProblemOut(BaseModel):
    place: str
    severity: str
    code: str
    message_vi: str


class UploadOut(BaseModel):
    file: int = Field(description="position in the zip (0 for a single workbook)")
    filename: str
    unit_code: str | None
    ok: bool = Field(description="no errors (conflicts may remain)")
    applied: bool
    duplicate: bool = Field(description="the file would change no value")
    changed: int = Field(description="cells written (applied) or to be written (dry run)")
    kept_theirs: int = Field(description="cells changed elsewhere that the file left as they were")
    conflicts: list[ConflictOut]
    problems: list[UploadProblemOut]


def _choices_in(raw: str) -> dict[int, dict[tuple[str, str], str]]:
    """`[{"file": 0, "element": "pupils", "combo": "...", "keep": "mine"}, ...]`."""
    if not raw.strip():
        return {}
    try:
        items = json.loads(raw)
        out: dict[int, dict[tuple[str, str], str]] = {}
        for it in items:
            out.setdefault(int(it.get("file", 0)), {})[
                (str(it["element"]), str(it.get("combo", "")))
            ] = str(it["keep"])
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CollectionError(
            'choices phải là danh sách JSON [{"file": 0, "element": …, "combo": …, '
            '"keep": "mine" | "theirs"}].',
            "choices must be a JSON list of {file, element, combo, keep}",
            code="bad_choices",
        ) from exc
    return out


def _upload_out(o: uploads.UploadOutcome) -> UploadOut:
    return UploadOut(
        file=o.index,
        filename=o.filename,
        unit_code=o.unit.code if o.unit else None,
        ok=o.ok,
        applied=o.applied,
        duplicate=o.duplicate,
        changed=o.changed,
        kept_theirs=o.kept_theirs,
        conflicts=[
            ConflictOut(
                element=c.element,
                combo=c.combo,
                place=o.where.get(c.key, ""),
                base=c.base,
                current=c.current,
                mine=c.mine,
                choice=c.choice,
            )
            for c in o.conflicts
        ],
        problems=[
            UploadProblemOut(
                place=f"{p.sheet}!{p.cell}" if p.sheet else "",
                severity=p.severity,
                code=p.code,
                message_vi=p.message_vi,
            )
            for p in o.problems
        ]
        + [
            UploadProblemOut(place=place, severity=v.severity, code="rule", message_vi=v.message_vi)
            for place, v in o.located_violations
        ],
    )


@router.post("/rounds/{round_id}/excel", response=list[UploadOut])
def upload_excel(
    request,
    round_id: int,
    file: File[UploadedFile],
    apply: Form[bool] = False,
    unit: Form[int | None] = None,
    choices: Form[str] = "",
):
    """A workbook (.xlsx) or an office's zip of workbooks: a dry run by default, applied with
    apply=true. A cell changed both in the file and elsewhere since its download is a conflict
    (never overwritten silently): send the choice per cell in `choices` and apply again."""
    rnd = actions.access_round_by_id(request.user, round_id)
    name = file.name or ""
    max_bytes = uploads.limits().max_bytes
    if (file.size or 0) > max_bytes:
        raise CollectionError(
            f"Tệp “{name}” quá lớn; giới hạn {max_bytes // 1024} KB.", "file too large"
        )
    data = file.read()
    picked = _choices_in(choices)
    if name.lower().endswith(".zip"):
        outcomes = uploads.batch(request.user, rnd, data, apply=apply, choices=picked)
    else:
        run = uploads.commit if apply else uploads.preview
        outcomes = [run(request.user, rnd, data, name, unit, picked.get(0))]
    return [_upload_out(o) for o in outcomes]

"""Excel both ways, on top of collection.excel (pure) and collection.actions (writes).

Upload is two steps: a dry run that reports every problem by sheet and cell and what the rules
say about the figures, then a commit on confirmation that re-reads the same bytes. The same file
applied twice to a submission changes nothing (its SHA-256 is remembered).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from tongket.catalog.models import DataElement
from tongket.collection import actions, forms_logic
from tongket.collection.errors import CollectionError, PermissionDenied
from tongket.collection.excel import (
    ExpectedMeta,
    Limits,
    Problem,
    UploadResult,
    WorkbookMeta,
    build_workbook,
    fingerprint,
    plan_layout,
    read_upload,
    read_zip,
)
from tongket.collection.models import PendingUpload, ReportingRound, Submission, UploadedFile
from tongket.collection.status import status_label
from tongket.core.scope import can_write_unit
from tongket.quality.rules import Violation, evaluate
from tongket.units.models import OrgUnit, UnitKind, active_q


def hmac_key() -> bytes:
    # Derived from the deployment secret: a workbook signed here cannot be forged elsewhere.
    return hmac.new(settings.SECRET_KEY.encode(), b"tongket-excel-v1", hashlib.sha256).digest()


def limits() -> Limits:
    cfg = settings.TONGKET
    return Limits(
        max_bytes=cfg.max_upload_mb * 1024 * 1024,
        max_unzipped_bytes=cfg.max_unzipped_mb * 1024 * 1024,
        max_members=cfg.max_zip_members,
        batch_max_bytes=cfg.max_upload_mb * 1024 * 1024,
        batch_max_unzipped_bytes=cfg.max_unzipped_mb * 1024 * 1024,
    )


def _value_types() -> dict[str, str]:
    return dict(DataElement.objects.values_list("code", "value_type"))


def workbook_for(user, rnd: ReportingRound, unit_id: int) -> tuple[str, bytes]:
    sub = actions.access_submission(user, rnd, unit_id, write=False)
    unit = OrgUnit.objects.get(pk=unit_id)
    meta = WorkbookMeta(
        form_code=rnd.form.code,
        form_version=rnd.form.version,
        form_name=rnd.form.name_vi,
        round_id=rnd.pk,
        period=rnd.period,
        unit_code=unit.code,
        unit_name=unit.name,
        due=rnd.due,
        status=status_label(sub),  # display only: the state in the user's words
    )
    data = build_workbook(
        meta,
        rnd.form.layout,
        actions.current_values(sub),
        sub.explanations,
        hmac_key=hmac_key(),
        value_types=_value_types(),
    )
    safe_form = rnd.form.code.replace(".", "-")
    return f"{safe_form}_{rnd.period}_{unit.code}.xlsx", data


@dataclass
class UploadOutcome:
    filename: str
    unit: OrgUnit | None = None
    problems: list[Problem] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    duplicate: bool = False
    applied: bool = False
    changed: int = 0
    values: dict = field(default_factory=dict)
    places: list[str] = field(default_factory=list)  # sheet!cell of each violation

    @property
    def located_violations(self) -> list[tuple[str, Violation]]:
        return list(zip(self.places, self.violations, strict=False))

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems) and not any(
            v.severity == "error" for v in self.violations
        )


def _problem(filename: str, vi: str, en: str, code: str) -> Problem:
    return Problem(
        sheet="",
        cell="",
        element="",
        combo="",
        severity="error",
        message_vi=vi,
        message_en=en,
        code=code,
        file=filename,
    )


def preview(
    user, rnd: ReportingRound, data: bytes, filename: str, unit_id: int | None = None
) -> UploadOutcome:
    """The dry run: read, check identity and scope, validate the figures; writes nothing."""
    out = UploadOutcome(filename)
    unit_code = OrgUnit.objects.get(pk=unit_id).code if unit_id else None
    expected = ExpectedMeta(rnd.form.code, rnd.form.version, str(rnd.pk), rnd.period, unit_code)
    result: UploadResult = read_upload(
        data, expected, rnd.form.layout, hmac_key(), limits(), value_types=_value_types()
    )
    out.problems = list(result.problems)
    if not result.meta.get("unit_code"):
        return out
    unit = (
        OrgUnit.objects.filter(
            kind__in=[UnitKind.SCHOOL, UnitKind.COMMUNE], code=result.meta["unit_code"]
        )
        .filter(active_q(rnd.as_of))
        .first()
    )
    if unit is None or not can_write_unit(user, unit.pk, rnd.as_of):
        # same message whether the unit exists or not: no probing of other units' codes
        out.problems.append(
            _problem(
                filename,
                f"Bạn không có quyền nộp báo cáo cho đơn vị mã {result.meta['unit_code']}.",
                "you may not report for this unit",
                "scope",
            )
        )
        return out
    out.unit = unit
    if not actions.expected_units(rnd).filter(pk=unit.pk).exists():
        out.problems.append(
            _problem(
                filename,
                f"{unit.name} không thuộc diện báo cáo của đợt này.",
                "unit not expected in this round",
                "not_expected",
            )
        )
        return out
    sub = Submission.objects.filter(round=rnd, unit=unit).first()
    if (
        sub is not None
        and UploadedFile.objects.filter(submission=sub, sha256=result.fingerprint).exists()
    ):
        out.duplicate = True
    if not result.ok:
        return out
    current = actions.current_values(sub) if sub else {}
    merged = {k: v for k, v in {**current, **result.values}.items() if v is not None}
    merged.update(
        {k: v for k, v in forms_logic.compute_totals(rnd.form, merged).items() if v is not None}
    )
    out.violations = evaluate(actions.rules_for(rnd.form), merged)
    plan = plan_layout(rnd.form.code, rnd.form.layout)
    where = plan.by_key()
    for v in out.violations:
        # "Biểu 02!F17: ..." — the rule's left-hand cell, where the user will look first
        cell = next((where[k] for k in v.cells if k in where), None)
        out.places.append(f"{plan.sheet}!{cell.coord}" if cell else "")
    out.values = result.values
    out.changed = sum(1 for k, v in result.values.items() if current.get(k) != v)
    return out


def commit(
    user, rnd: ReportingRound, data: bytes, filename: str, unit_id: int | None = None
) -> UploadOutcome:
    """Apply a workbook after the user confirmed its dry run. All or nothing per workbook."""
    out = preview(user, rnd, data, filename, unit_id)
    if not out.ok or out.unit is None or out.duplicate:
        return out
    with transaction.atomic():
        sub = actions.access_submission(user, rnd, out.unit.pk, write=True)
        if (
            UploadedFile.objects.select_for_update()
            .filter(submission=sub, sha256=fingerprint(data))
            .exists()
        ):
            out.duplicate = True
            return out
        actions.do_save_values(
            user,
            sub,
            out.values,
            expected_version=sub.version,
            channel="excel",
            reason=f"Tải lên tệp {filename}"[:300],
        )
        UploadedFile.objects.create(
            submission=sub, sha256=fingerprint(data), name=filename[:255], user=user
        )
    out.applied = True
    return out


def batch(user, rnd: ReportingRound, data: bytes, *, apply: bool) -> list[UploadOutcome]:
    """A zip of workbooks from an office: each file checked (and applied) on its own."""
    outcomes = []
    for item in read_zip(data, limits()):
        if isinstance(item, Problem):
            outcomes.append(UploadOutcome(item.file or "(tệp nén)", problems=[item]))
            continue
        try:
            run = commit if apply else preview
            outcomes.append(run(user, rnd, item.data, item.filename))
        except (CollectionError, PermissionDenied) as exc:
            outcomes.append(
                UploadOutcome(
                    item.filename,
                    problems=[
                        _problem(
                            item.filename,
                            getattr(exc, "message_vi", str(exc)),
                            getattr(exc, "message_en", str(exc)),
                            "refused",
                        )
                    ],
                )
            )
    return outcomes


def stash(
    user, rnd: ReportingRound, data: bytes, name: str, *, is_zip: bool, unit_id: int | None
) -> PendingUpload:
    PendingUpload.objects.filter(
        user=user, round=rnd
    ).delete()  # one pending upload per user and round
    return PendingUpload.objects.create(
        user=user,
        round=rnd,
        unit_id=unit_id,
        name=name[:255],
        sha256=fingerprint(data),
        is_zip=is_zip,
        data=data,
    )


def take_pending(user, pending_id: int) -> PendingUpload:
    pending = (
        PendingUpload.objects.filter(pk=pending_id, user=user).select_related("round__form").first()
    )
    if pending is None:
        raise CollectionError(
            "Không tìm thấy tệp đang chờ xác nhận; hãy tải lên lại.",
            "no pending upload",
            code="not_found",
        )
    return pending

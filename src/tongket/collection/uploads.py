"""Excel both ways, on top of collection.excel (pure) and collection.actions (writes).

Upload is two steps: a dry run that reports every problem by sheet and cell and what the rules
say about the figures, then a commit on confirmation that re-reads the same bytes.

Each workbook carries its base (the submission's version and values when it was downloaded,
signed with django.core.signing), so an upload never undoes newer work: a cell changed both in
the file and elsewhere since the download is a conflict the user settles cell by cell ("giữ của
tôi" / "giữ bản hiện tại"); see excel/merge.py. A file that would write nothing is a duplicate,
whatever its bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import transaction

from tongket.catalog.models import DataElement
from tongket.collection import actions, forms_logic
from tongket.collection.errors import CollectionError, ConcurrentEdit, PermissionDenied
from tongket.collection.excel import (
    Conflict,
    ExpectedMeta,
    Limits,
    Problem,
    UploadResult,
    WorkbookMeta,
    base_token,
    build_workbook,
    fingerprint,
    merge,
    plan_layout,
    read_upload,
    read_zip,
    values_digest,
)
from tongket.collection.models import PendingUpload, ReportingRound, Submission, UploadedFile
from tongket.collection.status import status_label
from tongket.core.scope import can_write_unit
from tongket.core.vntext import format_number
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


BASE_SALT = "tongket.collection.excel.base"
Key = tuple[str, str]
Choices = Mapping[Key, str]


def make_base(rnd: ReportingRound, unit: OrgUnit, version: int, values: Mapping) -> str:
    """The signed base a workbook carries: round, unit, version, digest and the values."""
    rows = sorted([e, c, v] for (e, c), v in values.items() if v is not None)
    payload = {
        "r": rnd.pk,
        "u": unit.code,
        "v": version,
        "d": values_digest(values),
        "b": rows,
    }
    return signing.dumps(payload, salt=BASE_SALT, compress=True)


def read_base(token: str, rnd: ReportingRound, unit: OrgUnit) -> tuple[dict | None, str]:
    """(base values, "") when the token verifies and belongs to this round and unit; else
    (None, why): the file is then treated as based on nothing (merge.py)."""
    if not token:
        return None, "missing"
    try:
        payload = signing.loads(token, salt=BASE_SALT)
        base = {(str(e), str(c)): float(v) for e, c, v in payload["b"]}
        ok = (
            payload["r"] == rnd.pk
            and payload["u"] == unit.code
            and payload["d"] == values_digest(base)
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None, "invalid"
    return (base, "") if ok else (None, "invalid")


def workbook_for(user, rnd: ReportingRound, unit_id: int) -> tuple[str, bytes]:
    sub = actions.access_submission(user, rnd, unit_id, write=False)
    unit = OrgUnit.objects.get(pk=unit_id)
    values = actions.current_values(sub)
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
        base=make_base(rnd, unit, sub.version, values),
    )
    data = build_workbook(
        meta,
        rnd.form.layout,
        values,
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
    values: dict = field(default_factory=dict)  # what applying the file writes (merged)
    places: list[str] = field(default_factory=list)  # sheet!cell of each violation
    conflicts: list[Conflict] = field(default_factory=list)
    kept_theirs: int = 0  # cells changed elsewhere that the file left as downloaded
    base_version: int | None = None  # the version the file was downloaded at, when known
    version: int = 0  # the submission's version the merge was computed against
    where: dict = field(default_factory=dict)  # (element, combo) -> "Biểu 02!F17"
    index: int = 0  # position in a batch: the key of its choices

    labels: dict = field(default_factory=dict)  # (element, combo) -> where it is on paper

    @property
    def open_conflicts(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.choice is None]

    @property
    def conflict_rows(self) -> list[dict]:
        """What the page shows per conflict: where, the three values, the choice field."""

        def shown(v: float | None) -> str:
            if v is None:
                return "(trống)"
            return format_number(v, 0 if float(v).is_integer() else 2)

        return [
            {
                "place": self.where.get(c.key, ""),
                "label": self.labels.get(c.key, f"{c.element}[{c.combo}]"),
                "base": shown(c.base),
                "current": shown(c.current),
                "mine": shown(c.mine),
                "name": f"keep-{self.index}-{c.field}",
                "choice": c.choice or "",
            }
            for c in self.conflicts
        ]

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


def _scope_problem(filename: str, code: str = "") -> Problem:
    """Refusal of a unit outside the user's scope, worded the same whether it exists or not;
    `code` is only ever the one the caller's own file names."""
    what = f"đơn vị mã {code}" if code else "đơn vị này"
    return _problem(
        filename,
        f"Bạn không có quyền nộp báo cáo cho {what}.",
        "you may not report for this unit",
        "scope",
    )


def _warning(filename: str, vi: str, en: str, code: str) -> Problem:
    return dataclasses.replace(_problem(filename, vi, en, code), severity="warning")


_BASE_WHY = {
    "missing": (
        "Tệp không mang thông tin phiên bản gốc (tải về từ phiên bản cũ của hệ thống)",
        "the file carries no base",
        "base_missing",
    ),
    "invalid": (
        "Không xác thực được phiên bản gốc ghi trong tệp",
        "the file's base does not verify",
        "base_invalid",
    ),
}


def preview(
    user,
    rnd: ReportingRound,
    data: bytes,
    filename: str,
    unit_id: int | None = None,
    choices: Choices | None = None,
) -> UploadOutcome:
    """The dry run: read, check identity and scope, merge with the stored values (conflicts
    cell by cell), validate the figures; writes nothing."""
    out = UploadOutcome(filename)
    unit_code = None
    if unit_id:
        # the page's unit must be the user's before its code goes into any message: one answer
        # for "not yours" and "does not exist", so ids cannot be probed for codes
        named = OrgUnit.objects.filter(pk=unit_id).first()
        if named is None or not can_write_unit(user, named.pk, rnd.as_of):
            out.problems.append(_scope_problem(filename))
            return out
        unit_code = named.code
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
        out.problems.append(_scope_problem(filename, result.meta["unit_code"]))
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
    sub = Submission.objects.filter(round=rnd, unit=unit).select_related("round__form").first()
    if not result.ok:
        return out
    current = actions.current_values(sub) if sub else {}
    out.version = sub.version if sub else 0
    base, why = read_base(base_token(result.meta), rnd, unit)
    if base is None:
        vi, en, code = _BASE_WHY[why]
        out.problems.append(
            _warning(
                filename,
                f"{vi}: mọi ô mà tệp sửa số liệu đang có được coi là xung đột, cần chọn "
                "giữ số liệu nào.",
                f"{en}: every stored figure the file changes is a conflict",
                code,
            )
        )
    merged_file = merge(result.values, current, base, choices)
    out.conflicts = merged_file.conflicts
    out.kept_theirs = len(merged_file.kept_theirs)
    # duplicates are judged on values: a file that writes nothing changes nothing
    out.duplicate = merged_file.changes_nothing
    writes = merged_file.writes
    merged = {k: v for k, v in {**current, **writes}.items() if v is not None}
    merged.update(
        {k: v for k, v in forms_logic.compute_totals(rnd.form, merged).items() if v is not None}
    )
    out.violations = evaluate(actions.rules_for(rnd.form), merged)
    plan = plan_layout(rnd.form.code, rnd.form.layout)
    where = plan.by_key()
    out.where = {k: f"{plan.sheet}!{pc.coord}" for k, pc in where.items()}
    if out.conflicts:
        index = forms_logic.cell_index(rnd.form)
        out.labels = {c.key: index[c.key].label for c in out.conflicts if c.key in index}
    for v in out.violations:
        # "Biểu 02!F17: ..." — the rule's left-hand cell, where the user will look first
        cell = next((where[k] for k in v.cells if k in where), None)
        out.places.append(f"{plan.sheet}!{cell.coord}" if cell else "")
    out.values = writes
    out.changed = len(writes)
    return out


def commit(
    user,
    rnd: ReportingRound,
    data: bytes,
    filename: str,
    unit_id: int | None = None,
    choices: Choices | None = None,
) -> UploadOutcome:
    """Apply a workbook after the user confirmed its dry run. All or nothing per workbook."""
    out = preview(user, rnd, data, filename, unit_id, choices)
    if not out.ok or out.unit is None or out.duplicate or out.open_conflicts:
        return out
    try:
        with transaction.atomic():
            sub = actions.access_submission(user, rnd, out.unit.pk, write=True)
            # the merge was computed against out.version: a write since then raises
            # ConcurrentEdit instead of being overwritten
            actions.do_save_values(
                user,
                sub,
                out.values,
                expected_version=out.version,
                channel="excel",
                reason=f"Tải lên tệp {filename}"[:300],
            )
            UploadedFile.objects.get_or_create(
                submission=sub,
                sha256=fingerprint(data),
                defaults={"name": filename[:255], "user": user},
            )
    except CollectionError as exc:
        # a write since the dry run (ConcurrentEdit), a report submitted or a round closed
        # meanwhile: reported on the file, nothing of it saved
        code = "concurrent" if isinstance(exc, ConcurrentEdit) else exc.code or "refused"
        out.problems.append(_problem(filename, exc.message_vi, exc.message_en, code))
        return out
    out.applied = True
    return out


def batch(
    user,
    rnd: ReportingRound,
    data: bytes,
    *,
    apply: bool,
    choices: Mapping[int, Choices] | None = None,
) -> list[UploadOutcome]:
    """A zip of workbooks from an office: each file checked (and applied) on its own.
    `choices` holds the conflict choices per file, keyed by its position in the zip."""
    outcomes = []
    for i, item in enumerate(read_zip(data, limits())):
        if isinstance(item, Problem):
            outcomes.append(UploadOutcome(item.file or "(tệp nén)", problems=[item], index=i))
            continue
        try:
            run = commit if apply else preview
            outcome = run(user, rnd, item.data, item.filename, None, (choices or {}).get(i))
        except (CollectionError, PermissionDenied) as exc:
            outcome = UploadOutcome(
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
        outcome.index = i
        outcomes.append(outcome)
    return outcomes


def parse_choices(post: Mapping[str, str]) -> dict[int, dict[Key, str]]:
    """Conflict choices from the confirm form: fields "keep-<file index>-<element>|<combo>"
    with value "mine" or "theirs" (the form that the dry-run page shows)."""
    out: dict[int, dict[Key, str]] = {}
    for name, value in post.items():
        if not name.startswith("keep-"):
            continue
        index, _, key = name[5:].partition("-")
        element, sep, combo = key.partition("|")
        if index.isdigit() and sep:
            out.setdefault(int(index), {})[(element, combo)] = value
    return out


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

"""Every write of the reports app: drafts (the user-written parts) and build jobs.

Who may do what (core.scope): generating a report needs read access to the unit on the tree
date of the period (leaders may generate; a school user only for their own school); editing a
draft needs write access (leaders read only). `user=None` is the command line.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from tongket.core import audit
from tongket.core.definitions import MODES
from tongket.core.models import ChangeLog
from tongket.core.scope import can_read_unit, can_write_unit
from tongket.core.vntext import clean_text
from tongket.reports.builder import Built, Narrative, ReportError, build_report, report_tree
from tongket.reports.builder import report_year as _school_year
from tongket.reports.docgen import ReportKind, build_xlsx, render_docx
from tongket.reports.jobqueue import WorkerPool
from tongket.reports.models import ReportDraft, ReportJob
from tongket.units.models import OrgUnit

log = logging.getLogger(__name__)
STALE = dt.timedelta(minutes=15)  # a job "running" longer than this died with its process
DRAFT_FIELDS = ReportDraft.NARRATIVE_FIELDS


def canonical(period: str, kind: str) -> tuple[str, ReportKind]:
    try:
        k = ReportKind(kind)
    except ValueError:
        raise ReportError(f"loại báo cáo không hợp lệ: {kind}") from None
    return _school_year(period).code, k


def tree_day(unit: OrgUnit, period: str, mode: str) -> dt.date:
    return report_tree(unit, period, mode)[1]


def require_generate(user, unit: OrgUnit, period: str, mode: str = "as_of") -> None:
    if user is None:
        return
    if not can_read_unit(user, unit.pk, tree_day(unit, period, mode)):
        raise PermissionDenied("Bạn không có quyền lập báo cáo của đơn vị này.")


def require_edit(user, unit: OrgUnit, period: str) -> None:
    if user is None:
        return
    if not can_write_unit(user, unit.pk, tree_day(unit, period, "as_of")) and not can_write_unit(
        user, unit.pk, timezone.localdate()
    ):
        raise PermissionDenied("Bạn không có quyền sửa bản thảo báo cáo của đơn vị này.")


# --------------------------------------------------------------------------- drafts


def get_draft(unit: OrgUnit, period: str, kind: str) -> ReportDraft | None:
    period, k = canonical(period, kind)
    return ReportDraft.objects.filter(unit=unit, period=period, kind=k.value).first()


@transaction.atomic
def save_draft(
    user, unit: OrgUnit, period: str, kind: str, data: dict, reason: str = ""
) -> ReportDraft:
    """Create or update the draft's user-written fields (figures are never stored); the change
    goes into the change log, control characters never into the draft."""
    period, k = canonical(period, kind)
    require_edit(user, unit, period)
    draft = ReportDraft.objects.filter(unit=unit, period=period, kind=k.value).first()
    draft = draft or ReportDraft(unit=unit, period=period, kind=k.value)
    before = audit.snapshot(draft) if draft.pk else {}
    for f in DRAFT_FIELDS:
        if f in data:
            value = data[f]
            setattr(draft, f, clean_text(value).strip() if isinstance(value, str) else value)
    draft.updated_by = user
    draft.final_at, draft.final_by = None, None  # an edited draft must be checked again
    try:
        draft.full_clean()
    except ValidationError as exc:
        raise ReportError("; ".join(exc.messages)) from exc
    draft.save()
    action = ChangeLog.Action.CHANGE if before else ChangeLog.Action.CREATE
    audit.record(user, draft, action, before=before, reason=reason)
    return draft


@transaction.atomic
def delete_draft(user, draft: ReportDraft, reason: str = "") -> None:
    """Drop the draft (the report falls back to its generated text), in the change log."""
    require_edit(user, draft.unit, draft.period)
    before, pk = audit.stored_snapshot(draft), draft.pk
    draft.delete()
    audit.record(user, draft, ChangeLog.Action.DELETE, before=before, reason=reason, object_id=pk)


def narrative_of(draft: ReportDraft | None) -> Narrative:
    if draft is None:
        return Narrative()
    return Narrative(**{f: getattr(draft, f) for f in DRAFT_FIELDS})


# --------------------------------------------------------------------------- building


@dataclass
class Files:
    built: Built
    docx: bytes
    xlsx: bytes
    pdf: bytes | None = None
    pdf_note: str = ""
    forms_xlsx: bytes | None = None
    check_issues: list[dict] = field(default_factory=list)

    @property
    def hard_issues(self) -> list[dict]:
        return [i for i in self.check_issues if i["severity"] == "hard"]


def self_check(docx: bytes) -> list[dict]:
    """What the report checker (tongket.factcheck) finds in the generated document: every
    generated report is read like any narrative report before it is offered, and a hard
    issue keeps it from being marked final (do_mark_final)."""
    import tempfile
    from pathlib import Path

    from tongket.factcheck.checks import analyse
    from tongket.factcheck.readers import read_docx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bao-cao.docx"
        path.write_bytes(docx)
        text = read_docx(path)
    return [
        {
            "severity": i.severity,
            "kind": i.kind,
            "message": i.message_vi,
            "sentences": list(dict.fromkeys(sentence_of(text, q) for q in i.quotes)),
        }
        for i in analyse(text).issues
    ]


def sentence_of(text: str, quote: str) -> str:
    """The sentence (or line) of the text that holds a quote, for the specialist to read."""
    at = text.find(quote)
    if at < 0:
        return quote
    start = max(text.rfind("\n", 0, at), text.rfind(". ", 0, at) + 1)
    ends = [e for e in (text.find("\n", at), text.find(". ", at + len(quote))) if e >= 0]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end].strip()


def generate(
    unit: OrgUnit,
    period: str,
    kind: str = "tong-ket",
    mode: str = "as_of",
    *,
    pdf: bool = False,
    forms: bool = False,
    charts: bool = True,
    progress=None,
    policy: str | None = None,
) -> Files:
    """Build the report files from the database and the unit's draft (no scope check: the
    callers check)."""
    say = progress or (lambda step: None)
    period, k = canonical(period, kind)
    say("Đọc số liệu, chỉ tiêu, định mức")
    narrative = narrative_of(get_draft(unit, period, k))
    if policy:  # a one-off choice (the command line); the draft keeps its own
        narrative.policy = policy
    built = build_report(unit, period, k, mode, narrative, charts)
    say("Lập tệp Word (DOCX)")
    docx = render_docx(built.report).data
    say("Lập phụ lục Excel")
    files = Files(built, docx, build_xlsx(built.report))
    say("Kiểm tra số liệu trong báo cáo")
    files.check_issues = self_check(docx)
    if forms:
        from tongket.reports.formsxlsx import build_forms_xlsx

        say("Lập biểu thống kê")
        files.forms_xlsx = build_forms_xlsx(unit, period, policy=built.policy)
    if pdf:
        from tongket.reports.docgen import pdf as pdfmod

        say("Chuyển sang PDF (LibreOffice)")
        try:
            files.pdf = pdfmod.docx_to_pdf(docx)
        except (pdfmod.ToolMissing, pdfmod.ConversionFailed) as exc:
            files.pdf_note = str(exc)[:300]
    return files


@transaction.atomic
def start_job(
    user, unit: OrgUnit, period: str, kind: str, mode: str = "as_of", want_pdf: bool = True
) -> ReportJob:
    """Record a build job and queue it once the row is committed; refused (ReportBusy) when
    the queue is full, never a thread more."""
    period, k = canonical(period, kind)
    if mode not in MODES:
        raise ReportError(f"chế độ cây không hợp lệ: {mode}")
    require_generate(user, unit, period, mode)
    cfg = settings.TONGKET
    # pending rows of every process: those running hold a worker, the others wait their turn
    if live_pending().count() >= cfg.report_workers + cfg.report_queue_max:
        raise ReportBusy(
            f"Hệ thống đang lập nhiều báo cáo ({cfg.report_queue_max} yêu cầu đang chờ). "
            "Vui lòng thử lại sau ít phút."
        )
    job = ReportJob.objects.create(
        unit=unit, period=period, kind=k.value, mode=mode, want_pdf=want_pdf, user=user
    )
    transaction.on_commit(lambda: launch(job.pk))
    return job


class ReportBusy(ReportError):
    """Too many report jobs waiting: the request is refused (HTTP 429), nothing is queued."""


def live_pending():
    """Jobs not finished and not left behind by a dead process (those expire, see STALE)."""
    return ReportJob.objects.filter(
        status__in=(ReportJob.Status.PENDING, ReportJob.Status.RUNNING),
        created_at__gte=timezone.now() - STALE,
    )


def queue_position(job: ReportJob) -> int:
    """1 for the next job to start: the pending jobs queued before it, plus one."""
    if job.status != ReportJob.Status.PENDING:
        return 0
    return live_pending().filter(status=ReportJob.Status.PENDING, pk__lt=job.pk).count() + 1


_pool: WorkerPool | None = None


def pool() -> WorkerPool:
    global _pool
    if _pool is None:
        _pool = WorkerPool(settings.TONGKET.report_workers, _run_thread, name="report-job")
    return _pool


def launch(job_id: int) -> None:
    """Queue the job for the process's worker pool (tests replace this to run inline)."""
    pool().submit(job_id)


def _run_thread(job_id: int) -> None:
    # Only a worker thread may drop stale connections: run inline (tests, CLI) the caller's
    # connection may be inside a transaction that must survive (closing it there broke
    # PostgreSQL runs once).
    close_old_connections()
    try:
        run_job(job_id)
    finally:
        connection.close()  # this thread's own connection


def _set(job: ReportJob, **fields) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    job.save(update_fields=list(fields))


def run_job(job_id: int) -> ReportJob:
    job = ReportJob.objects.select_related("unit").get(pk=job_id)
    if job.status != ReportJob.Status.PENDING:
        return job
    _set(job, status=ReportJob.Status.RUNNING, started_at=timezone.now(), step="Bắt đầu")
    try:
        files = generate(
            job.unit,
            job.period,
            job.kind,
            job.mode,
            pdf=job.want_pdf,
            forms=True,
            progress=lambda step: _set(job, step=step),
        )
    except Exception as exc:  # shown to the user; the log keeps the traceback
        log.exception("report job %s failed", job_id)
        _set(
            job,
            status=ReportJob.Status.FAILED,
            error=str(exc)[:2000] or exc.__class__.__name__,
            finished_at=timezone.now(),
            step="",
        )
        return job
    _set(
        job,
        docx=files.docx,
        xlsx=files.xlsx,
        pdf=files.pdf,
        pdf_note=files.pdf_note,
        forms_xlsx=files.forms_xlsx,
        check_issues=files.check_issues,
        policy=files.built.policy.value,
        status=ReportJob.Status.DONE,
        finished_at=timezone.now(),
        step="",
    )
    return job


@transaction.atomic
def do_mark_final(user, unit: OrgUnit, period: str, kind: str) -> ReportDraft:
    """Mark the report final: only after a build of the current draft in which the report
    checker found no hard issue (the specialist sees the issues with their sentences)."""
    period, k = canonical(period, kind)
    require_edit(user, unit, period)
    draft = ReportDraft.objects.select_for_update().filter(
        unit=unit, period=period, kind=k.value
    ).first() or ReportDraft.objects.create(unit=unit, period=period, kind=k.value)
    job = (
        ReportJob.objects.filter(
            unit=unit, period=period, kind=k.value, status=ReportJob.Status.DONE
        )
        .defer("docx", "xlsx", "pdf", "forms_xlsx")
        .first()
    )
    if job is None or (job.finished_at and job.finished_at < draft.updated_at):
        raise ReportError(
            "Hãy lập lại báo cáo theo bản thảo hiện tại trước khi chốt bản chính thức."
        )
    hard = [i for i in job.check_issues if i.get("severity") == "hard"]
    if hard:
        raise ReportError(
            f"Chưa chốt được: kiểm tra số liệu phát hiện {len(hard)} lỗi số học trong báo cáo "
            "(xem danh sách bên dưới); hãy sửa số liệu hoặc lời văn rồi lập lại."
        )
    ReportDraft.objects.filter(pk=draft.pk).update(final_at=timezone.now(), final_by=user)
    draft.refresh_from_db()
    return draft


def expire_stale(job: ReportJob) -> ReportJob:
    """A job left pending/running by a process that died is marked failed when looked at."""
    if not job.finished and job.created_at < timezone.now() - STALE:
        _set(
            job,
            status=ReportJob.Status.FAILED,
            error="Quá thời gian lập báo cáo (tiến trình có thể đã dừng); hãy lập lại.",
            finished_at=timezone.now(),
        )
    return job


def require_job(user, job: ReportJob) -> None:
    if user is not None and not can_read_unit(
        user, job.unit_id, tree_day(job.unit, job.period, job.mode)
    ):
        raise PermissionDenied("Bạn không có quyền xem báo cáo này.")

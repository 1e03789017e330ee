"""Reporting rounds, submissions and the values they carry, with every change audited.

A value is keyed DHIS2's way: (data element, disaggregation combo, org unit, period).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReportingRound(models.Model):
    """One form for one period, to be reported by the schools under `root` as of `as_of`."""

    class Status(models.TextChoices):
        OPEN = "open", "Đang mở"
        CLOSED = "closed", "Đã đóng"

    form = models.ForeignKey("catalog.Form", on_delete=models.PROTECT, related_name="rounds")
    period = models.CharField(max_length=20, help_text="Period code: 2024-2025, 2024-2025 HK1, ...")
    root = models.ForeignKey("units.OrgUnit", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("số liệu tính đến")
    due = models.DateField("hạn nộp")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    approval_levels = models.JSONField(default=list, help_text='e.g. ["commune", "province"]')
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["form", "period", "root"],
                name="round_form_period_root_unique",
                violation_error_message="Đợt báo cáo này đã được mở cho đơn vị.",
            ),
            models.CheckConstraint(
                condition=Q(due__gte=models.F("as_of")),
                name="round_due_after_as_of",
                violation_error_message="Hạn nộp phải sau ngày chốt số liệu.",
            ),
        ]
        ordering = ["-due"]

    def __str__(self) -> str:
        return f"{self.form.code} {self.period} ({self.root.name})"


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Đang nhập"
        SUBMITTED = "submitted", "Đã nộp"
        RETURNED = "returned", "Trả lại"
        APPROVED = "approved", "Đã duyệt"

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="submissions")
    unit = models.ForeignKey("units.OrgUnit", on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_level = models.CharField(
        max_length=10, blank=True, help_text="last level that approved"
    )
    version = models.PositiveIntegerField(
        default=0, help_text="optimistic lock: bumped on every write"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    explanations = models.JSONField(
        default=dict, blank=True, help_text="warning code -> explanation"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit"],
                name="submission_round_unit_unique",
                violation_error_message="Đơn vị đã có báo cáo trong đợt này.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} – {self.unit.name} [{self.status}]"

    @property
    def status_label(self) -> str:
        """The state in the user's words (collection.status, the one place that names it)."""
        from tongket.collection.status import status_label

        return status_label(self)

    @property
    def status_css(self) -> str:
        from tongket.collection.status import status_css

        return status_css(self)


class DataValue(models.Model):
    # element and unit get no index of their own: the key (element, combo, unit, period) and
    # the (unit, period) index lead with them, and every index costs each saved value a write
    element = models.ForeignKey(
        "catalog.DataElement", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    combo = models.CharField(max_length=200, blank=True, default="")
    unit = models.ForeignKey(
        "units.OrgUnit", on_delete=models.PROTECT, related_name="values", db_index=False
    )
    period = models.CharField(max_length=20)
    value = models.FloatField()
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="values"
    )
    source = models.CharField(
        max_length=20, default="web", help_text="web, excel, api, demo, import"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["element", "combo", "unit", "period"],
                name="datavalue_key_unique",
                violation_error_message="Giá trị này đã tồn tại.",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "period"]),
            models.Index(fields=["period", "element"]),
        ]


class ValueAudit(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", "Web"
        EXCEL = "excel", "Excel"
        API = "api", "API"
        IMPORT = "import", "Nhập từ văn bản"
        DEMO = "demo", "Dữ liệu mẫu"

    submission = models.ForeignKey(
        Submission, null=True, on_delete=models.CASCADE, related_name="audit"
    )
    element_code = models.CharField(max_length=60)
    combo = models.CharField(max_length=200, blank=True)
    # no index of its own: the (unit, period, element_code) index leads with it
    unit = models.ForeignKey(
        "units.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.CharField(max_length=20)
    old_value = models.FloatField(null=True)
    new_value = models.FloatField(null=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)

    class Meta:
        indexes = [models.Index(fields=["unit", "period", "element_code"])]


class SubmissionEvent(models.Model):
    """The workflow trail: who moved a submission to which status, when, and why."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=Submission.Status.choices)
    level = models.CharField(max_length=10, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at"]


class RoundEvent(models.Model):
    """Opening, closing, extending and re-opening a round, each with its reason."""

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10)  # open, close, extend, reopen
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at"]


class UploadedFile(models.Model):
    """Workbooks applied to a submission, by SHA-256: history only (duplicates are judged on
    the values a file would write, see collection/excel/merge.py)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="uploads")
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "sha256"], name="upload_once_per_submission"
            )
        ]


class PendingUpload(models.Model):
    """An uploaded workbook or zip between its dry run and the user's confirmation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "units.OrgUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    is_zip = models.BooleanField(default=False)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

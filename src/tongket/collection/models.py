"""Reporting rounds, submissions and the values they carry, with every change audited.

A value is keyed DHIS2's way: (data element, disaggregation combo, org unit, period).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# Approval levels and round events in the user's words (stored as codes).
LEVEL_LABELS = {"commune": "UBND xã/phường", "province": "Sở GD&ĐT", "school": "Trường"}
ROUND_ACTION_LABELS = {
    "open": "Mở đợt",
    "close": "Đóng đợt",
    "reopen": "Mở lại đợt",
    "extend": "Gia hạn",
    "remind": "Gửi nhắc nhở",
}


class ReportingRound(models.Model):
    """One form for one period, to be reported by the schools under `root` as of `as_of`."""

    class Status(models.TextChoices):
        OPEN = "open", "Đang mở"
        CLOSED = "closed", "Đã đóng"

    form = models.ForeignKey(
        "catalog.Form", on_delete=models.PROTECT, related_name="rounds", verbose_name="biểu mẫu"
    )
    period = models.CharField(
        max_length=20, help_text="Period code: 2024-2025, 2024-2025 HK1, ...", verbose_name="kỳ"
    )
    root = models.ForeignKey(
        "units.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị mở đợt"
    )
    as_of = models.DateField("số liệu tính đến")
    due = models.DateField("hạn nộp")
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.OPEN, verbose_name="trạng thái"
    )
    approval_levels = models.JSONField(
        default=list, help_text='e.g. ["commune", "province"]', verbose_name="các cấp duyệt"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người mở",
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")

    class Meta:
        verbose_name = "đợt báo cáo"
        verbose_name_plural = "đợt báo cáo"
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

    round = models.ForeignKey(
        ReportingRound,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name="đợt báo cáo",
    )
    unit = models.ForeignKey(
        "units.OrgUnit", on_delete=models.PROTECT, related_name="submissions", verbose_name="đơn vị"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name="trạng thái"
    )
    approved_level = models.CharField(
        max_length=10, blank=True, help_text="last level that approved", verbose_name="cấp đã duyệt"
    )
    version = models.PositiveIntegerField(
        default=0, help_text="optimistic lock: bumped on every write", verbose_name="phiên bản"
    )
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name="nộp lúc")
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name="duyệt lúc")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")
    explanations = models.JSONField(
        default=dict, blank=True, help_text="warning code -> explanation", verbose_name="giải trình"
    )

    class Meta:
        verbose_name = "báo cáo của đơn vị"
        verbose_name_plural = "báo cáo của đơn vị"
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
        "catalog.DataElement",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name="chỉ tiêu dữ liệu",
    )
    combo = models.CharField(max_length=200, blank=True, default="", verbose_name="phân tổ")
    unit = models.ForeignKey(
        "units.OrgUnit",
        on_delete=models.PROTECT,
        related_name="values",
        db_index=False,
        verbose_name="đơn vị",
    )
    period = models.CharField(max_length=20, verbose_name="kỳ")
    value = models.FloatField(verbose_name="giá trị")
    submission = models.ForeignKey(
        Submission,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="values",
        verbose_name="báo cáo",
    )
    source = models.CharField(
        max_length=20,
        default="web",
        help_text="web, excel, api, demo, import",
        verbose_name="nguồn / căn cứ",
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")

    class Meta:
        verbose_name = "số liệu"
        verbose_name_plural = "số liệu"
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
        Submission,
        null=True,
        on_delete=models.CASCADE,
        related_name="audit",
        verbose_name="báo cáo",
    )
    element_code = models.CharField(max_length=60, verbose_name="mã chỉ tiêu")
    combo = models.CharField(max_length=200, blank=True, verbose_name="phân tổ")
    # no index of its own: the (unit, period, element_code) index leads with it
    unit = models.ForeignKey(
        "units.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name="đơn vị",
    )
    period = models.CharField(max_length=20, verbose_name="kỳ")
    old_value = models.FloatField(null=True, verbose_name="giá trị cũ")
    new_value = models.FloatField(null=True, verbose_name="giá trị mới")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người dùng",
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name="thời điểm")
    reason = models.CharField(max_length=300, blank=True, verbose_name="lý do")
    channel = models.CharField(
        max_length=8, choices=Channel.choices, default=Channel.WEB, verbose_name="kênh nhập"
    )

    class Meta:
        verbose_name = "lịch sử sửa số liệu"
        verbose_name_plural = "lịch sử sửa số liệu"
        indexes = [models.Index(fields=["unit", "period", "element_code"])]


class SubmissionEvent(models.Model):
    """The workflow trail: who moved a submission to which status, when, and why."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="events", verbose_name="báo cáo"
    )
    status = models.CharField(
        max_length=10, choices=Submission.Status.choices, verbose_name="trạng thái"
    )
    level = models.CharField(max_length=10, blank=True, verbose_name="cấp")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người dùng",
    )
    at = models.DateTimeField(verbose_name="thời điểm")
    reason = models.CharField(max_length=500, blank=True, verbose_name="lý do")

    class Meta:
        verbose_name = "diễn biến báo cáo"
        verbose_name_plural = "diễn biến báo cáo"
        ordering = ["at"]


class RoundEvent(models.Model):
    """Opening, closing, extending and re-opening a round, each with its reason."""

    round = models.ForeignKey(
        ReportingRound, on_delete=models.CASCADE, related_name="events", verbose_name="đợt báo cáo"
    )
    action = models.CharField(max_length=10, verbose_name="thao tác")  # open, close, extend, reopen
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người dùng",
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name="thời điểm")
    reason = models.CharField(max_length=500, blank=True, verbose_name="lý do")
    detail = models.CharField(max_length=200, blank=True, verbose_name="chi tiết")

    class Meta:
        verbose_name = "diễn biến đợt"
        verbose_name_plural = "diễn biến đợt"
        ordering = ["at"]


class UploadedFile(models.Model):
    """Workbooks applied to a submission, by SHA-256: history only (duplicates are judged on
    the values a file would write, see collection/excel/merge.py)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="uploads", verbose_name="báo cáo"
    )
    sha256 = models.CharField(max_length=64, verbose_name="mã SHA-256")
    name = models.CharField(max_length=255, verbose_name="tên")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người dùng",
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name="thời điểm")

    class Meta:
        verbose_name = "tệp đã áp dụng"
        verbose_name_plural = "tệp đã áp dụng"
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "sha256"], name="upload_once_per_submission"
            )
        ]


class PendingUpload(models.Model):
    """An uploaded workbook or zip between its dry run and the user's confirmation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="người dùng",
    )
    round = models.ForeignKey(
        ReportingRound, on_delete=models.CASCADE, related_name="+", verbose_name="đợt báo cáo"
    )
    unit = models.ForeignKey(
        "units.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="đơn vị",
    )
    name = models.CharField(max_length=255, verbose_name="tên")
    sha256 = models.CharField(max_length=64, verbose_name="mã SHA-256")
    is_zip = models.BooleanField(default=False, verbose_name="tệp zip")
    data = models.BinaryField(verbose_name="dữ liệu")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")

    class Meta:
        verbose_name = "tệp chờ xác nhận"
        verbose_name_plural = "tệp chờ xác nhận"

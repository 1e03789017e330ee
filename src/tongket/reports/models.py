"""Review report drafts (the user-written parts, kept across regenerations) and build jobs.

Figures are never stored here: every build reads them again from the database. A draft holds
only what people write: the opening, causes, tasks, proposals, signer, recipients, số/ký hiệu.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongket.core.definitions import MODE_LABELS, POLICY_LABELS, REPORT_POLICY, Policy
from tongket.reports.docgen import ReportKind, SignPrefix

KIND_CHOICES = [
    (ReportKind.TONG_KET.value, "Tổng kết năm học"),
    (ReportKind.SO_KET.value, "Sơ kết học kỳ I"),
    (ReportKind.GIAO_BAN.value, "Giao ban"),
]
MODE_CHOICES = list(MODE_LABELS.items())
PREFIX_CHOICES = [
    ("", "(không)"),
    *[(p.value, p.value) for p in SignPrefix if p is not SignPrefix.NONE],
]


class ReportDraft(models.Model):
    # what a user writes or overrides; the action saving a draft and the form both use it
    NARRATIVE_FIELDS = (
        "number",
        "symbol",
        "date",
        "intro",
        "limitations",
        "causes",
        "next_period",
        "tasks",
        "proposals",
        "sign_prefix",
        "sign_authority",
        "sign_position",
        "sign_name",
        "recipients",
        "policy",
    )

    unit = models.ForeignKey(
        "units.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name="đơn vị"
    )
    period = models.CharField("năm học", max_length=20)
    kind = models.CharField("loại báo cáo", max_length=10, choices=KIND_CHOICES)
    number = models.CharField("số", max_length=20, blank=True)
    symbol = models.CharField("ký hiệu", max_length=40, blank=True)
    date = models.DateField("ngày ban hành", null=True, blank=True)
    intro = models.TextField("mở đầu", blank=True)
    limitations = models.TextField("hạn chế khác", blank=True)
    causes = models.TextField("nguyên nhân", blank=True)
    next_period = models.CharField("kỳ tới (tiêu đề mục III)", max_length=80, blank=True)
    tasks = models.TextField("nhiệm vụ, giải pháp", blank=True)
    proposals = models.TextField("đề xuất, kiến nghị", blank=True)
    sign_prefix = models.CharField(
        "thẩm quyền ký", max_length=5, choices=PREFIX_CHOICES, blank=True
    )
    sign_authority = models.CharField("chức danh thủ trưởng", max_length=80, blank=True)
    sign_position = models.CharField("chức vụ người ký", max_length=80, blank=True)
    sign_name = models.CharField("họ tên người ký", max_length=80, blank=True)
    recipients = models.TextField("nơi nhận", blank=True)
    policy = models.CharField(
        "số liệu đưa vào báo cáo",
        max_length=10,
        choices=[(p.value, POLICY_LABELS[p]) for p in Policy],
        default=REPORT_POLICY.value,
        blank=True,
        help_text="Báo cáo trình ký mặc định chỉ tính số liệu đã duyệt.",
    )
    # marked final by the office once the checker finds no hard issue (actions.do_mark_final);
    # any later edit of the draft clears it
    final_at = models.DateTimeField("ngày chốt bản chính thức", null=True, blank=True)
    final_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người chốt",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người sửa",
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")

    class Meta:
        verbose_name = "bản thảo báo cáo"
        verbose_name_plural = "bản thảo báo cáo"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "kind"],
                name="reportdraft_unit_period_kind_unique",
                violation_error_message="Đơn vị đã có bản thảo báo cáo này.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} – {self.unit}"


class ReportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Đang chờ"
        RUNNING = "running", "Đang lập"
        DONE = "done", "Đã xong"
        FAILED = "failed", "Lỗi"

    unit = models.ForeignKey(
        "units.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name="đơn vị"
    )
    period = models.CharField(max_length=20, verbose_name="kỳ")
    kind = models.CharField(max_length=10, choices=KIND_CHOICES, verbose_name="loại")
    mode = models.CharField(
        max_length=10, choices=MODE_CHOICES, default="as_of", verbose_name="cách tính cây đơn vị"
    )
    want_pdf = models.BooleanField(default=True, verbose_name="lập PDF")
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING, verbose_name="trạng thái"
    )
    step = models.CharField(max_length=120, blank=True, verbose_name="bước")
    error = models.TextField(blank=True, verbose_name="lỗi")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người dùng",
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")
    started_at = models.DateTimeField(null=True, blank=True, verbose_name="bắt đầu lúc")
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name="xong lúc")
    docx = models.BinaryField(null=True, blank=True, verbose_name="tệp DOCX")
    xlsx = models.BinaryField(null=True, blank=True, verbose_name="tệp Excel")
    pdf = models.BinaryField(null=True, blank=True, verbose_name="tệp PDF")
    forms_xlsx = models.BinaryField(null=True, blank=True, verbose_name="biểu thống kê (Excel)")
    pdf_note = models.CharField(max_length=300, blank=True, verbose_name="ghi chú PDF")
    # what tongket.factcheck found in the generated text: [{severity, kind, message, sentences}]
    check_issues = models.JSONField(
        default=list, blank=True, verbose_name="kết quả kiểm tra số liệu"
    )
    policy = models.CharField(
        max_length=10, default=REPORT_POLICY.value, verbose_name="số liệu đưa vào báo cáo"
    )

    class Meta:
        verbose_name = "lượt lập báo cáo"
        verbose_name_plural = "lượt lập báo cáo"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.unit_id} [{self.status}]"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

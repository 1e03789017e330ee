"""What the norms app stores: PCGD–XMC results of uploaded household surveys, and the register of
national-standard and accreditation certificates. Staffing norms are computed from collected
values on demand (norms.queries) and stored nowhere: the values are the source of truth.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

STANDARDS = ("pcgd_mn5", "pcgd_th", "pcgd_thcs", "xmc")
STANDARD_LABELS = {
    "pcgd_mn5": "PCGD mầm non cho trẻ 5 tuổi",
    "pcgd_th": "PCGD tiểu học",
    "pcgd_thcs": "PCGD THCS",
    "xmc": "Xóa mù chữ",
}


class PcgdResult(models.Model):
    """One evaluated PCGD–XMC survey of a province for a survey year (reference date 30/9/year).

    The newest upload of a (province, year) is the one shown; older ones stay as history.
    """

    province = models.ForeignKey(
        "units.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="tỉnh"
    )
    year = models.PositiveSmallIntegerField("năm điều tra")
    result = models.JSONField(
        help_text="calc.pcgd.evaluate() output (docs/norms.md)", verbose_name="kết quả"
    )
    survey_name = models.CharField("tệp điều tra", max_length=255)
    survey_sha256 = models.CharField(max_length=64, verbose_name="mã SHA-256 tệp điều tra")
    communes_name = models.CharField("tệp danh sách xã", max_length=255)
    communes_sha256 = models.CharField(max_length=64, verbose_name="mã SHA-256 tệp xã")
    rejected = models.PositiveIntegerField("số dòng bị loại", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người tải lên",
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name="thời điểm")
    note = models.CharField(max_length=300, blank=True, verbose_name="ghi chú")

    class Meta:
        verbose_name = "kết quả PCGD – XMC"
        verbose_name_plural = "kết quả PCGD – XMC"
        ordering = ["-year", "-at"]
        indexes = [models.Index(fields=["province", "year", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="pcgdresult_year_range",
                violation_error_message="Năm điều tra phải trong khoảng 2000–2100.",
            )
        ]

    def __str__(self) -> str:
        return f"PCGD–XMC {self.year} – {self.province.name}"


class PcgdCommune(models.Model):
    """One commune's levels in a result, as rows so that analytics can query them."""

    result = models.ForeignKey(
        PcgdResult, on_delete=models.CASCADE, related_name="communes", verbose_name="kết quả"
    )
    commune = models.ForeignKey(
        "units.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="xã/phường",
    )
    code = models.CharField(max_length=20, verbose_name="mã")
    district_code = models.CharField(max_length=20, blank=True, verbose_name="mã huyện (cũ)")
    difficult = models.BooleanField("xã ĐBKK", default=False)
    pcgd_mn5 = models.PositiveSmallIntegerField(default=0, verbose_name="PCGD mầm non 5 tuổi")
    pcgd_th = models.PositiveSmallIntegerField(default=0, verbose_name="PCGD tiểu học")
    pcgd_thcs = models.PositiveSmallIntegerField(default=0, verbose_name="PCGD THCS")
    xmc = models.PositiveSmallIntegerField(default=0, verbose_name="xoá mù chữ")
    rates = models.JSONField(default=dict, verbose_name="các tỷ lệ")
    failures = models.JSONField(default=list, verbose_name="tiêu chí chưa đạt")

    class Meta:
        verbose_name = "kết quả PCGD – XMC của xã"
        verbose_name_plural = "kết quả PCGD – XMC của xã"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["result", "code"], name="pcgdcommune_once_per_result")
        ]

    def levels(self) -> dict[str, int]:
        return {s: getattr(self, s) for s in STANDARDS}


class CertificateKind(models.TextChoices):
    NATIONAL_STANDARD = "national_standard", "Trường đạt chuẩn quốc gia"
    ACCREDITATION = "accreditation", "Kiểm định chất lượng giáo dục"


class SchoolCertificate(models.Model):
    """A national-standard recognition or an accreditation of a school (TT 17/18/19/2018).

    ``expires`` and ``renew_by`` are computed from the decision date by the quality pack
    (calc.packs.certificate_dates) whenever a certificate is written through norms.actions.
    """

    school = models.ForeignKey(
        "units.OrgUnit",
        on_delete=models.PROTECT,
        related_name="certificates",
        limit_choices_to={"kind": "school"},
        verbose_name="trường",
    )
    kind = models.CharField("loại", max_length=20, choices=CertificateKind.choices)
    level = models.PositiveSmallIntegerField("mức độ")
    decision_number = models.CharField("số quyết định", max_length=60)
    decision_date = models.DateField("ngày quyết định")
    expires = models.DateField("hết hiệu lực")
    renew_by = models.DateField("hạn đăng ký đánh giá lại")
    issued_by = models.CharField("cơ quan cấp", max_length=200, blank=True)
    source = models.CharField(
        max_length=120,
        blank=True,
        help_text="legal basis of the dates",
        verbose_name="nguồn / căn cứ",
    )
    note = models.CharField("ghi chú", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người tạo",
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")

    class Meta:
        verbose_name = "công nhận chuẩn / kiểm định"
        verbose_name_plural = "công nhận chuẩn / kiểm định"
        ordering = ["school__name", "kind", "-decision_date"]
        indexes = [
            models.Index(fields=["school", "kind", "decision_date"]),
            models.Index(fields=["expires"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CertificateKind.values),
                name="certificate_kind_valid",
                violation_error_message="Loại giấy chứng nhận phải là chuẩn quốc gia hoặc kiểm định.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=CertificateKind.NATIONAL_STANDARD)
                | Q(level__gte=1, level__lte=2),
                name="certificate_standard_level",
                violation_error_message="Trường đạt chuẩn quốc gia chỉ có mức độ 1 hoặc 2.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=CertificateKind.ACCREDITATION) | Q(level__gte=1, level__lte=4),
                name="certificate_accreditation_level",
                violation_error_message="Kiểm định chất lượng giáo dục chỉ có cấp độ 1 đến 4.",
            ),
            models.CheckConstraint(
                condition=Q(expires__gt=models.F("decision_date")),
                name="certificate_expires_after_decision",
                violation_error_message="Ngày hết hiệu lực phải sau ngày quyết định.",
            ),
            models.UniqueConstraint(
                fields=["school", "kind", "decision_number"],
                name="certificate_decision_once",
                violation_error_message="Trường đã có giấy chứng nhận theo quyết định số này.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} mức {self.level} – {self.school.name}"

    def valid_on(self, day) -> bool:
        return self.decision_date <= day <= self.expires

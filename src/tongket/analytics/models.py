"""Targets (chỉ tiêu): indicator × unit × period → a value or a range, with the document
they come from. Figures themselves live in the engine; only what people decide is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Target(models.Model):
    indicator = models.ForeignKey(
        "catalog.Indicator", on_delete=models.PROTECT, related_name="targets", verbose_name="chỉ số"
    )
    unit = models.ForeignKey(
        "units.OrgUnit", on_delete=models.PROTECT, related_name="targets", verbose_name="đơn vị"
    )
    period = models.CharField("kỳ", max_length=20, help_text="2024-2025, 2024-2025 HK1, ...")
    value = models.FloatField("chỉ tiêu", null=True, blank=True)
    low = models.FloatField("từ", null=True, blank=True)
    high = models.FloatField("đến", null=True, blank=True)
    source = models.CharField(
        "văn bản giao chỉ tiêu",
        max_length=300,
        help_text="vd. Nghị quyết Đại hội Đảng bộ tỉnh 2020-2025; Kế hoạch năm học 2024-2025",
    )
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
        verbose_name = "chỉ tiêu kế hoạch"
        verbose_name_plural = "chỉ tiêu kế hoạch"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period"],
                name="target_indicator_unit_period_unique",
                violation_error_message="Đơn vị đã có chỉ tiêu này cho kỳ này.",
            ),
            models.CheckConstraint(
                condition=(Q(value__isnull=False) & Q(low__isnull=True) & Q(high__isnull=True))
                | (Q(value__isnull=True) & Q(low__isnull=False) & Q(high__isnull=False)),
                name="target_value_xor_range",
                violation_error_message=(
                    "Nhập một giá trị chỉ tiêu hoặc một khoảng (từ – đến), không nhập cả hai "
                    "và không bỏ trống."
                ),
            ),
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lte=models.F("high")),
                name="target_low_le_high",
                violation_error_message="Cận dưới của khoảng chỉ tiêu phải nhỏ hơn hoặc bằng cận trên.",
            ),
        ]
        indexes = [models.Index(fields=["unit", "period"])]
        ordering = ["period", "indicator__code"]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit} {self.period}: {self.target_text}"

    @property
    def target(self) -> float | tuple[float, float]:
        """What compare_to_target() takes: a number or (low, high)."""
        if self.value is not None:
            return self.value
        return (float(self.low), float(self.high))  # type: ignore[arg-type]

    @property
    def target_text(self) -> str:
        from tongket.analytics.fmt import format_target

        return format_target(self.target, self.indicator.unit)

"""Checked reports kept between the analyse and the confirm step, and figures imported from them.

A `CheckedDocument` holds the NFC text the checker read, so the confirm step posts only its id
and the indexes of the facts to import; the analysis is run again on the stored text and
nothing the browser sends is trusted as a value. A `HistoricalValue` is one figure of a report
taken as the value of an indicator for a unit and a period, with its provenance: the document
(name and SHA-256 of its text) and the span of the quote in it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

DUPLICATE_IMPORT_MESSAGE = (
    "Số liệu này đã được nhập từ cùng tài liệu cho cùng chỉ tiêu, đơn vị và kỳ báo cáo."
)


class CheckedDocument(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="checked_documents",
        verbose_name="người kiểm tra",
    )
    name = models.CharField("tên tài liệu", max_length=255)
    sha256 = models.CharField("SHA-256 của văn bản", max_length=64, db_index=True)
    text = models.TextField("văn bản (NFC)")
    created_at = models.DateTimeField("lúc kiểm tra", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "tài liệu đã kiểm tra"
        verbose_name_plural = "tài liệu đã kiểm tra"

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class HistoricalValue(models.Model):
    indicator = models.ForeignKey(
        "catalog.Indicator",
        on_delete=models.PROTECT,
        related_name="historical_values",
        verbose_name="chỉ số",
    )
    unit = models.ForeignKey(
        "units.OrgUnit",
        on_delete=models.PROTECT,
        related_name="historical_values",
        verbose_name="đơn vị",
    )
    period = models.CharField("kỳ báo cáo", max_length=20)
    value = models.FloatField("giá trị")
    numerator = models.FloatField("tử số", null=True, blank=True)
    denominator = models.FloatField("mẫu số", null=True, blank=True)
    document_name = models.CharField("tài liệu", max_length=255)
    document_sha256 = models.CharField("SHA-256 của văn bản", max_length=64)
    start = models.PositiveIntegerField("vị trí đầu")
    end = models.PositiveIntegerField("vị trí cuối")
    quote = models.TextField("trích dẫn")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người nhập",
    )
    imported_at = models.DateTimeField("lúc nhập", default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = "số liệu lịch sử"
        verbose_name_plural = "số liệu lịch sử"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period", "document_sha256", "start"],
                name="historicalvalue_once_per_quote",
                violation_error_message=DUPLICATE_IMPORT_MESSAGE,
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="historicalvalue_span_ordered",
                violation_error_message="Vị trí cuối của trích dẫn phải sau vị trí đầu.",
            ),
        ]
        indexes = [models.Index(fields=["unit", "period"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id} {self.period} = {self.value}"

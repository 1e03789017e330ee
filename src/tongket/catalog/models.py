"""The catalog in the database: what the YAML packs define, versioned, read by every app."""

from __future__ import annotations

from django.db import models


class PackVersion(models.Model):
    name = models.CharField(max_length=60, verbose_name="tên")
    version = models.CharField(max_length=30, verbose_name="phiên bản")
    checksum = models.CharField(max_length=64, verbose_name="mã kiểm tra")
    source = models.TextField(blank=True, verbose_name="nguồn / căn cứ")
    loaded_at = models.DateTimeField(auto_now=True, verbose_name="nạp lúc")

    class Meta:
        verbose_name = "phiên bản gói danh mục"
        verbose_name_plural = "phiên bản gói danh mục"
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="pack_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Dimension(models.Model):
    code = models.CharField(max_length=40, unique=True, verbose_name="mã")
    name_vi = models.CharField(max_length=120, verbose_name="tên tiếng Việt")
    name_en = models.CharField(max_length=120, blank=True, verbose_name="tên tiếng Anh")
    options = models.JSONField(default=dict, verbose_name="các giá trị")
    source = models.TextField(blank=True, verbose_name="nguồn / căn cứ")

    class Meta:
        verbose_name = "phân tổ"
        verbose_name_plural = "phân tổ"

    def __str__(self) -> str:
        return self.name_vi


class DataElement(models.Model):
    code = models.CharField(max_length=60, unique=True, verbose_name="mã")
    name_vi = models.CharField(max_length=200, verbose_name="tên tiếng Việt")
    name_en = models.CharField(max_length=200, blank=True, verbose_name="tên tiếng Anh")
    value_type = models.CharField(max_length=10, verbose_name="kiểu giá trị")
    aggregation = models.CharField(max_length=10, default="sum", verbose_name="cách cộng gộp")
    dims = models.JSONField(default=list, verbose_name="các phân tổ")
    source = models.TextField(blank=True, verbose_name="nguồn / căn cứ")

    class Meta:
        verbose_name = "chỉ tiêu dữ liệu"
        verbose_name_plural = "chỉ tiêu dữ liệu"

    def __str__(self) -> str:
        return f"{self.code} ({self.name_vi})"


class Form(models.Model):
    code = models.CharField(max_length=40, verbose_name="mã")
    version = models.CharField(max_length=20, verbose_name="phiên bản")
    name_vi = models.CharField(max_length=200, verbose_name="tên tiếng Việt")
    name_en = models.CharField(max_length=200, blank=True, verbose_name="tên tiếng Anh")
    round = models.CharField(
        max_length=40, help_text="start_of_year, end_of_year, ...", verbose_name="đợt báo cáo"
    )
    period_kind = models.CharField(max_length=20, verbose_name="loại kỳ")
    levels = models.JSONField(default=list, verbose_name="cấp học")
    source = models.TextField(blank=True, verbose_name="nguồn / căn cứ")
    layout = models.JSONField(default=dict, verbose_name="bố cục")
    cells = models.JSONField(
        default=list, help_text="[[element, combo, computed], ...]", verbose_name="các ô"
    )
    is_current = models.BooleanField(default=True, verbose_name="đang dùng")

    class Meta:
        verbose_name = "biểu mẫu"
        verbose_name_plural = "biểu mẫu"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="form_code_version_unique")
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} – {self.name_vi}"

    def input_cells(self) -> list[tuple[str, str]]:
        return [(e, c) for e, c, computed in self.cells if not computed]


class Indicator(models.Model):
    code = models.CharField(max_length=60, unique=True, verbose_name="mã")
    name_vi = models.CharField(max_length=200, verbose_name="tên tiếng Việt")
    name_en = models.CharField(max_length=200, blank=True, verbose_name="tên tiếng Anh")
    numerator = models.TextField(verbose_name="tử số")
    denominator = models.TextField(blank=True, null=True, verbose_name="mẫu số")
    factor = models.FloatField(default=100, verbose_name="hệ số")
    unit = models.CharField(max_length=10, default="percent", verbose_name="đơn vị")
    direction = models.CharField(max_length=5, default="up", verbose_name="chiều tốt")
    source = models.TextField(blank=True, verbose_name="nguồn / căn cứ")
    # decimals it is shown with on every surface; null: the unit's (core.definitions.DECIMALS)
    decimals = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name="số chữ số thập phân"
    )

    class Meta:
        verbose_name = "chỉ số"
        verbose_name_plural = "chỉ số"

    def __str__(self) -> str:
        return self.name_vi


class ValidationRule(models.Model):
    code = models.CharField(max_length=60, unique=True, verbose_name="mã")
    left = models.TextField(verbose_name="vế trái")
    op = models.CharField(max_length=2, verbose_name="phép so sánh")
    right = models.TextField(verbose_name="vế phải")
    severity = models.CharField(max_length=7, verbose_name="mức độ")
    message_vi = models.CharField(max_length=300, verbose_name="thông báo tiếng Việt")
    message_en = models.CharField(max_length=300, blank=True, verbose_name="thông báo tiếng Anh")
    source = models.TextField(blank=True, verbose_name="nguồn / căn cứ")

    class Meta:
        verbose_name = "quy tắc kiểm tra"
        verbose_name_plural = "quy tắc kiểm tra"

    def __str__(self) -> str:
        return self.code

"""The catalog in the database: what the YAML packs define, versioned, read by every app."""

from __future__ import annotations

from django.db import models


class PackVersion(models.Model):
    name = models.CharField(max_length=60)
    version = models.CharField(max_length=30)
    checksum = models.CharField(max_length=64)
    source = models.TextField(blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="pack_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Dimension(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name_vi = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    options = models.JSONField(default=dict)
    source = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name_vi


class DataElement(models.Model):
    code = models.CharField(max_length=60, unique=True)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    value_type = models.CharField(max_length=10)
    aggregation = models.CharField(max_length=10, default="sum")
    dims = models.JSONField(default=list)
    source = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.code} ({self.name_vi})"


class Form(models.Model):
    code = models.CharField(max_length=40)
    version = models.CharField(max_length=20)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    round = models.CharField(max_length=40, help_text="start_of_year, end_of_year, ...")
    period_kind = models.CharField(max_length=20)
    levels = models.JSONField(default=list)
    source = models.TextField(blank=True)
    layout = models.JSONField(default=dict)
    cells = models.JSONField(default=list, help_text="[[element, combo, computed], ...]")
    is_current = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="form_code_version_unique")
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} – {self.name_vi}"

    def input_cells(self) -> list[tuple[str, str]]:
        return [(e, c) for e, c, computed in self.cells if not computed]


class Indicator(models.Model):
    code = models.CharField(max_length=60, unique=True)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    numerator = models.TextField()
    denominator = models.TextField(blank=True, null=True)
    factor = models.FloatField(default=100)
    unit = models.CharField(max_length=10, default="percent")
    direction = models.CharField(max_length=5, default="up")
    source = models.TextField(blank=True)
    # decimals it is shown with on every surface; null: the unit's (core.definitions.DECIMALS)
    decimals = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name_vi


class ValidationRule(models.Model):
    code = models.CharField(max_length=60, unique=True)
    left = models.TextField()
    op = models.CharField(max_length=2)
    right = models.TextField()
    severity = models.CharField(max_length=7)
    message_vi = models.CharField(max_length=300)
    message_en = models.CharField(max_length=300, blank=True)
    source = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.code

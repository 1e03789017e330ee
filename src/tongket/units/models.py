"""Org units as one effective-dated tree.

A unit (nation, province, legacy district, commune, school) lives from valid_from to valid_to.
Its parent is not a column: it is a UnitParent link with its own dates, so a school can move
commune, and the legacy district level can end on 30/6/2025 without rewriting history.
UnitClosure holds every (ancestor, descendant) pair with the dates the path holds, so "all
schools under U as of D" is one indexed query. UnitSuccessor says what a unit became.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from tongket.core.vntext import fold, nfc

# The legacy tree's start: long enough before any data Tongket holds.
EPOCH = dt.date(2000, 1, 1)
# The reform: districts abolished, 63 provinces became 34 (Resolutions 202/2025/QH15, 125-126/NQ-CP).
REFORM_DATE = dt.date(2025, 7, 1)
LEGACY_END = REFORM_DATE - dt.timedelta(days=1)


class UnitKind(models.TextChoices):
    NATION = "nation", "Quốc gia"
    PROVINCE = "province", "Tỉnh/Thành phố"
    DISTRICT = "district", "Huyện/Quận (trước 1/7/2025)"
    COMMUNE = "commune", "Xã/Phường"
    SCHOOL = "school", "Trường"


KIND_DEPTH: dict[str, int] = {  # UnitKind values are str: plain kind strings look up too
    UnitKind.NATION: 0,
    UnitKind.PROVINCE: 1,
    UnitKind.DISTRICT: 2,
    UnitKind.COMMUNE: 3,
    UnitKind.SCHOOL: 4,
}


def active_q(on: dt.date, prefix: str = "") -> Q:
    """Rows whose [valid_from, valid_to] contains the date (valid_to NULL = still valid)."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


class OrgUnitQuerySet(models.QuerySet):
    def active(self, on: dt.date) -> OrgUnitQuerySet:
        return self.filter(active_q(on))

    def search(self, text: str) -> OrgUnitQuerySet:
        """Name or code, with or without diacritics: 'dien bien' finds 'Điện Biên'."""
        key = fold(text)
        if not key:
            return self.none()
        return self.filter(Q(search_key__contains=key) | Q(code__startswith=text.strip()))


class OrgUnit(models.Model):
    kind = models.CharField(max_length=10, choices=UnitKind.choices, verbose_name="loại")
    code = models.CharField(
        "mã", max_length=20, help_text="Mã ĐVHC (QĐ 19/2025) hoặc mã định danh trường (TT 42/2021)"
    )
    name = models.CharField("tên", max_length=200)
    division_type = models.CharField("loại", max_length=40, blank=True)
    search_key = models.CharField(
        max_length=240, editable=False, db_index=True, verbose_name="khoá tìm kiếm"
    )
    valid_from = models.DateField(default=EPOCH, verbose_name="hiệu lực từ")
    valid_to = models.DateField(null=True, blank=True, verbose_name="hiệu lực đến")
    latitude = models.FloatField(null=True, blank=True, verbose_name="vĩ độ")
    longitude = models.FloatField(null=True, blank=True, verbose_name="kinh độ")

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code", "valid_from"],
                name="orgunit_kind_code_from_unique",
                violation_error_message="Đã có đơn vị cùng loại, cùng mã, cùng ngày bắt đầu.",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_dates_ordered",
                violation_error_message="Ngày kết thúc phải sau ngày bắt đầu.",
            ),
        ]
        indexes = [models.Index(fields=["kind", "code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        self.name = nfc(self.name)
        self.search_key = fold(f"{self.name} {self.code}")
        super().save(*args, **kwargs)

    @property
    def is_legacy(self) -> bool:
        return self.valid_to is not None and self.valid_to < REFORM_DATE

    def active_on(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class UnitParent(models.Model):
    """child's parent from valid_from to valid_to; a unit has at most one parent on any date."""

    child = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="parent_links", verbose_name="đơn vị con"
    )
    parent = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="child_links", verbose_name="đơn vị cha"
    )
    valid_from = models.DateField(default=EPOCH, verbose_name="hiệu lực từ")
    valid_to = models.DateField(null=True, blank=True, verbose_name="hiệu lực đến")

    class Meta:
        verbose_name = "quan hệ trực thuộc"
        verbose_name_plural = "quan hệ trực thuộc"
        constraints = [
            models.UniqueConstraint(
                fields=["child", "valid_from"],
                name="unitparent_one_parent_per_start",
                violation_error_message="Đơn vị này đã có đơn vị cấp trên từ ngày này.",
            ),
            models.CheckConstraint(
                condition=~Q(child=models.F("parent")),
                name="unitparent_not_self",
                violation_error_message="Một đơn vị không thể là cấp trên của chính nó.",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unitparent_dates_ordered",
                violation_error_message="Ngày kết thúc phải sau ngày bắt đầu.",
            ),
        ]
        indexes = [models.Index(fields=["parent", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.child_id} -> {self.parent_id} [{self.valid_from}..{self.valid_to or ''}]"

    def save(self, *args, **kwargs) -> None:
        self.full_clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # Overlap is the invariant that matters ("two parents on one date"); a unique index
        # only catches equal starts, so the interval test runs here for every write path.
        end = self.valid_to or dt.date.max
        clash = (
            UnitParent.objects.filter(child_id=self.child_id)
            .exclude(pk=self.pk)
            .filter(valid_from__lte=end)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
            .select_related("parent")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                f"Đơn vị '{self.child}' đã thuộc '{clash.parent}' từ "
                f"{clash.valid_from:%d/%m/%Y}"
                + (f" đến {clash.valid_to:%d/%m/%Y}" if clash.valid_to else "")
                + ": một đơn vị chỉ có một đơn vị cấp trên tại một thời điểm."
            )


class UnitClosure(models.Model):
    """Every ancestor of every unit (depth 0 = itself) with the dates the whole path holds."""

    ancestor = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name="đơn vị cấp trên"
    )
    descendant = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name="đơn vị cấp dưới"
    )
    depth = models.PositiveSmallIntegerField(verbose_name="độ sâu")
    valid_from = models.DateField(verbose_name="hiệu lực từ")
    valid_to = models.DateField(null=True, blank=True, verbose_name="hiệu lực đến")

    class Meta:
        verbose_name = "quan hệ cấp trên – cấp dưới"
        verbose_name_plural = "quan hệ cấp trên – cấp dưới"
        indexes = [
            models.Index(fields=["ancestor", "valid_from"]),
            models.Index(fields=["descendant", "valid_from"]),
        ]


class UnitSuccessor(models.Model):
    """`old` became `new` on `effective` (a merge: several olds, one new; a split: weights)."""

    old = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="successor_links", verbose_name="đơn vị cũ"
    )
    new = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="predecessor_links",
        verbose_name="đơn vị mới",
    )
    effective = models.DateField(default=REFORM_DATE, verbose_name="ngày hiệu lực")
    weight = models.FloatField(
        default=1.0,
        help_text="Share of the old unit's values re-attributed to the new one.",
        verbose_name="tỷ trọng",
    )
    is_default = models.BooleanField(default=True, verbose_name="mặc định")

    class Meta:
        verbose_name = "đơn vị kế thừa"
        verbose_name_plural = "đơn vị kế thừa"
        constraints = [
            models.UniqueConstraint(fields=["old", "new"], name="unitsuccessor_unique"),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=1),
                name="unitsuccessor_weight_range",
                violation_error_message="Tỷ trọng phải trong khoảng (0, 1].",
            ),
        ]


class SchoolLevel(models.TextChoices):
    MN = "MN", "Mầm non"
    TH = "TH", "Tiểu học"
    THCS = "THCS", "Trung học cơ sở"
    THPT = "THPT", "Trung học phổ thông"
    GDTX = "GDTX", "Giáo dục thường xuyên"


class Ownership(models.TextChoices):
    PUBLIC = "cong_lap", "Công lập"
    PRIVATE = "tu_thuc", "Tư thục"


class School(models.Model):
    """What a school is beyond being a unit: levels, ownership, region, dates."""

    unit = models.OneToOneField(
        OrgUnit, on_delete=models.CASCADE, related_name="school", verbose_name="đơn vị"
    )
    levels = models.JSONField(
        default=list, help_text="Subset of MN, TH, THCS, THPT, GDTX", verbose_name="cấp học"
    )
    ownership = models.CharField(
        max_length=10, choices=Ownership.choices, default=Ownership.PUBLIC, verbose_name="loại hình"
    )
    region = models.PositiveSmallIntegerField(
        default=1, choices=[(1, "Vùng 1"), (2, "Vùng 2"), (3, "Vùng 3")], verbose_name="vùng"
    )
    difficult_commune = models.BooleanField("xã ĐBKK", default=False)
    mountain = models.BooleanField("miền núi, hải đảo", default=False)
    boarding = models.BooleanField("nội trú/bán trú dân tộc", default=False)
    two_sessions = models.BooleanField("dạy 2 buổi/ngày", default=True)
    opened = models.DateField(null=True, blank=True, verbose_name="ngày thành lập")
    closed = models.DateField(null=True, blank=True, verbose_name="ngày giải thể")

    class Meta:
        verbose_name = "trường học"
        verbose_name_plural = "trường học"
        constraints = [
            models.CheckConstraint(
                condition=Q(region__in=[1, 2, 3]),
                name="school_region_valid",
                violation_error_message="Vùng phải là 1, 2 hoặc 3.",
            ),
            models.CheckConstraint(
                condition=Q(closed__isnull=True)
                | Q(opened__isnull=True)
                | Q(closed__gte=models.F("opened")),
                name="school_dates_ordered",
                violation_error_message="Ngày đóng cửa phải sau ngày thành lập.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit)

    def clean(self) -> None:
        bad = [lv for lv in self.levels if lv not in SchoolLevel.values]
        if bad or not self.levels:
            raise ValidationError(
                {
                    "levels": f"Cấp học không hợp lệ: {', '.join(bad) or '(trống)'}; "
                    f"chọn trong {', '.join(SchoolLevel.values)}."
                }
            )

    @property
    def level_label(self) -> str:
        return ", ".join(SchoolLevel(lv).label for lv in self.levels)

"""Who a user is in Tongket: a role and the unit their scope is rooted at."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Role(models.TextChoices):
    SCHOOL = "school", "Cán bộ trường"
    COMMUNE = "commune", "Cán bộ xã/phường (Phòng VH-XH)"
    PROVINCE = "province", "Chuyên viên Sở GD&ĐT"
    LEADER = "leader", "Lãnh đạo (chỉ xem)"
    ADMIN = "admin", "Quản trị hệ thống"


ROLE_UNIT_KIND = {
    Role.SCHOOL: "school",
    Role.COMMUNE: "commune",
    Role.PROVINCE: "province",
}


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name="người dùng",
    )
    role = models.CharField(max_length=10, choices=Role.choices, verbose_name="vai trò")
    unit = models.ForeignKey(
        "units.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="đơn vị",
    )
    full_name = models.CharField(max_length=120, blank=True, verbose_name="họ và tên")

    class Meta:
        verbose_name = "hồ sơ người dùng"
        verbose_name_plural = "hồ sơ người dùng"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="admin") | models.Q(unit__isnull=False),
                name="profile_unit_required",
                violation_error_message="Người dùng (trừ quản trị) phải gắn với một đơn vị.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def clean(self) -> None:
        want = ROLE_UNIT_KIND.get(Role(self.role))
        if want and self.unit is not None and self.unit.kind != want:
            raise ValidationError(
                {"unit": f"Vai trò '{self.get_role_display()}' cần đơn vị loại '{want}'."}
            )

    @property
    def can_write(self) -> bool:
        return self.role in (Role.SCHOOL, Role.COMMUNE, Role.PROVINCE, Role.ADMIN)


class ApiToken(models.Model):
    """A machine client's token: only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="người dùng",
    )
    name = models.CharField(max_length=100, verbose_name="tên")
    digest = models.CharField(max_length=64, unique=True, verbose_name="mã băm")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")
    last_used = models.DateTimeField(null=True, blank=True, verbose_name="dùng lần cuối")
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name="hết hạn lúc")
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name="thu hồi lúc")

    class Meta:
        verbose_name = "khoá API"
        verbose_name_plural = "khoá API"

    def __str__(self) -> str:
        return f"{self.user} – {self.name}"


class Channel(models.TextChoices):
    """Where a change came from: the same action can be reached by several doors."""

    WEB = "web", "Web"
    EXCEL = "excel", "Excel"
    API = "api", "API"
    CLI = "cli", "Dòng lệnh"
    ADMIN = "admin", "Trang quản trị"
    DEMO = "demo", "Dữ liệu mẫu"


class ChangeLog(models.Model):
    """One change of one object (targets, certificates, drafts, rounds, users, tokens...):
    who, when, through which channel, why, and the fields' old and new values.

    Values of collected data keep their own per-cell trail (collection.ValueAudit): that one is
    written in bulk, one row per cell, and queried by (unit, period, element).
    """

    class Action(models.TextChoices):
        CREATE = "create", "Tạo mới"
        CHANGE = "change", "Sửa"
        DELETE = "delete", "Xoá"
        OPEN = "open", "Mở đợt"
        CLOSE = "close", "Đóng đợt"
        EXTEND = "extend", "Gia hạn"
        REOPEN = "reopen", "Mở lại"
        EXPLAIN = "explain", "Giải trình cảnh báo"
        REVOKE = "revoke", "Thu hồi"

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, verbose_name="loại đối tượng"
    )
    object_id = models.PositiveBigIntegerField(verbose_name="mã đối tượng")
    # what the object was called, kept after it is deleted
    object_repr = models.CharField(max_length=200, verbose_name="đối tượng")
    action = models.CharField(max_length=10, choices=Action.choices, verbose_name="thao tác")
    # {field: [old, new]}; a creation has old None, a deletion new None
    changes = models.JSONField(default=dict, blank=True, verbose_name="thay đổi")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the name survives the user's deletion
    actor = models.CharField(max_length=150, blank=True, verbose_name="người thực hiện")
    channel = models.CharField(max_length=6, choices=Channel.choices, verbose_name="kênh")
    reason = models.CharField(max_length=500, blank=True, verbose_name="lý do")
    at = models.DateTimeField(verbose_name="thời điểm")
    # whose scope the object lives in: decides who may read its history, even once it is gone
    unit = models.ForeignKey(
        "units.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = "lịch sử thay đổi"
        verbose_name_plural = "lịch sử thay đổi"
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor} {self.action} {self.object_repr}"

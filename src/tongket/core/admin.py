from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models

from tongket.core import audit
from tongket.core.models import ApiToken, ChangeLog, Channel, Profile
from tongket.core.vntext import clean_text


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletions go into the change log (channel "admin", old and
    new of every changed field), and whose saved texts are cleaned as the actions' are."""

    def save_model(self, request, obj, form, change) -> None:
        before = audit.stored_snapshot(obj) if change else {}
        for f in obj._meta.concrete_fields:  # no control characters from here either
            if isinstance(f, models.CharField | models.TextField):
                value = getattr(obj, f.attname)
                if isinstance(value, str):
                    setattr(obj, f.attname, clean_text(value))
        super().save_model(request, obj, form, change)
        audit.record(
            request.user,
            obj,
            ChangeLog.Action.CHANGE if change else ChangeLog.Action.CREATE,
            before=before,
            channel=Channel.ADMIN,
        )

    def history_view(self, request, object_id, extra_context=None):
        """The admin's "History" button shows the change log (every channel), not only the
        admin's own LogEntry rows."""
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import render

        from tongket.core import history as hist

        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        pk = int(object_id) if str(object_id).isdigit() else 0
        entries = list(audit.history(self.model, pk))
        obj = self.model._default_manager.filter(pk=pk).first()
        return render(
            request,
            "core/history.html",
            {
                "kind_label": str(self.model._meta.verbose_name),
                "title": str(obj) if obj else (entries[0].object_repr if entries else ""),
                "deleted": obj is None,
                "rows": hist.rows(self.model, entries),
            },
        )

    def delete_model(self, request, obj) -> None:
        before, pk, unit = audit.snapshot(obj), obj.pk, audit.unit_of(obj)
        super().delete_model(request, obj)
        audit.record(
            request.user,
            obj,
            ChangeLog.Action.DELETE,
            before=before,
            channel=Channel.ADMIN,
            object_id=pk,
            unit_id=unit,
        )

    def delete_queryset(self, request, queryset) -> None:
        # the bulk "delete selected" action: one entry per object, as if deleted one by one
        gone = [(o, audit.snapshot(o), o.pk, audit.unit_of(o)) for o in queryset]
        super().delete_queryset(request, queryset)
        for obj, before, pk, unit in gone:
            audit.record(
                request.user,
                obj,
                ChangeLog.Action.DELETE,
                before=before,
                channel=Channel.ADMIN,
                object_id=pk,
                unit_id=unit,
            )


@admin.register(Profile)
class ProfileAdmin(AuditedAdmin):
    list_display = ("user", "role", "unit", "full_name")
    raw_id_fields = ("unit",)


# The admin's own titles ("Django administration" by default) in Vietnamese.
admin.site.site_header = "Quản trị Tongket"
admin.site.site_title = "Quản trị Tongket"
admin.site.index_title = "Quản trị danh mục và tài khoản"


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    """Django's user admin, with every save and deletion in the change log (the password hash
    itself is never copied there; that it changed is)."""

    def save_model(self, request, obj, form, change) -> None:
        old_hash = User._default_manager.filter(pk=obj.pk).values_list("password", flat=True)
        changed_pw = change and old_hash.first() != obj.password
        super().save_model(request, obj, form, change)
        if changed_pw:
            audit.record(
                request.user,
                obj,
                ChangeLog.Action.CHANGE,
                before={"password": "***"},
                after={"password": "*** (đổi mật khẩu)"},
                channel=Channel.ADMIN,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("user", "name", "created_at", "last_used", "expires_at", "revoked_at")
    readonly_fields = ("digest", "created_at", "last_used")


@admin.register(ChangeLog)
class ChangeLogAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the actions, never edited."""

    list_display = ("at", "actor", "channel", "action", "content_type", "object_repr", "reason")
    list_filter = ("channel", "action", "content_type")
    search_fields = ("object_repr", "actor", "reason")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

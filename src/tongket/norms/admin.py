from django.contrib import admin

from tongket.core.admin import AuditedAdmin
from tongket.norms.models import PcgdCommune, PcgdResult, SchoolCertificate


@admin.register(PcgdResult)
class PcgdResultAdmin(admin.ModelAdmin):
    list_display = ("province", "year", "survey_name", "rejected", "uploaded_by", "at")
    list_filter = ("year",)
    readonly_fields = [f.name for f in PcgdResult._meta.fields]

    def has_add_permission(self, request) -> bool:  # results come from an evaluated upload only
        return False


@admin.register(PcgdCommune)
class PcgdCommuneAdmin(admin.ModelAdmin):
    list_display = ("result", "code", "pcgd_mn5", "pcgd_th", "pcgd_thcs", "xmc")
    readonly_fields = [f.name for f in PcgdCommune._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SchoolCertificate)
class SchoolCertificateAdmin(AuditedAdmin):
    list_display = ("school", "kind", "level", "decision_number", "decision_date", "expires")
    list_filter = ("kind", "level")
    search_fields = ("school__name", "school__code", "decision_number")
    readonly_fields = ("expires", "renew_by", "source", "created_by", "created_at", "updated_at")

    def has_change_permission(self, request, obj=None) -> bool:  # writes go through norms.actions
        return False

    def has_add_permission(self, request) -> bool:
        return False

from django.contrib import admin

from tongket.core.admin import AuditedAdmin
from tongket.units.models import OrgUnit, School, UnitParent, UnitSuccessor


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    list_display = ("name", "code", "kind", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("search_key", "code")


@admin.register(School)
class SchoolAdmin(AuditedAdmin):
    list_display = ("unit", "ownership", "region", "difficult_commune")
    search_fields = ("unit__search_key", "unit__code")
    raw_id_fields = ("unit",)


admin.site.register(UnitParent, AuditedAdmin, raw_id_fields=("child", "parent"))
admin.site.register(UnitSuccessor, AuditedAdmin, raw_id_fields=("old", "new"))

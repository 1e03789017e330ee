from django.contrib import admin

from tongket.factcheck.models import CheckedDocument, HistoricalValue


@admin.register(CheckedDocument)
class CheckedDocumentAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "sha256", "created_at")
    search_fields = ("name", "sha256", "owner__username")
    readonly_fields = ("owner", "name", "sha256", "text", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(HistoricalValue)
class HistoricalValueAdmin(admin.ModelAdmin):
    """Read-only: values are imported through factcheck.actions, with their provenance."""

    list_display = ("indicator", "unit", "period", "value", "document_name", "imported_by")
    list_filter = ("period", "indicator")
    search_fields = ("unit__name", "unit__code", "document_name", "document_sha256", "quote")
    raw_id_fields = ("unit",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

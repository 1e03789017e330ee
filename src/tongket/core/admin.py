from django.contrib import admin

from tongket.core.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "full_name")
    raw_id_fields = ("unit",)

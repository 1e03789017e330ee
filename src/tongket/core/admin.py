from django.contrib import admin

from tongket.core.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "full_name")
    raw_id_fields = ("unit",)


# The admin's own titles ("Django administration" by default) in Vietnamese.
admin.site.site_header = "Quản trị Tongket"
admin.site.site_title = "Quản trị Tongket"
admin.site.index_title = "Quản trị danh mục và tài khoản"

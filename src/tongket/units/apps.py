from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "tongket.units"
    verbose_name = "Đơn vị"
    label = "units"
    default_auto_field = "django.db.models.BigAutoField"

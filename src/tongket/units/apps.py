from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "tongket.units"
    label = "units"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tongket.reports"
    label = "reports"
    verbose_name = "Báo cáo tổng kết"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "tongket.analytics"
    label = "analytics"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Chỉ tiêu và phân tích"

    def ready(self) -> None:
        # a submission's figures reach the dashboards on commit, not at the next rebuild
        from tongket.analytics.service import on_values_changed
        from tongket.collection.signals import values_changed

        values_changed.connect(on_values_changed, dispatch_uid="analytics.refresh")

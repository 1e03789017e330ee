from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongket.core"
    verbose_name = "Người dùng và khoá API"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tongket.core import signals  # noqa: F401  (connects the security-log receivers)

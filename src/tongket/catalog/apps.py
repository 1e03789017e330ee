from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tongket.catalog"
    verbose_name = "Danh mục"
    label = "catalog"
    default_auto_field = "django.db.models.BigAutoField"

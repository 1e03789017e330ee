from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "tongket.collection"
    verbose_name = "Thu thập báo cáo"
    label = "collection"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class FactcheckConfig(AppConfig):
    """Django glue only (command, web page); the library modules never import Django."""

    name = "tongket.factcheck"
    verbose_name = "Kiểm tra văn bản"
    label = "factcheck"

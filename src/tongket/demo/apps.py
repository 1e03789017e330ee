from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tongket.demo"
    verbose_name = "Dữ liệu mẫu"
    label = "demo"

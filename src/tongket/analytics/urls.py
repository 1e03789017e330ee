from django.urls import path

from tongket.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("chat-luong/", views.quality_view, name="quality"),
    path("xuat/<slug:table>.xlsx", views.export_table, name="export"),
    path("chi-tieu/", views.targets_view, name="targets"),
    path("chi-tieu/<int:pk>/xoa/", views.target_delete, name="target_delete"),
    path("chi-tieu/nhap/", views.targets_import, name="targets_import"),
]

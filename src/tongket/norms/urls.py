from django.urls import path

from tongket.norms import views

app_name = "norms"
urlpatterns = [
    path("", views.index, name="index"),
    path("staffing/", views.staffing, name="staffing"),
    path("pcgd/", views.pcgd, name="pcgd"),
    path("pcgd/<int:province_id>/upload/", views.pcgd_upload, name="pcgd_upload"),
    path("register/", views.register, name="register"),
    path("register/new/", views.certificate_edit, name="certificate_new"),
    path("register/<int:pk>/edit/", views.certificate_edit, name="certificate_edit"),
    path("register/<int:pk>/delete/", views.certificate_delete, name="certificate_delete"),
]

from django.urls import path

from tongket.factcheck import views

app_name = "factcheck"
urlpatterns = [
    path("", views.check_page, name="check"),
    path("tai-lieu/<int:pk>/", views.document_page, name="document"),
    path("tai-lieu/<int:pk>/nhap/", views.import_facts, name="import"),
    path("da-nhap/", views.imports_page, name="imports"),
]

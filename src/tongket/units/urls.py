from django.urls import path

from tongket.units import views

app_name = "units"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("<int:pk>/", views.detail, name="detail"),
]

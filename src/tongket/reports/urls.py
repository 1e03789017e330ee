from django.urls import path

from tongket.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("draft/", views.draft_edit, name="draft"),
    path("generate/", views.generate, name="generate"),
    path("final/", views.mark_final, name="final"),
    path("job/<int:pk>/", views.job, name="job"),
    path("job/<int:pk>/<str:what>", views.download, name="download"),
]

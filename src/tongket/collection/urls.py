from django.urls import path

from tongket.collection import views, views_excel, views_review

app_name = "collection"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/open/", views.open_round, name="open_round"),
    path("rounds/<int:round_id>/", views.round_detail, name="round"),
    path("rounds/<int:round_id>/action/", views.round_action, name="round_action"),
    path("rounds/<int:round_id>/units/<int:unit_id>/", views.entry, name="entry"),
    path("rounds/<int:round_id>/units/<int:unit_id>/excel/", views_excel.download, name="excel"),
    path("rounds/<int:round_id>/upload/", views_excel.upload, name="upload"),
    path("uploads/<int:pending_id>/confirm/", views_excel.confirm, name="upload_confirm"),
    path("submissions/<int:submission_id>/review/", views.review, name="review"),
    path("submissions/<int:submission_id>/audit/", views.audit, name="audit"),
    path("review/", views_review.queue, name="queue"),
    path("submissions/<int:submission_id>/", views_review.submission, name="submission"),
]

from django.contrib import admin
from django.urls import include, path

from tongket.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("tongket.core.urls")),
    path("units/", include("tongket.units.urls")),
    path("collection/", include("tongket.collection.urls")),
    path("factcheck/", include("tongket.factcheck.urls")),
    path("analytics/", include("tongket.analytics.urls")),
    path("norms/", include("tongket.norms.urls")),
    path("reports/", include("tongket.reports.urls")),
]

# Error pages in the site's layout (tongket.core.errors); the API answers JSON (tongket.api).
handler400 = "tongket.core.errors.bad_request"
handler403 = "tongket.core.errors.permission_denied"
handler404 = "tongket.core.errors.page_not_found"
handler500 = "tongket.core.errors.server_error"

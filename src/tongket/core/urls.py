from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from tongket.core import views


class FaviconView(RedirectView):
    """The icon's URL is looked up per request: with the manifest storage of production it only
    exists once collectstatic has run, which must not break importing the URLs (check --deploy)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("tongket/favicon.svg")


urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("history/<slug:kind>/<int:pk>/", views.history, name="history"),
    path("tokens/", views.api_tokens, name="api_tokens"),
]

# Browsers and the admin ask for /favicon.ico whatever the page says: point them at the icon.
urlpatterns.append(
    path(
        "favicon.ico",
        FaviconView.as_view(),
        name="favicon",
    )
)

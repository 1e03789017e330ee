from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from tongket.core import views

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
        RedirectView.as_view(url=static("tongket/favicon.svg"), permanent=True),
        name="favicon",
    )
)

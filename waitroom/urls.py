"""The site's addresses: sign-in and the admin, then each app's own (its urls.py)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="clinics:home", permanent=False)),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("clinics.urls")),
    path("", include("waiting.urls")),
    path("", include("messaging.urls")),
    path("", include("calls.urls")),
    path("", include("staff_sessions.urls")),
]

"""The site's addresses: the admin, then each app's own (its urls.py)."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="clinics:home", permanent=False)),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("clinics.urls")),
    path("", include("waiting.urls")),
    path("", include("messaging.urls")),
    path("", include("calls.urls")),
    path("", include("reports.urls")),
    path("", include("integrations.urls")),
]

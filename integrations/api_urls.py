"""The REST API and its docs (docs/api.md), outside the app's namespace:
ninja names its schema "api:openapi-json". The docs page is ninja's Swagger
UI, its script and styles served from the ninja package's static files
("ninja" in INSTALLED_APPS), nothing from a CDN."""

from functools import partial

from django.urls import path
from ninja.openapi.views import openapi_view

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/docs", partial(openapi_view, api=api), name="api_docs"),
]

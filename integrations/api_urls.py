"""The REST API and its reference (docs/api.md), outside the app's namespace:
ninja names its schema "api:openapi-json". The reference is a page of the
site's own, made from that schema (api_docs.py)."""

from django.urls import path

from .api import api
from .api_docs import api_docs

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/docs", api_docs, name="api_docs"),
]

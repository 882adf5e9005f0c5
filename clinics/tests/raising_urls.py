"""The site's addresses and one more that fails, for the 500 page's test."""

from django.urls import path

from waitroom.urls import urlpatterns as site


def fails(request):
    raise RuntimeError("broken on purpose")


urlpatterns = [path("fails/", fails), *site]

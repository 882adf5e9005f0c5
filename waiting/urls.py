from django.urls import path

from . import views

app_name = "waiting"

urlpatterns = [
    # The caller's pages: anybody with the clinic's link.
    path("w/<slug:slug>/", views.enter, name="enter"),
    path("w/<slug:slug>/wait/", views.wait, name="wait"),
    path("w/<slug:slug>/leave/", views.leave, name="leave"),
    # The clinic's team.
    path("clinics/<slug:slug>/", views.dashboard, name="dashboard"),
    path("clinics/<slug:slug>/callers/<int:caller_id>/remove/", views.remove, name="remove"),
    path("clinics/<slug:slug>/callers/<int:caller_id>/transfer/", views.transfer, name="transfer"),
    path("clinics/<slug:slug>/callers/<int:caller_id>/activity/", views.activity, name="activity"),
]

from django.urls import path

from . import hours_page, views

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
    path("clinics/<slug:slug>/pause/", views.pause, name="pause"),
    path("clinics/<slug:slug>/resume/", views.resume, name="resume"),
    # Opening hours: clinic admins (a section of the settings; see docs/opening-hours.md).
    path("clinics/<slug:slug>/settings/hours/", hours_page.hours_page, name="hours"),
    path("clinics/<slug:slug>/settings/hours/closed/", hours_page.add_closed_days, name="add_closed_days"),
    path(
        "clinics/<slug:slug>/settings/hours/closed/<int:closed_id>/remove/",
        hours_page.remove_closed_days,
        name="remove_closed_days",
    ),
]

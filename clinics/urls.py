from django.urls import path

from calls import views as call_views
from messaging import views as messaging_views
from waiting import views as waiting_views

from . import views

app_name = "clinics"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", waiting_views.dashboard, name="dashboard"),
    path("<slug:slug>/settings/", views.configuration, name="configuration"),
    path("<slug:slug>/notify/", messaging_views.notify, name="notify"),
    path("<slug:slug>/callers/<int:caller_id>/thread/", messaging_views.caller_thread, name="thread"),
    path("<slug:slug>/callers/<int:caller_id>/remove/", waiting_views.remove, name="remove"),
    path("<slug:slug>/callers/<int:caller_id>/transfer/", waiting_views.transfer, name="transfer"),
    path("<slug:slug>/callers/<int:caller_id>/activity/", waiting_views.activity, name="activity"),
    path("<slug:slug>/callers/<int:caller_id>/join/", call_views.join, name="join"),
    path("<slug:slug>/calls/<int:call_id>/", call_views.call_page, name="call"),
    path(
        "<slug:slug>/calls/<int:call_id>/<slug:action>/",
        call_views.call_action,
        name="call-action",
    ),
]

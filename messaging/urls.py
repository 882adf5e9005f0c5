from django.urls import path

from . import settings_views, views

app_name = "messaging"

urlpatterns = [
    path("clinics/<slug:slug>/notify/", views.notify, name="notify"),
    path("clinics/<slug:slug>/callers/<int:caller_id>/thread/", views.caller_thread, name="thread"),
    path("clinics/<slug:slug>/quick-replies/", views.quick_replies, name="quick_reply_list"),
    path("clinics/<slug:slug>/quick-replies/<int:reply_id>/preview/", views.quick_reply_preview, name="quick_reply_preview"),
    # The clinic admin's settings pages.
    path("clinics/<slug:slug>/settings/quick-replies/", settings_views.quick_replies, name="quick_replies"),
    path("clinics/<slug:slug>/settings/quick-replies/<int:reply_id>/", settings_views.quick_reply, name="quick_reply"),
    path(
        "clinics/<slug:slug>/settings/quick-replies/<int:reply_id>/delete/",
        settings_views.remove_quick_reply,
        name="remove_quick_reply",
    ),
    path(
        "clinics/<slug:slug>/settings/quick-replies/<int:reply_id>/move/",
        settings_views.move_quick_reply,
        name="move_quick_reply",
    ),
    path(
        "clinics/<slug:slug>/settings/automated-messages/",
        settings_views.automated_messages,
        name="automated_messages",
    ),
]

from django.urls import path

from . import views

app_name = "waiting"

urlpatterns = [
    path("<slug:slug>/", views.enter, name="enter"),
    path("<slug:slug>/wait/", views.wait, name="wait"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
]

from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from . import events

        # What waits for the response (events.behind_the_response, events.after_response).
        request_started.connect(events.request_started, dispatch_uid="realtime.after_response.started")
        request_finished.connect(events.request_finished, dispatch_uid="realtime.after_response.finished")

from django.apps import AppConfig
from django.conf import settings

SWEEP_SECONDS = 10


class WaitingConfig(AppConfig):
    name = "waiting"

    def ready(self):
        from realtime.watchdog import watchdog

        from .actions import do_sweep_presence
        from .consumers import add_to_caller_page, check_dashboards
        from .queue_page import QueueOnPage, queue_check

        watchdog.every(lambda: settings.WAITROOM_CATCH_UP_SECONDS, check_dashboards)
        watchdog.every_in_database(SWEEP_SECONDS, do_sweep_presence)
        add_to_caller_page(QueueOnPage)
        watchdog.every(0, queue_check)  # every pass: it does its own timing (queue_page.py)

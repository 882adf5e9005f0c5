from django.apps import AppConfig
from django.conf import settings

# How often each process looks for callers due a patience message.
PATIENCE_CHECK_SECONDS = 15


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self):
        from realtime.watchdog import watchdog
        from waiting.consumers import add_to_caller_page
        from waiting.signals import status_changed, visit_started

        from . import receipts
        from .actions import do_send_patience_messages, on_status_changed, on_visit_started
        from .consumers import ThreadOnPage, catch_up

        add_to_caller_page(ThreadOnPage)
        watchdog.every(0, receipts.write, after_last_page=True)  # every pass: gathered for a second
        watchdog.every(lambda: settings.WAITROOM_CATCH_UP_SECONDS, catch_up)
        # Automated messages: the welcome on entry, the on-hold message on the
        # status change (both in the action's transaction), patience on a timer.
        visit_started.connect(on_visit_started, dispatch_uid="messaging.welcome")
        status_changed.connect(on_status_changed, dispatch_uid="messaging.on_hold")
        watchdog.every_in_database(PATIENCE_CHECK_SECONDS, do_send_patience_messages)

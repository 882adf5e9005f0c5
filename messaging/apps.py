from django.apps import AppConfig
from django.conf import settings


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self):
        from realtime.watchdog import watchdog
        from waiting.consumers import add_to_caller_page

        from . import receipts
        from .consumers import ThreadOnPage, catch_up

        add_to_caller_page(ThreadOnPage)
        watchdog.every(0, receipts.write, after_last_page=True)  # every pass: gathered for a second
        watchdog.every(lambda: settings.WAITROOM_CATCH_UP_SECONDS, catch_up)

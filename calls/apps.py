from django.apps import AppConfig

SWEEP_SECONDS = 10


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self):
        from realtime.events import add_to_caller_card
        from realtime.watchdog import watchdog
        from waiting.consumers import add_to_caller_page
        from waiting.models import Caller
        from waiting.signals import visit_ended

        from .actions import do_sweep_calls, end_call_of_ended_visit
        from .consumers import CallOnCallerPage, DevicesOnCallerPage
        from .snapshots import seen_by

        add_to_caller_page(CallOnCallerPage)
        add_to_caller_page(DevicesOnCallerPage)
        add_to_caller_card(seen_by)
        visit_ended.connect(end_call_of_ended_visit, sender=Caller, dispatch_uid="calls.end_call_of_ended_visit")
        watchdog.every_in_database(SWEEP_SECONDS, do_sweep_calls)

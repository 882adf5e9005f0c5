from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from waiting.models import Caller
        from waiting.signals import visit_ended, visits_purging

        from .actions import summarise_ended_visit, summarise_before_purge

        visit_ended.connect(summarise_ended_visit, sender=Caller, dispatch_uid="reports.summarise_ended_visit")
        visits_purging.connect(summarise_before_purge, sender=Caller, dispatch_uid="reports.summarise_before_purge")

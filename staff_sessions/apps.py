from django.apps import AppConfig


class StaffSessionsConfig(AppConfig):
    name = "staff_sessions"
    verbose_name = "Staff sessions"

    def ready(self):
        from realtime import staff
        from realtime.watchdog import watchdog

        from . import ending, verdicts

        ending.connect()
        staff.check_with(verdicts.verdicts)
        watchdog.every(lambda: verdicts.CHECK_SECONDS, staff.check_pages)

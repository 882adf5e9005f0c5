import signal
import threading

from django.core.management.base import BaseCommand

from integrations.delivery import run


class Command(BaseCommand):
    help = (
        "Send the clinics' webhook events: signed, retried for a day, at least once. Runs until stopped "
        "(SIGTERM ends it after the delivery being sent); several may run at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due now, then stop (tests, cron).")
        parser.add_argument("--poll", type=float, default=1.0, help="Seconds to wait when nothing is due (default 1).")

    def handle(self, *args, once=False, poll=1.0, **options):
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        run(stop, poll_seconds=poll, once=once)

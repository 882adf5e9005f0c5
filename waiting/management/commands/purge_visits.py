from django.core.management.base import BaseCommand

from waiting.actions import do_purge_old_visits


class Command(BaseCommand):
    help = "Delete finished visits (and their messages) older than each clinic's retention period. Run daily."

    def handle(self, *args, **options):
        count = do_purge_old_visits()
        self.stdout.write(f"Deleted {count} finished visits.")

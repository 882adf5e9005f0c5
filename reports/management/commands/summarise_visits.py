from django.core.management.base import BaseCommand

from reports.actions import do_summarise_ended_visits


class Command(BaseCommand):
    help = (
        "Write the reports' summary of every ended visit that has none (visits that ended before "
        "reports/ was installed). Safe to run again: each visit is summarised once."
    )

    def handle(self, *args, **options):
        count = do_summarise_ended_visits()
        self.stdout.write(f"Summarised {count} ended visits.")

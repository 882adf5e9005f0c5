import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from clinics.models import Clinic, Membership, Role

ADMIN_EMAIL = "admin@example.com"
DOCTOR_EMAIL = "doctor@example.com"


class Command(BaseCommand):
    help = (
        "Create the demo clinic and its two staff accounts, once: run again, it changes nothing "
        "(passwords and sessions stay) unless --password is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="password for both demo accounts (default: a random one, printed, for accounts it creates; "
            "accounts that exist keep theirs)",
        )

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        new_password = password or secrets.token_urlsafe(9)
        shown = {}
        clinic, _ = Clinic.objects.get_or_create(
            slug="demo",
            defaults={
                "name": "Demo Clinic",
                "waiting_text_en": "Welcome to the Demo Clinic. Please stay on this page; "
                "a member of our team will join you shortly.",
                "waiting_text_de": "Willkommen in der Demo-Klinik. Bitte bleiben Sie auf dieser Seite; "
                "jemand aus unserem Team ist gleich für Sie da.",
            },
        )
        User = get_user_model()
        for email, first, last, role in [
            (ADMIN_EMAIL, "Alex", "Admin", Role.ADMIN),
            (DOCTOR_EMAIL, "Dana", "Lee", Role.MEMBER),
        ]:
            user, created = User.objects.get_or_create(
                username=email, defaults={"email": email, "first_name": first, "last_name": last}
            )
            # Setting a password signs its sessions out: only for a new account,
            # or when asked for a password the account does not have yet.
            if created or (password and not user.check_password(password)):
                user.set_password(new_password)
                user.save(update_fields=["password"])
            shown[email] = new_password if created or password else "unchanged (--password or DEMO_PASSWORD sets one)"
            # A role changed since (on the team page, in the admin) stays.
            Membership.objects.get_or_create(user=user, clinic=clinic, defaults={"role": role})

        site = settings.SITE_URL
        self.stdout.write(
            f"Demo clinic ready.\n"
            f"  Staff sign-in:   {site}/login/\n"
            f"  Clinic admin:    {ADMIN_EMAIL}  password: {shown[ADMIN_EMAIL]}\n"
            f"  Team member:     {DOCTOR_EMAIL}  password: {shown[DOCTOR_EMAIL]}\n"
            f"  Dashboard:       {site}/clinics/{clinic.slug}/\n"
            f"  Caller link:     {site}/w/{clinic.slug}/\n"
        )

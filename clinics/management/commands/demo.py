import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from clinics.models import Clinic, Membership, Role

ADMIN_EMAIL = "admin@example.com"
DOCTOR_EMAIL = "doctor@example.com"


class Command(BaseCommand):
    help = "Create (or reset the passwords of) the demo clinic and its two staff accounts."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="password for both demo accounts (default: a random one, printed)")

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        password = password or secrets.token_urlsafe(9)
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
            user, _ = User.objects.get_or_create(
                username=email, defaults={"email": email, "first_name": first, "last_name": last}
            )
            user.set_password(password)
            user.save()
            Membership.objects.update_or_create(user=user, clinic=clinic, defaults={"role": role})

        site = settings.SITE_URL
        self.stdout.write(
            f"Demo clinic ready.\n"
            f"  Staff sign-in:   {site}/login/\n"
            f"  Clinic admin:    {ADMIN_EMAIL}  password: {password}\n"
            f"  Team member:     {DOCTOR_EMAIL}  password: {password}\n"
            f"  Dashboard:       {site}/clinics/{clinic.slug}/\n"
            f"  Caller link:     {site}/w/{clinic.slug}/\n"
        )

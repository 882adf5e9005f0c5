"""`manage.py createclinic "Sunrise Clinic" sunrise admin@sunrise.example`: a
clinic and its first admin, for operators who script (docs/team.md).

The admin's password never goes on the command line (the shell's history and
`ps` would show it): --password-stdin reads it from the first line of standard
input, or CREATECLINIC_PASSWORD holds it. Without one, the command prints an
invitation link (no mail is sent) through which the admin chooses their own.
An address that is an account's already: that account becomes the admin.

Exit status: 0 done; 1 refused (the message says why: link name taken, bad
address, weak password...); 2 wrong usage."""

import os
import sys

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from clinics import team
from clinics.models import Role
from waitroom.errors import ActionError

PASSWORD_VARIABLE = "CREATECLINIC_PASSWORD"


class Command(BaseCommand):
    help = "Create a clinic and its first clinic admin (an invitation link, or a password from stdin or CREATECLINIC_PASSWORD)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the clinic's name, as its team and callers see it")
        parser.add_argument("slug", help="the link name: /w/<slug>/ is the callers' way in")
        parser.add_argument("email", help="the first clinic admin's email address")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the admin's password from the first line of stdin"
        )
        parser.add_argument("--first-name", default="", help="the admin's first name (with a password)")
        parser.add_argument("--last-name", default="", help="the admin's last name (with a password)")

    def handle(self, *args, name, slug, email, password_stdin, first_name, last_name, **options):
        name, slug, email = name.strip(), slug.strip(), email.strip().lower()
        if not name:
            raise CommandError("The clinic needs a name.", returncode=1)
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.", returncode=1)
        password = self.password(password_stdin)
        User = get_user_model()
        existing = team.account_with_email(email)
        if existing is not None and password is not None:
            raise CommandError(
                f"{email} has an account already: it becomes the admin with its own password. Give no password.",
                returncode=1,
            )
        if password is not None:
            person = User(username=email, email=email, first_name=first_name, last_name=last_name)
            try:
                password_validation.validate_password(password, person)
            except ValidationError as error:
                raise CommandError("The password is refused: " + " ".join(error.messages), returncode=1)
        try:
            with transaction.atomic():
                admin = existing
                if password is not None:
                    admin = User._default_manager.create_user(
                        username=email, email=email, password=password, first_name=first_name, last_name=last_name
                    )
                clinic = team.do_create_clinic(name, slug, admin=admin)
                link = None
                if admin is None:
                    _, link, _ = team.do_invite(
                        clinic.pk,
                        actor=None,
                        email=email,
                        role=Role.ADMIN,
                        language=team.mail_language(clinic, settings.LANGUAGE_CODE),
                        site=settings.SITE_URL,
                        send=False,
                    )
        except ActionError as error:
            raise CommandError(error.message, returncode=1)
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()), returncode=1)
        self.stdout.write(f"Clinic {clinic.name} ({clinic.slug}) created.")
        self.stdout.write(f"  Dashboard:   {settings.SITE_URL}/clinics/{clinic.slug}/")
        self.stdout.write(f"  Caller link: {settings.SITE_URL}/w/{clinic.slug}/")
        if link:
            days = settings.WAITROOM_INVITATION_DAYS
            self.stdout.write(f"  Invitation for {email} (clinic admin), works once, for {days:g} days:\n  {link}")
        else:
            self.stdout.write(f"  Clinic admin: {email}")

    def password(self, from_stdin):
        if from_stdin:
            line = sys.stdin.readline()
            password = line[:-1] if line.endswith("\n") else line
            if password.endswith("\r"):
                password = password[:-1]
            if not password:
                raise CommandError("--password-stdin: the first line of standard input is empty.", returncode=1)
            return password
        return os.environ.get(PASSWORD_VARIABLE) or None

"""`manage.py createclinic NAME SLUG EMAIL`: a clinic and its first admin, for
operators who script. The password comes from stdin or the environment, never
the command line; without one, an invitation link is printed."""

import io
import re
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from audit.models import AuditEvent
from clinics.models import Clinic, Membership, Role

from .team_helpers import new_account

User = get_user_model()
PASSWORD = "a long operator passphrase 7"


def run(*args, stdin=None, **options):
    out = io.StringIO()
    if stdin is not None:
        old, sys.stdin = sys.stdin, io.StringIO(stdin)
        try:
            call_command("createclinic", *args, stdout=out, **options)
        finally:
            sys.stdin = old
    else:
        call_command("createclinic", *args, stdout=out, **options)
    return out.getvalue()


def test_it_prints_an_invitation_link_for_a_new_admin(db, settings):
    settings.SITE_URL = "https://wait.example.org"
    out = run("Riverside Practice", "riverside", "Boss@Riverside.test")

    clinic = Clinic.objects.get(slug="riverside")
    assert clinic.name == "Riverside Practice"
    (link,) = re.findall(r"https://wait\.example\.org/invitation/[A-Za-z0-9_-]+/", out)
    assert not mail.outbox  # printed, not mailed
    response = Client().post(link.removeprefix("https://wait.example.org"), new_account(first_name="Bo"))
    assert response.status_code == 302
    assert Membership.objects.get(clinic=clinic).role == Role.ADMIN
    assert Membership.objects.get(clinic=clinic).user.username == "boss@riverside.test"
    assert AuditEvent.objects.filter(action="clinic.created", clinic=clinic).exists()


def test_a_password_from_stdin(db):
    out = run("Riverside Practice", "riverside", "boss@riverside.test", "--first-name", "Bo", password_stdin=True, stdin=PASSWORD + "\n")
    admin = User.objects.get(username="boss@riverside.test")
    assert admin.check_password(PASSWORD) and admin.first_name == "Bo"
    assert Membership.objects.get(user=admin).role == Role.ADMIN
    assert PASSWORD not in out and "invitation" not in out.lower()


def test_a_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("CREATECLINIC_PASSWORD", PASSWORD)
    run("Riverside Practice", "riverside", "boss@riverside.test")
    assert User.objects.get(username="boss@riverside.test").check_password(PASSWORD)


def test_an_existing_account_becomes_the_admin(clinic, team_member):
    run("Riverside Practice", "riverside", "LEE@sunrise.test")
    assert Membership.objects.get(clinic__slug="riverside").user == team_member
    assert User.objects.filter(username__iexact="lee@sunrise.test").count() == 1


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["Twice", "sunrise", "a@b.test"], None, "The link name sunrise is taken by another clinic."),
        (["Bad", "riverside", "not-an-address"], None, "'not-an-address' is not an email address."),
        (["Bad", "not a slug!", "a@b.test"], None, "slug"),
        (["  ", "riverside", "a@b.test"], None, "The clinic needs a name."),
        (["x" * 101, "riverside", "a@b.test"], None, "name"),
        (["Weak", "riverside", "a@b.test", "--password-stdin"], "password\n", "The password is refused: This password is too common."),
        (["Empty", "riverside", "a@b.test", "--password-stdin"], "\n", "the first line of standard input is empty"),
        (["Existing", "riverside", "lee@sunrise.test", "--password-stdin"], PASSWORD + "\n", "has an account already"),
    ],
)
def test_it_refuses_with_a_clear_error_and_changes_nothing(clinic, team_member, args, stdin, message):
    options = {"password_stdin": True} if "--password-stdin" in args else {}
    args = [a for a in args if a != "--password-stdin"]
    with pytest.raises(CommandError) as refused:
        run(*args, stdin=stdin, **options)
    assert message in str(refused.value)
    assert refused.value.returncode == 1
    assert list(Clinic.objects.values_list("slug", flat=True)) == ["sunrise"]
    assert User.objects.count() == 1 and team_member.check_password("correct horse battery staple")


def test_a_password_on_the_command_line_is_not_an_option(db):
    with pytest.raises(CommandError):
        call_command("createclinic", "Riverside", "riverside", "a@b.test", "--password", PASSWORD)
    assert not Clinic.objects.exists()

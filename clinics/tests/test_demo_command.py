"""`python manage.py demo [--password PW]` (`make run` runs it at every start):
the demo clinic and its two staff accounts are created once; running it again
changes nothing (passwords stay, staff stay signed in) unless a password is
given, which then works and the old one does not."""

import re
from io import StringIO

from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory

from clinics.models import Clinic, Membership, Role


def demo(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def signs_in(username, password):
    """The password works on the sign-in page (axes needs the request)."""
    return authenticate(RequestFactory().post("/login/"), username=username, password=password) is not None


def printed_password(output):
    (password,) = set(re.findall(r"password: (.*)$", output, re.M))
    return password


def test_it_creates_the_demo_clinic(db, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    output = demo("--password", "tea for two")

    clinic = Clinic.objects.get(slug="demo")
    assert clinic.name == "Demo Clinic"
    assert clinic.waiting_text_en and clinic.waiting_text_de
    roles = {m.user.username: m.role for m in Membership.objects.filter(clinic=clinic)}
    assert roles == {"admin@example.com": Role.ADMIN, "doctor@example.com": Role.MEMBER}
    assert signs_in("admin@example.com", "tea for two")
    assert signs_in("doctor@example.com", "tea for two")

    assert "http://127.0.0.1:8000/login/" in output
    assert "http://127.0.0.1:8000/clinics/demo/" in output
    assert "http://127.0.0.1:8000/w/demo/" in output
    assert printed_password(output) == "tea for two"


def printed(output, email):
    (password,) = re.findall(rf"{re.escape(email)}  password: (.*)$", output, re.M)
    return password


def signed_in_client(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    assert client.get("/clinics/demo/").status_code == 200
    return client


def test_running_it_again_changes_nothing(db):
    demo("--password", "first")
    staff = signed_in_client("doctor@example.com")
    admin = signed_in_client("admin@example.com")
    hashes = list(get_user_model().objects.order_by("pk").values_list("password", flat=True))

    output = demo()

    assert Clinic.objects.filter(slug="demo").count() == 1
    assert get_user_model().objects.count() == 2
    assert Membership.objects.count() == 2
    assert list(get_user_model().objects.order_by("pk").values_list("password", flat=True)) == hashes
    assert signs_in("admin@example.com", "first")
    assert printed(output, "admin@example.com").startswith("unchanged")
    # Still signed in: their pages did not end.
    assert staff.get("/clinics/demo/").status_code == 200
    assert admin.get("/clinics/demo/settings/").status_code == 200


def test_the_same_password_again_keeps_staff_signed_in(db):
    demo("--password", "first")
    staff = signed_in_client("doctor@example.com")
    demo("--password", "first")
    assert staff.get("/clinics/demo/").status_code == 200
    assert signs_in("doctor@example.com", "first")


def test_a_new_password_replaces_the_old_one(db):
    demo("--password", "first")
    staff = signed_in_client("doctor@example.com")
    output = demo("--password", "second")
    assert printed(output, "doctor@example.com") == "second"
    assert signs_in("admin@example.com", "second")
    assert signs_in("doctor@example.com", "second")
    assert not signs_in("admin@example.com", "first")
    # A new password ends the sessions signed in with the old one.
    assert staff.get("/clinics/demo/").status_code == 302


def test_it_keeps_the_clinics_configuration(db):
    demo("--password", "first")
    Clinic.objects.filter(slug="demo").update(guest_messaging_enabled=True, waiting_text_en="Our own text")
    demo("--password", "second")
    clinic = Clinic.objects.get(slug="demo")
    assert clinic.guest_messaging_enabled is True
    assert clinic.waiting_text_en == "Our own text"


def test_it_keeps_a_changed_role_and_brings_back_what_is_missing(db):
    demo("--password", "first")
    Membership.objects.filter(user__username="admin@example.com").update(role=Role.MEMBER)
    get_user_model().objects.filter(username="doctor@example.com").delete()
    output = demo()
    assert Membership.objects.get(user__username="admin@example.com").role == Role.MEMBER
    # The deleted account is created again, with a new password, printed.
    assert Membership.objects.get(user__username="doctor@example.com").role == Role.MEMBER
    assert signs_in("doctor@example.com", printed(output, "doctor@example.com"))
    assert signs_in("admin@example.com", "first")


def test_without_a_password_it_prints_a_random_one_the_first_time(db):
    first = printed_password(demo())
    assert len(first) >= 12
    assert signs_in("doctor@example.com", first)
    assert signs_in("admin@example.com", first)

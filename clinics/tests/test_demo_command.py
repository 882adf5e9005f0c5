"""`python manage.py demo [--password PW]`: the demo clinic and its two staff
accounts, as often as you like."""

import re
from io import StringIO

from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

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


def test_it_is_idempotent(db):
    demo("--password", "first")
    demo("--password", "second")
    assert Clinic.objects.filter(slug="demo").count() == 1
    assert get_user_model().objects.count() == 2
    assert Membership.objects.count() == 2
    # The second run's password is the one that works now.
    assert signs_in("admin@example.com", "second")
    assert not signs_in("admin@example.com", "first")


def test_it_keeps_the_clinics_configuration(db):
    demo("--password", "first")
    Clinic.objects.filter(slug="demo").update(guest_messaging_enabled=True, waiting_text_en="Our own text")
    demo("--password", "second")
    clinic = Clinic.objects.get(slug="demo")
    assert clinic.guest_messaging_enabled is True
    assert clinic.waiting_text_en == "Our own text"


def test_it_restores_a_changed_role(db):
    demo("--password", "first")
    Membership.objects.filter(user__username="admin@example.com").update(role=Role.MEMBER)
    demo("--password", "first")
    assert Membership.objects.get(user__username="admin@example.com").role == Role.ADMIN


def test_without_a_password_it_prints_a_random_one(db):
    first = printed_password(demo())
    assert len(first) >= 12
    assert signs_in("doctor@example.com", first)
    second = printed_password(demo())
    assert second != first
    assert signs_in("doctor@example.com", second)
    assert not signs_in("doctor@example.com", first)

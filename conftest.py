"""Fixtures every test can use: a clinic with an admin and a team member, and an
outsider who belongs to another clinic (healthchecks' owner / member / outsider)."""

import pytest
from channels.layers import channel_layers
from django.contrib.auth import get_user_model

from clinics.models import Clinic, Membership, Role

PASSWORD = "correct horse battery staple"


def make_user(email, clinic, role, first_name=""):
    user = get_user_model().objects.create_user(
        username=email, email=email, password=PASSWORD, first_name=first_name
    )
    Membership.objects.create(user=user, clinic=clinic, role=role)
    return user


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    # The in-memory layer is a process-wide object: start each test without
    # the groups and queued events of the last one.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def clinic(db):
    return Clinic.objects.create(name="Sunrise Clinic", slug="sunrise")


@pytest.fixture
def other_clinic(db):
    return Clinic.objects.create(name="Harbour Practice", slug="harbour")


@pytest.fixture
def clinic_admin(clinic):
    return make_user("admin@sunrise.test", clinic, Role.ADMIN, "Alex")


@pytest.fixture
def team_member(clinic):
    return make_user("lee@sunrise.test", clinic, Role.MEMBER, "Dr Lee")


@pytest.fixture
def outsider(other_clinic):
    return make_user("staff@harbour.test", other_clinic, Role.ADMIN, "Olli")

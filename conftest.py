"""Fixtures every test can use: a clinic with an admin and a team member, and an
outsider who belongs to another clinic (healthchecks' owner / member / outsider);
pages opened as a browser opens them (`sockets`); and a fresh start for the
process-wide things (channel layer, watchdog) in every test."""

import os
import sys
import time

import pytest
from channels.layers import channel_layers
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import OperationalError

from clinics.models import Clinic, Membership, Role
from messaging import receipts
from messaging.consumers import catch_up
from realtime.watchdog import watchdog
from testkit.sockets import Sockets
from waiting.openings import closings, openings
from waiting.queue_page import queue_check

PASSWORD = "correct horse battery staple"

# CI's check of each pass: the database engine and how many tests it collected.
pytest_plugins = ["testkit.ci_guard"]

# The tests that drive a browser or real server processes: they run last.
# Playwright's sync API leaves an event loop running in the main thread, and a
# database test after it fails with SynchronousOnlyOperation; pytest-django's
# own sort (plain database tests, then transactional, then the rest) does not
# keep them last by itself.
LAST = ("e2e", "scaleout", "deploy_check")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    root = str(config.rootpath)

    def runs_last(item):
        return os.path.relpath(str(item.path), root).split(os.sep)[0] in LAST

    items[:] = [item for item in items if not runs_last(item)] + [item for item in items if runs_last(item)]


def make_user(email, clinic, role, first_name=""):
    user = get_user_model().objects.create_user(
        username=email, email=email, password=PASSWORD, first_name=first_name
    )
    Membership.objects.create(user=user, clinic=clinic, role=role)
    return user


@pytest.fixture(autouse=True)
def test_settings(settings):
    # Whatever REDIS_URL says, tests read announcements from the in-memory
    # layer of this process (servers that e2e/ and scaleout/ start have their own).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "waitroom.server.layers.LocalChannelLayer"}}
    # Staff fixtures hash a password each; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The Origin the in-process sockets send and the Host of the test Client.
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


@pytest.fixture(autouse=True)
def fresh_watchdog():
    # One watchdog per process, like the channel layer: forget the pages and
    # what they left of the last test (its event loop is gone).
    watchdog.forget_all()
    receipts.forget_all()
    catch_up.forget_all()
    queue_check.forget_all()
    openings.forget_all()
    closings.forget_all()
    yield
    watchdog.forget_all()
    receipts.forget_all()
    catch_up.forget_all()
    queue_check.forget_all()
    openings.forget_all()
    closings.forget_all()


@pytest.fixture(autouse=True)
def fresh_cache():
    # Entry counts and send allowances are kept in the cache, by ids that the
    # next test's database gives out again.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
async def sockets():
    opened = Sockets()
    yield opened
    await opened.close_all()


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    # The in-memory layer is a process-wide object: start each test without
    # the groups and queued events of the last one.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(scope="session", autouse=True)
def flush_tries_again_after_deadlock():
    """Browser and scale-out tests run real server processes on the test
    database, and those go on working while a test's rows are flushed (a page
    that closed goes Offline, the watchdog reads). On PostgreSQL the flush's one
    TRUNCATE of every table can deadlock with such a query and be the one
    aborted; the next test would then find the last one's clinic. Try again."""
    handle = flush.Command.handle

    def handle_until_done(self, **options):
        for attempt in range(1, 6):
            try:
                return handle(self, **options)
            except CommandError as error:
                if attempt == 5 or not isinstance(error.__cause__, OperationalError):
                    raise
                print(f"flush: try {attempt} failed ({error.__cause__}); again", file=sys.stderr)
                time.sleep(0.1 * attempt)

    flush.Command.handle = handle_until_done
    yield
    flush.Command.handle = handle


@pytest.fixture
def clinic(db):
    return Clinic.objects.create(name="Sunrise Clinic", slug="sunrise")


@pytest.fixture
def other_clinic(db):
    return Clinic.objects.create(name="Harbour Practice", slug="harbour")


@pytest.fixture
def messaging_clinic(clinic):
    """The clinic, taking messages from its callers (guest messaging on)."""
    Clinic.objects.filter(pk=clinic.pk).update(guest_messaging_enabled=True)
    clinic.refresh_from_db()
    return clinic


@pytest.fixture
def clinic_admin(clinic):
    return make_user("admin@sunrise.test", clinic, Role.ADMIN, "Alex")


@pytest.fixture
def team_member(clinic):
    return make_user("lee@sunrise.test", clinic, Role.MEMBER, "Dr Lee")


@pytest.fixture
def outsider(other_clinic):
    return make_user("staff@harbour.test", other_clinic, Role.ADMIN, "Olli")

"""A flood of visits is held per person, not per request: entries through the
clinic's link are limited per address (IPv6: per /64) and per clinic within
WAITROOM_ENTRIES_MINUTES, and a refused caller sees a page that says so in
the clinic's language. One client once made 200 visits in 5.5 s."""

from types import SimpleNamespace

import pytest
from django.test import Client

from realtime import limits
from testkit.helpers import make_caller
from waiting.models import Caller


@pytest.fixture
def clock(monkeypatch):
    """The limits' clock, moved by the test."""
    now = SimpleNamespace(value=1_000_000.0)
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: now.value, monotonic=lambda: now.value))
    return now


@pytest.fixture
def small_limits(settings):
    settings.WAITROOM_ENTRIES_PER_ADDRESS = 3
    settings.WAITROOM_ENTRIES_PER_CLINIC = 5
    settings.WAITROOM_ENTRIES_MINUTES = 10
    return settings


def browser(address):
    return Client(REMOTE_ADDR=address)


def try_to_enter(address, slug="sunrise", name="Sue Smith"):
    return browser(address).post(f"/w/{slug}/", {"name": name})


def test_it_refuses_a_flood_from_one_address(clinic, small_limits, clock):
    answers = [try_to_enter("203.0.113.9", name=f"Caller {n}").status_code for n in range(10)]

    assert answers == [302, 302, 302] + [429] * 7
    assert Caller.objects.count() == 3


def test_the_refusal_is_a_page_that_says_why(clinic, small_limits, clock):
    for _ in range(3):
        try_to_enter("203.0.113.9")

    response = try_to_enter("203.0.113.9")

    assert response.status_code == 429
    assert int(response["Retry-After"]) == 600
    html = response.content.decode()
    assert "Please try again later" in html
    assert "Many visits were started from your connection just now" in html
    assert 'href="/w/sunrise/"' in html


def test_the_refusal_speaks_the_clinics_language(clinic, small_limits, clock):
    clinic.language = "de"
    clinic.save()
    for _ in range(3):
        try_to_enter("203.0.113.9")

    html = try_to_enter("203.0.113.9").content.decode()

    assert "Bitte versuchen Sie es später noch einmal" in html
    assert "Von Ihrer Verbindung aus wurden gerade viele Besuche begonnen" in html


def test_other_addresses_still_come_in(clinic, small_limits, clock):
    for _ in range(4):
        try_to_enter("203.0.113.9")

    assert try_to_enter("198.51.100.20").status_code == 302


def test_an_ipv6_household_is_one_address(clinic, small_limits, clock):
    for n in range(3):
        assert try_to_enter(f"2001:db8:1:2::{n + 1}").status_code == 302

    assert try_to_enter("2001:db8:1:2:ffff::9").status_code == 429  # the same /64
    assert try_to_enter("2001:db8:1:3::1").status_code == 302  # another one


def test_the_clinic_takes_only_so_many_arrivals(clinic, other_clinic, small_limits, clock):
    answers = [try_to_enter(f"198.51.100.{n}").status_code for n in range(7)]

    assert answers == [302] * 5 + [429] * 2
    response = try_to_enter("198.51.100.99")
    assert "The waiting area takes no more arrivals just now" in response.content.decode()
    # Another clinic's waiting area is not affected.
    assert try_to_enter("198.51.100.99", slug="harbour").status_code == 302


def test_a_flood_that_was_refused_does_not_use_up_the_clinics_arrivals(clinic, small_limits, clock):
    for _ in range(50):
        try_to_enter("203.0.113.9")  # 3 come in, 47 are refused

    assert try_to_enter("198.51.100.1").status_code == 302
    assert try_to_enter("198.51.100.2").status_code == 302
    assert Caller.objects.count() == 5


def test_the_address_may_come_in_again_after_the_window(clinic, small_limits, clock):
    for _ in range(4):
        try_to_enter("203.0.113.9")

    clock.value += 600

    assert try_to_enter("203.0.113.9").status_code == 302


def test_no_limit_when_set_to_zero(clinic, settings, clock):
    settings.WAITROOM_ENTRIES_PER_ADDRESS = 0
    settings.WAITROOM_ENTRIES_PER_CLINIC = 0

    assert {try_to_enter("203.0.113.9").status_code for _ in range(30)} == {302}


def test_callers_the_system_makes_are_not_counted(clinic, small_limits, clock):
    for n in range(10):
        make_caller(clinic, name=f"Seeded {n}")

    assert try_to_enter("203.0.113.9").status_code == 302


def test_an_entry_that_is_refused_for_its_form_is_not_an_arrival(clinic, small_limits, clock):
    for _ in range(10):
        assert browser("203.0.113.9").post("/w/sunrise/", {"name": ""}).status_code == 200

    assert try_to_enter("203.0.113.9").status_code == 302


def test_the_cache_holds_no_address(clinic, small_limits, clock):
    try_to_enter("203.0.113.9")

    from django.core.cache import cache

    keys = list(cache._cache.keys())  # the local-memory cache's own keys
    assert keys and not any("203.0.113" in key for key in keys)

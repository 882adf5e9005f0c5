"""A staff page left alone warns before the sign-in ends for inactivity;
"Stay signed in" keeps it; left alone again, the page goes to the sign-in.
The warning passes axe-core in English and German.

These run on a server of their own whose idle time is seconds, not minutes
(WAITROOM_STAFF_IDLE_MINUTES=0.2: 12 s, warned 6 s before)."""

import re

import pytest
from playwright.sync_api import expect

from .axe import assert_accessible
from .servers import Server

IDLE = 12_000  # ms


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    app = Server(tmp_path_factory.mktemp("idle") / "server.log", WAITROOM_STAFF_IDLE_MINUTES="0.2").start()
    yield app.url
    app.stop()


def warning(page, title):
    return page.get_by_role("dialog", name=title)


def test_stay_signed_in_keeps_the_sign_in_and_leaving_the_page_alone_ends_it(lee):
    dialog = warning(lee, "You will be signed out in 6 seconds")
    expect(dialog).to_be_visible(timeout=IDLE)
    assert_accessible(lee)

    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()

    # Still signed in past the first deadline: the warning comes again, on the dashboard.
    expect(dialog).to_be_visible(timeout=IDLE)
    expect(lee.get_by_role("heading", name="Waiting area", level=1)).to_be_attached()
    assert "/login/" not in lee.url

    # Left alone: the sign-in, which brings the person back to the dashboard.
    expect(lee.get_by_role("button", name="Sign in")).to_be_visible(timeout=IDLE)
    expect(lee).to_have_url(re.compile(r"/login/\?next=%2Fclinics%2Fsunrise%2F$"))


def test_the_warning_in_german_is_accessible(lee):
    lee.set_extra_http_headers({"Accept-Language": "de"})
    lee.reload()
    dialog = warning(lee, "Sie werden in 6 Sekunden abgemeldet")
    expect(dialog).to_be_visible(timeout=IDLE)
    expect(dialog.get_by_role("button", name="Angemeldet bleiben")).to_be_visible()
    assert lee.evaluate("document.documentElement.lang") == "de"
    assert_accessible(lee)

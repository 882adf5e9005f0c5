"""The error pages (templates/400.html, 403.html, 404.html, 500.html) are the
site's own, in the reader's language, and say nothing of what they refuse."""

import logging

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

SETTINGS = "/clinics/sunrise/settings/"
STYLESHEET = '<link rel="stylesheet" href="/static/waitroom/app.css">'


def browser(language, user=None):
    client = Client(headers={"accept-language": language}, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    "language, heading", [("en", "You may not open this page"), ("de", "Sie dürfen diese Seite nicht öffnen")]
)
def test_a_team_member_opening_settings_gets_the_403_page_in_their_language(clinic, team_member, language, heading):
    for url in (SETTINGS, SETTINGS + "privacy/"):
        response = browser(language, team_member).get(url)
        assert response.status_code == 403
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        assert STYLESHEET in html
        assert f"<h1>{heading}</h1>" in html
        assert '<nav aria-label="' in html  # the signed-in header: their way back
        assert "Offline grace period" not in html and "Kulanzzeit" not in html


@pytest.mark.parametrize("language, heading", [("en", "Page not found"), ("de", "Seite nicht gefunden")])
def test_an_unknown_address_and_another_clinics_page_get_the_404_page_in_the_readers_language(
    clinic, outsider, language, heading
):
    for client, url in [
        (browser(language), "/w/nowhere/"),  # a caller with a wrong link
        (browser(language, outsider), SETTINGS),  # another clinic's admin
        (browser(language, outsider), "/no/such/page/"),
    ]:
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        assert STYLESHEET in html
        assert f"<h1>{heading}</h1>" in html
        assert "Sunrise" not in html


def test_the_404_page_offers_the_way_back_to_staff_only(client, clinic, team_member):
    assert 'href="/clinics/"' not in client.get("/w/nowhere/").content.decode()
    client.force_login(team_member)
    assert 'href="/clinics/"' in client.get("/w/nowhere/").content.decode()


@pytest.mark.urls("clinics.tests.raising_urls")
@pytest.mark.parametrize("language, heading", [("en", "Something went wrong"), ("de", "Etwas ist schiefgegangen")])
def test_a_failing_page_gets_the_500_page_in_the_readers_language(db, settings, caplog, language, heading):
    settings.DEBUG = False
    with caplog.at_level(logging.CRITICAL, logger="django.request"):
        response = browser(language).get("/fails/")
    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert STYLESHEET in html
    assert f"<h1>{heading}</h1>" in html
    assert "broken on purpose" not in html and "RuntimeError" not in html


def test_the_500_page_needs_no_request_nor_database():
    # Django renders it without a request (server_error); whatever failed may
    # be the database or the URL configuration.
    with translation.override("de"):
        html = render_to_string("500.html")
    assert "<h1>Etwas ist schiefgegangen</h1>" in html
    assert '<a href="/">' in html


def test_a_request_too_large_gets_the_400_page(clinic, clinic_admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = browser("de", clinic_admin).post(SETTINGS + "caller-page/", {"waiting_text": "x" * 5000})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>Anfrage nicht verstanden</h1>" in html
    assert STYLESHEET in html

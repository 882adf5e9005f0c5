"""The pages a person meets when something goes wrong pass axe-core too, in
English and in German: "not found", the server's error page, the caller's
"please try again later" when the entry limits are reached, and the server's
"very busy just now" when requests wait too long for it (load shedding).

The last three cannot be caused on a shared test server without disturbing the
other tests (a server error on purpose, twenty entries from this
address, or a server held up for twenty seconds): they are rendered here as the server renders them and shown in the
browser on the site's own address, with its style sheets."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from .axe import assert_accessible

LOCALES = {"en": "en-GB", "de": "de-DE"}


@pytest.fixture(params=["en", "de"])
def language(request):
    return request.param


@pytest.fixture
def page_in(new_page, language):
    return new_page(locale=LOCALES[language])


def shown_as_served(page, template, context, language):
    with translation.override(language):
        html = render_to_string(template, context, request=RequestFactory().get("/"))
    page.goto("/login/")  # the site's address: its style sheets load as on the real page
    page.set_content(html)
    page.wait_for_load_state("load")


def test_not_found(page_in, language):
    response = page_in.goto("/w/no-such-clinic/")
    assert response.status == 404
    assert page_in.locator("html").get_attribute("lang") == language
    assert_accessible(page_in)


def test_the_server_error_page(page_in, language):
    shown_as_served(page_in, "500.html", {}, language)
    assert page_in.locator("h1").count() == 1
    assert_accessible(page_in)


def test_try_again_later_at_the_entry_limit(page_in, language, clinic):
    message = {"en": "Too many people are entering at once.", "de": "Gerade kommen zu viele auf einmal."}[language]
    shown_as_served(page_in, "waiting/busy.html", {"clinic": clinic, "message": message}, language)
    assert page_in.get_by_role("link").filter(has_text={"en": "Try again", "de": "Erneut versuchen"}[language]).count()
    assert_accessible(page_in)



def test_the_very_busy_page(page_in, language):
    shown_as_served(page_in, "503.html", {"seconds": 23}, language)
    assert page_in.locator("h1").text_content() == {"en": "Very busy just now", "de": "Gerade sehr viel los"}[language]
    assert {"en": "try again in 23 seconds", "de": "in 23 Sekunden erneut"}[language] in page_in.locator("main").text_content()
    assert_accessible(page_in)

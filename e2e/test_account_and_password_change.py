"""The account page and a password change in the browser: the session that
changed it stays signed in, another browser's session of the account is
signed out. The pages pass axe-core, in English and German."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD

from .accounts_labels import LOCALE, WORDS
from .axe import assert_accessible
from .helpers import sign_in

NEW_PASSWORD = "a brand new long passphrase"


def in_language(new_page, signed_in_page, language):
    """Another browser window of the same session, in this language."""
    page = new_page(locale=LOCALE[language])
    page.context.add_cookies(signed_in_page.context.cookies())
    return page


@pytest.mark.parametrize("language", ["en", "de"])
def test_changing_the_password_signs_out_the_other_session(new_page, clinic, team_member, language):
    words = WORDS[language]
    elsewhere = sign_in(new_page(), team_member, clinic)
    page = in_language(new_page, sign_in(new_page(), team_member, clinic), language)

    page.goto(f"/clinics/{clinic.slug}/")
    page.get_by_role("link", name=words["account"]).click()
    expect(page.get_by_role("heading", name=words["account"], level=1)).to_be_visible()
    expect(page.get_by_text(team_member.email)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=words["change_password"]).click()
    expect(page.get_by_role("heading", name=words["change_password"])).to_be_visible()
    assert_accessible(page)

    page.get_by_label(words["old_password"]).fill("not it")
    page.get_by_label(words["new_password"], exact=True).fill(NEW_PASSWORD)
    page.get_by_label(words["new_password_again"]).fill(NEW_PASSWORD)
    page.get_by_role("button", name=words["change_button"]).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)

    page.get_by_label(words["old_password"]).fill(PASSWORD)
    page.get_by_label(words["new_password"], exact=True).fill(NEW_PASSWORD)
    page.get_by_label(words["new_password_again"]).fill(NEW_PASSWORD)
    page.get_by_role("button", name=words["change_button"]).click()
    expect(page.get_by_role("status").filter(has_text=words["changed_message"])).to_be_visible()
    expect(page.get_by_role("heading", name=words["account"], level=1)).to_be_visible()
    assert_accessible(page)

    # The other browser's session is over.
    elsewhere.goto(f"/clinics/{clinic.slug}/")
    expect(elsewhere.get_by_role("heading", name="Staff sign-in")).to_be_visible()

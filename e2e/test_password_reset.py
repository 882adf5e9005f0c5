"""A forgotten password, reset by email in the browser: the link in the mail
(the e2e server writes its mails to files) sets a new password that then
signs in. Every page passes axe-core, in English and German."""

import re

import pytest
from playwright.sync_api import expect

from .accounts_labels import LOCALE, WORDS
from .axe import assert_accessible
from .helpers import body_of

NEW_PASSWORD = "a brand new long passphrase"


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_forgotten_password_is_reset_by_email(new_page, clinic, team_member, mailbox, language):
    words = WORDS[language]
    page = new_page(locale=LOCALE[language])
    page.goto("/login/")
    page.get_by_role("link", name=words["forgot"]).click()
    expect(page.get_by_role("heading", name=words["reset_heading"])).to_be_visible()
    assert_accessible(page)

    page.get_by_label(words["email"]).fill(team_member.email)
    page.get_by_role("button", name=words["send_link"]).click()
    expect(page.get_by_role("heading", name=words["check_mail"])).to_be_visible()
    assert_accessible(page)

    mail = mailbox.wait_for_mail()
    assert mail["To"] == team_member.email
    (link,) = re.findall(r"http://\S+/password-reset/\S+/\S+/", body_of(mail))
    page.goto(link)
    expect(page.get_by_role("heading", name=words["choose_heading"])).to_be_visible()
    assert_accessible(page)

    # A weak one first: refused, with the reason tied to the field.
    page.get_by_label(words["new_password"], exact=True).fill("password")
    page.get_by_label(words["new_password_again"]).fill("password")
    page.get_by_role("button", name=words["save_new"]).click()
    expect(page.get_by_role("alert").filter(has_text=words["too_common"])).to_be_visible()
    assert_accessible(page)

    page.get_by_label(words["new_password"], exact=True).fill(NEW_PASSWORD)
    page.get_by_label(words["new_password_again"]).fill(NEW_PASSWORD)
    page.get_by_role("button", name=words["save_new"]).click()
    expect(page.get_by_role("heading", name=words["changed_heading"])).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=words["sign_in"]).click()
    page.get_by_label(words["email"]).fill(team_member.username)
    page.get_by_label(words["password"]).fill(NEW_PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()
    expect(page.get_by_role("heading", name=words["waiting_area"])).to_be_visible()

    # The link worked once.
    page.goto(link)
    expect(page.get_by_role("heading", name=words["choose_heading"])).to_be_visible()
    expect(page.get_by_role("button", name=words["save_new"])).to_have_count(0)
    assert_accessible(page)

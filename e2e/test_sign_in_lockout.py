"""The issue's finding, in the browser: wrong passwords for one account are
answered until the limit, then signing in is refused (the right password too)
with a message in the person's language. The pages pass axe-core."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD

from .accounts_labels import LOCALE, WORDS
from .axe import assert_accessible

LIMIT = 5  # WAITROOM_LOGIN_FAILURE_LIMIT's default; the e2e server keeps it


def try_to_sign_in(page, words, username, password):
    page.get_by_label(words["email"]).fill(username)
    page.get_by_label(words["password"]).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name=words["sign_in"]).click()


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_lockout_after_repeated_failures(new_page, clinic, team_member, language):
    words = WORDS[language]
    page = new_page(locale=LOCALE[language])
    page.goto("/login/")
    expect(page.get_by_role("heading", name=words["sign_in_heading"])).to_be_visible()
    assert_accessible(page)

    for _ in range(LIMIT - 1):
        try_to_sign_in(page, words, team_member.username, "not the password")
        expect(page.get_by_role("alert")).to_have_text(words["mismatch"])
    assert_accessible(page)

    try_to_sign_in(page, words, team_member.username, "not the password")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(words["locked"])
    expect(alert).to_contain_text(words["paused"])
    assert_accessible(page)

    # The right password is refused too, until the cool-off ends.
    try_to_sign_in(page, words, team_member.username, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text(words["locked"])
    expect(page.get_by_role("heading", name=words["waiting_area"])).to_have_count(0)
    assert page.url.endswith("/login/")

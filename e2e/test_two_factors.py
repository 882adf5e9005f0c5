"""Two factors in the browser: set up from the account page (a QR code made
by the server, shown under the CSP), then signing in asks for the app's code,
or takes a recovery code. Every page passes axe-core, in English and German."""

import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.tests.two_factors import app_code
from conftest import PASSWORD

from .accounts_labels import LOCALE, WORDS
from .axe import assert_accessible
from .helpers import sign_in


def wait_out_throttle(device):
    """django-otp refuses any code for a moment after a wrong one (a second,
    doubling): a person types the next code later; so does the test."""
    for _ in range(100):
        device.refresh_from_db()
        if device.verify_is_allowed()[0]:
            return
        time.sleep(0.1)
    raise AssertionError("the device stayed throttled")


def password_step(page, words, user):
    page.goto("/login/")
    page.get_by_label(words["email"]).fill(user.username)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()
    expect(page.get_by_label(words["code"])).to_be_visible()


@pytest.mark.parametrize("language", ["en", "de"])
def test_two_factors_are_set_up_and_asked_for(new_page, clinic, team_member, language):
    words = WORDS[language]
    page = new_page(locale=LOCALE[language])
    page.context.add_cookies(sign_in(new_page(), team_member, clinic).context.cookies())

    page.goto("/account/")
    page.get_by_role("link", name=words["set_up_two_factors"]).click()
    expect(page.get_by_role("heading", name=words["two_factors"], level=1)).to_be_visible()
    qr = page.get_by_role("img", name=words["qr_code"])
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth > 100", qr.element_handle())  # the CSP let it show
    assert_accessible(page)

    device = TOTPDevice.objects.get(user=team_member, confirmed=False)
    page.get_by_label(words["code"]).fill("000000" if app_code(device) != "000000" else "111111")
    page.get_by_role("button", name=words["turn_on"]).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    wait_out_throttle(device)

    page.get_by_label(words["code"]).fill(app_code(device))
    page.get_by_role("button", name=words["turn_on"]).click()
    expect(page.get_by_role("heading", name=words["recovery_heading"])).to_be_visible()
    codes = page.get_by_role("list", name=words["recovery_list"]).get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("link", name=words["saved_them"]).click()
    expect(page.get_by_role("heading", name=words["two_factors"])).to_be_visible()
    assert_accessible(page)

    # Signing in now takes the app's code after the password ...
    with_app = new_page(locale=LOCALE[language])
    password_step(with_app, words, team_member)
    assert_accessible(with_app)
    with_app.get_by_label(words["code"]).fill(app_code(device, steps_ahead=1))
    with_app.get_by_role("button", name=words["sign_in"]).click()
    expect(with_app.get_by_role("heading", name=words["waiting_area"])).to_be_visible()

    # ... or a recovery code instead.
    with_code = new_page(locale=LOCALE[language])
    password_step(with_code, words, team_member)
    with_code.get_by_role("link", name=words["use_recovery"]).click()
    with_code.get_by_label(words["recovery_code"]).fill(codes[0])
    assert_accessible(with_code)
    with_code.get_by_role("button", name=words["sign_in"]).click()
    expect(with_code.get_by_role("heading", name=words["waiting_area"])).to_be_visible()

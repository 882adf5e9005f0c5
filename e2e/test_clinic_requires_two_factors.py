"""A clinic admin requires two factors for everyone of the clinic: a member
without them loses the dashboard they had open within seconds, lands on the
set-up page with the reason, and sees the callers again once the app is set
up. Every page passes axe-core, in English and German."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.tests.two_factors import app_code
from clinics.actions import do_change_configuration

from .accounts_labels import LOCALE, WORDS
from .axe import assert_accessible
from .helpers import sign_in

CLOSED_WITHIN = 8_000  # ms: the watchdog's check (2 s) on a busy machine, and the page's way to the set-up


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_member_without_two_factors_is_led_to_set_them_up_before_seeing_callers(
    new_page, clinic, clinic_admin, team_member, language
):
    words = WORDS[language]
    page = new_page(locale=LOCALE[language])
    page.context.add_cookies(sign_in(new_page(), team_member, clinic).context.cookies())
    page.goto("/clinics/sunrise/")
    expect(page.get_by_role("heading", name=words["waiting_area"])).to_be_visible()

    do_change_configuration(clinic.pk, actor=clinic_admin, require_two_factors=True)

    expect(page.get_by_role("heading", name=words["two_factors"], level=1)).to_be_visible(timeout=CLOSED_WITHIN)
    expect(page.get_by_role("status")).to_contain_text(words["clinic_requires"])
    assert_accessible(page)
    page.goto("/clinics/sunrise/")  # nothing of the clinic until it is done
    expect(page.get_by_role("heading", name=words["two_factors"], level=1)).to_be_visible()

    device = TOTPDevice.objects.filter(user=team_member, confirmed=False).order_by("pk").first()
    page.get_by_label(words["code"]).fill(app_code(device))
    page.get_by_role("button", name=words["turn_on"]).click()
    expect(page.get_by_role("heading", name=words["recovery_heading"])).to_be_visible()
    page.goto("/clinics/sunrise/")
    expect(page.get_by_role("heading", name=words["waiting_area"])).to_be_visible()

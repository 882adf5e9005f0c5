"""Signing out in one tab ends the sign-in in every tab: the dashboard open in
another closes its socket and shows the sign-in, within seconds."""

import re

from playwright.sync_api import expect

ENDED_WITHIN = 5_000  # ms: the bound for a sign-out to reach every open page


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_signing_out_in_one_tab_closes_the_dashboard_in_another(lee):
    other_tab = lee.context.new_page()
    other_tab.goto("/clinics/sunrise/")

    sign_out(other_tab)

    expect(lee.get_by_role("button", name="Sign in")).to_be_visible(timeout=ENDED_WITHIN)
    expect(lee).to_have_url(re.compile(r"/login/\?next=%2Fclinics%2Fsunrise%2F$"))


def test_signing_out_in_one_tab_ends_the_call_page_in_another(call_with_sue, lee, sue):
    other_tab = lee.context.new_page()
    other_tab.goto("/clinics/sunrise/")

    sign_out(other_tab)

    expect(lee.get_by_role("button", name="Sign in")).to_be_visible(timeout=ENDED_WITHIN)
    expect(lee).to_have_url(re.compile(r"/login/\?next=%2Fclinics%2Fsunrise%2F$"))

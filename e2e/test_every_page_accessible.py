"""Every page and state passes axe-core (the rules auditors use), in English
and in German: the staff's pages with their dialogs, the call page with the
Call Manager and the hang-up dialog, and the caller's pages from entry to the
end. The device check and the caller's call screen are checked by the tests
of the caller's call.

Pages are reached by address and elements by id here, so one walk serves
both languages; the other tests find things by their English names."""

import pytest
from playwright.sync_api import expect

from clinics.models import Membership, Role
from clinics.settings_sections import SECTIONS
from conftest import PASSWORD

from .axe import assert_accessible
from .helpers import set_guest_messaging

LOCALES = {"en": "en-GB", "de": "de-DE"}


@pytest.fixture(params=["en", "de"])
def language(request):
    return request.param


def checked(page, state):
    """axe on the page as it is now; `state` names it in a failure."""
    try:
        assert_accessible(page)
    except AssertionError as e:
        raise AssertionError(f"{state}: {e}") from None


def sign_in(page, user, clinic):
    page.goto(f"/login/?next=/clinics/{clinic.slug}/")
    checked(page, "sign-in")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"**/clinics/{clinic.slug}/")
    expect(page.locator("#empty, #callers > li").first).to_be_attached()
    return page


def enter(page, clinic, name):
    page.goto(f"/w/{clinic.slug}/")
    checked(page, "caller: entry")
    page.locator("form button[type=submit]").click()  # no name: the form's errors
    expect(page.locator("#id_name_error")).to_be_visible()
    checked(page, "caller: entry with errors")
    page.fill("#id_name", name)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"**/w/{clinic.slug}/wait/")
    expect(page.locator("#messages")).to_be_attached()
    return page


def test_the_staff_pages(new_page, language, clinic, clinic_admin):
    page = sign_in(new_page(locale=LOCALES[language]), clinic_admin, clinic)
    checked(page, "dashboard, no callers")
    for address in ["/clinics/", "/account/", f"/clinics/{clinic.slug}/settings/",
                    f"/clinics/{clinic.slug}/team/", f"/clinics/{clinic.slug}/audit/",
                    f"/clinics/{clinic.slug}/reports/", f"/clinics/{clinic.slug}/poster/"]:
        page.goto(address)
        checked(page, address)
    for section in SECTIONS:
        page.goto(section.url(clinic))
        checked(page, f"settings: {section.slug}")
    # A saved section: the flash above the form.
    page.goto(SECTIONS[0].url(clinic))
    page.locator("form.config button[type=submit]").click()
    expect(page.locator(".flash")).to_be_visible()
    checked(page, "settings: saved")


def test_the_dashboard_the_call_and_the_caller_pages(new_page, language, clinic, other_clinic, clinic_admin, team_member):
    set_guest_messaging(clinic, clinic_admin, True)
    Membership.objects.create(user=clinic_admin, clinic=other_clinic, role=Role.MEMBER)  # Transfer is offered
    staff = sign_in(new_page(locale=LOCALES[language]), clinic_admin, clinic)
    sue = enter(new_page(locale=LOCALES[language]), clinic, "Sue Smith")
    checked(sue, "caller: waiting")
    dots = staff.locator("#callers > li .dots").first
    expect(dots).to_be_visible()
    checked(staff, "dashboard with a caller")

    dots.click()
    checked(staff, "the card's menu")
    staff.locator('.menu [data-action="notify"]').first.click()
    staff.fill("#notify-body", "Dr Lee will see you now")
    checked(staff, "notify one")
    staff.locator("#notify-body").press("Enter")
    expect(staff.locator("#notify-dialog")).to_be_hidden()
    expect(sue.locator("#messages li")).to_have_count(1)
    checked(sue, "caller: a message")
    sue.fill("#compose textarea", "Thank you")
    sue.locator("#compose textarea").press("Enter")
    expect(sue.locator("#messages li")).to_have_count(2)

    staff.locator("#notify-many").click()
    checked(staff, "notify many")
    staff.keyboard.press("Escape")
    for action, dialog in [("thread", "#thread-dialog"), ("activity", "#activity-dialog"), ("transfer", "#transfer-dialog")]:
        dots.click()
        staff.locator(f'.menu [data-action="{action}"]').first.click()
        expect(staff.locator(dialog)).to_be_visible()
        if action == "thread":
            expect(staff.locator("#thread li")).to_have_count(2)
        if action == "activity":
            expect(staff.locator("#activity li").first).to_be_visible()
        checked(staff, action)
        staff.keyboard.press("Escape")
    staff.locator("#pause").click()
    checked(staff, "pause")
    staff.locator("#pause-form button[type=submit]").click()
    expect(staff.locator("#paused")).to_be_visible()
    checked(staff, "dashboard, paused")
    closed = new_page(locale=LOCALES[language])
    closed.goto(f"/w/{clinic.slug}/")
    checked(closed, "caller: paused")
    staff.locator("#resume").click()
    expect(staff.locator("#paused")).to_be_hidden()

    # The call: the page beside it, the Call Manager, the hang-up dialog.
    staff.locator("#callers > li .join").first.click()
    expect(staff.locator("#hangup")).to_be_enabled()
    expect(staff.locator("#waiting-callers li")).to_have_count(1)
    expect(staff.locator("#thread li")).to_have_count(2)
    checked(staff, "call page")
    staff.locator("#manager-toggle").click()
    checked(staff, "call page, Call Manager")
    staff.locator("#hangup").click()
    checked(staff, "hang-up dialog")
    staff.locator('#hangup-dialog [data-choice="hold"]').click()
    staff.wait_for_url(f"**/clinics/{clinic.slug}/")
    expect(sue.locator("[data-state=on_hold]")).to_be_visible()
    checked(sue, "caller: on hold")

    # A colleague's call: Join asks first.
    lee = sign_in(new_page(locale=LOCALES[language]), team_member, clinic)
    lee.locator("#callers > li .join").first.click()
    expect(lee.locator("#hangup")).to_be_enabled()
    staff.locator("#callers > li .join").first.click()
    expect(staff.locator("#join-dialog")).to_be_visible()
    checked(staff, "join a colleague's call")
    staff.keyboard.press("Escape")

    # The caller, in Lee's call now, leaves: the call screen asks first, then
    # the page says the visit has ended.
    sue.locator("#leave-call").click()
    expect(sue.locator("#leave-dialog")).to_be_visible()
    checked(sue, "caller: leave the call?")
    sue.locator("#leave-confirm").click()
    expect(sue.locator("form.leave")).to_be_hidden()
    checked(sue, "caller: ended")

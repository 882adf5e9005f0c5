from playwright.sync_api import expect

from .helpers import card, enter_waiting_area, notify_one, sign_in


def test_caller_arrives_live_and_gets_a_notification_with_an_alert(new_page, clinic, team_member):
    staff = sign_in(new_page(), team_member, clinic)
    expect(staff.get_by_text("No callers are waiting.")).to_be_visible()

    caller = enter_waiting_area(new_page(), clinic, "Sue Smith", **{"Phone number": "+49 30 123456"})

    sue = card(staff, "Sue Smith")
    expect(sue).to_be_visible()
    expect(sue.get_by_text("Waiting", exact=True)).to_be_visible()
    expect(sue).to_contain_text("+49 30 123456")
    expect(sue.locator(".badge")).to_be_hidden()

    notify_one(staff, "Sue Smith", "Dr Lee is running 15 minutes late")

    expect(caller.get_by_role("log").get_by_text("Dr Lee is running 15 minutes late")).to_be_visible()
    caller.wait_for_function("window.__tones > 0")
    badge = sue.get_by_role("button", name="1 message, last from the clinic")
    expect(badge).to_have_text("1")
    expect(badge).to_have_class("badge from-clinic")

"""Scenario 2: "⋯" → Notify → the caller sees the message at once, with an
audible alert; the card's counter shows 1 in blue."""

from playwright.sync_api import expect

from messaging.models import Message

from .helpers import card, enter_waiting_area, expect_badge, expect_thread, notify_one, sign_in, tones


def test_notify_one_caller_with_an_alert_and_a_blue_badge(new_page, clinic, team_member):
    staff = sign_in(new_page(), team_member, clinic)
    caller = enter_waiting_area(new_page(), clinic, "Sue Smith", **{"Phone number": "+49 30 123456"})
    other = enter_waiting_area(new_page(), clinic, "Tom Berg")
    sue = card(staff, "Sue Smith")
    expect(sue.get_by_text("Waiting", exact=True)).to_be_visible()
    expect(caller.get_by_text("Messages from the clinic will appear here.")).to_be_visible()
    assert tones(caller) == 0

    notify_one(staff, "Sue Smith", "Dr Lee is running 15 minutes late")

    expect_thread(caller, ["Dr Lee is running 15 minutes late"])
    expect(caller.get_by_role("log")).to_contain_text("Sunrise Clinic")  # who wrote it
    expect(caller.get_by_text("Messages from the clinic will appear here.")).to_be_hidden()
    caller.wait_for_function("() => window.__tones > 0")
    b = expect_badge(sue, 1, "clinic")
    expect(b).to_have_text("1")

    # Only Sue: Tom's card has no badge and his page no message.
    expect(card(staff, "Tom Berg").locator(".badge")).to_be_hidden()
    expect_thread(other, [])
    assert tones(other) == 0
    assert list(Message.objects.values_list("caller__name", "sender", "body")) == [
        ("Sue Smith", "clinic", "Dr Lee is running 15 minutes late")
    ]

"""Scenario 2: "⋯" → Notify → the caller sees the message at once, with an
audible alert; the card's counter shows 1 in blue."""

from playwright.sync_api import expect

from messaging.models import Message

from .helpers import card, expect_badge, expect_thread, notify_one, tones


def test_notify_one_caller_with_an_alert_and_a_blue_badge(lee, sue, tom):
    sue_card = card(lee, "Sue Smith")
    expect(sue_card.get_by_text("Waiting", exact=True)).to_be_visible()
    expect(sue.get_by_text("Messages from the clinic will appear here.")).to_be_visible()
    assert tones(sue) == 0

    notify_one(lee, "Sue Smith", "Dr Lee is running 15 minutes late")

    expect_thread(sue, ["Dr Lee is running 15 minutes late"])
    expect(sue.get_by_role("log")).to_contain_text("Sunrise Clinic")  # who wrote it
    expect(sue.get_by_text("Messages from the clinic will appear here.")).to_be_hidden()
    sue.wait_for_function("() => window.__tones > 0")
    b = expect_badge(sue_card, 1, "clinic")
    expect(b).to_have_text("1")

    # Only Sue: Tom's card has no badge and his page no message.
    expect(card(lee, "Tom Berg").locator(".badge")).to_be_hidden()
    expect_thread(tom, [])
    assert tones(tom) == 0
    assert list(Message.objects.values_list("caller__name", "sender", "body")) == [
        ("Sue Smith", "clinic", "Dr Lee is running 15 minutes late")
    ]

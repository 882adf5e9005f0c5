"""Scenario 8: refreshing the caller's page keeps their place and their whole
thread; "Leave the waiting area" ends the visit and removes the card live."""

from playwright.sync_api import expect

from waiting.models import Caller

from .helpers import (
    card,
    card_names,
    caller_writes,
    compose,
    expect_badge,
    expect_thread,
    notify_one,
    status_filter,
)


def test_refresh_keeps_place_and_thread_and_leaving_removes_the_card(guest_messaging, lee, waiting_caller):
    ann = waiting_caller("Ann First")
    waiting_caller("Ben Second")
    expect(card_names(lee)).to_have_text(["Ann First", "Ben Second"])

    notify_one(lee, "Ann First", "Dr Lee is running late")
    expect_thread(ann, ["Dr Lee is running late"])
    caller_writes(ann, "No problem")
    expect_badge(card(lee, "Ann First"), 2, "caller")
    expect_thread(ann, ["Dr Lee is running late", "No problem"])

    ann.reload()
    expect(ann.get_by_role("heading", name="Waiting for call")).to_be_visible()
    expect_thread(ann, ["Dr Lee is running late", "No problem"])
    expect(compose(ann)).to_be_visible()
    assert ann.evaluate("window.__tones") == 0  # the thread shown after a refresh is not news

    # Same visit, same place: still first, one card, Waiting.
    expect(card_names(lee)).to_have_text(["Ann First", "Ben Second"])
    expect(card(lee, "Ann First").get_by_text("Waiting", exact=True)).to_be_visible()
    expect(status_filter(lee, "Waiting 2")).to_be_checked()
    assert Caller.objects.filter(name="Ann First").count() == 1

    # The page still works after the refresh, in both directions.
    notify_one(lee, "Ann First", "Your turn is next")
    expect_thread(ann, ["Dr Lee is running late", "No problem", "Your turn is next"])
    expect_badge(card(lee, "Ann First"), 3, "clinic")

    ann.get_by_role("button", name="Leave the waiting area").click()
    expect(ann.get_by_role("heading", name="Your visit has ended")).to_be_visible()
    expect(ann.get_by_text("You have left the waiting area.")).to_be_visible()
    expect(card(lee, "Ann First")).to_have_count(0)
    expect(card_names(lee)).to_have_text(["Ben Second"])
    expect(status_filter(lee, "Waiting 1")).to_be_checked()
    expect(lee.get_by_role("status").filter(has_text="Ann First has left the waiting area.")).to_be_attached()

    # The link now starts a new visit rather than returning to the old one.
    ann.get_by_role("link", name="Enter the waiting area again").click()
    expect(ann.get_by_label("Your name")).to_be_visible()

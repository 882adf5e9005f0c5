"""Scenario 7: a caller's network drops; the dashboard shows them Offline within
15 s; the clinic sends three messages meanwhile; back online, the page shows all
three, in order, once each, with the alert, and the card is Waiting again."""

from playwright.sync_api import expect

from .helpers import card, expect_badge, expect_thread, notify_one, tones

MISSED = ["First: Dr Lee is delayed", "Second: about 20 minutes", "Third: please stay on this page"]


def test_offline_caller_gets_every_missed_message_in_order_when_back(lee, sue):
    sue_card = card(lee, "Sue Smith")
    expect(sue_card.get_by_text("Waiting", exact=True)).to_be_visible()
    notify_one(lee, "Sue Smith", "Welcome")
    expect_thread(sue, ["Welcome"])
    before = tones(sue)

    sue.context.set_offline(True)
    expect(sue_card.get_by_text("Offline", exact=True)).to_be_visible(timeout=15_000)
    expect(sue.get_by_text("Connection lost – reconnecting…")).to_be_visible()

    for text in MISSED:
        notify_one(lee, "Sue Smith", text)
    expect_badge(sue_card, 4, "clinic")
    expect_thread(sue, ["Welcome"])

    sue.context.set_offline(False)
    # The page retries with a jittered backoff of up to 15 s between tries (it
    # does not listen for the browser's "online" event), so allow for one.
    expect(sue_card.get_by_text("Waiting", exact=True)).to_be_visible(timeout=30_000)
    expect_thread(sue, ["Welcome", *MISSED])
    expect(sue.get_by_text("Connection lost – reconnecting…")).to_be_hidden()
    sue.wait_for_function("(before) => window.__tones > before", arg=before)  # the missed messages are news: alert

    # Still in order and once each after the clinic writes again.
    notify_one(lee, "Sue Smith", "Fifth")
    expect_thread(sue, ["Welcome", *MISSED, "Fifth"])
    expect_badge(sue_card, 5, "clinic")

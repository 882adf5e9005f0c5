"""A server too busy to open a page says "try again in N s" (close 4503): the
caller's page waits that long, plus a little jitter, and then connects as usual
— it neither hammers the server nor gives up."""

import re
import time

from playwright.sync_api import expect

from .helpers import card, notify_one


def test_caller_page_told_to_try_later_comes_back_after_the_seconds_named(lee, new_page, clinic):
    attempts = []

    def busy_once(ws):
        attempts.append(time.monotonic())
        if len(attempts) == 1:
            ws.close(code=4503, reason="try again in 2 s")
        else:
            ws.connect_to_server()

    sue = new_page()
    sue.route_web_socket(re.compile(r"/ws/w/"), busy_once)
    sue.goto(f"/w/{clinic.slug}/")
    sue.get_by_label("Your name").fill("Sue Smith")
    sue.get_by_role("button", name="Enter the waiting area").click()
    expect(sue.get_by_role("heading", name="Waiting for call")).to_be_visible()

    # Refused once, then connected: what the clinic sends reaches the page.
    notify_one(lee, "Sue Smith", "The doctor is ready")
    expect(sue.get_by_text("The doctor is ready")).to_be_visible(timeout=15_000)
    expect(card(lee, "Sue Smith").get_by_text("Waiting", exact=True)).to_be_visible()
    assert len(attempts) == 2, attempts
    waited = attempts[1] - attempts[0]
    assert 2.0 <= waited <= 3.0 + 1.0, waited  # 2 s and up to half as long again (and the test's own delay)

def test_reconnect_delay_reads_the_seconds_and_keeps_the_backoff_otherwise(waiting_caller):
    sue = waiting_caller("Sue Smith")
    delays = sue.evaluate(
        """async () => {
          const { reconnectDelay } = await import("/static/waitroom/socket.js");
          return [
            reconnectDelay(4503, "try again in 7 s", 0, () => 0),
            reconnectDelay(4503, "try again in 7 s", 3, () => 1),
            reconnectDelay(4503, "", 0, () => 0),
            reconnectDelay(1006, "", 0, () => 1),
            reconnectDelay(1011, "try again in 7 s", 10, () => 1),
          ];
        }"""
    )
    # Told 7 s: 7–10.5 s whatever the attempt; a 4503 without a number: 5 s;
    # any other close: the usual full jitter (0.5 s doubling to 15 s).
    assert delays == [7000, 10500, 5000, 500, 15000]

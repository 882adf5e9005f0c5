"""The clinician keeps the waiting room in view during a call: beside the
video, the caller's entry details, their thread (staff write there) and the
clinic's callers as a compact list, live — arrivals and caller messages show
and are announced, with no sound unless the team member turns it on."""

import re

from playwright.sync_api import expect

from .helpers import (
    caller_in_call,
    caller_writes,
    card,
    expect_badge,
    expect_remote_video,
    expect_thread,
    join_call,
    notify_one,
)

# Counts the AudioContexts a page makes: a page that never makes one played nothing.
COUNT_AUDIO = """
  window.__audioContexts = 0;
  const NativeContext = window.AudioContext;
  window.AudioContext = class extends NativeContext {
    constructor(...args) { super(...args); window.__audioContexts += 1; }
  };
"""


def waiting_list(page):
    return page.get_by_role("region", name="Waiting area")


def listed(page, name):
    return waiting_list(page).get_by_role("listitem").filter(has_text=name)


def test_the_call_page_shows_the_waiting_area_without_a_sound(guest_messaging, lee, alex, sue, waiting_caller):
    lee.context.add_init_script(COUNT_AUDIO)
    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    expect_remote_video(lee, names=["Sue Smith"])

    # The caller's entry details beside the video.
    details = lee.get_by_role("region", name="Caller's details")
    expect(details).to_contain_text("Sue Smith")
    expect(details).to_contain_text("+49 30 123456")

    # The clinic's callers, Sue among them, with who is with her.
    expect(listed(lee, "Sue Smith")).to_contain_text(re.compile(r"Being seen by Dr Lee · \d+ min"))
    expect(lee.get_by_role("checkbox", name="Sound for arrivals and messages")).not_to_be_checked()

    # Tom arrives, then writes: both show, both are announced, nothing sounds.
    tom = waiting_caller("Tom Berg")
    expect(listed(lee, "Tom Berg")).to_contain_text("Waiting")
    expect(lee.locator("#waiting-events")).to_have_text("Tom Berg has entered the waiting area.")
    caller_writes(tom, "Is it much longer?")
    expect(listed(lee, "Tom Berg").get_by_role("img", name="1 message, last from the caller")).to_have_text("1")
    expect(lee.locator("#waiting-events")).to_have_text("Tom Berg has sent a message.")
    assert lee.evaluate("[window.__tones, window.__audioContexts]") == [0, 0]
    expect(lee.locator("#waiting-callers")).to_have_attribute("data-sound", "off")

    # Turned on, a caller's message sounds.
    lee.get_by_role("checkbox", name="Sound for arrivals and messages").check()
    caller_writes(tom, "Hello?")
    expect(listed(lee, "Tom Berg").get_by_role("img", name="2 messages, last from the caller")).to_be_visible()
    lee.wait_for_function("() => window.__tones > 0")


def test_a_message_written_in_the_call_reaches_the_caller_and_the_badge(guest_messaging, lee, alex, sue):
    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    panel = lee.get_by_role("region", name="Messages")
    expect(panel.get_by_role("log")).to_contain_text("No messages yet.")

    panel.get_by_role("textbox", name="Message").fill("Please hold your card to the camera")
    panel.get_by_role("button", name="Send").click()
    expect_thread(sue, ["Please hold your card to the camera"])
    expect_badge(card(alex, "Sue Smith"), 1, "clinic")
    # The message itself, not the "No messages yet." line it replaces (also one item).
    expect(panel.get_by_role("log").get_by_role("listitem").first).to_contain_text("Please hold your card")
    expect(panel.get_by_role("log").get_by_role("listitem")).to_have_count(1)

    # A colleague writes to Sue from the dashboard: appended to the panel; the
    # message shown before is the same element (not drawn again, so a screen
    # reader reads it once).
    panel.get_by_role("log").get_by_role("listitem").first.evaluate("li => (li.__kept = true)")
    notify_one(alex, "Sue Smith", "Your prescription is ready")
    items = panel.get_by_role("log").get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.last).to_contain_text("Your prescription is ready")
    expect(items.last).to_contain_text("Alex")
    assert items.first.evaluate("li => li.__kept === true")
    expect_badge(card(alex, "Sue Smith"), 2, "clinic")


def test_screen_share_starts_and_stops(lee, sue):
    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    expect_remote_video(sue, names=["Dr Lee"])
    share = lee.get_by_role("button", name="Share screen")
    share.click()
    stop = lee.get_by_role("button", name="Stop sharing")
    expect(stop).to_have_attribute("aria-pressed", "true")
    expect(lee.get_by_role("status").filter(has_text="You are sharing your screen.")).to_be_visible()
    # The caller sees the shared screen (Chromium's fake screen is 16:9, its
    # fake camera 4:3), frames arriving; after Stop sharing, the camera again.
    sue.wait_for_function(WIDE, arg=True, timeout=20_000)
    expect_remote_video(sue, names=["Dr Lee"])
    stop.click()
    expect(lee.get_by_role("button", name="Share screen")).to_have_attribute("aria-pressed", "false")
    expect(lee.get_by_text("You are sharing your screen.")).to_be_hidden()
    sue.wait_for_function(WIDE, arg=False, timeout=20_000)
    expect_remote_video(sue, names=["Dr Lee"])


# The remote video's shape: wide (a 16:9 screen) or not (a 4:3 camera).
WIDE = """(wide) => {
  const v = document.querySelector(".tile.remote video");
  return v && v.videoHeight > 0 && (v.videoWidth / v.videoHeight > 1.5) === wide;
}"""

"""The call reaches the patient and is a call screen (issue 13, items 2 and 3):
a ring and the tab's title when the call starts in a background tab; "Join the
call" when the browser wants a tap first; the clinic's video filling a phone's
screen with the caller's own picture small; messages as a panel of the call;
leave asked first. Screenshots for the README: SCREENSHOTS=1."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from messaging.models import Message

from .axe import assert_accessible
from .caller_call import AUTOPLAY_NEEDS_A_TAP, BACKGROUND_TAB, DESKTOP, PHONE, box, enter_in_german
from .helpers import caller_in_call, enter_waiting_area, expect_remote_video, join_call, tones

DOCS = Path(__file__).resolve().parent.parent / "docs"


def screenshot(page, name):
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=str(DOCS / name))


def test_a_call_started_in_a_background_tab_rings(lee, sue):
    # Sue reads something else in another tab of her browser.
    sue.context.add_init_script(BACKGROUND_TAB)
    sue.reload()
    sue.evaluate("window.__background(true)")
    before = tones(sue)
    title = sue.title()

    join_call(lee, "Sue Smith")
    sue.wait_for_function("() => document.body.dataset.ringing === 'true'")
    sue.wait_for_function("() => document.title === '📞 Your call is starting'")
    # The ring's oscillators started (two tones a burst, two bursts a ring).
    sue.wait_for_function("(before) => window.__tones >= before + 4", arg=before)

    # Back at the page: the ring stops and the title is the page's again.
    sue.evaluate("window.__background(false)")
    sue.wait_for_function("() => document.body.dataset.ringing === 'false'")
    expect(sue).to_have_title(title)
    expect_remote_video(sue, names=["Dr Lee"])


@pytest.mark.parametrize("locale, join", [("en-US", "Join the call"), ("de-DE", "Anruf beitreten")])
def test_when_the_browser_wants_a_tap_one_button_joins(new_page, clinic, lee, locale, join):
    page = new_page(locale=locale)
    page.context.add_init_script(AUTOPLAY_NEEDS_A_TAP)
    if locale == "en-US":
        enter_waiting_area(page, clinic, "Sue Smith")
    else:
        enter_in_german(page, clinic, "Sue Smith")

    join_call(lee, "Sue Smith")
    button = page.get_by_role("button", name=join, exact=True)
    expect(button).to_be_visible(timeout=20_000)
    expect(page.locator("body")).to_have_attribute("data-ringing", "true")
    assert_accessible(page)

    button.click()
    expect(button).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-ringing", "false")
    expect_remote_video(page, names=["Dr Lee"])
    page.wait_for_function("() => !document.querySelector('.tile.remote video').paused")


def test_on_a_phone_the_clinics_video_fills_the_screen(new_page, clinic, lee):
    sue = enter_waiting_area(new_page(viewport=PHONE, has_touch=True, is_mobile=True), clinic, "Sue Smith")
    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    expect_remote_video(sue, names=["Dr Lee"])

    remote, own = box(sue, ".tile.remote video"), box(sue, ".tile.local")
    assert 0 <= remote["y"] < PHONE["height"] / 4, remote  # in the first screen, at its top
    assert remote["y"] + remote["height"] <= PHONE["height"]
    assert remote["width"] * remote["height"] > 4 * own["width"] * own["height"], (remote, own)
    # No waiting-room texts during the call.
    expect(sue.get_by_text("Please stay on this page")).to_be_hidden()
    expect(sue.get_by_text("You have waited")).to_be_hidden()
    expect(sue.get_by_role("button", name="Leave the waiting area")).to_be_hidden()
    # The control bar, on the screen.
    bar = sue.get_by_role("group", name="Call controls")
    for name in ("Mute microphone", "Turn camera off", "Messages", "Leave"):
        control = bar.get_by_role("button", name=name)
        expect(control).to_be_in_viewport()
    # The connection's quality, in words, on both sides.
    expect(sue.locator(".tile.remote .quality")).to_have_text("▂▄▆ Good connection", timeout=10_000)
    expect(lee.locator(".tile.remote .quality")).to_have_text("▂▄▆ Good connection", timeout=10_000)
    screenshot(sue, "call-phone.png")
    # The microphone toggle says its state.
    bar.get_by_role("button", name="Mute microphone").click()
    expect(bar.get_by_role("button", name="Unmute microphone")).to_have_attribute("aria-pressed", "true")


def test_messages_open_as_a_panel_of_the_call(guest_messaging, clinic, new_page, lee):
    sue = enter_waiting_area(new_page(viewport=DESKTOP), clinic, "Sue Smith")
    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    expect_remote_video(sue, names=["Dr Lee"])
    remote = box(sue, ".tile.remote video")
    assert remote["height"] > DESKTOP["height"] / 2
    expect(sue.locator(".tile.remote .quality")).to_be_visible(timeout=10_000)
    screenshot(sue, "call-desktop.png")

    toggle = sue.get_by_role("button", name="Messages", exact=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(sue.get_by_role("region", name="Messages")).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    field = sue.get_by_role("textbox", name="Type a message")
    expect(field).to_be_focused()
    field.fill("Can you hear me?")
    field.press("Enter")
    expect(sue.locator("#messages li[data-seq]")).to_contain_text(["Can you hear me?"])  # stored, not only sent
    assert Message.objects.get().body == "Can you hear me?"
    assert_accessible(sue)

    sue.keyboard.press("Escape")
    expect(sue.get_by_role("region", name="Messages")).to_be_hidden()
    expect(toggle).to_be_focused()


@pytest.mark.parametrize(
    "locale, leave, title, stay, confirm, ended",
    [
        ("en-US", "Leave", "Leave the call?", "Stay in the call", "Leave the call", "Your visit has ended"),
        ("de-DE", "Verlassen", "Anruf verlassen?", "Im Anruf bleiben", "Anruf verlassen", None),
    ],
)
def test_leave_asks_first(new_page, clinic, lee, locale, leave, title, stay, confirm, ended):
    page = new_page(locale=locale)
    if locale == "en-US":
        enter_waiting_area(page, clinic, "Sue Smith")
    else:
        enter_in_german(page, clinic, "Sue Smith")
    join_call(lee, "Sue Smith")
    expect(page.get_by_role("region", name="Video call" if locale == "en-US" else "Videoanruf")).to_be_visible()
    leave_button = page.get_by_role("group").get_by_role("button", name=leave, exact=True)

    # In the call with the messages panel open (German too).
    messages = page.get_by_role("button", name="Messages" if locale == "en-US" else "Nachrichten", exact=True)
    messages.click()
    expect(page.locator("#thread")).to_be_visible()
    assert_accessible(page)
    messages.click()
    expect(page.locator("#thread")).to_be_hidden()

    leave_button.click()
    dialog = page.get_by_role("dialog", name=title)
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name=stay).click()
    expect(dialog).to_be_hidden()
    expect(leave_button).to_be_focused()
    expect(page.locator("#call")).to_be_visible()

    leave_button.click()
    dialog.get_by_role("button", name=confirm).click()
    expect(page.locator("#call")).to_be_hidden()
    if ended:
        expect(page.get_by_role("heading", name=ended)).to_be_visible()

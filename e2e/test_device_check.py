"""The device check on the caller's waiting page (issue 13, item 1): a preview,
a microphone level that moves, the choice of devices; help when the browser
blocks the camera; the clinic sees on the card whether camera and microphone
are ready; closing it leaves no camera on."""

import pytest
from playwright.sync_api import expect

from .axe import assert_accessible
from .caller_call import enter_in_german
from .conftest import CHROMIUM, COUNT_TONES, WATCH_PEERS
from .helpers import card, enter_waiting_area

# The meter's values, read every 100 ms: the fake microphone beeps once a
# second, so a working meter shows several different values within a few.
LEVEL_MOVES = """() => {
  const value = document.getElementById("level").value;
  window.__levels = window.__levels || new Set();
  window.__levels.add(value);
  return window.__levels.size >= 3 && Math.max(...window.__levels) > 0.01;
}"""


def open_check(page, name="Check camera and microphone"):
    page.get_by_role("button", name=name).click()
    return page.get_by_role("dialog", name=name)


def test_the_device_check_shows_a_preview_a_moving_level_and_tells_the_clinic(lee, sue):
    expect(card(lee, "Sue Smith")).not_to_contain_text("Camera")
    dialog = open_check(sue)
    expect(dialog.get_by_text("Your camera works.")).to_be_visible()
    expect(dialog.get_by_text("Your microphone works.")).to_be_visible()
    sue.wait_for_function("() => document.getElementById('preview').videoWidth > 0")
    sue.wait_for_function(LEVEL_MOVES, polling=100, timeout=5000)
    # The devices it found can be chosen (Chromium's fake camera and microphone).
    expect(dialog.get_by_label("Camera", exact=True)).to_have_count(1)
    expect(dialog.get_by_label("Microphone", exact=True).locator("option")).not_to_have_count(0)
    assert_accessible(sue)

    # The clinic sees it on the card: words and an icon, not colour alone.
    sue_card = card(lee, "Sue Smith")
    expect(sue_card.locator("dd.device-ready")).to_have_count(2)
    expect(sue_card.locator("dd.device-ready").first).to_have_text("✓ Ready")

    # Closing it stops the camera and microphone.
    sue.evaluate("window.__checkTracks = document.getElementById('preview').srcObject.getTracks()")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    # (The dialog's close event, which stops them, comes a moment after it is hidden.)
    sue.wait_for_function(
        "() => window.__checkTracks.every((t) => t.readyState === 'ended')"
        " && document.getElementById('preview').srcObject === null",
        timeout=2000,
    )
    # Focus is back where it was.
    expect(sue.get_by_role("button", name="Check camera and microphone")).to_be_focused()


def test_the_chosen_microphone_is_kept_for_the_visit(sue):
    dialog = open_check(sue)
    expect(dialog.get_by_text("Your camera works.")).to_be_visible()
    select = dialog.get_by_label("Microphone", exact=True)
    options = select.locator("option")
    expect(options).not_to_have_count(0)
    chosen = options.last.get_attribute("value")
    select.select_option(chosen)
    expect(dialog.get_by_text("Your microphone works.")).to_be_visible()
    dialog.get_by_role("button", name="Done").click()
    sue.reload()
    stored = sue.evaluate("JSON.parse(sessionStorage.getItem('waitroom.devices'))")
    assert stored["microphone"] == chosen
    dialog = open_check(sue)
    expect(dialog.get_by_label("Microphone", exact=True)).to_have_value(chosen)


def test_the_device_check_in_german(new_page, clinic, lee):
    page = enter_in_german(new_page(locale="de-DE"), clinic, "Sue Smith")
    dialog = open_check(page, "Kamera und Mikrofon testen")
    expect(dialog.get_by_text("Ihre Kamera funktioniert.")).to_be_visible()
    page.wait_for_function("() => document.getElementById('preview').videoWidth > 0")
    assert_accessible(page)


@pytest.fixture
def blocking_browser(browser_type, live):
    """Chromium as a patient meets it who said no: the browser asks (there is
    no fake permission UI), and headless it answers NotAllowedError."""
    browser = browser_type.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"],
    )

    def page(**options):
        context = browser.new_context(base_url=live, **options)
        context.add_init_script(COUNT_TONES)
        context.add_init_script(WATCH_PEERS)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield page
    browser.close()


@pytest.mark.parametrize("locale, button, blocked, hint", [
    ("en-US", "Check camera and microphone", "Your camera is blocked.", "Chrome: click the camera icon"),
    ("de-DE", "Kamera und Mikrofon testen", "Ihre Kamera ist blockiert.", "Chrome: Klicken Sie auf das Kamerasymbol"),
])
def test_a_blocked_camera_gets_help_and_the_clinic_sees_it(clinic, lee, blocking_browser, locale, button, blocked, hint):
    page = blocking_browser(locale=locale)
    if locale == "en-US":
        enter_waiting_area(page, clinic, "Sue Smith")
    else:
        enter_in_german(page, clinic, "Sue Smith")
    dialog = open_check(page, button)
    expect(dialog.get_by_text(blocked)).to_be_visible()
    help = dialog.get_by_role("alert")
    expect(help).to_contain_text(hint)
    assert_accessible(page)
    sue_card = card(lee, "Sue Smith")
    expect(sue_card.locator("dd.device-blocked")).to_have_count(2)
    expect(sue_card.locator("dd.device-blocked").first).to_have_text("⊘ Blocked")

"""Status that reads right: who is with a caller and since when, On hold in a
calm colour with a shape, Join on a colleague's call asks first and names
them, badges and borders with enough contrast, and nothing moves when a badge
appears."""

import re

from playwright.sync_api import expect

from .helpers import call_manager, caller_in_call, card, expect_status, join_call, notify_one, participant

# The contrast ratio of two CSS colours (WCAG 2.2), computed in the page.
CONTRAST = """([a, b]) => {
  const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}"""


def contrast(page, a, b):
    return page.evaluate(CONTRAST, [a, b])


def test_being_seen_says_by_whom_and_join_asks_first(lee, alex, sue):
    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    sue_card = card(alex, "Sue Smith")
    expect_status(sue_card, "Being seen")
    expect(sue_card.locator(".status-line")).to_have_text(re.compile(r"^Being seen by Dr Lee · \d+ min$"))
    expect(sue_card.locator(".waited")).to_have_text("")  # no "Waiting 0 min" on a caller being seen

    # Join on a colleague's call: a question naming who is in it. Cancel keeps
    # Alex where they were, focus back on the button they pressed.
    join = alex.get_by_role("button", name="Join the call with Sue Smith")
    join.click()
    dialog = alex.get_by_role("dialog", name="Join the call with Sue Smith?")
    expect(dialog).to_contain_text("Sue Smith is in a call with Dr Lee. Join them?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(join).to_be_focused()
    expect(alex.get_by_role("heading", name="Waiting area", level=1)).to_be_visible()

    join.click()
    dialog.get_by_role("button", name="Join", exact=True).click()
    expect(alex.get_by_role("heading", name="Call with Sue Smith")).to_be_visible()
    # Dr Lee's call page says so (aria-live), and Sue's card names both.
    expect(lee.locator("#call-events")).to_have_text("Alex joined the call.")
    expect(listed_status(lee, "Sue Smith")).to_contain_text(re.compile(r"by Dr Lee, Alex · \d+ min"))


def listed_status(page, name):
    return page.get_by_role("region", name="Waiting area").get_by_role("listitem").filter(has_text=name)


def test_on_hold_is_calm_with_words_and_a_shape(lee, alex, sue):
    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    # The helper waits for the call page's script before it opens the drawer.
    participant(call_manager(lee), "Sue Smith").get_by_role("button", name="Hold").click()
    sue_card = card(alex, "Sue Smith")
    expect_status(sue_card, "On hold")
    line = sue_card.locator(".status-line")
    expect(line).to_have_attribute("data-status", "on_hold")
    # Not red: the hue of the border and the words is violet, far from red.
    for colour in (
        sue_card.evaluate("li => getComputedStyle(li).borderLeftColor"),
        line.locator(".status").evaluate("s => getComputedStyle(s).color"),
    ):
        r, g, b = map(int, re.findall(r"\d+", colour)[:3])
        assert b > r and b > g, colour
    # A shape beside the words (two bars: pause), hidden from screen readers.
    shape = line.locator(".shape")
    assert shape.get_attribute("aria-hidden") == "true"
    assert shape.evaluate("s => getComputedStyle(s).borderLeftWidth") == "4px"
    assert contrast(alex, line.locator(".status").evaluate("s => getComputedStyle(s).color"), "rgb(255, 255, 255)") >= 4.5


def test_badge_and_borders_have_contrast_and_a_badge_moves_nothing(lee, sue):
    sue_card = card(lee, "Sue Smith")
    dots = sue_card.get_by_role("button", name="Actions for Sue Smith")
    join = sue_card.get_by_role("button", name="Join the call with Sue Smith")
    before = (dots.bounding_box(), join.bounding_box())
    notify_one(lee, "Sue Smith", "Thank you for waiting")
    badge = sue_card.get_by_role("button", name="1 message, last from the clinic")
    expect(badge).to_be_visible()
    assert (dots.bounding_box(), join.bounding_box()) == before

    # Input and button borders: at least 3:1 against the page (WCAG 1.4.11).
    lee.get_by_role("button", name="Notify", exact=True).click()
    field = lee.get_by_role("dialog", name="Notify the callers shown").get_by_role("textbox")
    border = field.evaluate("f => getComputedStyle(f).borderTopColor")
    assert contrast(lee, border, "rgb(255, 255, 255)") >= 3
    assert contrast(lee, dots.evaluate("b => getComputedStyle(b).borderTopColor"), "rgb(255, 255, 255)") >= 3
    # Badge text: at least 4.5:1 (axe checks it too, on every page).
    for colour in ("rgb(180, 83, 9)", badge.evaluate("b => getComputedStyle(b).backgroundColor")):
        assert contrast(lee, "rgb(255, 255, 255)", colour) >= 4.5

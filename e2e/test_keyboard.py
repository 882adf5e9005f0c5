"""The dashboard by keyboard: the ⋯ menu follows the menu button pattern
(arrows, Home, End, Escape), and focus goes back to where it was after every
dialog, including the dialogs opened from the menu."""

from playwright.sync_api import expect

from .helpers import card


def focused_name(page):
    return page.evaluate("document.activeElement.textContent.trim() || document.activeElement.getAttribute('aria-label')")


def test_the_card_menu_works_with_arrow_keys(lee, sue):
    dots = card(lee, "Sue Smith").get_by_role("button", name="Actions for Sue Smith")
    dots.focus()
    lee.keyboard.press("ArrowDown")
    menu = card(lee, "Sue Smith").get_by_role("menu")
    expect(menu).to_be_visible()
    expect(dots).to_have_attribute("aria-expanded", "true")
    assert focused_name(lee) == "Join"
    lee.keyboard.press("ArrowDown")
    assert focused_name(lee) == "Notify"
    lee.keyboard.press("End")
    assert focused_name(lee) == "Remove from waiting area"
    lee.keyboard.press("ArrowDown")  # wraps
    assert focused_name(lee) == "Join"
    lee.keyboard.press("ArrowUp")
    assert focused_name(lee) == "Remove from waiting area"
    lee.keyboard.press("Home")
    assert focused_name(lee) == "Join"
    lee.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(dots).to_be_focused()
    # ArrowUp on the button opens the menu at its last item.
    lee.keyboard.press("ArrowUp")
    assert focused_name(lee) == "Remove from waiting area"
    lee.keyboard.press("Escape")
    expect(dots).to_be_focused()


def test_focus_returns_after_every_dialog(lee, sue):
    dots = card(lee, "Sue Smith").get_by_role("button", name="Actions for Sue Smith")
    for item, dialog_name in [
        ("Notify", "Notify Sue Smith"),
        ("Messages", "Messages – Sue Smith"),
        ("Activity", "Activity – Sue Smith"),
    ]:
        dots.focus()
        lee.keyboard.press("ArrowDown")
        card(lee, "Sue Smith").get_by_role("menuitem", name=item).focus()
        lee.keyboard.press("Enter")
        dialog = lee.get_by_role("dialog", name=dialog_name)
        expect(dialog).to_be_visible()
        lee.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(dots).to_be_focused()

    # Removing asks (the browser's confirm); dismissed, focus is on the menu's button.
    lee.once("dialog", lambda d: d.dismiss())
    dots.focus()
    lee.keyboard.press("ArrowDown")
    card(lee, "Sue Smith").get_by_role("menuitem", name="Remove from waiting area").focus()
    lee.keyboard.press("Enter")
    expect(dots).to_be_focused()

    # Dialogs opened from the page's own buttons.
    for button, dialog_name in [("Notify", "Notify the callers shown"), ("Pause the waiting area", "Pause the waiting area")]:
        opener = lee.get_by_role("button", name=button, exact=True)
        opener.focus()
        lee.keyboard.press("Enter")
        dialog = lee.get_by_role("dialog", name=dialog_name)
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_be_hidden()
        expect(opener).to_be_focused()

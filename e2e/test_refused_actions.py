"""A refused action says why, in the server's own words (static/waitroom/http.js):
a notification to a caller who has just left, and one sent with no network."""

import re

from playwright.sync_api import expect

from messaging.models import Message

from .helpers import card


def test_a_refusal_and_a_lost_network_show_in_the_dialog(lee, sue):
    lee.get_by_role("button", name="Actions for Sue Smith").click()
    lee.get_by_role("menuitem", name="Notify").click()
    dialog = lee.get_by_role("dialog", name="Notify Sue Smith")
    dialog.get_by_role("textbox").fill("Dr Lee is ready for you")

    # Sue leaves while the dialog is open: the server refuses, and says why.
    sue.get_by_role("button", name="Leave the waiting area").click()
    expect(sue.get_by_role("heading", name="Your visit has ended")).to_be_visible()
    expect(card(lee, "Sue Smith")).to_have_count(0)
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_role("alert")).to_have_text("Not sent: None of these callers is in the waiting area.")
    expect(dialog).to_be_visible()

    # No answer at all: the same place, the browser's reason.
    lee.context.set_offline(True)
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_role("alert")).to_have_text(re.compile(r"^Not sent: (?!None of these).+"))
    assert not Message.objects.exists()

"""Scenario 4: with no filter, Notify above the list reaches every caller
whatever their status (Waiting, Being seen, On hold, Offline), and the dialog
says how many per status before anything is sent."""

from playwright.sync_api import expect

from messaging.models import Message
from waiting.actions import do_hold_caller, do_see_caller

from .helpers import (
    card,
    caller_of,
    expect_badge,
    expect_thread,
    open_notify_many,
    status_filter,
)

TEXT = "The clinic closes early today: we will see everyone before 5 pm"


def test_notify_all_reaches_every_status(clinic, team_member, waiting_caller, dashboard):
    ann = waiting_caller("Ann Waits")
    bea = waiting_caller("Bea Seen")
    cal = waiting_caller("Cal Held")
    dan = waiting_caller("Dan Gone")
    # The calls come in their own issue: set the statuses as the call screens would.
    do_see_caller(caller_of(clinic, "Bea Seen").pk, actor=team_member)
    do_see_caller(caller_of(clinic, "Cal Held").pk, actor=team_member)
    do_hold_caller(caller_of(clinic, "Cal Held").pk, actor=team_member)
    bea.reload()
    expect(bea.get_by_role("heading", name="You are in a call")).to_be_visible()
    cal.reload()
    expect(cal.get_by_role("heading", name="You are on hold")).to_be_visible()
    dan_browser = dan.context
    dan.close()  # the tab is closed: Offline, but keeps the place

    staff = dashboard(team_member)
    statuses = {"Ann Waits": "Waiting", "Bea Seen": "Being seen", "Cal Held": "On hold", "Dan Gone": "Offline"}
    for name, status in statuses.items():
        expect(card(staff, name).get_by_text(status, exact=True)).to_be_visible()
    for label in ["Waiting 1", "Being seen 1", "On hold 1", "Offline 1"]:
        expect(status_filter(staff, label)).to_be_checked()

    dialog = open_notify_many(staff)
    expect(dialog).to_contain_text(
        "This message will reach 4 callers: 1 Waiting, 1 Being seen, 1 On hold, 1 Offline."
    )
    assert Message.objects.count() == 0  # nothing sent by opening the dialog
    dialog.get_by_role("textbox").fill(TEXT)
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_be_hidden()

    for page in (ann, bea, cal):
        expect_thread(page, [TEXT])
        page.wait_for_function("() => window.__tones > 0")
    for name in ("Ann Waits", "Bea Seen", "Cal Held", "Dan Gone"):
        expect_badge(card(staff, name), 1, "clinic")

    # Dan comes back to the tab later: the message is waiting for him.
    dan = dan_browser.new_page()
    dan.goto(f"/w/{clinic.slug}/wait/")
    expect(dan.get_by_role("heading", name="Waiting for call")).to_be_visible()
    expect_thread(dan, [TEXT])
    expect(card(staff, "Dan Gone").get_by_text("Waiting", exact=True)).to_be_visible()
    assert Message.objects.filter(body=TEXT).count() == 4

"""Calls 7: the card's Activity is the caller's visit as a log — arrival,
joins, hold, leaving, the calls' ends, back to waiting — each with who did it."""

import re

from playwright.sync_api import expect

from .helpers import (
    back_on_dashboard,
    call_manager,
    caller_in_call,
    card,
    expect_status,
    hang_up,
    join_call,
    participant,
)


def entry(what, who=None):
    """One line of the log: its time, what happened and (if a person did it) who."""
    return re.compile(rf"^\d{{1,2}}:\d{{2}}(\s?[AP]M)? {re.escape(what)}" + (f" – {re.escape(who)}$" if who else "$"))


def test_activity_log_of_a_visit(clinic, lee, alex, sue, call_with_sue):
    # Lee sees her, puts her on hold and leaves.
    drawer = call_manager(lee)
    participant(drawer, "Sue Smith").get_by_role("button", name="Hold").click()
    expect(sue.get_by_role("heading", name="You are on hold")).to_be_visible()
    expect(participant(drawer, "Sue Smith").get_by_role("button", name="Resume")).to_be_visible()
    hang_up(lee).get_by_role("button", name="Leave call").click()
    back_on_dashboard(lee, clinic)
    expect_status(card(alex, "Sue Smith"), "On hold")

    # Alex takes her back, then returns her to waiting.
    join_call(alex, "Sue Smith")
    caller_in_call(sue)
    hang_up(alex).get_by_role("button", name="Return to waiting").click()
    back_on_dashboard(alex, clinic)
    expect(sue.get_by_role("heading", name="Waiting for call")).to_be_visible()

    lee.get_by_role("button", name="Actions for Sue Smith").click()
    lee.get_by_role("menuitem", name="Activity").click()
    dialog = lee.get_by_role("dialog", name="Activity – Sue Smith")
    expect(dialog.get_by_role("listitem")).to_have_text(
        [
            entry("Entered the waiting area"),
            entry("Being seen", "Dr Lee"),
            entry("Joined the call", "Dr Lee"),
            entry("Put on hold", "Dr Lee"),
            entry("Left the call", "Dr Lee"),
            entry("Call ended, caller on hold", "Dr Lee"),
            entry("Being seen", "Alex"),
            entry("Joined the call", "Alex"),
            entry("Left the call", "Alex"),
            entry("Call ended, caller back to waiting", "Alex"),
            entry("Returned to waiting", "Alex"),
        ]
    )
    expect(dialog.locator("time").first).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

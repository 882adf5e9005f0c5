"""Scenario 5: with a status filter ("Being seen" unticked), Notify reaches only
the callers shown; the dialog's count says so; the hidden caller gets nothing."""

from playwright.sync_api import expect

from messaging.models import Message
from waiting.actions import do_hold_caller, do_see_caller

from .helpers import (
    card,
    caller_of,
    expect_badge,
    expect_thread,
    notify_one,
    open_notify_many,
    status_filter,
    tones,
)

TEXT = "Dr Lee is back in 10 minutes"


def test_notify_many_reaches_only_the_callers_shown(clinic, team_member, waiting_caller, dashboard):
    ann = waiting_caller("Ann Waits")
    bea = waiting_caller("Bea Seen")
    cal = waiting_caller("Cal Held")
    do_see_caller(caller_of(clinic, "Bea Seen").pk, actor=team_member)
    do_see_caller(caller_of(clinic, "Cal Held").pk, actor=team_member)
    do_hold_caller(caller_of(clinic, "Cal Held").pk, actor=team_member)

    staff = dashboard(team_member)
    expect(card(staff, "Bea Seen").get_by_text("Being seen", exact=True)).to_be_visible()
    being_seen = status_filter(staff, "Being seen")
    being_seen.uncheck()
    expect(card(staff, "Bea Seen")).to_be_hidden()
    expect(card(staff, "Ann Waits")).to_be_visible()
    expect(card(staff, "Cal Held")).to_be_visible()

    dialog = open_notify_many(staff)
    expect(dialog).to_contain_text("This message will reach 2 callers: 1 Waiting, 1 On hold.")
    dialog.get_by_role("textbox").fill(TEXT)
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_be_hidden()

    expect_thread(ann, [TEXT])
    expect_thread(cal, [TEXT])
    expect_badge(card(staff, "Ann Waits"), 1, "clinic")
    expect_badge(card(staff, "Cal Held"), 1, "clinic")
    assert sorted(Message.objects.values_list("caller__name", flat=True)) == ["Ann Waits", "Cal Held"]

    # Bea's page got nothing. To know that without waiting on a clock, send her a
    # message of her own: her page gets events in order, so once it shows this
    # one, anything sent before would be there too.
    being_seen.check()
    expect(card(staff, "Bea Seen").locator(".badge")).to_be_hidden()
    notify_one(staff, "Bea Seen", "Only for Bea")
    expect_badge(card(staff, "Bea Seen"), 1, "clinic")
    expect_thread(bea, ["Only for Bea"])
    assert tones(bea) > 0

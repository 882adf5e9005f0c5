"""Scenario 10: HTML typed as a name or a message shows as literal text on both
screens (dashboard and caller page); no element is made from it."""

from playwright.sync_api import expect

from .helpers import (
    card,
    caller_writes,
    expect_badge,
    expect_thread,
    notify_one,
    open_thread,
)

NAME = '<b>Eve</b><img src=x onerror="window.__pwned=1">'
FROM_CLINIC = "<script>window.__pwned=2</script><i>Dr Lee</i> & co"
FROM_CALLER = '<img src=x onerror="window.__pwned=3"><a href="https://evil.test">click</a>'


def test_html_in_names_and_messages_is_shown_as_text(guest_messaging, lee, waiting_caller):
    caller = waiting_caller(NAME)

    eve = card(lee, NAME)
    expect(eve.get_by_role("heading", name=NAME, exact=True)).to_have_text(NAME)
    expect(lee.get_by_role("status").filter(has_text=f"{NAME} has entered the waiting area.")).to_be_attached()

    notify_one(lee, NAME, FROM_CLINIC)
    expect_thread(caller, [FROM_CLINIC])
    expect(caller.get_by_text(FROM_CLINIC, exact=True)).to_be_visible()

    caller_writes(caller, FROM_CALLER)
    expect_thread(caller, [FROM_CLINIC, FROM_CALLER])
    expect(caller.get_by_text(FROM_CALLER, exact=True)).to_be_visible()
    expect_badge(eve, 2, "caller")

    thread = open_thread(lee, NAME)
    expect(thread.get_by_role("heading")).to_have_text(f"Messages – {NAME}")
    expect_thread(thread, [FROM_CLINIC, FROM_CALLER])
    expect(thread.get_by_text(FROM_CALLER, exact=True)).to_be_visible()
    expect(thread.get_by_role("listitem").last).to_contain_text(NAME)  # who wrote it

    for page in (lee, caller):
        made = page.locator("main").locator("img, b, i, a, script:not([type='application/json'])")
        expect(made).to_have_count(0)
        assert page.evaluate("window.__pwned") is None

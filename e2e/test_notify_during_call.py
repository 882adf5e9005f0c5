"""Calls 5: a clinic notification during a call shows on the caller's call
screen, in the same thread as before the call, with the audible alert; the
card's badge counts that same thread."""

import re

from playwright.sync_api import expect

from messaging.models import Message

from .helpers import (
    caller_in_call,
    caller_of,
    card,
    expect_badge,
    expect_remote_video,
    expect_thread,
    join_call,
    notify_one,
    tones,
)


def test_notification_during_a_call_reaches_the_call_screen(clinic, lee, alex, sue):

    notify_one(alex, "Sue Smith", "Dr Lee will see you now")
    expect_thread(sue, ["Dr Lee will see you now"])
    sue.wait_for_function("() => window.__tones > 0")
    before = tones(sue)

    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    expect_remote_video(sue, names=["Dr Lee"])

    notify_one(alex, "Sue Smith", "Please have your medication list ready")
    expect(sue.get_by_role("region", name="Video call")).to_be_visible()  # still in the call
    expect_thread(sue, ["Dr Lee will see you now", "Please have your medication list ready"])
    expect(sue.get_by_role("log").get_by_role("listitem").last).to_contain_text("Sunrise Clinic")
    expect(sue.get_by_role("log")).to_be_in_viewport()
    sue.wait_for_function("(before) => window.__tones > before", arg=before)
    expect(sue.locator("body")).to_have_class(re.compile(r"\balerting\b"))
    expect_badge(card(alex, "Sue Smith"), 2, "clinic")
    caller_in_call(sue)
    assert Message.objects.filter(caller=caller_of(clinic, "Sue Smith")).count() == 2

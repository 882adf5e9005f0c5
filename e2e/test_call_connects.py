"""Calls 1: a team member presses Join on the caller's card; their page becomes
the call screen, the caller's page switches to the call, both sides show the
other's video with frames arriving, and every dashboard shows Being seen."""

from playwright.sync_api import expect

from calls.models import Call

from .helpers import (
    call_manager,
    caller_in_call,
    caller_of,
    card,
    expect_remote_video,
    expect_status,
    join_call,
    participant,
    status_filter,
)


def test_join_connects_a_video_call(clinic, team_member, lee, alex, sue):
    # Alex, another team member, watches the dashboard.
    expect(sue.get_by_role("region", name="Video call")).to_be_hidden()
    expect_status(card(alex, "Sue Smith"), "Waiting")

    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    expect(sue.get_by_text("The clinic is with you.")).to_be_visible()
    expect_status(card(alex, "Sue Smith"), "Being seen")
    expect(status_filter(alex, "Being seen")).to_have_accessible_name("Being seen 1")

    # Media both ways: each side shows the other, named, with frames arriving.
    expect_remote_video(lee, names=["Sue Smith"])
    expect_remote_video(sue, names=["Dr Lee"])
    expect(sue.locator(".tile.remote figcaption")).to_have_text("Dr Lee")
    expect(sue.get_by_role("status").filter(has_text="You are on hold")).to_be_hidden()
    # Their own camera too.
    for page in (lee, sue):
        page.wait_for_function("() => document.getElementById('local-video').videoWidth > 0")

    drawer = call_manager(lee)
    expect(participant(drawer, "Sue Smith (Caller)")).to_contain_text("Connected")
    expect(participant(drawer, "Dr Lee (Team member)")).to_contain_text("You")
    expect(participant(drawer, "Sue Smith")).to_contain_text("Hold")
    expect(drawer.locator("#duration")).not_to_have_text("0:00")

    call = Call.objects.get()
    assert call.caller == caller_of(clinic, "Sue Smith") and call.ended_at is None
    assert call.started_by == team_member

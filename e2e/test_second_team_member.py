"""Calls 4: a second team member joins a caller who is Being seen; all three
see each other's video. The first leaves with "Leave call": the others stay
and the call goes on between them."""

from playwright.sync_api import expect

from calls.models import Call

from .helpers import (
    back_on_dashboard,
    call_manager,
    caller_in_call,
    card,
    expect_remote_video,
    expect_status,
    hang_up,
    hang_up_choices,
    join_call,
    participant,
)


def test_second_team_member_joins_and_the_first_leaves(clinic, lee, alex, sue, call_with_sue):
    expect_status(card(alex, "Sue Smith"), "Being seen")
    expect(alex.get_by_role("button", name="Join the call with Sue Smith")).to_be_visible()
    join_call(alex, "Sue Smith")

    # A mesh of three: everyone sees the two others.
    expect_remote_video(sue, count=2, names=["Dr Lee", "Alex"])
    expect_remote_video(lee, count=2, names=["Sue Smith", "Alex"])
    expect_remote_video(alex, count=2, names=["Sue Smith", "Dr Lee"])
    drawer = call_manager(alex)
    expect(drawer.get_by_role("listitem")).to_have_count(3)
    expect(participant(drawer, "Dr Lee (Team member)")).to_contain_text("Connected")
    expect(participant(drawer, "Sue Smith (Caller)")).to_contain_text("Connected")

    # Lee leaves; Alex stays with Sue.
    dialog = hang_up(lee)
    expect(dialog).to_contain_text("The others stay in the call.")
    expect(hang_up_choices(dialog)).to_have_text(["Leave call", "End call"])
    dialog.get_by_role("button", name="Leave call").click()
    back_on_dashboard(lee, clinic)
    expect_status(card(lee, "Sue Smith"), "Being seen")

    expect(participant(drawer, "Dr Lee")).to_have_count(0)
    expect(drawer.get_by_role("listitem")).to_have_count(2)
    caller_in_call(sue)
    expect_remote_video(sue, count=1, names=["Alex"])
    expect_remote_video(alex, count=1, names=["Sue Smith"])

    call = Call.objects.get()
    assert call.ended_at is None
    assert sorted(call.participants.filter(left_at=None).values_list("is_caller", flat=True)) == [False, True]

"""Calls 3: the last team member hangs up while the caller is not on hold. The
dialog says so and offers "Hold and leave", "Return to waiting" and "End call"
(no plain "Leave call": the caller is never left alone in a call);
"Return to waiting" puts the caller back in the waiting area as Waiting."""

from playwright.sync_api import expect

from calls.models import Call
from waiting.models import Status

from .helpers import (
    back_on_dashboard,
    caller_in_call,
    caller_of,
    card,
    enter_waiting_area,
    expect_remote_video,
    expect_status,
    hang_up,
    hang_up_choices,
    join_call,
    sign_in,
)


def test_last_team_member_out_chooses_return_to_waiting(new_page, clinic, clinic_admin, team_member):
    lee = sign_in(new_page(), team_member, clinic)
    board = sign_in(new_page(), clinic_admin, clinic)
    sue = enter_waiting_area(new_page(), clinic, "Sue Smith")

    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    expect_remote_video(sue, names=["Dr Lee"])

    dialog = hang_up(lee)
    expect(dialog).to_contain_text("You are the last team member in this call. What should happen to Sue Smith?")
    expect(hang_up_choices(dialog)).to_have_text(["Hold and leave", "Return to waiting", "End call"])
    expect(dialog.get_by_role("button", name="Leave call")).to_be_hidden()

    # Cancel keeps the call as it was.
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect_status(card(board, "Sue Smith"), "Being seen")

    dialog = hang_up(lee)
    dialog.get_by_role("button", name="Return to waiting").click()
    back_on_dashboard(lee, clinic)

    expect(sue.get_by_role("heading", name="Waiting for call")).to_be_visible()
    expect(sue.get_by_role("region", name="Video call")).to_be_hidden()
    expect(sue.locator(".tile.remote")).to_have_count(0)
    for page in (lee, board):
        expect_status(card(page, "Sue Smith"), "Waiting")
    assert caller_of(clinic, "Sue Smith").status == Status.WAITING
    assert Call.objects.get().ended_at is not None

"""Calls 3: the last team member hangs up while the caller is not on hold. The
dialog says so and offers "Hold and leave", "Return to waiting" and "End call"
(no plain "Leave call": the caller is never left alone in a call);
"Return to waiting" puts the caller back in the waiting area as Waiting."""

from playwright.sync_api import expect

from calls.models import Call
from waiting.models import Status

from .helpers import (
    back_on_dashboard,
    caller_of,
    card,
    expect_status,
    hang_up,
    hang_up_choices,
)


def test_last_team_member_out_chooses_return_to_waiting(clinic, lee, alex, sue, call_with_sue):
    dialog = hang_up(lee)
    expect(dialog).to_contain_text("You are the last team member in this call. What should happen to Sue Smith?")
    expect(hang_up_choices(dialog)).to_have_text(["Hold and leave", "Return to waiting", "End call"])
    expect(dialog.get_by_role("button", name="Leave call")).to_be_hidden()

    # Cancel keeps the call as it was.
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect_status(card(alex, "Sue Smith"), "Being seen")

    dialog = hang_up(lee)
    dialog.get_by_role("button", name="Return to waiting").click()
    back_on_dashboard(lee, clinic)

    expect(sue.get_by_role("heading", name="Waiting for call")).to_be_visible()
    expect(sue.get_by_role("region", name="Video call")).to_be_hidden()
    expect(sue.locator(".tile.remote")).to_have_count(0)
    for page in (lee, alex):
        expect_status(card(page, "Sue Smith"), "Waiting")
    assert caller_of(clinic, "Sue Smith").status == Status.WAITING
    assert Call.objects.get().ended_at is not None

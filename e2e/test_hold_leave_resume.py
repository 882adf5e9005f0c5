"""Calls 2, the seed's flow: in the Call Manager the team member puts the caller
on hold (media paused both ways; Resume brings it back) and leaves the call;
the caller waits On hold (their screen and every dashboard say so, the filter
finds them) and messages go both ways; Join resumes the call; End call ends
the visit for the caller."""

from playwright.sync_api import expect

from calls.models import Call
from waiting.models import LeaveReason

from .helpers import (
    back_on_dashboard,
    call_manager,
    caller_in_call,
    caller_of,
    caller_writes,
    card,
    card_names,
    compose,
    expect_badge,
    expect_remote_video,
    expect_remote_video_paused,
    expect_status,
    expect_thread,
    hang_up,
    hang_up_choices,
    join_call,
    notify_one,
    participant,
    status_chip,
    status_filter,
    tones,
)

HELD = "You are on hold. Your camera and microphone are paused until the clinic returns."


def test_hold_leave_message_resume_and_end(guest_messaging, clinic, lee, alex, sue, tom, call_with_sue):
    sue_card = card(alex, "Sue Smith")
    expect(compose(sue)).to_be_hidden()  # in a call, the caller talks rather than writes

    # Call Manager → Hold: the caller sees they are on hold.
    drawer = call_manager(lee)
    participant(drawer, "Sue Smith").get_by_role("button", name="Hold").click()
    expect(sue.get_by_role("status").filter(has_text=HELD)).to_be_visible()
    expect(sue.get_by_role("heading", name="You are on hold")).to_be_visible()
    expect(participant(drawer, "Sue Smith")).to_contain_text("On hold")
    expect(participant(drawer, "Sue Smith").get_by_role("button", name="Resume")).to_be_visible()
    expect(lee.locator(".tile.remote.held")).to_have_count(1)
    expect_status(sue_card, "On hold")
    # Paused both ways.
    expect_remote_video_paused(sue)
    expect_remote_video_paused(lee)

    # Resume brings the media back; then Hold again, to leave her on hold.
    participant(drawer, "Sue Smith").get_by_role("button", name="Resume").click()
    expect(sue.get_by_role("status").filter(has_text=HELD)).to_be_hidden()
    caller_in_call(sue)
    expect_status(sue_card, "Being seen")
    expect_remote_video(sue, names=["Dr Lee"])
    expect_remote_video(lee, names=["Sue Smith"])
    participant(drawer, "Sue Smith").get_by_role("button", name="Hold").click()
    expect(sue.get_by_role("status").filter(has_text=HELD)).to_be_visible()
    expect_status(sue_card, "On hold")

    # Hang up: the caller is on hold, so leaving keeps them on hold.
    dialog = hang_up(lee)
    expect(dialog).to_contain_text("Sue Smith is on hold and will stay on hold after you leave.")
    expect(hang_up_choices(dialog)).to_have_text(["Leave call", "End call"])
    dialog.get_by_role("button", name="Leave call").click()
    back_on_dashboard(lee, clinic)

    # The on-hold waiting screen, not the call.
    expect(sue.get_by_role("region", name="Video call")).to_be_hidden()
    expect(sue.get_by_role("heading", name="You are on hold")).to_be_visible()
    expect(sue.get_by_text("The clinic has put your call on hold and will be back with you.")).to_be_visible()
    expect(sue.locator(".tile.remote")).to_have_count(0)
    assert sue.evaluate("document.getElementById('local-video').srcObject?.active ?? false") is False  # camera off

    # Every dashboard shows her On hold, and the On hold filter finds her.
    for page in (lee, alex):
        expect_status(card(page, "Sue Smith"), "On hold")
        expect(status_filter(page, "On hold")).to_have_accessible_name("On hold 1")
    status_chip(alex, "Waiting").uncheck()
    expect(card_names(alex).filter(visible=True)).to_have_text(["Sue Smith"])
    expect(card(alex, "Tom Berg")).to_be_hidden()
    status_chip(alex, "On hold").uncheck()
    expect(alex.get_by_text("No callers match this filter.")).to_be_visible()
    status_chip(alex, "On hold").check()
    status_chip(alex, "Waiting").check()
    expect(card(alex, "Tom Berg")).to_be_visible()

    # Two-way messaging, as for a waiting caller.
    expect(compose(sue)).to_be_visible()
    before = tones(sue)  # the call's ring played when it started
    caller_writes(sue, "Shall I wait?")
    expect_badge(card(lee, "Sue Smith"), 1, "caller")
    assert tones(sue) == before
    notify_one(lee, "Sue Smith", "Yes, two more minutes")
    expect_thread(sue, ["Shall I wait?", "Yes, two more minutes"])
    sue.wait_for_function("(before) => window.__tones > before", arg=before)
    expect_badge(card(alex, "Sue Smith"), 2, "clinic")

    # Join again resumes the consultation.
    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    expect(sue.get_by_role("status").filter(has_text=HELD)).to_be_hidden()
    expect_status(card(alex, "Sue Smith"), "Being seen")
    expect_remote_video(lee, names=["Sue Smith"])
    expect_remote_video(sue, names=["Dr Lee"])
    sue.get_by_role("button", name="Messages", exact=True).click()  # the thread is a panel of the call
    expect_thread(sue, ["Shall I wait?", "Yes, two more minutes"])  # the same thread

    # Hang up → End call: the visit ends for the caller and the card goes.
    dialog = hang_up(lee)
    dialog.get_by_role("button", name="End call").click()
    back_on_dashboard(lee, clinic)
    expect(sue.get_by_role("heading", name="Your visit has ended")).to_be_visible()
    expect(sue.get_by_text("The call has ended. Thank you.")).to_be_visible()
    expect(sue.get_by_role("region", name="Video call")).to_be_hidden()
    expect(compose(sue)).to_be_hidden()
    for page in (lee, alex):
        expect(card(page, "Sue Smith")).to_have_count(0)
        expect(card_names(page)).to_have_text(["Tom Berg"])

    sue_visit = caller_of(clinic, "Sue Smith")
    assert sue_visit.left_at is not None and sue_visit.leave_reason == LeaveReason.ENDED
    assert Call.objects.filter(caller=sue_visit).count() == 2
    assert not Call.objects.filter(ended_at=None).exists()

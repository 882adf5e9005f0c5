"""Calls 6: a team member of two clinics transfers a waiting caller from the
card's menu. The caller's open page (not reloaded) shows the new clinic's name
and waiting text and keeps the thread; the card leaves the first clinic's
dashboard and appears on the second's, whose team can then notify the caller."""

from playwright.sync_api import expect

from clinics.models import Clinic, Membership, Role
from waiting.models import Caller

from .helpers import (
    card,
    card_names,
    caller_writes,
    compose,
    expect_badge,
    expect_status,
    expect_thread,
    notify_one,
    tones,
)

HARBOUR_TEXT = "Harbour Practice will call you in a few minutes."


def test_transfer_to_another_clinic(other_clinic, team_member, olli, dashboard, waiting_caller):
    # Olli is Harbour's own staff; Dr Lee is a member of both clinics (his
    # dashboard offers the transfer only if he is when it opens).
    Membership.objects.create(user=team_member, clinic=other_clinic, role=Role.MEMBER)
    Clinic.objects.filter(pk=other_clinic.pk).update(waiting_text_en=HARBOUR_TEXT, guest_messaging_enabled=True)
    lee = dashboard(team_member)
    sue = waiting_caller("Sue Smith")
    waiting_caller("Tom Berg")
    expect(card_names(lee)).to_have_text(["Sue Smith", "Tom Berg"])
    notify_one(lee, "Sue Smith", "Dr Lee is running late")
    expect_thread(sue, ["Dr Lee is running late"])
    expect(sue.locator(".topbar .brand")).to_have_text("Sunrise Clinic")
    expect(compose(sue)).to_be_hidden()  # Sunrise takes no messages
    sue.evaluate("window.__samePage = true")
    alerts = tones(sue)

    lee.get_by_role("button", name="Actions for Sue Smith").click()
    lee.get_by_role("menuitem", name="Transfer to another clinic").click()
    dialog = lee.get_by_role("dialog", name="Transfer Sue Smith")
    expect(dialog.get_by_label("Clinic")).to_have_value("harbour")
    expect(dialog.get_by_label("Clinic").locator("option")).to_have_text(["Harbour Practice"])
    dialog.get_by_role("button", name="Transfer").click()
    expect(dialog).to_be_hidden()

    # The caller's page, as it was: the new clinic's name and text, the same thread.
    expect(sue.locator(".topbar .brand")).to_have_text("Harbour Practice")
    expect(sue.get_by_text(HARBOUR_TEXT)).to_be_visible()
    expect(sue.get_by_role("heading", name="Waiting for call")).to_be_visible()
    expect_thread(sue, ["Dr Lee is running late"])
    expect(compose(sue)).to_be_visible()  # Harbour takes messages
    assert sue.evaluate("window.__samePage") is True
    assert sue.url.endswith("/w/harbour/wait/")

    # Gone from Sunrise, on Harbour's dashboard with its thread.
    expect(card(lee, "Sue Smith")).to_have_count(0)
    expect(card_names(lee)).to_have_text(["Tom Berg"])
    harbour_card = card(olli, "Sue Smith")
    expect_status(harbour_card, "Waiting")
    expect_badge(harbour_card, 1, "clinic")
    expect(card_names(olli)).to_have_text(["Sue Smith"])

    # Harbour can notify her, and she can answer Harbour.
    notify_one(olli, "Sue Smith", "Welcome to Harbour Practice")
    expect_thread(sue, ["Dr Lee is running late", "Welcome to Harbour Practice"])
    expect(sue.get_by_role("log").get_by_role("listitem").last).to_contain_text("Harbour Practice")
    sue.wait_for_function("(before) => window.__tones > before", arg=alerts)
    caller_writes(sue, "Thank you")
    expect_badge(harbour_card, 3, "caller")
    expect(card(lee, "Sue Smith")).to_have_count(0)  # Sunrise hears nothing of it

    # A reload finds the visit at its new clinic.
    sue.reload()
    expect(sue.locator(".topbar .brand")).to_have_text("Harbour Practice")
    expect(sue.get_by_role("heading", name="Waiting for call")).to_be_visible()
    expect_thread(sue, ["Dr Lee is running late", "Welcome to Harbour Practice", "Thank you"])
    assert Caller.objects.get(name="Sue Smith").clinic == other_clinic

    # Harbour's Activity for her tells of the transfer and by whom — once.
    olli.get_by_role("button", name="Actions for Sue Smith").click()
    olli.get_by_role("menuitem", name="Activity").click()
    activity = olli.get_by_role("dialog", name="Activity – Sue Smith").get_by_role("listitem")
    expect(activity.first).to_contain_text("Entered the waiting area")
    transfers = activity.filter(has_text="Transferred from Sunrise Clinic to Harbour Practice – Dr Lee")
    expect(transfers).to_have_count(1)  # recorded in both clinics' trails, listed once

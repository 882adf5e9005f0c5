"""Scenario 1: a caller enters from the clinic's link and appears on the open
dashboard at once (no reload), with what the clinic asked them, in arrival order."""

from playwright.sync_api import expect

from clinics.actions import do_change_configuration

from .helpers import card, card_names, status_filter, tones


def test_callers_arrive_live_in_arrival_order(clinic, clinic_admin, team_member, lee, dashboard, waiting_caller):
    do_change_configuration(clinic.pk, actor=clinic_admin, date_of_birth_field="optional")
    expect(lee.get_by_text("No callers are waiting.")).to_be_visible()
    expect(status_filter(lee, "Waiting 0")).to_be_checked()

    fields = {"Phone number": "+49 30 123456", "Date of birth": "1980-04-02"}
    waiting_caller("Sue Smith", **fields)

    sue = card(lee, "Sue Smith")
    expect(sue).to_be_visible()
    expect(sue.get_by_text("Waiting", exact=True)).to_be_visible()
    expect(sue).to_contain_text("Waiting 0 min")
    expect(sue).to_contain_text("Phone+49 30 123456")
    expect(sue).to_contain_text("Date of birth")
    expect(sue).to_contain_text("1980")
    expect(sue.get_by_role("button", name="Actions for Sue Smith")).to_be_visible()
    expect(sue.locator(".badge")).to_be_hidden()  # no messages: no badge
    expect(lee.get_by_text("No callers are waiting.")).to_be_hidden()
    expect(lee.get_by_role("status").filter(has_text="Sue Smith has entered the waiting area.")).to_be_attached()
    lee.wait_for_function("() => window.__tones > 0")  # the staff alert sounded

    waiting_caller("Tom Berg")
    expect(card_names(lee)).to_have_text(["Sue Smith", "Tom Berg"])
    expect(status_filter(lee, "Waiting 2")).to_be_checked()

    # A dashboard opened later shows the same list from its snapshot, quietly.
    second = dashboard(team_member)
    expect(card_names(second)).to_have_text(["Sue Smith", "Tom Berg"])
    assert tones(second) == 0

"""Scenario 3: the clinic admin enables guest messaging in General
configuration; the caller replies (2, orange), shows under "Awaiting reply";
the clinic answers from the thread (3, blue); the caller sees all three in order."""

import re

from playwright.sync_api import expect

from audit.models import AuditEvent
from messaging.models import Message
from realtime.limits import BODY_MAX

from .helpers import (
    enter_waiting_area,
    card,
    caller_of,
    caller_writes,
    compose,
    expect_badge,
    expect_thread,
    notify_one,
    open_thread,
    status_filter,
)


def test_caller_replies_and_the_clinic_answers_from_the_thread(clinic, clinic_admin, lee, sue, tom, dashboard):
    sue_card = card(lee, "Sue Smith")
    expect(card(lee, "Tom Berg")).to_be_visible()
    expect(compose(sue)).to_be_hidden()  # off by default

    # The clinic admin switches guest messaging on in General configuration.
    admin = dashboard(clinic_admin)
    admin.get_by_role("link", name="General configuration").click()
    expect(admin.get_by_role("heading", name="General configuration")).to_be_visible()
    admin.get_by_role("navigation", name="Settings sections").get_by_role("link", name="Messaging").click()
    admin.get_by_role("checkbox", name="Enable guest messaging").check()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("The configuration is saved.")).to_be_visible()
    assert admin.url.endswith(f"/clinics/{clinic.slug}/settings/messaging/")
    # Who changed what, in words.
    expect(admin.get_by_role("listitem").filter(has_text="Alex turned guest messaging on")).to_have_count(1)
    assert AuditEvent.objects.filter(action="clinic.configuration_changed", actor=clinic_admin).count() == 1

    # The open caller page offers the message field without a reload.
    expect(compose(sue)).to_be_visible()
    expect(compose(sue)).to_have_attribute("maxlength", str(BODY_MAX))  # the limit the server sent

    notify_one(lee, "Sue Smith", "Dr Lee is running 15 minutes late")
    expect_badge(sue_card, 1, "clinic")
    expect_thread(sue, ["Dr Lee is running 15 minutes late"])

    caller_writes(sue, "Thanks, I will wait")
    expect_badge(sue_card, 2, "caller")
    expect(compose(sue)).to_have_value("")
    expect_thread(sue, ["Dr Lee is running 15 minutes late", "Thanks, I will wait"])

    # "Awaiting reply": the callers whose last message is theirs and unanswered.
    awaiting = status_filter(lee, "Awaiting reply")
    expect(awaiting).to_have_accessible_name("Awaiting reply 1")
    awaiting.check()
    expect(sue_card).to_be_visible()
    expect(card(lee, "Tom Berg")).to_be_hidden()

    thread = open_thread(lee, "Sue Smith")
    expect_thread(thread, ["Dr Lee is running 15 minutes late", "Thanks, I will wait"])
    expect(thread.get_by_role("listitem").first).to_contain_text("Dr Lee")  # who sent it
    expect(thread.get_by_role("listitem").first).to_contain_text("Seen")  # the caller's page showed it
    expect(thread.get_by_role("listitem").last).to_contain_text("Sue Smith")
    expect(thread.get_by_role("textbox", name="Reply")).to_have_attribute("maxlength", str(BODY_MAX))
    thread.get_by_role("textbox", name="Reply").fill("We will call you in 5 minutes")
    thread.get_by_role("button", name="Send reply").click()
    expect_thread(
        thread, ["Dr Lee is running 15 minutes late", "Thanks, I will wait", "We will call you in 5 minutes"]
    )
    expect(thread.get_by_role("textbox", name="Reply")).to_have_value("")
    thread.get_by_role("button", name="Close").click()
    expect(thread).to_be_hidden()

    # Answered: no longer awaiting a reply.
    expect(lee.get_by_text("No callers match this filter.")).to_be_visible()
    expect(awaiting).to_have_accessible_name("Awaiting reply 0")
    awaiting.uncheck()
    expect_badge(sue_card, 3, "clinic")

    expect_thread(
        sue, ["Dr Lee is running 15 minutes late", "Thanks, I will wait", "We will call you in 5 minutes"]
    )
    expect(sue.get_by_role("log").get_by_role("listitem").nth(1)).to_contain_text("You")
    assert list(Message.objects.filter(caller=caller_of(clinic, "Sue Smith")).values_list("seq", "sender")) == [
        (1, "clinic"),
        (2, "caller"),
        (3, "clinic"),
    ]


def test_a_receipt_that_comes_while_the_thread_loads_is_kept(clinic, lee, new_page):
    """Sue's page shows Dr Lee's message while his thread dialog is still
    loading an answer read before her page had it: the thread says Seen, not
    Sent (the receipts frame came first and must not be lost)."""
    sue = new_page()
    held = []  # Sue's receipts, kept from the server until the thread has been read
    to_server = []

    def between_sue_and_server(ws):
        to_server.append(ws.connect_to_server())
        ws.on_message(lambda m: held.append(m) if '"receipt"' in str(m) else to_server[-1].send(m))

    sue.route_web_socket(re.compile(f"/ws/w/{clinic.slug}/"), between_sue_and_server)
    enter_waiting_area(sue, clinic, "Sue Smith")

    told = []  # the receipts frames Dr Lee's dashboard was sent
    lee.route_web_socket(re.compile(f"/ws/clinics/{clinic.slug}/"), lambda ws: forward_noting_receipts(ws, told))
    lee.reload()  # the dashboard's socket now runs through the route
    notify_one(lee, "Sue Smith", "Dr Lee is running 15 minutes late")
    expect_thread(sue, ["Dr Lee is running 15 minutes late"])

    answers = []  # the thread's answer, read from the server now, given to the page later
    lee.route(re.compile(r"/thread/$"), lambda route: answers.append((route, route.fetch())))
    thread = open_thread(lee, "Sue Smith")
    wait_until(lee, lambda: answers)
    assert '"delivered_at": null' in answers[0][1].text()  # read before Sue's page said it had it

    assert held  # Sue's page had the message and said so; the server did not hear it yet
    for receipt in held:
        to_server[-1].send(receipt)
    wait_until(lee, lambda: told)
    route, answer = answers[0]
    route.fulfill(response=answer)
    expect(thread.get_by_role("listitem").first).to_contain_text("Seen")


def forward_noting_receipts(ws, told):
    server = ws.connect_to_server()

    def to_page(message):
        if '"receipts"' in str(message):
            told.append(message)
        ws.send(message)

    server.on_message(to_page)


def wait_until(page, condition, seconds=10):
    """Let the page's events run until `condition()` holds."""
    for _ in range(seconds * 20):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("waited in vain")

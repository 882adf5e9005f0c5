"""Scenario 6: the clinic admin switches guest messaging off while a caller's
page is open: the message field goes away without a reload, and a message the
caller forces over the socket anyway is refused and not stored."""

from playwright.sync_api import expect

from messaging.models import Message

from .helpers import (
    WATCH_SOCKETS,
    card,
    caller_of,
    caller_writes,
    compose,
    enter_waiting_area,
    expect_badge,
)

# The page's own open connection sends a message frame, as a caller could from
# the browser's console; resolves with the server's answer to it.
FORCE_SEND = """(body) => new Promise((resolve) => {
  const ws = window.__sockets.findLast((s) => s.readyState === WebSocket.OPEN);
  ws.addEventListener("message", (e) => {
    const frame = JSON.parse(e.data);
    if (frame.client_id === "forced-1") resolve(frame);
  });
  ws.send(JSON.stringify({ type: "send", client_id: "forced-1", body }));
})"""


def test_switching_guest_messaging_off_reaches_open_pages_and_the_server_refuses(
    guest_messaging, clinic, clinic_admin, lee, new_page, dashboard
):
    caller = new_page()  # a caller who will tamper: their page's sockets are watched
    caller.context.add_init_script(WATCH_SOCKETS)
    enter_waiting_area(caller, clinic, "Sue Smith")
    expect(compose(caller)).to_be_visible()
    expect(caller.get_by_role("button", name="Send", exact=True)).to_be_visible()
    caller.evaluate("window.__sameDocument = true")

    admin = dashboard(clinic_admin)
    admin.goto(f"/clinics/{clinic.slug}/settings/messaging/")
    enabled = admin.get_by_role("checkbox", name="Enable guest messaging")
    expect(enabled).to_be_checked()
    enabled.uncheck()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("The configuration is saved.")).to_be_visible()
    expect(admin.get_by_role("checkbox", name="Enable guest messaging")).not_to_be_checked()

    expect(compose(caller)).to_be_hidden()
    expect(caller.get_by_role("button", name="Send", exact=True)).to_be_hidden()
    assert caller.evaluate("window.__sameDocument") is True  # no reload happened

    answer = caller.evaluate(FORCE_SEND, "Let me in now")
    assert answer["type"] == "error"
    assert answer["code"] == "messaging_disabled"
    assert not Message.objects.filter(caller=caller_of(clinic, "Sue Smith")).exists()
    expect(card(lee, "Sue Smith").locator(".badge")).to_be_hidden()
    expect(caller.get_by_role("log").get_by_role("listitem")).to_have_count(0)

    # The connection is still good: switched back on, the field returns and works.
    admin.get_by_role("checkbox", name="Enable guest messaging").check()
    admin.get_by_role("button", name="Save").click()
    expect(compose(caller)).to_be_visible()
    caller_writes(caller, "Thank you")
    expect_badge(card(lee, "Sue Smith"), 1, "caller")
    assert list(Message.objects.values_list("sender", "body")) == [("caller", "Thank you")]

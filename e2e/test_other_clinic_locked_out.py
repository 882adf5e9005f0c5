"""Scenario 9: staff of another clinic cannot see or touch this clinic's
waiting area — 404 for its pages and socket — and their own dashboard never
shows this clinic's callers."""

from playwright.sync_api import expect

from messaging.models import Message

from .helpers import card, card_names, caller_of

# Opens the other clinic's dashboard socket from the outsider's signed-in page;
# resolves with the frames it got and how it was closed.
OPEN_SOCKET = """(path) => new Promise((resolve) => {
  const frames = [];
  const ws = new WebSocket(`ws://${location.host}${path}`);
  ws.onmessage = (e) => frames.push(JSON.parse(e.data).type);
  ws.onclose = (e) => resolve({ code: e.code, frames });
})"""


def test_staff_of_another_clinic_are_locked_out(clinic, team_member, other_clinic, olli, waiting_caller, dashboard):
    expect(olli.get_by_text("No callers are waiting.")).to_be_visible()

    waiting_caller("Sue Sunrise")
    sue = caller_of(clinic, "Sue Sunrise")

    for path in [
        f"/clinics/{clinic.slug}/",
        f"/clinics/{clinic.slug}/settings/",
        f"/clinics/{clinic.slug}/settings/privacy/",
        f"/clinics/{clinic.slug}/poster/",
        f"/clinics/{clinic.slug}/callers/{sue.pk}/thread/",
        f"/clinics/{other_clinic.slug}/callers/{sue.pk}/thread/",
    ]:
        assert olli.request.get(path).status == 404, path

    csrf = next(c["value"] for c in olli.context.cookies() if c["name"] == "csrftoken")
    post = lambda path, data: olli.request.post(path, data=data, headers={"X-CSRFToken": csrf})  # noqa: E731
    message = {"caller_ids": [sue.pk], "body": "Hello from next door", "client_id": "x1"}
    assert post(f"/clinics/{clinic.slug}/notify/", message).status == 404
    assert post(f"/clinics/{clinic.slug}/callers/{sue.pk}/remove/", {}).status == 404
    # Through their own clinic's address, the caller id is nobody of theirs.
    refused = post(f"/clinics/{other_clinic.slug}/notify/", message)
    assert refused.status == 400 and refused.json()["error"]["code"] == "no_callers"
    assert post(f"/clinics/{other_clinic.slug}/callers/{sue.pk}/remove/", {}).status == 404
    assert not Message.objects.exists()
    sue.refresh_from_db()
    assert sue.is_present

    answer = olli.evaluate(OPEN_SOCKET, f"/ws/clinics/{clinic.slug}/")
    assert answer == {"code": 4404, "frames": []}

    # Their own dashboard shows their own callers only. Harbour's caller arrives
    # after Sunrise's: once it is shown, Sunrise's would have been too.
    waiting_caller("Hal Harbour", at=other_clinic)
    expect(card_names(olli)).to_have_text(["Hal Harbour"])
    expect(card(olli, "Sue Sunrise")).to_have_count(0)
    olli.reload()
    expect(card_names(olli)).to_have_text(["Hal Harbour"])

    # Sunrise's own staff see Sue (and not Hal).
    staff = dashboard(team_member)
    expect(card_names(staff)).to_have_text(["Sue Sunrise"])

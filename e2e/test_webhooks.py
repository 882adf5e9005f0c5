"""The clinic admin's webhook pages in a real browser: register an endpoint,
read its secret once (a reload shows it no more), see the delivery log of
the events that followed, send one again; the pages pass axe-core in
English and German, with an error, the secret and the log."""

from playwright.sync_api import expect

from integrations.webhooks import WebhookDelivery, WebhookEndpoint
from testkit.helpers import make_caller
from waiting.actions import do_leave_waiting_area

from .axe import assert_accessible


def open_webhooks(page):
    page.get_by_role("link", name="Integrations").click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()


def test_an_admin_registers_a_webhook_and_reads_its_log(clinic, alex):
    open_webhooks(alex)
    assert_accessible(alex)
    url = alex.get_by_role("textbox", name="URL")

    url.fill("http://practice.example/hooks")
    alex.get_by_role("checkbox", name="A caller entered the waiting area caller.entered").check()
    alex.get_by_role("button", name="Add webhook").click()
    expect(alex.get_by_text("Webhooks are sent over HTTPS only").first).to_be_visible()
    assert_accessible(alex)  # the error, linked to its field

    url.fill("https://practice.example/hooks")
    alex.get_by_role("checkbox", name="A visit ended visit.ended").check()
    alex.get_by_role("button", name="Add webhook").click()
    secret = alex.get_by_role("textbox", name="Signing secret")
    expect(secret).to_have_value(WebhookEndpoint.objects.get().secret)
    assert secret.input_value().startswith("whsec_")
    assert_accessible(alex)

    alex.reload()
    expect(alex.get_by_role("heading", name="Delivery log")).to_be_visible()
    expect(alex.get_by_role("textbox", name="Signing secret")).to_have_count(0)
    expect(alex.get_by_text("Nothing sent yet.")).to_be_visible()

    sue = make_caller(clinic, name="Sue Smith")
    do_leave_waiting_area(sue.pk)
    WebhookDelivery.objects.filter(event__type="visit.ended").update(
        status="failed", attempts=10, last_status_code=503, last_error="HTTP 503", next_attempt_at=None
    )
    alex.reload()
    log = alex.get_by_role("table", name="Delivery log")
    expect(log.get_by_role("row")).to_have_count(3)  # headings, the two events
    expect(log.get_by_role("row").nth(1)).to_contain_text("visit.ended")
    expect(log.get_by_role("row").nth(1)).to_contain_text("Failed")
    expect(log.get_by_role("row").nth(1)).to_contain_text("503")
    expect(log.get_by_role("row").nth(2)).to_contain_text("Waiting to be sent")
    expect(log).not_to_contain_text("Sue")
    assert_accessible(alex)

    log.get_by_role("row").nth(1).get_by_role("button", name="Send again").click()
    expect(log.get_by_role("row").nth(1)).to_contain_text("Waiting to be sent")
    assert WebhookDelivery.objects.get(event__type="visit.ended").status == "pending"


def test_the_webhook_pages_are_accessible_in_german(clinic, alex):
    alex.set_extra_http_headers({"Accept-Language": "de"})
    alex.goto(f"/clinics/{clinic.slug}/integrations/webhooks/")
    expect(alex.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    alex.get_by_role("button", name="Webhook hinzufügen").click()
    expect(alex.get_by_text("Wählen Sie mindestens ein Ereignis.").first).to_be_visible()
    assert_accessible(alex)

    alex.get_by_role("textbox", name="URL").fill("https://practice.example/hooks")
    alex.get_by_role("checkbox", name="Ein Besuch wurde beendet visit.ended").check()
    alex.get_by_role("button", name="Webhook hinzufügen").click()
    expect(alex.get_by_role("textbox", name="Signaturgeheimnis")).to_be_visible()
    assert_accessible(alex)

    make_caller(clinic, name="Tom")
    do_leave_waiting_area(clinic.callers.get().pk)
    alex.reload()
    expect(alex.get_by_role("table", name="Zustellprotokoll")).to_contain_text("Wartet auf Versand")
    assert_accessible(alex)
    alex.goto(f"/clinics/{clinic.slug}/integrations/webhooks/")
    expect(alex.get_by_role("row", name="https://practice.example/hooks visit.ended Nicht mitgesendet Aktiv")).to_be_visible()
    assert_accessible(alex)

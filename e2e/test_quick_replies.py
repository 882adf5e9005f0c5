"""Quick replies in the browser: the team picks one in Notify or in the
thread's reply box, sees it as it will be sent, and each caller reads it
filled in for them, in their language. The clinic admin's pages for quick
replies and automated messages pass axe in English and German."""

from playwright.sync_api import expect

from messaging.actions import do_add_quick_reply, do_change_automated_messages
from messaging.models import Message

from .axe import assert_accessible
from .helpers import card, expect_thread, open_notify_many, open_thread

LATE = {
    "title": "Running late",
    "text_en": "Hello {first_name}, Dr Lee is running about 15 minutes late. You are number {position}.",
    "text_de": "Hallo {first_name}, Dr Lee verspätet sich um etwa 15 Minuten. Sie sind Nummer {position}.",
}


def german_caller_enters(new_page, clinic, name):
    page = new_page(locale="de-DE")
    page.goto(f"/w/{clinic.slug}/")
    page.get_by_label("Ihr Name").fill(name)
    page.get_by_role("button", name="Wartebereich betreten").click()
    expect(page.get_by_role("heading", name="Warten auf Anruf")).to_be_visible()
    return page


def test_a_quick_reply_to_three_callers_carries_each_ones_first_name(
    clinic, clinic_admin, lee, waiting_caller, new_page
):
    do_add_quick_reply(clinic, actor=clinic_admin, **LATE)
    ann = waiting_caller("Ann Early")
    bert = german_caller_enters(new_page, clinic, "Bert Braun")
    cleo = waiting_caller("Cleo Late")
    for name in ("Ann Early", "Bert Braun", "Cleo Late"):
        expect(card(lee, name)).to_be_visible()

    dialog = open_notify_many(lee)
    dialog.get_by_label("Quick reply").select_option(label="Running late")
    # The preview: the text as the first caller will read it, and that each gets their own.
    expect(dialog.get_by_text("As it will be sent")).to_be_visible()
    expect(dialog).to_contain_text("Hello Ann, Dr Lee is running about 15 minutes late. You are number 1.")
    expect(dialog).to_contain_text("Shown as Ann Early will read it. Each caller gets their own")
    assert not Message.objects.exists()  # choosing sends nothing
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_be_hidden()

    expect_thread(ann, ["Hello Ann, Dr Lee is running about 15 minutes late. You are number 1."])
    expect_thread(bert, ["Hallo Bert, Dr Lee verspätet sich um etwa 15 Minuten. Sie sind Nummer 2."])
    expect_thread(cleo, ["Hello Cleo, Dr Lee is running about 15 minutes late. You are number 3."])
    for page in (ann, bert, cleo):
        page.wait_for_function("() => window.__tones > 0")  # delivered with the alert
    assert Message.objects.count() == 3


def test_a_quick_reply_in_the_threads_reply_box(clinic, clinic_admin, lee, waiting_caller):
    do_add_quick_reply(clinic, actor=clinic_admin, **LATE)
    sue = waiting_caller("Sue Smith")
    thread = open_thread(lee, "Sue Smith")
    thread.get_by_label("Quick reply").select_option(label="Running late")
    reply = thread.get_by_role("textbox", name="Reply")
    expected = "Hello Sue, Dr Lee is running about 15 minutes late. You are number 1."
    expect(reply).to_have_value(expected)
    reply.fill(expected + " Sorry!")  # one caller: the team member may still change it
    thread.get_by_role("button", name="Send reply").click()
    expect_thread(sue, [expected + " Sorry!"])


def test_the_picker_passes_axe_in_english_and_german(clinic, clinic_admin, dashboard, waiting_caller):
    do_add_quick_reply(clinic, actor=clinic_admin, **LATE)
    waiting_caller("Ann Early")
    waiting_caller("Bert Braun")
    staff = dashboard(clinic_admin)
    for language, notify, picker, shown in (
        ("en", "Notify", "Quick reply", "As it will be sent"),
        ("de", "Benachrichtigen", "Schnellantwort", "So wird sie gesendet"),
    ):
        staff.set_extra_http_headers({"Accept-Language": language})
        staff.goto(f"/clinics/{clinic.slug}/")
        expect(card(staff, "Bert Braun")).to_be_visible()
        staff.get_by_role("button", name=notify, exact=True).click()
        dialog = staff.get_by_role("dialog")
        dialog.get_by_label(picker).select_option(label="Running late")
        expect(dialog.get_by_text(shown)).to_be_visible()
        assert_accessible(staff)
        dialog.get_by_label(picker).press("Escape")


def test_the_settings_pages_pass_axe_in_english_and_german(clinic, alex, clinic_admin):
    do_add_quick_reply(clinic, actor=clinic_admin, **LATE)
    do_change_automated_messages(clinic, actor=clinic_admin, welcome_on=True, welcome_en="Welcome, {first_name}!")
    for language, title, add, refusal in (
        ("en", "Quick replies", "Add", "{name} is not a variable."),
        ("de", "Schnellantworten", "Hinzufügen", "{name} ist keine Variable."),
    ):
        alex.set_extra_http_headers({"Accept-Language": language})
        alex.goto(f"/clinics/{clinic.slug}/settings/quick-replies/")
        expect(alex.get_by_role("heading", name=title, level=1)).to_be_visible()
        assert_accessible(alex)
        form = alex.locator("form.config")
        form.locator("#id_title").fill("Hello")
        form.locator("#id_text_en").fill("Hello {name}")
        form.get_by_role("button", name=add, exact=True).click()
        expect(alex.get_by_role("alert")).to_contain_text(refusal)
        # The error belongs to its field: a screen reader reads it with the field.
        expect(alex.locator("#id_text_en")).to_have_attribute("aria-invalid", "true")
        assert_accessible(alex)

        alex.goto(f"/clinics/{clinic.slug}/settings/automated-messages/")
        assert_accessible(alex)
        alex.locator("#id_patience_minutes").fill("0")
        alex.locator("form.config button[type=submit]").click()
        expect(alex.locator("#id_patience_minutes")).to_have_attribute("aria-invalid", "true")
        assert_accessible(alex)


def test_an_automated_welcome_reaches_the_new_caller(clinic, clinic_admin, lee, waiting_caller):
    do_change_automated_messages(clinic, actor=clinic_admin, welcome_on=True, welcome_en="Welcome, {first_name}! Dr Lee will be with you soon.")
    sue = waiting_caller("Sue Smith")
    expect_thread(sue, ["Welcome, Sue! Dr Lee will be with you soon."])
    expect(card(lee, "Sue Smith").get_by_role("button", name="1 message, last from the clinic")).to_be_visible()

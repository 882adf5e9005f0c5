from playwright.sync_api import expect

from clinics.actions import do_change_configuration
from conftest import PASSWORD
from waiting.models import Caller

# The badge's colours (app.css: --clinic and --caller), as the browser computes them.
BLUE = "rgb(31, 111, 209)"
ORANGE = "rgb(224, 115, 13)"

# Keeps every websocket a page opens in `window.__sockets`, so a test can use the
# page's own connection the way a tampering caller could (DevTools, a script).
WATCH_SOCKETS = """
  window.__sockets = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
"""


def sign_in(page, user, clinic):
    """Sign in on the login page and land on the clinic's dashboard."""
    page.goto(f"/login/?next=/clinics/{clinic.slug}/")
    page.get_by_label("Email").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Waiting area")).to_be_visible()
    assert page.url.endswith(f"/clinics/{clinic.slug}/")
    return page


def enter_waiting_area(page, clinic, name, **fields):
    page.goto(f"/w/{clinic.slug}/")
    page.get_by_label("Your name").fill(name)
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Enter the waiting area").click()
    expect(page.get_by_role("heading", name="Waiting for call")).to_be_visible()
    return page


def caller_of(clinic, name):
    return Caller.objects.get(clinic=clinic, name=name)


def card(page, name):
    return page.locator("#callers > li").filter(has=page.get_by_role("heading", name=name, exact=True))


def card_names(page):
    """The names on the dashboard's cards, in the order shown."""
    return page.get_by_role("list", name="Callers").get_by_role("heading")


def badge(card_locator, text):
    """The card's message counter, found by what a screen reader says of it."""
    return card_locator.get_by_role("button", name=text, exact=True)


def expect_badge(card_locator, count, last_from):
    """The counter shows `count`, blue when the clinic wrote last, orange when the caller did."""
    noun = "message" if count == 1 else "messages"
    b = badge(card_locator, f"{count} {noun}, last from the {last_from}")
    expect(b).to_have_text(str(count))
    expect(b).to_have_class(f"badge from-{last_from}")
    expect(b).to_have_css("background-color", BLUE if last_from == "clinic" else ORANGE)
    return b


def status_filter(page, label):
    """A status checkbox of the filter; its name ends with the live count ("Waiting 2")."""
    return page.get_by_role("group", name="Show").get_by_role("checkbox", name=label)


def notify_one(staff, name, text):
    staff.get_by_role("button", name=f"Actions for {name}").click()
    staff.get_by_role("menuitem", name="Notify").click()
    dialog = staff.get_by_role("dialog", name=f"Notify {name}")
    dialog.get_by_role("textbox").fill(text)
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_be_hidden()


def open_notify_many(staff):
    staff.get_by_role("button", name="Notify", exact=True).click()
    dialog = staff.get_by_role("dialog", name="Notify the callers shown")
    expect(dialog).to_be_visible()
    return dialog


def open_thread(staff, name):
    staff.get_by_role("button", name=f"Actions for {name}").click()
    staff.get_by_role("menuitem", name="Messages").click()
    dialog = staff.get_by_role("dialog", name=f"Messages – {name}")
    expect(dialog).to_be_visible()
    return dialog


def thread_items(page):
    """The messages a page shows in its thread log (caller page or thread dialog)."""
    return page.get_by_role("log").get_by_role("listitem")


def expect_thread(page, texts):
    """The thread shows exactly these messages, in this order, once each."""
    items = thread_items(page)
    expect(items).to_have_count(len(texts))
    expect(items).to_contain_text(texts)


def compose(page):
    return page.get_by_role("textbox", name="Type a message")


def caller_writes(page, text):
    compose(page).fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def set_guest_messaging(clinic, admin, enabled):
    do_change_configuration(clinic.pk, actor=admin, guest_messaging_enabled=enabled)


def tones(page):
    return page.evaluate("window.__tones")

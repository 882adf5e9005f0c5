from playwright.sync_api import expect

from conftest import PASSWORD


def sign_in(page, user, clinic):
    page.goto("/login/")
    page.get_by_label("Email").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/clinics/{clinic.slug}/")
    expect(page.locator("#connection")).to_be_hidden()
    return page


def enter_waiting_area(page, clinic, name, **fields):
    page.goto(f"/w/{clinic.slug}/")
    page.get_by_label("Your name").fill(name)
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Enter the waiting area").click()
    expect(page.get_by_role("heading", name="Waiting for call")).to_be_visible()
    return page


def card(page, name):
    return page.locator("#callers > li").filter(has=page.get_by_role("heading", name=name, exact=True))


def notify_one(staff, name, text):
    staff.get_by_role("button", name=f"Actions for {name}").click()
    staff.get_by_role("menuitem", name="Notify").click()
    dialog = staff.locator("#notify-dialog")
    dialog.get_by_role("textbox").fill(text)
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_be_hidden()

"""HTML that callers or admins type (names, messages, the waiting text) is
shown as text on the server-rendered pages, never run as markup."""

from messaging.actions import do_notify
from testkit.helpers import enter, make_caller

EVIL = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
ESCAPED = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"


def assert_shown_as_text(html):
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert ESCAPED in html


def test_the_clinic_name_on_the_caller_pages(client, clinic):
    clinic.name = f"Sunrise {EVIL}"
    clinic.save()
    assert_shown_as_text(client.get("/w/sunrise/").content.decode())
    enter(client, clinic)
    assert_shown_as_text(client.get("/w/sunrise/wait/").content.decode())
    assert_shown_as_text(client.post("/w/sunrise/leave/", follow=True).content.decode())


def test_the_clinic_name_on_the_staff_pages(client, clinic, clinic_admin):
    clinic.name = f"Sunrise {EVIL}"
    clinic.save()
    client.force_login(clinic_admin)
    html = client.get("/clinics/sunrise/").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert_shown_as_text(client.get("/clinics/sunrise/settings/").content.decode())


def test_the_waiting_text(client, clinic, clinic_admin):
    clinic.waiting_text_en = f"Back soon {EVIL}"
    clinic.save()
    enter(client, clinic)
    assert_shown_as_text(client.get("/w/sunrise/wait/").content.decode())


def test_a_caller_name_sent_back_with_the_entry_form(client, clinic):
    # The form comes back (the phone number is wrong) with the name filled in.
    response = client.post("/w/sunrise/", {"name": EVIL, "phone": "call me"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'value="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in html


def test_the_configuration_history(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    client.post("/clinics/sunrise/settings/caller-page/", {"waiting_text_en": f"Back {EVIL}", "waiting_text_de": "", "language": ""})
    for url in ("/clinics/sunrise/settings/", "/clinics/sunrise/settings/caller-page/"):
        history = client.get(url).content.decode().split("Recent changes")[1]
        assert "changed the English text shown to waiting callers" in history
        assert "<script>alert" not in history and "<img src=x" not in history
        assert "&lt;img src=x" in history


def test_names_and_messages_reach_staff_as_json_not_html(client, clinic, team_member):
    # The thread is data for the page's script (which sets it as text), and the
    # browser is told not to guess it is HTML.
    caller = make_caller(clinic, name=EVIL)
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=EVIL)
    client.force_login(team_member)
    response = client.get(f"/clinics/sunrise/callers/{caller.pk}/thread/")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    data = response.json()
    assert data["name"] == EVIL  # stored as typed, not mangled
    assert data["messages"][0]["body"] == EVIL

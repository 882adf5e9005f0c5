"""Transfer: a team member of two clinics moves a waiting or on-hold caller to
the other clinic's waiting area; the caller keeps their page and their thread
and sees the new clinic's text (issue 3, item 8)."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from audit.models import AuditEvent
from calls.actions import do_hold, do_leave_call
from clinics.actions import do_change_configuration
from messaging.actions import do_notify
from realtime.events import CALLERS_CHANGED, VISIT_CHANGED, caller_group, staff_group
from testkit.sockets import FRAME, QUIET, enter as enter_by_socket
from testkit.helpers import Listener, enter, make_caller, post_json
from waiting.actions import do_transfer_caller
from waiting.models import Status

from .helpers import also_member_of, error_code, in_call, signed_in


def transfer(user, caller, to="harbour", at="sunrise"):
    return post_json(signed_in(user), f"/clinics/{at}/callers/{caller.pk}/transfer/", {"clinic": to})


def fresh(obj):
    obj.refresh_from_db()
    return obj


@pytest.fixture
def lee(team_member, other_clinic):
    """Dr Lee works for both clinics."""
    return also_member_of(other_clinic, team_member)


def test_it_works(clinic, other_clinic, lee, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    do_notify(clinic, actor=lee, caller_ids=[sue.pk], body="Dr Lee is running late")
    sunrise, harbour = Listener(staff_group(clinic.pk)), Listener(staff_group(other_clinic.pk))
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = transfer(lee, sue)

    assert response.status_code == 200 and response.json() == {"ok": True}
    sue = fresh(sue)
    assert sue.clinic == other_clinic
    assert sue.status == Status.WAITING and sue.is_present

    (gone,) = sunrise.events()
    assert gone["type"] == CALLERS_CHANGED
    assert [(c["id"], c["present"]) for c in gone["cards"]] == [(sue.pk, False)]
    (arrived,) = harbour.events()
    assert [(c["id"], c["present"], c["status"], c["message_count"]) for c in arrived["cards"]] == [
        (sue.pk, True, "waiting", 1)
    ]
    (visit,) = page.events()
    assert visit["type"] == VISIT_CHANGED
    assert (visit["visit"]["clinic_id"], visit["visit"]["present"]) == (other_clinic.pk, True)

    transferred = AuditEvent.objects.filter(action="caller.transferred", caller_id=sue.pk)
    assert sorted(e.clinic.slug for e in transferred) == ["harbour", "sunrise"]
    assert {(e.actor, e.details["from"], e.details["to"]) for e in transferred} == {
        (lee, "Sunrise Clinic", "Harbour Practice")
    }


def test_it_keeps_the_thread(clinic, other_clinic, lee):
    sue = make_caller(clinic)
    do_notify(clinic, actor=lee, caller_ids=[sue.pk], body="Dr Lee is running late")
    transfer(lee, sue)

    browser = signed_in(lee)
    thread = browser.get(f"/clinics/harbour/callers/{sue.pk}/thread/")
    assert thread.status_code == 200
    assert "Dr Lee is running late" in thread.content.decode()
    # The old clinic no longer sees the caller at all.
    assert browser.get(f"/clinics/sunrise/callers/{sue.pk}/thread/").status_code == 404
    do_notify(other_clinic, actor=lee, caller_ids=[sue.pk], body="Welcome to Harbour")
    assert list(fresh(sue).messages.order_by("seq").values_list("seq", "body")) == [
        (1, "Dr Lee is running late"),
        (2, "Welcome to Harbour"),
    ]


def test_it_transfers_a_caller_on_hold_after_the_call(clinic, other_clinic, lee):
    sue = make_caller(clinic)
    call = in_call(sue, lee)
    do_hold(call.pk, actor=lee)
    do_leave_call(call.pk, actor=lee)
    assert transfer(lee, sue).status_code == 200
    sue = fresh(sue)
    assert (sue.clinic, sue.status) == (other_clinic, Status.ON_HOLD)


def test_it_refuses_a_caller_being_seen(clinic, other_clinic, lee, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    in_call(sue, lee)
    harbour = Listener(staff_group(other_clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = transfer(lee, sue)
    assert response.status_code == 400 and error_code(response) == "wrong_status"
    assert fresh(sue).clinic == clinic
    assert not AuditEvent.objects.filter(action="caller.transferred").exists()
    assert harbour.events() == []


def test_it_refuses_a_caller_on_hold_in_a_call(clinic, other_clinic, lee):
    # Held, but the clinician is still in the call: the call belongs to this clinic.
    sue = make_caller(clinic)
    call = in_call(sue, lee)
    do_hold(call.pk, actor=lee)
    response = transfer(lee, sue)
    assert response.status_code == 400 and error_code(response) == "in_call"
    assert fresh(sue).clinic == clinic
    assert fresh(call).is_open


def test_it_refuses_a_clinic_the_team_member_is_not_in(clinic, other_clinic, team_member):
    sue = make_caller(clinic)
    response = transfer(team_member, sue)
    assert response.status_code == 400 and error_code(response) == "no_clinic"
    assert fresh(sue).clinic == clinic


@pytest.mark.parametrize("body", [{}, {"clinic": None}, {"clinic": "nowhere"}, [1]])
def test_it_refuses_a_request_without_a_clinic(clinic, lee, body):
    sue = make_caller(clinic)
    response = post_json(signed_in(lee), f"/clinics/sunrise/callers/{sue.pk}/transfer/", body)
    assert response.status_code == 400
    assert fresh(sue).clinic == clinic


def test_it_refuses_the_same_clinic(clinic, lee):
    sue = make_caller(clinic)
    response = transfer(lee, sue, to="sunrise")
    assert response.status_code == 400 and error_code(response) == "invalid"
    assert not AuditEvent.objects.filter(action="caller.transferred").exists()


def test_it_refuses_a_caller_who_has_left(client, clinic, lee):
    sue = enter(client, clinic)
    client.post("/w/sunrise/leave/")
    response = transfer(lee, sue)
    assert response.status_code == 400 and error_code(response) == "visit_ended"
    assert fresh(sue).clinic == clinic


def test_it_validates_ownership(clinic, other_clinic, outsider):
    sue = make_caller(clinic)
    # Olli works at Harbour only: Sunrise's callers do not exist for him.
    assert transfer(outsider, sue).status_code == 404
    assert transfer(outsider, sue, at="harbour").status_code == 404
    assert fresh(sue).clinic == clinic


def test_the_callers_browser_finds_the_visit_at_the_new_address(client, clinic, other_clinic, lee):
    sue = enter(client, clinic)
    transfer(lee, sue)

    response = client.get("/w/harbour/wait/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harbour Practice" in html and "Sunrise Clinic" not in html
    # Leaving works from the new address.
    client.post("/w/harbour/leave/")
    assert not fresh(sue).is_present
    # Another browser does not get the visit.
    assert Client().get("/w/harbour/wait/")["Location"] == "/w/harbour/"


@pytest.mark.django_db(transaction=True)
async def test_the_callers_page_follows_the_caller_to_the_new_clinic(sockets, clinic, other_clinic, lee):
    await database_sync_to_async(do_change_configuration)(
        other_clinic.pk, actor=None, waiting_text_en="Harbour will call you.", guest_messaging_enabled=True
    )
    ada = await enter_by_socket(clinic, "Ada Lovelace")
    bob = await enter_by_socket(other_clinic, "Bob Marley")
    page, hello = await sockets.caller(ada)
    assert hello["clinic"]["slug"] == "sunrise"

    await database_sync_to_async(do_transfer_caller)(ada.caller_id, other_clinic, actor=lee)

    clinic_frame = await page.receive_json_from(timeout=FRAME)
    assert clinic_frame == {
        "type": "clinic",
        "clinic": {
            "name": "Harbour Practice",
            "slug": "harbour",
            "guest_messaging": True,
            "waiting_text": {"en": "Harbour will call you.", "de": ""},
            "language": "",
            "paused": False,
        },
    }
    visit = await page.receive_json_from(timeout=FRAME)
    assert visit["type"] == "visit"
    assert (visit["visit"]["clinic_id"], visit["visit"]["status"], visit["visit"]["present"]) == (
        other_clinic.pk, "waiting", True
    )

    # The old clinic's settings are no longer the caller's ...
    await database_sync_to_async(do_change_configuration)(clinic.pk, actor=None, waiting_text_en="Sunrise text")
    assert await page.receive_nothing(timeout=QUIET)
    # ... the new one's are,
    await database_sync_to_async(do_change_configuration)(other_clinic.pk, actor=None, waiting_text_en="Nearly there")
    frame = await page.receive_json_from(timeout=FRAME)
    assert (frame["type"], frame["clinic"]["waiting_text"]["en"]) == ("clinic", "Nearly there")
    # and so are its messages to all its callers.
    await database_sync_to_async(do_notify)(
        other_clinic, actor=lee, caller_ids=[ada.caller_id, bob.caller_id], body="All doctors are late"
    )
    frame = await page.receive_json_from(timeout=FRAME)
    assert (frame["type"], frame["message"]["seq"], frame["message"]["body"]) == ("message", 1, "All doctors are late")
    assert await page.receive_nothing(timeout=QUIET)

    # A page that reconnects does so at the new clinic's address.
    await page.disconnect()
    _, hello = await sockets.caller(ada, slug="harbour")
    assert hello["clinic"]["slug"] == "harbour"
    assert [m["body"] for m in hello["messages"]] == ["All doctors are late"]

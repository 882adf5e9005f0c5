"""The clinic's status and its callers as a practice system reads them."""

from datetime import time

from django.utils import timezone

from clinics.models import Clinic
from testkit.helpers import ago, make_caller
from waiting.actions import do_leave_waiting_area, do_see_caller
from waiting.models import Caller, OpeningPeriod


def test_the_clinic_is_open_without_hours_and_counts_its_callers(api, clinic):
    make_caller(clinic, name="Sue Smith")
    seen = make_caller(clinic, name="Tom Jones")
    do_see_caller(seen.pk, actor=None)

    answer = api.get("/clinic").json()

    assert answer == {
        "name": "Sunrise Clinic",
        "slug": "sunrise",
        "status": "open",
        "next_opening": None,
        "callers_present": 2,
        "callers_waiting": 1,
    }


def test_a_paused_clinic_says_paused(api, clinic):
    Clinic.objects.filter(pk=clinic.pk).update(paused=True)
    assert api.get("/clinic").json()["status"] == "paused"


def test_a_closed_clinic_says_when_it_opens(api, clinic):
    now = timezone.localtime()
    # Open one hour a week, on a day other than today: closed now.
    OpeningPeriod.objects.create(clinic=clinic, weekday=(now.weekday() + 2) % 7, opens=time(9), closes=time(10))

    answer = api.get("/clinic").json()

    assert answer["status"] == "closed"
    assert answer["next_opening"] is not None
    assert answer["next_opening"] > now.isoformat()[:10]


def test_callers_with_their_entry_fields_for_a_key_that_may_read(api, clinic):
    sue = make_caller(clinic, name="Sue Smith", phone="0151 234")
    Caller.objects.filter(pk=sue.pk).update(arrived_at=ago(minutes=5))

    [caller] = api.get("/callers").json()["callers"]

    assert caller["id"] == sue.pk
    assert caller["status"] == "waiting"
    assert 300 <= caller["waited_seconds"] < 310
    assert caller["entry"] == {"name": "Sue Smith", "phone": "0151 234", "date_of_birth": None, "extra_answer": ""}


def test_a_notify_only_key_sees_ids_and_statuses_never_names(api_as, clinic):
    make_caller(clinic, name="Sue Smith", phone="0151 234")

    response = api_as("notify").get("/callers")

    assert response.status_code == 200
    [caller] = response.json()["callers"]
    assert caller["entry"] is None
    assert "Sue" not in response.content.decode()
    assert "0151" not in response.content.decode()


def test_the_badge_numbers_say_who_wrote_last(api, messaging_clinic):
    from messaging.actions import do_send_caller_message

    sue = make_caller(messaging_clinic)
    do_send_caller_message(sue.pk, body="Is it long?")

    caller = api.get(f"/callers/{sue.pk}").json()

    assert caller["messages"] == 1
    assert caller["last_message_from"] == "caller"
    assert caller["awaiting_reply"] is True


def test_an_invite_only_key_reads_the_status_but_no_callers(api_as, clinic):
    make_caller(clinic)
    api = api_as("invite")

    assert api.get("/clinic").status_code == 200
    response = api.get("/callers")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "scope"


def test_one_caller_who_left_is_still_found_as_gone(api, clinic):
    sue = make_caller(clinic)
    do_leave_waiting_area(sue.pk)

    caller = api.get(f"/callers/{sue.pk}").json()

    assert caller["present"] is False
    assert caller["leave_reason"] == "left"
    assert api.get("/callers").json() == {"callers": []}


def test_an_unknown_caller_is_not_found(api, clinic):
    response = api.get("/callers/999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_huge_or_odd_caller_id_is_refused_cleanly(api, clinic):
    assert api.get(f"/callers/{2**64}").status_code == 400
    assert api.get("/callers/0").status_code == 400
    assert api.get("/callers/x").status_code in (400, 404)

"""Automated messages: a welcome on entry, thanks for waiting after N minutes
(again every N minutes, a bounded number of times), a message when put on
hold. Thread messages like any other, each sent once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent
from messaging import actions
from messaging.actions import do_change_automated_messages, do_send_patience_messages
from messaging.models import AutomatedSent, Message
from realtime.events import CALLERS_CHANGED, THREAD_BROADCAST, THREAD_MESSAGES, THREADS_GREW, caller_group, callers_group, staff_group
from testkit.helpers import Listener, enter, make_caller
from waitroom.errors import ActionError
from waiting.actions import do_hold_caller, do_return_to_waiting, do_see_caller
from waiting.models import Caller, Sender

PAGE = "/clinics/sunrise/settings/automated-messages/"
WELCOME = {"welcome_on": True, "welcome_en": "Welcome, {first_name}!", "welcome_de": "Willkommen, {first_name}!"}
PATIENCE = {
    "patience_on": True,
    "patience_minutes": 10,
    "patience_times": 2,
    "patience_en": "Thank you for your patience, {first_name}: {minutes_waited} min.",
    "patience_de": "Danke für Ihre Geduld, {first_name}: {minutes_waited} Min.",
}
HOLD = {"hold_on": True, "hold_en": "You are on hold, {first_name}.", "hold_de": ""}


def switch_on(clinic, admin, **settings):
    return do_change_automated_messages(clinic, actor=admin, **settings)


def bodies(caller):
    return list(Message.objects.filter(caller=caller).order_by("seq").values_list("body", flat=True))


def waited(caller, minutes):
    Caller.objects.filter(pk=caller.pk).update(arrived_at=timezone.now() - timedelta(minutes=minutes, seconds=5))


# --- welcome ----------------------------------------------------------------


def test_a_caller_is_welcomed_on_entry_in_their_language(client, clinic, clinic_admin, django_capture_on_commit_callbacks):
    switch_on(clinic, clinic_admin, **WELCOME)
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        sue = enter(client, clinic, name="Sue Smith")
    (message,) = Message.objects.filter(caller=sue)
    assert (message.seq, message.sender, message.author, message.body) == (1, Sender.CLINIC, None, "Welcome, Sue!")
    sue.refresh_from_db()
    assert (sue.message_count, sue.last_message_from) == (1, Sender.CLINIC)
    # The dashboard's card of the new caller carries the badge: 1, from the clinic.
    cards = [c for e in staff.events() if e["type"] == CALLERS_CHANGED for c in e["cards"]]
    assert cards[-1]["message_count"] == 1 and cards[-1]["last_message_from"] == "clinic"
    # The caller's page gets it with its first frame.
    page = client.get(f"/w/{clinic.slug}/wait/")
    assert page.status_code == 200

    german = make_caller(clinic, name="Bert Braun", language="de")
    assert bodies(german) == ["Willkommen, Bert!"]
    (audit,) = AuditEvent.objects.filter(action="message.automated", caller_id=sue.pk)
    assert audit.details == {"kind": "welcome", "recipients": 1}
    assert "Sue" not in str(audit.details)


def test_no_welcome_when_switched_off(clinic, clinic_admin):
    assert bodies(make_caller(clinic)) == []  # never configured
    switch_on(clinic, clinic_admin, **WELCOME)
    switch_on(clinic, clinic_admin, welcome_on=False)
    assert bodies(make_caller(clinic)) == []


def test_a_welcome_is_the_clinics_not_another_clinics(clinic, other_clinic, clinic_admin):
    switch_on(clinic, clinic_admin, **WELCOME)
    assert bodies(make_caller(other_clinic)) == []


# --- patience -----------------------------------------------------------------


def test_patience_is_thanked_after_n_minutes_once_per_round(clinic, clinic_admin, django_capture_on_commit_callbacks):
    switch_on(clinic, clinic_admin, **PATIENCE)
    ann = make_caller(clinic, name="Ann Early")
    bert = make_caller(clinic, name="Bert Braun", language="de")
    new = make_caller(clinic, name="Nell New")
    waited(ann, 10)
    waited(bert, 11)
    pages = Listener(callers_group(clinic.pk))
    staff = Listener(staff_group(clinic.pk))

    with django_capture_on_commit_callbacks(execute=True):
        sent = do_send_patience_messages()
    assert len(sent) == 2
    assert bodies(ann) == ["Thank you for your patience, Ann: 10 min."]
    assert bodies(bert) == ["Danke für Ihre Geduld, Bert: 11 Min."]
    assert bodies(new) == []
    (event,) = pages.events()
    assert event["type"] == THREAD_BROADCAST and set(event["bodies"]) == {str(ann.pk), str(bert.pk)}
    assert [e["type"] for e in staff.events()] == [THREADS_GREW]

    # The next check, a moment later: nothing new.
    assert do_send_patience_messages() == []
    # After 2N minutes, the second round; after 3N, nothing: at most 2 times.
    waited(ann, 20)
    assert len(do_send_patience_messages()) == 1
    waited(ann, 30)
    assert do_send_patience_messages() == []
    assert len(bodies(ann)) == 2


def test_a_long_wait_gets_one_message_not_the_rounds_it_missed(clinic, clinic_admin):
    sue = make_caller(clinic)
    waited(sue, 45)  # waited long before the clinic switched it on
    switch_on(clinic, clinic_admin, **PATIENCE | {"patience_times": 5})
    do_send_patience_messages()
    do_send_patience_messages()
    assert len(bodies(sue)) == 1
    assert AutomatedSent.objects.get(caller=sue).round == 4


def test_only_callers_in_the_queue_are_thanked(clinic, clinic_admin, team_member):
    switch_on(clinic, clinic_admin, **PATIENCE)
    seen = make_caller(clinic, name="Sam Seen")
    waited(seen, 15)
    do_see_caller(seen.pk, actor=team_member)
    assert do_send_patience_messages() == []
    do_return_to_waiting(seen.pk, actor=team_member)
    assert len(do_send_patience_messages()) == 1


def test_the_patience_message_is_sent_once_with_two_processes_checking(transactional_db, clinic, clinic_admin, monkeypatch):
    """Two processes' watchdogs check at the same moment: both find the same
    callers due, and both try to send. Each caller gets it once."""
    switch_on(clinic, clinic_admin, **PATIENCE)
    callers = [make_caller(clinic, name=f"Caller {i}") for i in range(3)]
    for caller in callers:
        waited(caller, 12)
    both_found_them = threading.Barrier(2, timeout=10)
    send = actions.do_send_automated_message

    def send_when_both_have_looked(*args, **kwargs):
        both_found_them.wait()
        return send(*args, **kwargs)

    monkeypatch.setattr(actions, "do_send_automated_message", send_when_both_have_looked)

    def check():
        try:
            return len(do_send_patience_messages())
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = [f.result() for f in [pool.submit(check), pool.submit(check)]]
    assert sorted(counts) == [0, 3]
    for caller in callers:
        assert len(bodies(caller)) == 1
    assert AutomatedSent.objects.count() == 3


def test_the_database_refuses_a_second_record_of_the_same_round(clinic):
    sue = make_caller(clinic)
    AutomatedSent.objects.create(caller=sue, kind="patience", round=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AutomatedSent.objects.create(caller=sue, kind="patience", round=1)


# --- on hold ------------------------------------------------------------------


def test_a_caller_put_on_hold_is_told_each_time(clinic, clinic_admin, team_member, django_capture_on_commit_callbacks):
    switch_on(clinic, clinic_admin, **HOLD)
    sue = make_caller(clinic, name="Sue Smith", language="de")  # no German text: the English one
    page = Listener(caller_group(sue.pk))
    do_see_caller(sue.pk, actor=team_member)
    with django_capture_on_commit_callbacks(execute=True):
        do_hold_caller(sue.pk, actor=team_member)
    assert bodies(sue) == ["You are on hold, Sue."]
    (told,) = [e for e in page.events() if e["type"] == THREAD_MESSAGES]
    assert [m["body"] for m in told["messages"]] == ["You are on hold, Sue."]
    do_see_caller(sue.pk, actor=team_member)
    do_hold_caller(sue.pk, actor=team_member)
    assert bodies(sue) == ["You are on hold, Sue."] * 2
    assert AutomatedSent.objects.filter(caller=sue, kind="hold").count() == 2


# --- the settings -------------------------------------------------------------


def test_a_message_switched_on_needs_a_text(clinic, clinic_admin):
    with pytest.raises(ActionError) as refused:
        switch_on(clinic, clinic_admin, welcome_on=True)
    assert refused.value.field == "welcome_en"


def test_an_unknown_variable_is_refused(clinic, clinic_admin):
    with pytest.raises(ActionError) as refused:
        switch_on(clinic, clinic_admin, **HOLD | {"hold_de": "Bitte warten, {name}"})
    assert (refused.value.code, refused.value.field) == ("unknown_variable", "hold_de")


@pytest.mark.parametrize("minutes", [0, 241, -1, True, "5", 2.5])
def test_the_minutes_are_bounded(clinic, clinic_admin, minutes):
    with pytest.raises(ActionError):
        switch_on(clinic, clinic_admin, **PATIENCE | {"patience_minutes": minutes})


def test_an_admin_switches_them_on(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Automated messages" in html and 'href="/clinics/sunrise/settings/"' in html
    form = {"patience_minutes": 15, "patience_times": 1} | WELCOME
    assert client.post(PAGE, form).status_code == 302
    (event,) = AuditEvent.objects.filter(action="clinic.automated_messages_changed")
    assert event.actor == clinic_admin
    assert event.details["changes"]["welcome_on"] == [False, True]
    assert "Changed the automated messages" in client.get(PAGE).content.decode()
    assert bodies(make_caller(clinic, name="Sue Smith")) == ["Welcome, Sue!"]


def test_errors_are_shown_at_their_field(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(PAGE, {"patience_minutes": 15, "patience_times": 1, "patience_on": "on", "patience_en": "Hi {first}"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_patience_en_error"' in html and "{first} is not a variable." in html
    response = client.post(PAGE, {"patience_minutes": 0, "patience_times": 11})
    assert response.status_code == 400
    assert 'id="id_patience_minutes_error"' in response.content.decode()
    assert not AuditEvent.objects.filter(action="clinic.automated_messages_changed").exists()


def test_oversized_text_is_refused(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(PAGE, {"patience_minutes": 15, "patience_times": 1, "welcome_en": "x" * 1001})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="clinic.automated_messages_changed").exists()


def test_lone_surrogates_are_refused_by_the_action(clinic, clinic_admin):
    with pytest.raises(ActionError) as refused:
        switch_on(clinic, clinic_admin, **WELCOME | {"welcome_en": "Hi \ud800"})
    assert refused.value.code == "invalid"


def test_a_team_member_gets_403(client, clinic, team_member):
    client.force_login(team_member)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"patience_minutes": 15, "patience_times": 1} | WELCOME).status_code == 403
    assert bodies(make_caller(clinic)) == []


def test_staff_of_another_clinic_get_404(client, clinic, outsider):
    client.force_login(outsider)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"patience_minutes": 15, "patience_times": 1} | WELCOME).status_code == 404
    assert bodies(make_caller(clinic)) == []


def test_signed_out_and_callers_are_sent_to_sign_in(client, clinic):
    assert client.get(PAGE)["Location"].startswith("/login/")
    enter(client, clinic)
    response = client.post(PAGE, {"patience_minutes": 15, "patience_times": 1} | WELCOME)
    assert response.status_code == 302 and response["Location"].startswith("/login/")

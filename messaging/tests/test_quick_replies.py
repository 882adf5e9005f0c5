"""Quick replies: the clinic admin keeps the list; the team sends one to a
caller or to many, each filled in for its caller, in their language."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from messaging.actions import do_add_quick_reply, do_change_quick_reply, do_notify, preview
from messaging.models import Message, QuickReply
from realtime.events import THREAD_BROADCAST, THREAD_MESSAGES, caller_group, callers_group, staff_group
from testkit.helpers import Listener, enter, make_caller, post_json
from waitroom.errors import ActionError
from waiting.actions import do_see_caller
from waiting.models import Caller

PAGE = "/clinics/sunrise/settings/quick-replies/"
LATE = {
    "title": "Running late",
    "text_en": "Hello {first_name}, Dr Lee is running late. You are number {position} at {clinic}.",
    "text_de": "Hallo {first_name}, Dr Lee verspätet sich. Sie sind Nummer {position} bei {clinic}.",
}


def add(clinic, admin, **fields):
    return do_add_quick_reply(clinic, actor=admin, **(LATE | fields))


def events_of(clinic, action):
    return AuditEvent.objects.filter(clinic=clinic, action=action)


# --- the settings page -------------------------------------------------------


def test_an_admin_adds_a_quick_reply(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quick replies" in html and "No quick replies yet." in html
    assert 'href="/clinics/sunrise/settings/"' in html  # back to the settings

    response = client.post(PAGE, LATE)
    assert response.status_code == 302
    reply = QuickReply.objects.get(clinic=clinic)
    assert (reply.title, reply.text_en, reply.text_de, reply.position) == (LATE["title"], LATE["text_en"], LATE["text_de"], 1)
    html = client.get(PAGE).content.decode()
    assert "Running late" in html and "Added a quick reply" in html
    (event,) = events_of(clinic, "clinic.quick_reply_added")
    assert event.actor == clinic_admin
    assert event.details == {"quick_reply": reply.pk, "title": "Running late"}


def test_an_unknown_variable_is_refused_at_its_field(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(PAGE, LATE | {"text_de": "Hallo {vorname}"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "{vorname} is not a variable." in html
    # The error is the German text's, and the field says so to screen readers.
    assert 'id="id_text_de_error"' in html
    assert 'aria-describedby="id_text_de_error"' in html or 'aria-describedby="id_text_de_helptext id_text_de_error"' in html
    assert 'aria-invalid="true"' in html
    assert not QuickReply.objects.exists()
    assert not events_of(clinic, "clinic.quick_reply_added").exists()


def test_a_lone_brace_is_refused(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(PAGE, LATE | {"text_en": "Hello {first_name"})
    assert response.status_code == 400
    assert "A brace is not closed or not opened." in response.content.decode()
    assert not QuickReply.objects.exists()


def test_a_quick_reply_needs_a_title_and_a_text(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    assert client.post(PAGE, {"title": "", "text_en": "Hi"}).status_code == 400
    response = client.post(PAGE, {"title": "Empty", "text_en": " ", "text_de": "\u200b"})
    assert response.status_code == 400
    assert "Write the text in English, in German, or in both." in response.content.decode()
    assert not QuickReply.objects.exists()


def test_one_language_is_enough(clinic, clinic_admin):
    reply = add(clinic, clinic_admin, text_de="")
    assert reply.text_de == ""


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"text_en": "x" * 1001}, "at most 1000 characters"),
        ({"text_en": "{first_name}" * 11}, "could be longer than a message"),
        ({"title": "t" * 61}, "at most 60 characters"),
    ],
)
def test_oversized_text_is_refused(client, clinic, clinic_admin, fields, error):
    client.force_login(clinic_admin)
    response = client.post(PAGE, LATE | fields)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not QuickReply.objects.exists()


def test_lone_surrogates_are_refused_by_the_action(clinic, clinic_admin):
    for fields in ({"title": "x\ud800"}, {"text_en": "Hello \ud800"}, {"text_de": "\udfff"}):
        with pytest.raises(ActionError) as refused:
            add(clinic, clinic_admin, **fields)
        assert refused.value.code == "invalid"
    assert not QuickReply.objects.exists()


def test_a_lone_surrogate_typed_into_the_form_is_not_stored(client, clinic, clinic_admin):
    # A form post carries bytes: an encoded lone surrogate is not UTF-8, and arrives replaced.
    client.force_login(clinic_admin)
    body = "title=Hi&text_en=x%ED%A0%80"
    client.post(PAGE, body, content_type="application/x-www-form-urlencoded")
    for reply in QuickReply.objects.all():
        reply.text_en.encode("utf-8")  # storable and showable


def test_an_admin_edits_moves_and_deletes(client, clinic, clinic_admin):
    first = add(clinic, clinic_admin)
    second = add(clinic, clinic_admin, title="Back soon", text_en="Back in {minutes_waited}", text_de="")
    client.force_login(clinic_admin)

    url = f"{PAGE}{first.pk}/"
    assert 'value="Running late"' in client.get(url).content.decode()
    assert client.post(url, LATE | {"title": "Late"}).status_code == 302
    first.refresh_from_db()
    assert first.title == "Late"
    (event,) = events_of(clinic, "clinic.quick_reply_changed")
    assert event.details["changes"] == {"title": ["Running late", "Late"]}
    assert client.post(url, LATE | {"text_en": "{oops}"}).status_code == 400
    first.refresh_from_db()
    assert first.text_en == LATE["text_en"]

    assert client.post(f"{PAGE}{second.pk}/move/", {"to": "up"}).status_code == 302
    assert [r.title for r in QuickReply.objects.filter(clinic=clinic)] == ["Back soon", "Late"]

    assert client.post(f"{PAGE}{first.pk}/delete/").status_code == 302
    assert list(QuickReply.objects.values_list("title", flat=True)) == ["Back soon"]
    (event,) = events_of(clinic, "clinic.quick_reply_removed")
    assert event.details == {"quick_reply": first.pk, "title": "Late"}
    assert client.get(f"{PAGE}{first.pk}/delete/").status_code == 405


def test_a_team_member_gets_403(client, clinic, clinic_admin, team_member):
    reply = add(clinic, clinic_admin)
    client.force_login(team_member)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, LATE | {"title": "Mine"}).status_code == 403
    assert client.post(f"{PAGE}{reply.pk}/", LATE | {"title": "Mine"}).status_code == 403
    assert client.post(f"{PAGE}{reply.pk}/delete/").status_code == 403
    assert client.post(f"{PAGE}{reply.pk}/move/", {"to": "down"}).status_code == 403
    assert list(QuickReply.objects.values_list("title", flat=True)) == ["Running late"]


def test_staff_of_another_clinic_get_404(client, clinic, other_clinic, clinic_admin, outsider):
    reply = add(clinic, clinic_admin)
    theirs = add(other_clinic, outsider, title="Harbour")
    client.force_login(outsider)  # an admin, of the harbour practice
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, LATE).status_code == 404
    assert client.post(f"{PAGE}{reply.pk}/delete/").status_code == 404
    # Their own clinic's address with our quick reply's number: not found either.
    harbour = "/clinics/harbour/settings/quick-replies/"
    assert client.get(f"{harbour}{reply.pk}/").status_code == 404
    assert client.post(f"{harbour}{reply.pk}/delete/").status_code == 404
    assert client.post(f"{harbour}{reply.pk}/", LATE | {"title": "Taken"}).status_code == 404
    assert QuickReply.objects.count() == 2
    assert client.get(f"{harbour}{theirs.pk}/").status_code == 200


def test_signed_out_is_sent_to_sign_in(client, clinic, clinic_admin):
    reply = add(clinic, clinic_admin)
    for response in (client.get(PAGE), client.post(PAGE, LATE), client.post(f"{PAGE}{reply.pk}/delete/")):
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert QuickReply.objects.count() == 1


def test_a_callers_session_is_not_staff(client, clinic, clinic_admin):
    add(clinic, clinic_admin)
    enter(client, clinic)  # a caller's browser
    assert client.get(PAGE).status_code == 302
    assert client.get("/clinics/sunrise/quick-replies/").status_code == 302


def test_german_page_for_a_german_admin(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    html = client.get(PAGE, headers={"accept-language": "de"}).content.decode()
    assert "Schnellantworten" in html
    assert "Schnellantwort hinzufügen" in html


# --- the team picks one ---------------------------------------------------


def test_the_team_lists_the_clinics_quick_replies(client, clinic, other_clinic, clinic_admin, team_member, outsider):
    reply = add(clinic, clinic_admin)
    add(other_clinic, outsider, title="Harbour only")
    client.force_login(team_member)
    assert client.get("/clinics/sunrise/quick-replies/").json() == {"quick_replies": [{"id": reply.pk, "title": "Running late"}]}
    client.force_login(outsider)
    assert client.get("/clinics/sunrise/quick-replies/").status_code == 404


def test_the_preview_is_filled_for_the_caller_in_their_language(client, clinic, clinic_admin, team_member):
    reply = add(clinic, clinic_admin)
    make_caller(clinic, name="Ann Early")
    bert = make_caller(clinic, name="Bert Braun", language="de")
    client.force_login(team_member)
    response = client.get(f"/clinics/sunrise/quick-replies/{reply.pk}/preview/?caller={bert.pk}")
    assert response.json() == {"text": "Hallo Bert, Dr Lee verspätet sich. Sie sind Nummer 2 bei Sunrise Clinic."}


def test_the_preview_refuses_other_clinics_and_bad_input(client, clinic, other_clinic, clinic_admin, team_member, outsider):
    reply = add(clinic, clinic_admin)
    theirs = add(other_clinic, outsider)
    sue = make_caller(clinic)
    harbour_caller = make_caller(other_clinic, name="Hal Harbour")
    client.force_login(team_member)
    url = "/clinics/sunrise/quick-replies/{}/preview/?caller={}"
    assert client.get(url.format(theirs.pk, sue.pk)).status_code == 404
    assert client.get(url.format(reply.pk, harbour_caller.pk)).status_code == 404
    for bad in ("", "x", "-1", "1e3", "١", "9" * 40):
        assert client.get(url.format(reply.pk, bad)).status_code == 400, bad
    client.force_login(outsider)
    assert client.get(url.format(reply.pk, sue.pk)).status_code == 404


# --- sending ----------------------------------------------------------------


def test_a_quick_reply_to_many_is_filled_for_each_caller(clinic, clinic_admin, team_member, django_capture_on_commit_callbacks):
    reply = add(clinic, clinic_admin, text_en="Hi {first_name}, {minutes_waited} min, number {position}.", text_de="Hallo {first_name}, {minutes_waited} Min., Nummer {position}.")
    now = timezone.now()
    ann = make_caller(clinic, name="Ann Early", language="en")
    bert = make_caller(clinic, name="Bert Braun", language="de")
    cem = make_caller(clinic, name="Cem Seen")
    Caller.objects.filter(pk=ann.pk).update(arrived_at=now - timedelta(minutes=20))
    Caller.objects.filter(pk=bert.pk).update(arrived_at=now - timedelta(minutes=12, seconds=30))
    Caller.objects.filter(pk=cem.pk).update(arrived_at=now - timedelta(minutes=5))
    do_see_caller(cem.pk, actor=team_member)  # in a call: not in the queue
    clinic.language = "de"  # a caller who came in before languages were kept reads the clinic's
    clinic.save()
    Caller.objects.filter(pk=cem.pk).update(language="")
    pages = Listener(callers_group(clinic.pk))
    staff = Listener(staff_group(clinic.pk))

    with django_capture_on_commit_callbacks(execute=True):
        sent = do_notify(clinic, actor=team_member, caller_ids=[ann.pk, bert.pk, cem.pk], quick_reply_id=reply.pk)

    bodies = dict(Message.objects.values_list("caller__name", "body"))
    assert bodies == {
        "Ann Early": "Hi Ann, 20 min, number 1.",
        "Bert Braun": "Hallo Bert, 12 Min., Nummer 2.",
        "Cem Seen": "Hallo Cem, 5 Min., Nummer –.",
    }
    assert {m.author for m in Message.objects.all()} == {team_member}
    (event,) = pages.events()
    assert event["type"] == THREAD_BROADCAST
    assert event["bodies"] == {str(ann.pk): bodies["Ann Early"], str(bert.pk): bodies["Bert Braun"], str(cem.pk): bodies["Cem Seen"]}
    assert event["seqs"] == {str(s.caller_id): s.seq for s in sent}
    (grew,) = staff.events()
    assert sorted(c[0] for c in grew["counts"]) == sorted([ann.pk, bert.pk, cem.pk])
    (audit,) = AuditEvent.objects.filter(action="message.notify")
    assert audit.details == {"recipients": 3, "quick_reply": reply.pk}


def test_a_quick_reply_to_one_caller_is_their_message(clinic, clinic_admin, team_member, django_capture_on_commit_callbacks):
    reply = add(clinic, clinic_admin)
    sue = make_caller(clinic, name="Sue Smith")
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        do_notify(clinic, actor=team_member, caller_ids=[sue.pk], quick_reply_id=reply.pk)
    text = "Hello Sue, Dr Lee is running late. You are number 1 at Sunrise Clinic."
    assert Message.objects.get().body == text
    assert preview(clinic, reply.pk, sue) == text
    (event,) = page.events()
    assert event["type"] == THREAD_MESSAGES and event["messages"][0]["body"] == text


def test_a_quick_reply_without_variables_in_one_language_is_one_text(clinic, clinic_admin, team_member, django_capture_on_commit_callbacks):
    reply = add(clinic, clinic_admin, text_en="We will be with you shortly.", text_de="")
    callers = [make_caller(clinic, name=n, language=lang) for n, lang in [("Ann A", "en"), ("Bert B", "de")]]
    pages = Listener(callers_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        do_notify(clinic, actor=team_member, caller_ids=[c.pk for c in callers], quick_reply_id=reply.pk)
    assert set(Message.objects.values_list("body", flat=True)) == {"We will be with you shortly."}
    (event,) = pages.events()
    assert "bodies" not in event  # the shared frame, as for any typed message


def test_a_retried_quick_reply_is_stored_once(clinic, clinic_admin, team_member):
    reply = add(clinic, clinic_admin)
    ids = [make_caller(clinic, name=f"Caller {i}").pk for i in range(3)]
    assert len(do_notify(clinic, actor=team_member, caller_ids=ids, quick_reply_id=reply.pk, client_id="q-1")) == 3
    assert do_notify(clinic, actor=team_member, caller_ids=ids, quick_reply_id=reply.pk, client_id="q-1") == []
    assert Message.objects.count() == 3


def test_a_quick_reply_to_a_crowd_is_one_write(clinic, clinic_admin, team_member, django_assert_max_num_queries):
    reply = add(clinic, clinic_admin)
    now = timezone.now()
    crowd = Caller.objects.bulk_create(
        [Caller(clinic=clinic, name=f"Caller{i} X", arrived_at=now, status_changed_at=now) for i in range(1500)]
    )
    with django_assert_max_num_queries(12):
        sent = do_notify(clinic, actor=team_member, caller_ids=[c.pk for c in crowd], quick_reply_id=reply.pk)
    assert len(sent) == 1500
    last = Message.objects.get(caller=crowd[-1])
    assert last.body == "Hello Caller1499, Dr Lee is running late. You are number 1500 at Sunrise Clinic."


def test_the_server_refuses_another_clinics_quick_reply(client, clinic, other_clinic, team_member, outsider):
    theirs = add(other_clinic, outsider)
    sue = make_caller(clinic)
    client.force_login(team_member)
    response = post_json(client, "/clinics/sunrise/notify/", {"caller_ids": [sue.pk], "quick_reply": theirs.pk})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_quick_reply"
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "data, code",
    [
        ({"quick_reply": "1"}, "invalid"),
        ({"quick_reply": True}, "invalid"),
        ({"quick_reply": 1.5}, "invalid"),
        ({"quick_reply": 2**70}, "invalid"),
        ({"quick_reply": 0}, "invalid"),
        ({"quick_reply": None, "body": "x\ud800"}, "invalid"),
    ],
)
def test_bad_quick_reply_requests_are_refused(client, clinic, clinic_admin, team_member, data, code):
    add(clinic, clinic_admin)
    sue = make_caller(clinic)
    client.force_login(team_member)
    response = post_json(client, "/clinics/sunrise/notify/", {"caller_ids": [sue.pk], **data})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not Message.objects.exists()


def test_a_text_and_a_quick_reply_together_are_refused(client, clinic, clinic_admin, team_member):
    reply = add(clinic, clinic_admin)
    sue = make_caller(clinic)
    client.force_login(team_member)
    data = {"caller_ids": [sue.pk], "quick_reply": reply.pk, "body": "Hello {first_name}"}
    assert post_json(client, "/clinics/sunrise/notify/", data).status_code == 400
    assert not Message.objects.exists()


def test_a_changed_quick_reply_sends_its_new_text(clinic, clinic_admin, team_member):
    reply = add(clinic, clinic_admin)
    do_change_quick_reply(clinic, reply.pk, actor=clinic_admin, title="Late", text_en="Sorry, {first_name}!", text_de="")
    sue = make_caller(clinic, name="Sue Smith", language="de")  # no German text: the English one
    do_notify(clinic, actor=team_member, caller_ids=[sue.pk], quick_reply_id=reply.pk)
    assert Message.objects.get().body == "Sorry, Sue!"

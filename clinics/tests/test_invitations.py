"""Inviting a colleague by email: a link that works once, until it expires,
for the address it was sent to only. The invitee chooses a name and a
password and is signed in on the clinic's dashboard; an existing account
signs in and joins; nobody else takes the invitation."""

import hashlib
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from clinics import team
from clinics.models import Clinic, Invitation, Membership, Role
from conftest import PASSWORD, make_user
from waitroom.errors import ActionError

from .team_helpers import NEW_PASSWORD, invite, last_mail, link_in_mail, new_account, path_of, team_url

User = get_user_model()


def test_an_admin_invites_by_email(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(team_url(clinic, "invite/"), {"email": " Sam@Sunrise.test ", "role": "admin"})

    assert response.status_code == 302 and response.url == team_url(clinic)
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == ("sam@sunrise.test", "admin", clinic_admin)
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)
    message = last_mail()
    assert message.to == ["sam@sunrise.test"]
    assert message.subject == "You are invited to the team of Sunrise Clinic"
    assert "Alex invites you to the team of Sunrise Clinic on Waitroom, as Clinic admin." in message.body
    link = link_in_mail(message)
    # Only the token's hash is kept: the database alone opens nothing.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43 and invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())
    page = client.get(team_url(clinic)).content.decode()
    assert "sam@sunrise.test is invited." in page and "sam@sunrise.test</th>" in page


def test_the_mail_is_in_the_clinics_language_else_the_inviters(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    client.post(team_url(clinic, "invite/"), {"email": "sam@sunrise.test", "role": "member"}, HTTP_ACCEPT_LANGUAGE="de")
    assert last_mail().subject == "Sie sind in das Team von Sunrise Clinic eingeladen"
    assert "als Teammitglied" in last_mail().body

    Clinic.objects.filter(pk=clinic.pk).update(language="en")
    client.post(team_url(clinic, "invite/"), {"email": "kim@sunrise.test", "role": "member"}, HTTP_ACCEPT_LANGUAGE="de")
    assert last_mail().subject == "You are invited to the team of Sunrise Clinic"


def test_the_invitee_chooses_a_name_and_password_and_lands_on_the_dashboard(clinic, clinic_admin):
    _, link = invite(clinic, clinic_admin)
    invitee = Client()
    page = invitee.get(path_of(link))
    assert page.status_code == 200
    assert "You are invited to the team of Sunrise Clinic as Team member, with the address sam@sunrise.test." in page.content.decode()

    response = invitee.post(path_of(link), new_account())

    assert response.status_code == 302 and response.url == "/clinics/sunrise/"
    sam = User.objects.get(username="sam@sunrise.test")
    assert (sam.email, sam.first_name, sam.last_name) == ("sam@sunrise.test", "Sam", "Rivera")
    assert sam.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=sam).role == Role.MEMBER
    dashboard = invitee.get("/clinics/sunrise/")
    assert dashboard.status_code == 200 and dashboard.wsgi_request.user == sam
    assert AuditEvent.objects.filter(action="account.signed_in", actor=sam).exists()


def test_where_the_clinic_requires_two_factors_they_set_them_up_first(clinic, clinic_admin):
    Clinic.objects.filter(pk=clinic.pk).update(require_two_factors=True)
    _, link = invite(clinic, clinic_admin)
    invitee = Client()
    invitee.post(path_of(link), new_account())

    response = invitee.get("/clinics/sunrise/")
    assert response.status_code == 302 and response.url == "/account/two-factor/"


def test_a_link_works_once(clinic, clinic_admin):
    _, link = invite(clinic, clinic_admin)
    assert Client().post(path_of(link), new_account()).status_code == 302

    again = Client().post(path_of(link), new_account(first_name="Mallory"))

    assert again.status_code == 410
    assert "It was used already: an invitation works once." in again.content.decode()
    assert User.objects.filter(username="sam@sunrise.test").count() == 1
    assert not User.objects.filter(first_name="Mallory").exists()


@pytest.mark.django_db(transaction=True)
def test_two_accepts_at_the_same_moment_make_one_account(clinic, clinic_admin):
    invitation, _ = invite(clinic, clinic_admin)
    start = threading.Barrier(2)
    outcomes = []

    def accept(first_name):
        try:
            start.wait()
            team.do_accept_invitation(Invitation.objects.get(pk=invitation.pk), first_name=first_name, password=NEW_PASSWORD)
            outcomes.append("joined")
        except ActionError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(name,)) for name in ("One", "Two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["invitation_closed", "joined"]
    assert User.objects.filter(username="sam@sunrise.test").count() == 1
    assert Membership.objects.filter(clinic=clinic).count() == 2
    assert AuditEvent.objects.filter(action="clinic.invitation_accepted").count() == 1


def test_an_expired_link_says_so_in_the_invitees_language(clinic, clinic_admin):
    invitation, link = invite(clinic, clinic_admin)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    english = Client().get(path_of(link), HTTP_ACCEPT_LANGUAGE="en")
    german = Client().post(path_of(link), new_account(), HTTP_ACCEPT_LANGUAGE="de")

    assert english.status_code == 410 and "It is too old" in english.content.decode()
    assert german.status_code == 410 and "Er ist zu alt" in german.content.decode()
    assert not User.objects.filter(username="sam@sunrise.test").exists()


def test_the_expiry_is_a_setting(settings, clinic, clinic_admin):
    settings.WAITROOM_INVITATION_DAYS = 2
    invitation, _ = invite(clinic, clinic_admin)
    assert invitation.expires_at - invitation.sent_at == timedelta(days=2)


@pytest.mark.parametrize("token", ["nothing", "x" * 43, "x" * 5000, "%ED%A0%80" * 10])
def test_an_unknown_link_says_so(client, clinic, clinic_admin, token):
    invite(clinic, clinic_admin)
    response = client.get(f"/invitation/{token}/")
    assert response.status_code == 404
    assert "This is not the address of an invitation." in response.content.decode()


def test_a_revoked_link_is_dead(client, clinic, clinic_admin):
    invitation, link = invite(clinic, clinic_admin)
    client.force_login(clinic_admin)
    assert client.post(team_url(clinic, f"invitations/{invitation.pk}/revoke/")).status_code == 302

    response = Client().post(path_of(link), new_account())
    assert response.status_code == 410 and "It was withdrawn" in response.content.decode()
    assert not User.objects.filter(username="sam@sunrise.test").exists()
    assert "sam@sunrise.test" not in client.get(team_url(clinic)).content.decode().split("Open invitations")[1]


def test_resending_sends_a_new_link_and_kills_the_old_one(client, clinic, clinic_admin):
    invitation, old_link = invite(clinic, clinic_admin)
    client.force_login(clinic_admin)

    assert client.post(team_url(clinic, f"invitations/{invitation.pk}/resend/")).status_code == 302

    new_link = link_in_mail(last_mail())
    assert new_link != old_link and len(mail.outbox) == 2
    assert Client().get(path_of(old_link)).status_code == 410
    assert Client().post(path_of(new_link), new_account()).status_code == 302
    assert Membership.objects.filter(clinic=clinic, user__username="sam@sunrise.test").exists()
    # One invitation on the page, not two.
    assert team.open_invitations(clinic).count() == 0


def test_an_expired_invitation_can_be_resent(client, clinic, clinic_admin):
    invitation, _ = invite(clinic, clinic_admin)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client.force_login(clinic_admin)
    assert client.post(team_url(clinic, f"invitations/{invitation.pk}/resend/")).status_code == 302
    assert Client().post(path_of(link_in_mail(last_mail())), new_account()).status_code == 302


def test_a_member_or_an_open_invitation_is_not_invited_twice(client, clinic, clinic_admin, team_member):
    invite(clinic, clinic_admin)
    client.force_login(clinic_admin)

    member = client.post(team_url(clinic, "invite/"), {"email": "LEE@sunrise.test", "role": "member"})
    invited = client.post(team_url(clinic, "invite/"), {"email": "sam@sunrise.test", "role": "admin"})

    assert member.status_code == 400 and "already a member of the team" in member.content.decode()
    assert invited.status_code == 400 and "has an open invitation" in invited.content.decode()
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1


def test_invitations_are_limited_per_clinic_and_day(settings, client, clinic, clinic_admin, other_clinic, outsider):
    settings.WAITROOM_INVITATIONS_PER_DAY = 3
    for n in range(2):
        invite(clinic, clinic_admin, email=f"person{n}@sunrise.test")
    invitation, _ = invite(clinic, clinic_admin, email="person2@sunrise.test")
    client.force_login(clinic_admin)

    refused = client.post(team_url(clinic, "invite/"), {"email": "person3@sunrise.test", "role": "member"})
    resend = client.post(team_url(clinic, f"invitations/{invitation.pk}/resend/"))

    assert refused.status_code == 429 and "sent 3 invitations in the last 24 hours" in refused.content.decode()
    assert resend.status_code == 429
    assert Invitation.objects.filter(clinic=clinic).count() == 3 and len(mail.outbox) == 3
    invite(other_clinic, outsider, email="person3@harbour.test")  # another clinic's count
    Invitation.objects.filter(clinic=clinic).update(sent_at=timezone.now() - timedelta(days=1, seconds=1))
    invite(clinic, clinic_admin, email="person3@sunrise.test")  # a day later


# An existing account -------------------------------------------------------


def test_an_existing_account_signs_in_then_joins(clinic, clinic_admin, other_clinic, outsider):
    _, link = invite(clinic, clinic_admin, email="STAFF@harbour.test", role=Role.ADMIN)
    browser = Client()

    page = browser.get(path_of(link))
    assert page.status_code == 200
    assert "There is an account with staff@harbour.test already." in page.content.decode()
    assert f'href="/login/?next={path_of(link)}"' in page.content.decode()
    assert browser.post(path_of(link), new_account()).status_code == 200  # no second account, whatever is posted
    assert User.objects.filter(username__iexact="staff@harbour.test").count() == 1

    browser.force_login(outsider)
    assert "Join the team" in browser.get(path_of(link)).content.decode()
    response = browser.post(path_of(link))

    assert response.status_code == 302 and response.url == "/clinics/sunrise/"
    assert Membership.objects.get(clinic=clinic, user=outsider).role == Role.ADMIN
    assert outsider.check_password(PASSWORD)  # their own password, untouched
    assert Membership.objects.get(clinic=other_clinic, user=outsider).role == Role.ADMIN


def test_another_signed_in_account_cannot_take_the_invitation(clinic, clinic_admin, outsider):
    _, new_persons = invite(clinic, clinic_admin, email="sam@sunrise.test")
    _, existing_persons = invite(clinic, clinic_admin, email="kim@harbour.test")
    make_user("kim@harbour.test", Clinic.objects.create(name="Kim's", slug="kims"), Role.ADMIN)
    browser = Client()
    browser.force_login(outsider)

    for link in (new_persons, existing_persons):
        page = browser.get(path_of(link))
        taken = browser.post(path_of(link), new_account())
        assert page.status_code == taken.status_code == 403
        assert "You are signed in as staff@harbour.test, but this invitation is for" in taken.content.decode()

    assert not Membership.objects.filter(clinic=clinic, user=outsider).exists()
    assert not User.objects.filter(username="sam@sunrise.test").exists()
    assert team.open_invitations(clinic).count() == 2


def test_an_account_made_meanwhile_is_not_made_twice(clinic, clinic_admin):
    invitation, link = invite(clinic, clinic_admin)
    make_user("Sam@Sunrise.test", Clinic.objects.create(name="Elsewhere", slug="elsewhere"), Role.MEMBER)

    with pytest.raises(ActionError) as refused:
        team.do_accept_invitation(invitation, first_name="Sam", password=NEW_PASSWORD)

    assert refused.value.code == "account_exists"
    assert User.objects.filter(username__iexact="sam@sunrise.test").count() == 1
    assert team.open_invitations(clinic).get() == invitation  # still open: they sign in and join


# Bad input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"first_name": ""}, "This field is required."),
        ({"first_name": "\u200b\u200b"}, "Please enter your name."),
        ({"first_name": "x" * 151}, "at most 150 characters"),
        ({"last_name": "x" * 151}, "at most 150 characters"),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password1": "sam@sunrise.test1", "password2": "sam@sunrise.test1"}, "too similar"),
        ({"password2": "something else entirely"}, "The two passwords differ."),
        ({"password1": "p" * 1025, "password2": "p" * 1025}, "at most 1024 characters"),
    ],
)
def test_a_bad_new_account_is_refused_with_the_reason(clinic, clinic_admin, fields, error):
    _, link = invite(clinic, clinic_admin)
    response = Client().post(path_of(link), {**new_account(), **fields})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not User.objects.filter(username="sam@sunrise.test").exists()
    assert team.open_invitations(clinic).count() == 1


def test_a_lone_surrogate_in_the_name_is_refused(clinic, clinic_admin):
    _, link = invite(clinic, clinic_admin)
    body = f"first_name=Sam%ED%A0%80&last_name=&password1={NEW_PASSWORD}&password2={NEW_PASSWORD}".replace(" ", "+")
    response = Client().post(path_of(link), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert not User.objects.filter(username="sam@sunrise.test").exists()


def test_bidi_overrides_leave_a_name(clinic, clinic_admin):
    _, link = invite(clinic, clinic_admin)
    Client().post(path_of(link), new_account(first_name="\u202eSam"))
    assert User.objects.get(username="sam@sunrise.test").first_name == "Sam"


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "not an address", "role": "member"},
        {"email": "", "role": "member"},
        {"email": "x" * 250 + "@a.de", "role": "member"},
        {"email": "sam\ud800@sunrise.test".encode("utf-8", "surrogatepass").decode("latin-1"), "role": "member"},
        {"email": "sam@sunrise.test", "role": "owner"},
        {"email": "sam@sunrise.test"},
        {"email": ["sam@sunrise.test", "kim@sunrise.test"], "role": "member"},
    ],
)
def test_a_bad_invitation_is_refused(client, clinic, clinic_admin, fields):
    client.force_login(clinic_admin)
    response = client.post(team_url(clinic, "invite/"), fields)
    if fields.get("role") == "member" and fields["email"] == ["sam@sunrise.test", "kim@sunrise.test"]:
        # A repeated field: the last one counts, as Django's forms read it.
        assert response.status_code == 302
        return
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_lone_surrogate_in_the_address_is_refused(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(
        team_url(clinic, "invite/"), "email=sam%ED%A0%80%40sunrise.test&role=member", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400 and "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_mail_that_cannot_be_sent_leaves_the_invitation_to_resend(client, clinic, clinic_admin, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    client.force_login(clinic_admin)
    response = client.post(team_url(clinic, "invite/"), {"email": "sam@sunrise.test", "role": "member"}, follow=True)
    assert "the mail could not be sent" in response.content.decode()
    assert team.open_invitations(clinic).count() == 1

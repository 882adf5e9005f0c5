"""Password reset by email (Django's views): the link in the mail sets a new
password once, signs every session out, ends a lockout, and is audited
without the address typed. An unknown address gets the same answer and no mail."""

import re

from django.test import Client

from accounts.views import PasswordResetView
from audit.models import AuditEvent
from realtime import events

from .conftest import LIMIT, fail, sign_in

NEW_PASSWORD = "a brand new long passphrase"


def link_in(mail):
    (link,) = re.findall(r"http://testserver(/password-reset/\S+/\S+/)", mail.body)
    return link


def ask_for_a_link(client, email, language="en"):
    return client.post("/password-reset/", {"email": email}, HTTP_ACCEPT_LANGUAGE=language)


def test_it_works(client, team_member, mailoutbox):
    page = client.get("/login/")
    assert 'href="/password-reset/"' in page.content.decode() and "Forgot your password?" in page.content.decode()

    response = ask_for_a_link(client, team_member.email)
    assert response.status_code == 302 and response.url == "/password-reset/done/"
    assert "Check your email" in client.get(response.url).content.decode()

    (mail,) = mailoutbox
    assert mail.to == [team_member.email]
    assert mail.subject == "Choose a new Waitroom password"
    form = client.get(link_in(mail), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == "/password-reset/complete/"
    assert "Your password is changed" in client.get(done.url).content.decode()

    assert sign_in(Client(), team_member.username, NEW_PASSWORD).status_code == 302
    assert sign_in(Client(), team_member.username).status_code == 200  # the old one is gone


def test_the_link_works_once(client, team_member, mailoutbox):
    ask_for_a_link(client, team_member.email)
    link = link_in(mailoutbox[0])
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = Client().get(link, follow=True)
    assert "This link does not work any more" in again.content.decode()


def test_the_answer_is_made_before_the_mail_is_sent(rf, team_member, mailoutbox):
    """A mail server's time must not tell whether the address is an
    account's: the mail goes once the answer has (Django's request_finished)."""
    request = rf.post("/password-reset/", {"email": team_member.email})
    request.session, request._dont_enforce_csrf_checks = {}, True  # (the test client's way)
    events.request_started()
    try:
        response = PasswordResetView.as_view()(request)
        assert response.status_code == 302 and response.url == "/password-reset/done/"
        assert mailoutbox == []
    finally:
        events.request_finished()
    (mail,) = mailoutbox
    assert mail.to == [team_member.email]


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, team_member, mailoutbox):
    response = ask_for_a_link(client, "nobody@sunrise.test")
    assert response.status_code == 302 and response.url == "/password-reset/done/"
    assert mailoutbox == []


def test_it_is_audited_without_the_address_typed(client, team_member, mailoutbox):
    ask_for_a_link(client, team_member.email)
    ask_for_a_link(client, "nobody@sunrise.test")
    asked = list(AuditEvent.objects.filter(action="account.password_reset_requested").order_by("id"))
    assert [e.details["accounts"] for e in asked] == [[team_member.pk], []]
    assert "nobody" not in str([e.details for e in asked])
    assert team_member.email not in str([e.details for e in asked])

    form = client.get(link_in(mailoutbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    event = AuditEvent.objects.get(action="account.password_reset")
    assert event.actor == team_member
    assert NEW_PASSWORD not in str(event.details)


def test_it_signs_every_session_out(client, team_member, mailoutbox):
    elsewhere = Client()
    elsewhere.force_login(team_member)
    assert elsewhere.get("/account/").status_code == 200
    ask_for_a_link(client, team_member.email)
    form = client.get(link_in(mailoutbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = elsewhere.get("/account/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_it_ends_a_lockout_of_the_account(client, team_member, mailoutbox):
    fail(client, team_member.username, LIMIT, address="10.0.0.1")
    ask_for_a_link(client, team_member.email)
    form = client.get(link_in(mailoutbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert sign_in(Client(), team_member.username, NEW_PASSWORD, address="10.0.0.2").status_code == 302


def test_a_weak_password_is_refused_with_reasons(client, team_member, mailoutbox):
    ask_for_a_link(client, team_member.email)
    form = client.get(link_in(mailoutbox[0]), follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_in_german(client, team_member, mailoutbox):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="de")
    assert "Passwort vergessen?" in page.content.decode()
    assert "Passwort zurücksetzen" in client.get("/password-reset/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    ask_for_a_link(client, team_member.email, language="de")
    (mail,) = mailoutbox
    assert mail.subject == "Neues Waitroom-Passwort wählen"
    assert "Passwort" in mail.body
    done = client.get("/password-reset/done/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Sehen Sie in Ihren E-Mails nach" in done


def test_a_mailbox_gets_a_few_reset_mails_an_hour_however_often_they_are_asked_for(
    client, team_member, clinic_admin, mailoutbox, settings
):
    settings.WAITROOM_RESET_MAILS_PER_MAILBOX = 3
    for _ in range(6):
        response = ask_for_a_link(client, team_member.email.upper(), language="en")
        assert response.status_code == 302 and response.url == "/password-reset/done/"  # the same answer each time
    assert len(mailoutbox) == 3
    assert AuditEvent.objects.filter(action="account.password_reset_limited").count() == 3

    ask_for_a_link(client, clinic_admin.email)  # another mailbox is not held back
    assert [mail.to for mail in mailoutbox[3:]] == [[clinic_admin.email]]


def test_one_address_cannot_send_reset_mails_to_many_mailboxes(client, team_member, clinic_admin, mailoutbox, settings):
    settings.WAITROOM_RESET_REQUESTS_PER_ADDRESS = 2
    ask_for_a_link(client, "nobody@example.test")
    ask_for_a_link(client, team_member.email)
    ask_for_a_link(client, clinic_admin.email)
    assert [mail.to for mail in mailoutbox] == [[team_member.email]]
    other_address = Client(REMOTE_ADDR="10.9.9.9")
    ask_for_a_link(other_address, clinic_admin.email)
    assert [mail.to for mail in mailoutbox][-1] == [clinic_admin.email]

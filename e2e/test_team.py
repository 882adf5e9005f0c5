"""The team page in the browser: the clinic admin invites a colleague, who
opens the link from the mail, chooses a name and password and sees the
waiting area; a removed member's open dashboard closes. The team page, the
invitation page and its "does not work" pages pass axe-core in English and German."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinics import team
from clinics.models import Invitation, Membership

from .accounts_labels import LOCALE
from .axe import assert_accessible
from .helpers import body_of
from conftest import PASSWORD

NEW_PASSWORD = "a long new passphrase 42"

WORDS = {
    "en": {
        "email": "Email", "password": "Password", "sign_in": "Sign in", "waiting_area": "Waiting area",
        "team": "Team", "role": "Role", "invite": "Invite", "member": "Team member",
        "join": "Join Sunrise Clinic", "first_name": "First name", "last_name": "Last name",
        "password_again": "Password again", "create": "Create my account and join",
        "does_not_work": "This invitation link does not work", "used": "It was used already",
        "too_old": "It is too old", "withdrawn": "It was withdrawn", "unknown": "This is not the address of an invitation",
        "invited": "sam@sunrise.test is invited.", "invite_heading": "Invite a colleague", "subject": "You are invited to the team of Sunrise Clinic",
    },
    "de": {
        "email": "E-Mail", "password": "Passwort", "sign_in": "Anmelden", "waiting_area": "Wartebereich",
        "team": "Team", "role": "Rolle", "invite": "Einladen", "member": "Teammitglied",
        "join": "Sunrise Clinic beitreten", "first_name": "Vorname", "last_name": "Nachname",
        "password_again": "Passwort wiederholen", "create": "Konto anlegen und beitreten",
        "does_not_work": "Dieser Einladungslink funktioniert nicht", "used": "Er wurde bereits verwendet",
        "too_old": "Er ist zu alt", "withdrawn": "Er wurde zurückgezogen", "unknown": "Dies ist nicht die Adresse einer Einladung",
        "invited": "sam@sunrise.test ist eingeladen.", "invite_heading": "Kollegin oder Kollegen einladen", "subject": "Sie sind in das Team von Sunrise Clinic eingeladen",
    },
}


def signed_in(new_page, user, language, at="/clinics/sunrise/team/"):
    words = WORDS[language]
    page = new_page(locale=LOCALE[language])
    page.goto(f"/login/?next={at}")
    page.get_by_label(words["email"]).fill(user.username)
    page.get_by_label(words["password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()
    expect(page.get_by_role("heading", name=words["team"])).to_be_visible()
    return page


def invitation_link(mailbox, subject):
    mail = mailbox.wait_for_mail()
    assert mail["To"] == "sam@sunrise.test" and mail["Subject"] == subject
    (link,) = re.findall(r"http://\S+/invitation/[A-Za-z0-9_-]+/", body_of(mail))
    return link


@pytest.mark.parametrize("language", ["en", "de"])
def test_an_admin_invites_a_colleague_who_joins_through_the_mail(
    new_page, clinic, clinic_admin, team_member, mailbox, language
):
    words = WORDS[language]
    alex = signed_in(new_page, clinic_admin, language)
    expect(alex.get_by_role("row").filter(has_text="Dr Lee")).to_have_count(1)
    assert_accessible(alex)

    invite = alex.get_by_role("region", name=words["invite_heading"])
    invite.get_by_label(words["email"]).fill("sam@sunrise.test")
    invite.get_by_label(words["role"]).select_option(label=words["member"])
    alex.get_by_role("button", name=words["invite"], exact=True).click()
    expect(alex.get_by_role("status")).to_contain_text(words["invited"])
    expect(alex.get_by_role("row").filter(has_text="sam@sunrise.test")).to_have_count(1)
    assert_accessible(alex)

    link = invitation_link(mailbox, words["subject"])
    sam = new_page(locale=LOCALE[language])
    sam.goto(link)
    expect(sam.get_by_role("heading", name=words["join"])).to_be_visible()
    assert_accessible(sam)

    # A common password first: refused, the reason tied to the field.
    sam.get_by_label(words["first_name"]).fill("Sam")
    sam.get_by_label(words["last_name"]).fill("Rivera")
    sam.get_by_label(words["password"], exact=True).fill("password")
    sam.get_by_label(words["password_again"]).fill("password")
    sam.get_by_role("button", name=words["create"]).click()
    expect(sam.get_by_label(words["password"], exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(sam)

    sam.get_by_label(words["password"], exact=True).fill(NEW_PASSWORD)
    sam.get_by_label(words["password_again"]).fill(NEW_PASSWORD)
    sam.get_by_role("button", name=words["create"]).click()
    expect(sam.get_by_role("heading", name=words["waiting_area"])).to_be_visible()
    assert sam.url.endswith("/clinics/sunrise/")

    # The link worked once.
    sam.goto(link)
    expect(sam.get_by_role("heading", name=words["does_not_work"])).to_be_visible()
    expect(sam.get_by_role("alert")).to_contain_text(words["used"])
    assert_accessible(sam)


def test_a_removed_members_open_dashboard_closes(new_page, clinic, clinic_admin, lee, team_member):
    alex = signed_in(new_page, clinic_admin, "en")
    expect(lee.get_by_role("heading", name="Waiting area", level=1)).to_be_visible()

    alex.on("dialog", lambda dialog: dialog.accept())
    alex.get_by_role("button", name="Remove – Dr Lee").click()
    expect(alex.get_by_role("status")).to_contain_text("Dr Lee is no longer on the team of Sunrise Clinic.")

    expect(lee.get_by_role("heading", name="Waiting area", level=1)).to_be_hidden(timeout=5_000)
    assert not Membership.objects.filter(user=team_member).exists()


@pytest.mark.parametrize("language", ["en", "de"])
def test_links_that_do_not_work_say_why(new_page, clinic, clinic_admin, language):
    words = WORDS[language]
    page = new_page(locale=LOCALE[language])
    invite = {"actor": clinic_admin, "role": "member", "language": "en", "site": "http://x", "send": False}
    expired, expired_link, _ = team.do_invite(clinic.pk, email="old@sunrise.test", **invite)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    revoked, revoked_link, _ = team.do_invite(clinic.pk, email="gone@sunrise.test", **invite)
    team.do_revoke_invitation(revoked.pk, clinic.pk, actor=clinic_admin)

    for path, reason in (
        (expired_link.removeprefix("http://x"), "too_old"),
        (revoked_link.removeprefix("http://x"), "withdrawn"),
        ("/invitation/not-a-real-invitation-link-at-all/", "unknown"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", name=words["does_not_work"])).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text(words[reason])
        assert_accessible(page)


def test_the_team_page_for_a_team_member_in_german(new_page, clinic, clinic_admin, team_member):
    lee = signed_in(new_page, team_member, "de")
    expect(lee.get_by_role("row").filter(has_text="Alex")).to_have_count(1)
    expect(lee.get_by_role("button", name="Entfernen")).to_have_count(0)
    assert_accessible(lee)

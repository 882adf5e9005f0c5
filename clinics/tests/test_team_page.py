"""The team page: the clinic's members (role, two factors, locked out) and
open invitations. Admins change it; team members read it; another clinic's
staff find nothing (404); signed out, it asks to sign in."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.conftest import LIMIT, fail
from audit.models import AuditEvent
from clinics.models import Invitation, Membership, Role
from conftest import make_user

from .team_helpers import invite, team_url

POSTS = [
    "invite/",
    "invitations/{invitation}/resend/",
    "invitations/{invitation}/revoke/",
    "members/{member}/role/",
    "members/{member}/remove/",
]


def test_an_admin_sees_the_team_and_its_buttons(client, clinic, clinic_admin, team_member):
    TOTPDevice.objects.create(user=clinic_admin, name="app", confirmed=True)
    invite(clinic, clinic_admin, email="sam@sunrise.test")
    client.force_login(clinic_admin)

    page = client.get(team_url(clinic)).content.decode()

    assert '<a href="/clinics/sunrise/team/" aria-current="page">Team</a>' in page
    assert "Alex <span class=\"muted\">(you)</span>" in page and "Dr Lee" in page and "lee@sunrise.test" in page
    assert page.count(">Set up<") == 1 and page.count(">Not set up<") == 1
    assert page.count("Can sign in") == 2
    assert "sam@sunrise.test</th>" in page and "Team member" in page
    for button in ("Invite", "Resend", "Revoke", "Remove", "Change role"):
        assert f">{button}<" in page


def test_a_locked_out_member_has_an_unlock_button(client, clinic, clinic_admin, team_member):
    fail(client, team_member.username, LIMIT)
    client.force_login(clinic_admin)
    page = client.get(team_url(clinic)).content.decode()
    assert page.count("Locked out") == 1
    assert f'action="/clinics/sunrise/members/{team_member.pk}/unlock/"' in page
    assert '<input type="hidden" name="next" value="/clinics/sunrise/team/">' in page
    response = client.post(f"/clinics/sunrise/members/{team_member.pk}/unlock/", {"next": team_url(clinic)})
    assert response.url == team_url(clinic)
    assert "Locked out" not in client.get(team_url(clinic)).content.decode()


def test_a_team_member_reads_it_without_buttons(client, clinic, clinic_admin, team_member):
    invite(clinic, clinic_admin, email="sam@sunrise.test")
    client.force_login(team_member)
    response = client.get(team_url(clinic))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alex" in page and "sam@sunrise.test" in page
    assert "<form" not in page.split('<main id="main">')[1].split("</main>")[0]
    assert "The clinic's admins invite people" in page


def test_every_member_sees_team_in_the_clinic_nav(client, clinic, team_member):
    client.force_login(team_member)
    assert '<a href="/clinics/sunrise/team/">Team</a>' in client.get("/clinics/sunrise/").content.decode()


@pytest.fixture
def ids(clinic, clinic_admin, team_member):
    invitation, _ = invite(clinic, clinic_admin, email="sam@sunrise.test")
    return {"invitation": invitation.pk, "member": team_member.pk}


def _nothing_changed(clinic, clinic_admin, team_member):
    assert Invitation.objects.filter(clinic=clinic, revoked_at=None, accepted_at=None).count() == 1
    assert Membership.objects.get(user=team_member).role == Role.MEMBER
    assert Membership.objects.get(user=clinic_admin).role == Role.ADMIN
    assert not AuditEvent.objects.filter(action__startswith="clinic.").exclude(action="clinic.member_invited").exists()


@pytest.mark.parametrize("post", POSTS)
def test_a_team_members_posts_are_refused(client, clinic, clinic_admin, team_member, ids, post):
    client.force_login(team_member)
    response = client.post(team_url(clinic, post.format(**ids)), {"email": "kim@sunrise.test", "role": "admin"})
    assert response.status_code == 403
    _nothing_changed(clinic, clinic_admin, team_member)
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("post", POSTS)
def test_another_clinics_staff_get_404(client, clinic, clinic_admin, team_member, outsider, other_clinic, ids, post):
    client.force_login(outsider)  # an admin, of the harbour practice
    assert client.get(team_url(clinic)).status_code == 404
    assert client.post(team_url(clinic, post.format(**ids)), {"email": "kim@x.test", "role": "admin"}).status_code == 404
    if "{" in post:  # sunrise's ids through harbour's own page: not found there either
        assert client.post(team_url(other_clinic, post.format(**ids)), {"role": "member"}).status_code == 404
    _nothing_changed(clinic, clinic_admin, team_member)


@pytest.mark.parametrize("post", POSTS)
def test_signed_out_it_asks_to_sign_in(client, clinic, ids, post):
    for response in (client.get(team_url(clinic)), client.post(team_url(clinic, post.format(**ids)))):
        assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize("post", POSTS[1:])
@pytest.mark.parametrize("bad_id", ["0", "99999", "99999999999999999999999"])
def test_unknown_ids_are_not_found(client, clinic, clinic_admin, team_member, ids, post, bad_id):
    client.force_login(clinic_admin)
    url = team_url(clinic, post.format(invitation=bad_id, member=bad_id))
    assert client.post(url, {"role": "admin"}).status_code == 404
    _nothing_changed(clinic, clinic_admin, team_member)


def test_another_clinics_member_is_not_found(client, clinic, clinic_admin, team_member, outsider):
    client.force_login(clinic_admin)
    assert client.post(team_url(clinic, f"members/{outsider.pk}/role/"), {"role": "member"}).status_code == 404
    assert client.post(team_url(clinic, f"members/{outsider.pk}/remove/")).status_code == 404
    assert Membership.objects.get(user=outsider).role == Role.ADMIN


def test_another_clinics_invitation_is_not_found(client, clinic, clinic_admin, other_clinic, outsider):
    theirs, _ = invite(other_clinic, outsider, email="kim@harbour.test")
    client.force_login(clinic_admin)
    assert client.post(team_url(clinic, f"invitations/{theirs.pk}/resend/")).status_code == 404
    assert client.post(team_url(clinic, f"invitations/{theirs.pk}/revoke/")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None and Invitation.objects.count() == 1


@pytest.mark.parametrize("role", ["", "owner", "admin\ud800".encode("utf-8", "surrogatepass").decode("latin-1"), "x" * 10000])
def test_a_bad_role_is_refused(client, clinic, clinic_admin, team_member, role):
    client.force_login(clinic_admin)
    response = client.post(team_url(clinic, f"members/{team_member.pk}/role/"), {"role": role})
    assert response.status_code == 400
    assert "Choose a role: clinic admin or team member." in response.content.decode()
    assert Membership.objects.get(user=team_member).role == Role.MEMBER


def test_the_pages_need_the_right_method(client, clinic, clinic_admin, team_member):
    client.force_login(clinic_admin)
    assert client.post(team_url(clinic)).status_code == 405
    assert client.get(team_url(clinic, "invite/")).status_code == 405
    assert client.get(team_url(clinic, f"members/{team_member.pk}/remove/")).status_code == 405
    assert Membership.objects.filter(user=team_member).exists()


def test_an_admin_changes_a_role(client, clinic, clinic_admin, team_member):
    client.force_login(clinic_admin)
    response = client.post(team_url(clinic, f"members/{team_member.pk}/role/"), {"role": "admin"}, follow=True)
    assert "Dr Lee is now: Clinic admin." in response.content.decode()
    assert Membership.objects.get(user=team_member).role == Role.ADMIN


def test_an_admin_removes_a_member(client, clinic, clinic_admin, team_member):
    client.force_login(clinic_admin)
    response = client.post(team_url(clinic, f"members/{team_member.pk}/remove/"), follow=True)
    assert "Dr Lee is no longer on the team of Sunrise Clinic." in response.content.decode()
    assert not Membership.objects.filter(user=team_member).exists()
    assert team_member.__class__.objects.filter(pk=team_member.pk).exists()  # the account stays (other clinics)
    client.force_login(team_member)
    assert client.get("/clinics/sunrise/").status_code == 404


def test_a_demoted_admin_loses_the_admin_pages(client, clinic, clinic_admin, team_member):
    Membership.objects.filter(user=team_member).update(role=Role.ADMIN)
    client.force_login(clinic_admin)
    response = client.post(team_url(clinic, f"members/{clinic_admin.pk}/role/"), {"role": "member"})
    assert response.url == "/clinics/sunrise/"
    assert client.get("/clinics/sunrise/settings/").status_code == 403


def test_member_lists_are_the_clinics_own(client, clinic, clinic_admin, outsider):
    make_user("kim@harbour.test", outsider.memberships.get().clinic, Role.MEMBER, "Kim")
    client.force_login(clinic_admin)
    page = client.get(team_url(clinic)).content.decode()
    assert "harbour" not in page and "Kim" not in page and "Olli" not in page

"""A clinic admin ends the lockout of a member of their clinic (POST
/clinics/<slug>/members/<user_id>/unlock/), audited. A team member may not;
another clinic's admin gets 404, as for everything of another clinic."""

from audit.models import AuditEvent

from .conftest import LIMIT, fail, sign_in


def unlock_url(clinic, user):
    return f"/clinics/{clinic.slug}/members/{user.pk}/unlock/"


def locked_out(client, user):
    return sign_in(client, user.username, address="10.0.5.5").status_code == 429


def test_it_works(client, clinic, clinic_admin, team_member):
    fail(client, team_member.username, LIMIT - 1, address="10.0.0.1")
    fail(client, team_member.username, 1, address="10.0.0.2")
    assert locked_out(client, team_member)

    client.force_login(clinic_admin)
    response = client.post(unlock_url(clinic, team_member), {"next": "/clinics/"})
    assert response.status_code == 302 and response.url == "/clinics/"
    client.logout()

    assert not locked_out(client, team_member)
    event = AuditEvent.objects.get(action="account.unlocked")
    assert event.clinic == clinic and event.actor == clinic_admin
    assert event.details == {"account": team_member.pk, "cleared": 2}


def test_it_leaves_other_accounts_locked(client, clinic, clinic_admin, team_member, outsider):
    fail(client, team_member.username, LIMIT, address="10.0.0.1")
    fail(client, outsider.username, LIMIT, address="10.0.0.2")
    client.force_login(clinic_admin)
    client.post(unlock_url(clinic, team_member))
    client.logout()
    assert locked_out(client, outsider)


def test_it_does_not_follow_a_next_address_elsewhere(client, clinic, clinic_admin, team_member):
    client.force_login(clinic_admin)
    response = client.post(unlock_url(clinic, team_member), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/clinics/"


def test_a_team_member_gets_403(client, clinic, team_member, clinic_admin):
    fail(client, clinic_admin.username, LIMIT)
    client.force_login(team_member)
    assert client.post(unlock_url(clinic, clinic_admin)).status_code == 403
    client.logout()
    assert locked_out(client, clinic_admin)
    assert not AuditEvent.objects.filter(action="account.unlocked").exists()


def test_another_clinics_admin_gets_404(client, clinic, team_member, other_clinic, outsider):
    fail(client, team_member.username, LIMIT)
    client.force_login(outsider)  # an admin, of the harbour practice
    # Through the member's clinic (not theirs) and through their own (not the member's).
    assert client.post(unlock_url(clinic, team_member)).status_code == 404
    assert client.post(unlock_url(other_clinic, team_member)).status_code == 404
    client.logout()
    assert locked_out(client, team_member)
    assert not AuditEvent.objects.filter(action="account.unlocked").exists()


def test_it_needs_a_post(client, clinic, clinic_admin, team_member):
    client.force_login(clinic_admin)
    assert client.get(unlock_url(clinic, team_member)).status_code == 405


def test_signed_out_it_asks_to_sign_in(client, clinic, team_member):
    response = client.post(unlock_url(clinic, team_member))
    assert response.status_code == 302 and response.url.startswith("/login/")

"""Every change of the team is in the audit trail, by ids only: no email
address or name in a row's details. The audit page names the people."""

import json

from django.test import Client

from audit.models import AuditEvent
from clinics.models import Invitation

from .team_helpers import invite, link_in_mail, last_mail, new_account, path_of, team_url


def test_every_change_is_audited_without_names_or_addresses(client, clinic, clinic_admin, team_member):
    client.force_login(clinic_admin)
    client.post(team_url(clinic, "invite/"), {"email": "sam@sunrise.test", "role": "member"})
    first = Invitation.objects.get()
    client.post(team_url(clinic, f"invitations/{first.pk}/resend/"))
    second = Invitation.objects.exclude(pk=first.pk).get()
    Client().post(path_of(link_in_mail(last_mail())), new_account())
    client.post(team_url(clinic, "invite/"), {"email": "kim@sunrise.test", "role": "admin"})
    third = Invitation.objects.get(email="kim@sunrise.test")
    client.post(team_url(clinic, f"invitations/{third.pk}/revoke/"))
    client.post(team_url(clinic, f"members/{team_member.pk}/role/"), {"role": "admin"})
    client.post(team_url(clinic, f"members/{team_member.pk}/remove/"))
    sam = second.__class__.objects.get(pk=second.pk).accepted_by

    events = AuditEvent.objects.filter(action__startswith="clinic.").order_by("id")
    assert [(e.action, e.actor_id, e.clinic_id, e.details) for e in events] == [
        ("clinic.member_invited", clinic_admin.pk, clinic.pk, {"invitation": first.pk, "role": "member"}),
        ("clinic.invitation_resent", clinic_admin.pk, clinic.pk, {"invitation": second.pk, "replaces": first.pk}),
        (
            "clinic.invitation_accepted",
            sam.pk,
            clinic.pk,
            {"invitation": second.pk, "account": sam.pk, "role": "member", "new_account": True},
        ),
        ("clinic.member_invited", clinic_admin.pk, clinic.pk, {"invitation": third.pk, "role": "admin"}),
        ("clinic.invitation_revoked", clinic_admin.pk, clinic.pk, {"invitation": third.pk}),
        ("clinic.member_role_changed", clinic_admin.pk, clinic.pk, {"account": team_member.pk, "from": "member", "to": "admin"}),
        ("clinic.member_removed", clinic_admin.pk, clinic.pk, {"account": team_member.pk, "role": "admin"}),
    ]
    written = json.dumps([e.details for e in AuditEvent.objects.all()])
    for secret in ("sam@", "kim@", "lee@", "Sam", "Rivera", "Dr Lee"):
        assert secret not in written


def test_the_audit_page_names_the_people(client, clinic, clinic_admin, team_member):
    client.force_login(clinic_admin)
    client.post(team_url(clinic, f"members/{team_member.pk}/role/"), {"role": "admin"})
    page = client.get("/clinics/sunrise/audit/?action=clinic.member_role_changed").content.decode()
    assert "Changed a member&#x27;s role" in page
    assert f"account: Dr Lee (#{team_member.pk}); from: member; to: admin" in page


def test_a_refused_change_leaves_no_row(client, clinic, clinic_admin, team_member):
    invite(clinic, clinic_admin)
    client.force_login(team_member)
    client.post(team_url(clinic, "invite/"), {"email": "kim@sunrise.test", "role": "admin"})
    client.force_login(clinic_admin)
    client.post(team_url(clinic, f"members/{clinic_admin.pk}/role/"), {"role": "member"})
    assert list(AuditEvent.objects.filter(action__startswith="clinic.").values_list("action", flat=True)) == [
        "clinic.member_invited"
    ]

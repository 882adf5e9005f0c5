"""Every sign-in, sign-out, failure and lockout is in the audit trail, with
the account's id only when the account exists, and never a password or the
text typed as the email."""

import json

from audit.models import AuditEvent
from conftest import PASSWORD

from .conftest import LIMIT, fail, sign_in


def trail():
    return list(AuditEvent.objects.order_by("id"))


def everything_recorded():
    return json.dumps([[e.action, e.details] for e in AuditEvent.objects.all()])


def test_a_failure_names_the_account_by_id(client, team_member):
    sign_in(client, team_member.username, "my secret guess", address="10.0.0.7")
    (event,) = trail()
    assert event.action == "account.sign_in_failed"
    assert event.actor is None
    assert event.details == {
        "account": team_member.pk,
        "address": "10.0.0.7",
        "path": "/login/",
        "refused_while_locked_out": False,
    }
    assert "my secret guess" not in everything_recorded()
    assert team_member.username not in everything_recorded()


def test_a_failure_for_no_account_keeps_nothing_typed(client, team_member):
    sign_in(client, "typo@sunrise.tset", "hunter2")
    (event,) = trail()
    assert event.action == "account.sign_in_failed"
    assert event.details["account"] is None
    recorded = everything_recorded()
    assert "typo" not in recorded and "hunter2" not in recorded


def test_a_password_typed_as_the_email_is_not_kept(client, team_member):
    sign_in(client, PASSWORD, PASSWORD)
    assert PASSWORD not in everything_recorded()
    assert AuditEvent.objects.get().details["account"] is None


def test_the_lockout_is_recorded_once_when_it_begins(client, team_member):
    fail(client, team_member.username, LIMIT)
    sign_in(client, team_member.username)  # the right password, refused
    actions = [e.action for e in trail()]
    assert actions == ["account.sign_in_failed"] * LIMIT + ["account.locked_out", "account.sign_in_failed"]
    locked = AuditEvent.objects.get(action="account.locked_out")
    assert locked.details == {"account": team_member.pk, "address": "10.0.0.1", "path": "/login/", "failures": LIMIT}
    refused = trail()[-1]
    assert refused.details["refused_while_locked_out"] is True
    assert PASSWORD not in everything_recorded()


def test_a_lockout_of_an_address_is_recorded(client, team_member):
    fail(client, "nobody@example.com", LIMIT, address="10.0.0.5")
    locked = AuditEvent.objects.get(action="account.locked_out")
    assert locked.details["account"] is None and locked.details["address"] == "10.0.0.5"
    assert "nobody" not in everything_recorded()


def test_signing_in_and_out_is_recorded(client, team_member):
    sign_in(client, team_member.username, address="10.0.0.3")
    client.post("/logout/", REMOTE_ADDR="10.0.0.3")
    signed_in, signed_out = trail()
    assert signed_in.action == "account.signed_in" and signed_in.actor == team_member
    assert signed_in.details == {"address": "10.0.0.3", "path": "/login/"}
    assert signed_out.action == "account.signed_out" and signed_out.actor == team_member
    assert PASSWORD not in everything_recorded()

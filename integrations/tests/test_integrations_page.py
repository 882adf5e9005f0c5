"""The integrations page: admins make and revoke API keys, the team reads the list."""

import pytest

from audit.models import AuditEvent
from clinics.audit_words import ACTIONS
from integrations.api_keys import ApiKey, do_create_api_key

URL = "/clinics/sunrise/integrations/"


def make(client, name="Practice system", scopes=("read", "notify")):
    return client.post(f"{URL}keys/", {"name": name, "scopes": list(scopes)})


def test_an_admin_makes_a_key_and_sees_it_once(client, clinic, clinic_admin):
    client.force_login(clinic_admin)

    response = make(client, name="Medisoft PMS")

    assert response.status_code == 200
    key = ApiKey.objects.get()
    text = response.context["new_key"]["text"]
    assert text.startswith(f"wr_{key.prefix}_")
    assert text in response.content.decode()
    assert key.name == "Medisoft PMS"
    assert key.scope_list == ["read", "notify"]
    assert key.created_by == clinic_admin
    # Never again: the page shows the start of the key only.
    page = client.get(URL).content.decode()
    assert text not in page
    assert key.shown_prefix in page
    assert "Medisoft PMS" in page


def test_making_and_revoking_are_in_the_trail_in_words(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    make(client)
    key = ApiKey.objects.get()

    response = client.post(f"{URL}keys/{key.pk}/revoke/")

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="api.")}
    assert events["api.key_created"].details == {"api_key": key.pk, "scopes": ["read", "notify"]}
    assert events["api.key_revoked"].actor == clinic_admin
    assert {"api.key_created", "api.key_revoked", "api.used"} <= set(ACTIONS)
    assert "Revoked" in client.get(URL).content.decode()


def test_a_team_member_reads_the_list_but_makes_and_revokes_nothing(client, clinic, team_member):
    key, text = do_create_api_key(clinic, actor=None, name="PMS", scopes=["read"])
    client.force_login(team_member)

    page = client.get(URL)
    assert page.status_code == 200
    assert "PMS" in page.content.decode()
    assert "Make an API key" not in page.content.decode()
    assert text not in page.content.decode()

    assert make(client).status_code == 403
    assert client.post(f"{URL}keys/{key.pk}/revoke/").status_code == 403
    assert ApiKey.objects.count() == 1
    key.refresh_from_db()
    assert key.revoked_at is None


def test_another_clinics_staff_find_nothing(client, clinic, outsider):
    key, _text = do_create_api_key(clinic, actor=None, name="PMS", scopes=["read"])
    client.force_login(outsider)

    assert client.get(URL).status_code == 404
    assert make(client).status_code == 404
    assert client.post(f"{URL}keys/{key.pk}/revoke/").status_code == 404
    # Nor through their own clinic's address.
    assert client.post(f"/clinics/harbour/integrations/keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_signed_out_people_are_sent_to_sign_in(client, clinic):
    assert client.get(URL).status_code == 302
    assert make(client).status_code == 302
    assert not ApiKey.objects.exists()


def test_a_callers_session_gets_nothing(client, clinic):
    from testkit.helpers import enter

    enter(client, clinic)
    assert client.get(URL).status_code == 302
    assert make(client).status_code == 302
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(
    "name, scopes",
    [
        ("", ["read"]),
        ("   ", ["read"]),
        ("x" * 101, ["read"]),
        ("PMS", []),
        ("PMS", ["admin"]),
    ],
)
def test_bad_input_changes_nothing(client, clinic, clinic_admin, name, scopes):
    client.force_login(clinic_admin)
    response = make(client, name=name, scopes=scopes)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not ApiKey.objects.exists()


def test_only_admins_see_the_link(client, clinic, clinic_admin, team_member):
    client.force_login(clinic_admin)
    assert URL in client.get("/clinics/sunrise/team/").content.decode()
    client.force_login(team_member)
    assert URL not in client.get("/clinics/sunrise/team/").content.decode()


def test_a_lone_surrogate_never_reaches_a_key_name(client, clinic, clinic_admin):
    from integrations.api_keys import do_create_api_key
    from waitroom.errors import ActionError

    with pytest.raises(ActionError):
        do_create_api_key(clinic, actor=clinic_admin, name="PMS\ud800", scopes=["read"])
    # A form post carries bytes: an encoded lone surrogate is not UTF-8, and arrives replaced.
    client.force_login(clinic_admin)
    client.post(f"{URL}keys/", "name=PMS%ED%A0%80&scopes=read", content_type="application/x-www-form-urlencoded")
    assert all(name.encode("utf-8") for name in ApiKey.objects.values_list("name", flat=True))

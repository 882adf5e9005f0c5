"""What every answer of the app says to the browser: keep no copy of it
(`Cache-Control: no-store`: the app's pages and JSON carry patient data), and
no camera or microphone except on the two pages that call."""

import pytest

from calls.actions import do_join_call
from testkit.helpers import enter, make_caller, post_json

CALLS = ("camera=(self)", "microphone=(self)")
NO_CALLS = ("camera=()", "microphone=()")


def policy(response):
    return [part.strip() for part in response["Permissions-Policy"].split(",")]


def assert_no_calls(response):
    assert set(NO_CALLS) <= set(policy(response)), response["Permissions-Policy"]
    assert "self" not in response["Permissions-Policy"]


def assert_private(response):
    assert response["Cache-Control"] == "no-store", (response.status_code, response.get("Cache-Control"))


@pytest.fixture
def signed_in(client, team_member):
    client.force_login(team_member)
    return client


def test_the_callers_waiting_page_may_call(client, clinic):
    enter(client, clinic)

    response = client.get("/w/sunrise/wait/")

    assert response.status_code == 200
    assert set(CALLS) <= set(policy(response))
    assert "geolocation=()" in policy(response)  # and nothing else
    assert "display-capture=()" in policy(response)  # only the team shares a screen
    assert_private(response)


def test_the_staff_call_page_may_call(signed_in, clinic, team_member):
    call, _ = do_join_call(make_caller(clinic).pk, actor=team_member)

    response = signed_in.get(f"/clinics/sunrise/calls/{call.pk}/")

    assert response.status_code == 200
    assert set(CALLS) <= set(policy(response))
    assert "display-capture=(self)" in policy(response)  # the team member may share their screen
    assert "geolocation=()" in policy(response)
    assert_private(response)


def test_the_other_caller_pages_may_not(client, clinic):
    assert_no_calls(client.get("/w/sunrise/"))
    caller = enter(client, clinic)
    client.post("/w/sunrise/leave/")
    ended = client.get("/w/sunrise/wait/")
    assert "has ended" in ended.content.decode() and caller.pk
    assert_no_calls(ended)
    assert_private(ended)


def test_the_staff_pages_may_not_and_keep_no_copy(signed_in, clinic, team_member):
    caller = make_caller(clinic)
    answers = [
        signed_in.get("/clinics/sunrise/"),
        signed_in.get(f"/clinics/sunrise/callers/{caller.pk}/thread/"),
        signed_in.get(f"/clinics/sunrise/callers/{caller.pk}/activity/"),
        post_json(signed_in, "/clinics/sunrise/notify/", {"caller_ids": [caller.pk], "body": "Ten minutes"}),
        post_json(signed_in, "/clinics/sunrise/notify/", {"caller_ids": [caller.pk], "body": ""}),  # an error answer
        signed_in.get("/clinics/sunrise/settings/"),
        signed_in.get("/clinics/"),
    ]
    for response in answers:
        assert response.status_code in (200, 302, 400, 403), response.status_code
        assert_no_calls(response)
        assert_private(response)


@pytest.mark.parametrize("path", ["/login/", "/w/no-such-clinic/", "/clinics/sunrise/"])
def test_even_pages_without_patient_data_keep_no_copy(client, clinic, path):
    response = client.get(path)
    assert_private(response)
    assert_no_calls(response)


def test_static_files_may_be_kept(client, db):
    response = client.get("/static/waitroom/app.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_hsts_is_sent_when_the_setting_asks(client, clinic, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    response = client.get("/w/sunrise/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_plain_http_is_sent_to_https_when_the_setting_asks(client, clinic, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/w/sunrise/")

    assert (response.status_code, response["Location"]) == (301, "https://testserver/w/sunrise/")

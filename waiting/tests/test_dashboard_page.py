"""The team's waiting-area page (the cards themselves arrive over the socket)."""

import json
import re

from clinics.models import Membership, Role
from realtime.limits import BODY_MAX
from waiting.models import LONG_WAIT_MINUTES

PAGE_DATA = re.compile(r'<script id="page-data" type="application/json">(.*?)</script>', re.S)


def page_data(response):
    return json.loads(PAGE_DATA.search(response.content.decode()).group(1))


def test_it_works(client, clinic, team_member):
    client.force_login(team_member)
    response = client.get("/clinics/sunrise/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Waiting area" in html and "Sunrise Clinic" in html
    assert re.search(r'<button[^>]*id="notify-many"[^>]*>\s*Notify\s*</button>', html)
    # The status filter: one checkbox per status, all shown at first, plus "Awaiting reply".
    for value, label in [("waiting", "Waiting"), ("being_seen", "Being seen"), ("on_hold", "On hold"), ("offline", "Offline")]:
        assert re.search(rf'<input type="checkbox" name="status" value="{value}" checked>\s*{label}\s*<', html), label
    assert "Awaiting reply" in html
    assert "http://testserver/w/sunrise/" in html  # the link to give callers


def test_it_tells_the_page_where_to_connect_and_post(client, clinic, team_member):
    client.force_login(team_member)
    data = page_data(client.get("/clinics/sunrise/"))
    assert data["socket"] == "/ws/clinics/sunrise/"
    assert data["notify"] == "/clinics/sunrise/notify/"
    assert data["thread"] == "/clinics/sunrise/callers/0/thread/"
    assert data["remove"] == "/clinics/sunrise/callers/0/remove/"
    assert data["strings"]["actions_for"] == "Actions for {name}"


def test_it_sends_the_page_its_limits_rather_than_writing_them_in(client, clinic, team_member):
    client.force_login(team_member)
    response = client.get("/clinics/sunrise/")
    assert page_data(response)["limits"] == {"body_max": BODY_MAX, "long_wait_minutes": LONG_WAIT_MINUTES}
    assert "maxlength" not in response.content.decode()  # the page's script sets it from the limits


def test_it_requires_sign_in(client, clinic):
    response = client.get("/clinics/sunrise/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/clinics/sunrise/"


def test_it_returns_404_for_an_unknown_clinic(client, clinic, team_member):
    client.force_login(team_member)
    assert client.get("/clinics/nowhere/").status_code == 404


def test_an_admin_sees_the_configuration_link(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    assert 'href="/clinics/sunrise/settings/"' in client.get("/clinics/sunrise/").content.decode()


def test_a_team_member_does_not_see_the_configuration_link(client, clinic, team_member):
    client.force_login(team_member)
    assert "/clinics/sunrise/settings/" not in client.get("/clinics/sunrise/").content.decode()


def test_home_leads_a_member_of_one_clinic_to_its_dashboard(client, clinic, team_member):
    client.force_login(team_member)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1] == ("/clinics/sunrise/", 302)
    assert response.status_code == 200


def test_home_lists_the_clinics_of_a_member_of_several(client, clinic, other_clinic, team_member):
    Membership.objects.create(user=team_member, clinic=other_clinic, role=Role.MEMBER)
    client.force_login(team_member)
    response = client.get("/clinics/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/clinics/harbour/"' in html and 'href="/clinics/sunrise/"' in html
    assert client.get("/clinics/harbour/").status_code == 200


def test_home_tells_a_user_without_a_clinic_to_ask_for_one(client, django_user_model):
    user = django_user_model.objects.create_user("new@sunrise.test", password="x")
    client.force_login(user)
    html = client.get("/clinics/").content.decode()
    assert "You are not a member of any clinic yet." in html

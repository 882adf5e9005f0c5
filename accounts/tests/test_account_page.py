"""/account/: the staff member's own page: who they are, where to change the password."""


def test_it_works(client, clinic, team_member):
    client.force_login(team_member)
    response = client.get("/account/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your account" in html
    assert "Dr Lee" in html and team_member.email in html
    assert "Sunrise Clinic (Team member)" in html
    assert 'href="/password-change/"' in html


def test_every_staff_page_links_to_it(client, clinic, team_member):
    client.force_login(team_member)
    assert 'href="/account/"' in client.get(f"/clinics/{clinic.slug}/").content.decode()


def test_signed_out_it_asks_to_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response.url == "/login/?next=/account/"


def test_in_german(client, team_member):
    client.force_login(team_member)
    html = client.get("/account/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Ihr Konto" in html
    assert "Passwort ändern" in html

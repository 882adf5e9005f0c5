"""A member of several clinics moves between them from the header: a nav of
their clinics, the current one marked; somebody of one clinic sees none."""

from calls.tests.helpers import also_member_of


def switcher(page):
    start = page.find('<details class="switcher">')
    return page[start : page.find("</details>", start)] if start >= 0 else ""


def test_a_member_of_two_clinics_switches_from_the_header(client, clinic, other_clinic, team_member):
    also_member_of(other_clinic, team_member)
    client.force_login(team_member)

    nav = switcher(client.get("/clinics/sunrise/").content.decode())

    assert '<nav aria-label="Your clinics">' in nav
    assert '<a href="/clinics/harbour/">Harbour Practice</a>' in nav
    assert '<a href="/clinics/sunrise/" aria-current="true">Sunrise Clinic</a>' in nav
    nav = switcher(client.get("/clinics/harbour/team/").content.decode())
    assert '<a href="/clinics/harbour/" aria-current="true">Harbour Practice</a>' in nav
    assert "aria-current" not in switcher(client.get("/account/").content.decode())


def test_a_member_of_one_clinic_has_no_switcher(client, clinic, team_member, other_clinic, outsider):
    client.force_login(team_member)
    assert switcher(client.get("/clinics/sunrise/").content.decode()) == ""

"""The clinic's poster: its caller link (the public address) and the link's
QR code made here, with instructions for patients in the clinic's language;
for the clinic's members only."""

import html as htmllib
import re

import pytest
import segno

from clinics.models import Clinic

URL = "/clinics/sunrise/poster/"


def shown(response):
    return response.content.decode()


def qr_on(page):
    (src,) = re.findall(r'<img class="qr" src="([^"]+)"', page)
    return htmllib.unescape(src)


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.SITE_URL = "https://wait.example.org"


@pytest.mark.parametrize("who", ["clinic_admin", "team_member"])
def test_a_member_sees_the_link_and_its_qr_code(client, clinic, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 200
    page = shown(response)
    assert "<h1 id=\"poster-title\">Sunrise Clinic</h1>" in page
    assert '<p class="link">https://wait.example.org/w/sunrise/</p>' in page
    # The QR code is the one segno makes for exactly that link, in the page itself.
    assert qr_on(page) == segno.make("https://wait.example.org/w/sunrise/", error="m").svg_data_uri(scale=8, border=4)
    assert qr_on(page).startswith("data:image/svg+xml;charset=utf-8,")
    assert 'alt="QR code for https://wait.example.org/w/sunrise/"' in page
    assert '<link rel="stylesheet" href="/static/clinics/poster.css">' in page


def test_the_qr_code_differs_with_the_link(client, clinic, other_clinic, clinic_admin, outsider):
    client.force_login(clinic_admin)
    sunrise = qr_on(shown(client.get(URL)))
    client.force_login(outsider)
    harbour = qr_on(shown(client.get("/clinics/harbour/poster/")))
    assert sunrise != harbour
    assert harbour == segno.make("https://wait.example.org/w/harbour/", error="m").svg_data_uri(scale=8, border=4)


@pytest.mark.parametrize(
    "language, present, absent",
    [
        ("de", ["Ihr Videotermin bei Sunrise Clinic", 'class="block" lang="de"'], ["Your video appointment", 'class="block" lang="en"']),
        ("en", ["Your video appointment with Sunrise Clinic", 'class="block" lang="en"'], ["Ihr Videotermin"]),
        ("", ["Your video appointment with Sunrise Clinic", "Ihr Videotermin bei Sunrise Clinic"], []),
    ],
)
def test_the_instructions_are_in_the_clinics_language_or_both(client, clinic, team_member, language, present, absent):
    Clinic.objects.filter(pk=clinic.pk).update(language=language)
    client.force_login(team_member)
    page = shown(client.get(URL))
    assert all(words in page for words in present)
    assert not any(words in page for words in absent)
    # The page around the poster stays in the staff member's language.
    assert '<button type="button" class="primary" data-print>Print</button>' in page


def test_the_dashboard_links_to_it_for_every_member(client, clinic, team_member):
    client.force_login(team_member)
    assert f'href="{URL}"' in shown(client.get("/clinics/sunrise/"))


def test_staff_of_another_clinic_get_404(client, clinic, outsider):
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 404
    assert "sunrise" not in shown(response).lower()


def test_signed_out_is_sent_to_sign_in(client, clinic):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={URL}"


def test_a_callers_session_is_sent_to_sign_in(client, clinic):
    client.post("/w/sunrise/", {"name": "Sue Smith"})
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={URL}"


def test_it_only_reads(client, clinic, team_member):
    client.force_login(team_member)
    assert client.post(URL, {"language": "de"}).status_code == 405

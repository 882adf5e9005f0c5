"""Help and errors are linked to their fields (aria-describedby), so a screen
reader reads them with the field: Django's `<id>_helptext` and `<id>_error`."""

import re


def described_by(html, field_id):
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html)[0]
    return re.search(r'aria-describedby="([^"]*)"', tag)[1].split()


def test_an_entry_error_is_linked_to_its_field(client, clinic):
    html = client.post("/w/sunrise/", {"name": ""}).content.decode()

    assert "id_name_error" in described_by(html, "id_name")
    assert re.search(r'id="id_name_error">\s*<p>', html)


def test_password_help_is_linked_to_its_field(client, team_member):
    client.force_login(team_member)
    html = client.get("/password-change/").content.decode()

    assert "id_new_password1_helptext" in described_by(html, "id_new_password1")
    assert 'id="id_new_password1_helptext"' in html

"""REQUIRE_2FA_FOR_OPERATORS: the Django admin opens for an operator only with
two factors; one without them is led to set them up."""

import pytest

from conftest import PASSWORD

from .two_factors import turn_on


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)


def test_an_operator_without_two_factors_is_led_to_set_them_up(client, settings, operator):
    settings.REQUIRE_2FA_FOR_OPERATORS = True
    client.force_login(operator)
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response.url)  # the admin's sign-in: they are signed in already
    assert response.url == "/account/two-factor/"
    page = client.get(response.url)
    assert "Operators need two-factor authentication" in page.content.decode()
    assert client.get("/admin/auth/user/").status_code == 302  # nothing of the admin opens


def test_an_operator_with_two_factors_opens_the_admin(client, settings, operator):
    settings.REQUIRE_2FA_FOR_OPERATORS = True
    turn_on(operator)
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200


def test_without_the_setting_the_admin_opens_as_before(client, settings, operator):
    settings.REQUIRE_2FA_FOR_OPERATORS = False
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200


def test_a_team_member_is_no_operator_either_way(client, settings, team_member):
    settings.REQUIRE_2FA_FOR_OPERATORS = True
    client.force_login(team_member)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get(response.url).status_code == 403

from datetime import timedelta

import pytest

from conftest import PASSWORD

LIMIT = 5


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    # What WAITROOM_LOGIN_FAILURE_LIMIT and _COOLOFF_MINUTES say by default,
    # whatever this machine's environment says.
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def sign_in(client, username, password=PASSWORD, *, address="10.0.0.1", path="/login/", language="en"):
    """One sign-in as a browser at `address` sends it."""
    return client.post(
        path,
        {"username": username, "password": password, "next": ""},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def fail(client, username, times, **where):
    for _ in range(times):
        response = sign_in(client, username, "not the password", **where)
    return response

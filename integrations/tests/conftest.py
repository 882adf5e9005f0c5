import json

import pytest

from integrations.api_keys import do_create_api_key


class Api:
    """A practice system's HTTP client: the Django test client with a key."""

    def __init__(self, client, key_text):
        self.client = client
        self.key_text = key_text

    def headers(self, extra=None):
        headers = {"Authorization": f"Bearer {self.key_text}"} if self.key_text else {}
        return {**headers, **(extra or {})}

    def get(self, path, **headers):
        return self.client.get(f"/api/v1{path}", headers=self.headers(headers))

    def post(self, path, data=None, *, raw=None, **headers):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", headers=self.headers(headers))


@pytest.fixture
def make_key(clinic, clinic_admin):
    def make(*scopes, clinic=clinic, name="Practice system"):
        return do_create_api_key(clinic, actor=None, name=name, scopes=list(scopes or ["read", "notify", "invite"]))

    return make


@pytest.fixture
def api(client, make_key):
    """A client with a key of the clinic that may do everything."""
    _key, text = make_key("read", "notify", "invite")
    return Api(client, text)


@pytest.fixture
def api_as(client, make_key):
    def as_key(*scopes, **kwargs):
        _key, text = make_key(*scopes, **kwargs)
        return Api(client, text)

    return as_key

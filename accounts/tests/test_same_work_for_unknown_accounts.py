"""Whether an account exists must not show in how long a sign-in takes:
Django's ModelBackend hashes the password typed for an unknown account too,
and axes, checked first, must not change that. Counted, not timed: the
password hasher runs as often either way."""

from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from .conftest import LIMIT, fail, sign_in


@pytest.fixture
def hashings():
    # conftest.py makes MD5 the only hasher in tests; every check and every
    # dummy hashing of ModelBackend goes through its encode().
    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode) as encode:
        yield encode


def hashings_for(client, hashings, username, **where):
    hashings.reset_mock()
    sign_in(client, username, "not the password", **where)
    return hashings.call_count


def test_an_unknown_account_costs_what_a_wrong_password_costs(client, team_member, hashings):
    known = hashings_for(client, hashings, team_member.username, address="10.0.0.1")
    unknown = hashings_for(client, hashings, "nobody@sunrise.test", address="10.0.0.2")
    assert known == unknown == 1


def test_during_a_lockout_neither_is_hashed(client, team_member, hashings):
    fail(client, team_member.username, LIMIT, address="10.0.0.1")
    fail(client, "nobody@sunrise.test", LIMIT, address="10.0.0.2")
    known = hashings_for(client, hashings, team_member.username, address="10.0.0.1")
    unknown = hashings_for(client, hashings, "nobody@sunrise.test", address="10.0.0.2")
    assert known == unknown == 0

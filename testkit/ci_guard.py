"""CI's guard against a pass that tests less than it seems to: when .ci/run
says what it expects, a pass that runs on another database engine, or that
collected fewer tests than the minimum of .ci/min-tests, fails before any test
runs (a green run of 40 tests on SQLite must not pass for the PostgreSQL pass).

    WAITROOM_EXPECT_ENGINE=sqlite|postgresql   the engine of the test database
    WAITROOM_MIN_TESTS=N                       the fewest tests this pass may collect

Unset (a developer's `make test`, `pytest -k ...`), it checks nothing.
Registered for every run by the root conftest.py."""

import os

import pytest


def engine():
    from django.db import connection

    return connection.vendor  # "sqlite" or "postgresql", whichever backend class speaks it


def problems(collected, env):
    """What is wrong with this pass for what CI expects ([]: nothing)."""
    found = []
    expected = env.get("WAITROOM_EXPECT_ENGINE")
    if expected and engine() != expected:
        found.append(f"the tests ran on {engine()}, not {expected}: check DATABASE_URL")
    least = env.get("WAITROOM_MIN_TESTS")
    if least:
        if not least.isdigit():
            found.append(f"WAITROOM_MIN_TESTS is not a number: {least!r}")
        elif collected < int(least):
            found.append(
                f"{collected} tests collected, fewer than {least} (.ci/min-tests): "
                "PYTEST_ARGS, -k, testpaths or a collection error left some out"
            )
    return found


def pytest_collection_finish(session):
    found = problems(len(session.items), os.environ)
    if found:
        pytest.exit("CI guard: " + "; ".join(found), returncode=pytest.ExitCode.TESTS_FAILED)

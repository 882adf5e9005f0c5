"""The systemd units of deploy/ start what exists, with the environment file:
a job without it would run against the SQLite default, not the clinic's
database. The server units listen where the environment file says."""

import importlib
from pathlib import Path

import pytest
from django.core.management import get_commands

from .units import APP_DIR, ENV_FILE, ROOT, Unit, documented_environment_file, read_environment_file, units

SERVICES = units("*.service")
TIMERS = units("*.timer")
VENV_BIN = f"{APP_DIR}/.venv/bin/"


def test_deploy_ships_the_server_and_the_purge_job():
    assert {u.name for u in SERVICES} >= {"waitroom@.service", "waitroom-purge.service"}
    assert {u.name for u in TIMERS} >= {"waitroom-purge.timer"}


@pytest.mark.parametrize("unit", SERVICES, ids=lambda u: u.name)
def test_every_service_loads_the_environment_file_in_the_checkout(unit):
    assert unit.all("Service", "EnvironmentFile") == [ENV_FILE]
    assert unit.get("Service", "WorkingDirectory") == APP_DIR
    assert unit.get("Service", "User") == "waitroom"


@pytest.mark.parametrize("unit", SERVICES, ids=lambda u: u.name)
def test_every_service_starts_what_exists(unit):
    argv = unit.command("8001")
    program = argv[0]
    assert program.startswith(VENV_BIN), program
    if program.endswith("/python"):
        assert argv[1] == "manage.py"
        assert argv[2] in get_commands(), f"{unit.name}: no manage.py command {argv[2]!r}"
        assert (ROOT / "manage.py").exists()
    else:
        assert program.endswith("/uvicorn")
        for spec in (argv[1], argv[argv.index("--ws") + 1]):
            module, _, name = spec.partition(":")
            assert hasattr(importlib.import_module(module), name), spec


def test_a_timer_starts_a_one_shot_service_of_deploy():
    services = {u.name: u for u in SERVICES}
    for timer in TIMERS:
        target = timer.get("Timer", "Unit") or timer.name.replace(".timer", ".service")
        assert target in services, f"{timer.name} starts {target}, which deploy/ lacks"
        assert services[target].get("Service", "Type") == "oneshot"
        assert timer.get("Timer", "OnCalendar")
        assert timer.get("Timer", "Persistent") == "true"  # a day missed (machine off) runs at boot
        assert timer.get("Install", "WantedBy") == "timers.target"


def test_the_server_listens_on_loopback_unless_the_environment_file_says_otherwise():
    server = Unit(ROOT / "deploy" / "waitroom@.service")

    here = server.command("8001")
    there = server.command("8001", {"WAITROOM_LISTEN_ADDRESS": "10.0.0.12", "WAITROOM_PROXY_ADDRESSES": "10.0.0.11"})

    def option(argv, name):
        return argv[argv.index(name) + 1]

    assert (option(here, "--host"), option(here, "--forwarded-allow-ips")) == ("127.0.0.1", "127.0.0.1")
    assert (option(there, "--host"), option(there, "--forwarded-allow-ips")) == ("10.0.0.12", "10.0.0.11")
    assert option(there, "--port") == "8001"
    # systemd reads Environment= first; EnvironmentFile= overrides it.
    keys = [k for k, _ in server.sections["Service"]]
    assert keys.index("Environment") < keys.index("EnvironmentFile")


def test_the_documented_environment_is_a_valid_environment_file():
    """docs/deploy.md's block is what goes into /etc/waitroom/env."""
    env = read_environment_file(documented_environment_file())
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["WAITROOM_ICE_SERVERS"].startswith("[")  # the quotes are systemd's to remove


def test_a_comment_after_a_value_is_refused():
    with pytest.raises(ValueError, match="comment"):
        read_environment_file("SECURE_HSTS_SECONDS=31536000   # a year\n")


def test_the_docs_install_every_unit():
    docs = (ROOT / "docs" / "deploy.md").read_text()
    for unit in [*SERVICES, *TIMERS]:
        assert f"deploy/{unit.name}" in docs, f"docs/deploy.md does not say how to install {unit.name}"
    assert "systemctl enable --now waitroom-purge.timer" in docs

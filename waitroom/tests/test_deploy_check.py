"""`manage.py check --deploy` passes with the production settings that
docs/deploy.md gives (read from the page itself, so the two cannot drift),
and says what is missing without them."""

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def documented_environment():
    """The variables of the sh block under "## Environment" in docs/deploy.md."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    block = re.search(r"## Environment\n.*?```sh\n(.*?)```", text, re.S).group(1)
    env = {}
    for line in block.splitlines():
        for word in shlex.split(line, comments=True):
            name, _, value = word.partition("=")
            env[name] = value
    return env


def check_deploy(env, tmp_path):
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, "WAITROOM_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def test_the_documented_production_settings_pass_the_deploy_check(tmp_path):
    env = documented_environment()
    assert {"SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "BEHIND_TLS_PROXY"} <= set(env)
    env["SECRET_KEY"] = secrets.token_urlsafe(50)  # the page says "..."

    code, output = check_deploy(env, tmp_path)

    assert code == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


def test_without_them_the_check_says_what_is_missing(tmp_path):
    code, output = check_deploy({"SECRET_KEY": secrets.token_urlsafe(50)}, tmp_path)

    assert code != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in output

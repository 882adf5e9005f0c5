"""CI cannot be fooled by its environment: a pass that ran on the wrong
database engine, or collected fewer tests than .ci/min-tests allows, fails
(testkit/ci_guard.py); without CI's variables nothing is checked."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/waitroom_guard"  # never connected to: only the engine is read


def run_pass(tmp_path, tests=3, **env):
    """pytest, with the guard, on a suite of `tests` trivial tests."""
    (tmp_path / "test_some.py").write_text("".join(f"def test_{i}():\n    pass\n" for i in range(tests)))
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-c", os.devnull, "--rootdir", str(tmp_path), "-p", "testkit.ci_guard",
         "-p", "no:randomly", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**base, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "waitroom.settings",
             "WAITROOM_VAR_DIR": str(tmp_path), "SECRET_KEY": "x" * 50, **env},
    )
    return result.returncode, result.stdout + result.stderr


def test_the_right_engine_and_enough_tests_pass(tmp_path):
    code, output = run_pass(tmp_path, WAITROOM_EXPECT_ENGINE="sqlite", WAITROOM_MIN_TESTS="3")
    assert code == 0, output
    assert "3 passed" in output


def test_a_pass_on_the_wrong_engine_fails(tmp_path):
    code, output = run_pass(tmp_path, DATABASE_URL=POSTGRES_URL, WAITROOM_EXPECT_ENGINE="sqlite")
    assert code != 0
    assert "ran on postgresql, not sqlite" in output
    assert "passed" not in output


def test_a_postgresql_pass_that_ran_on_sqlite_fails(tmp_path):
    code, output = run_pass(tmp_path, WAITROOM_EXPECT_ENGINE="postgresql")
    assert code != 0
    assert "ran on sqlite, not postgresql" in output


def test_a_pass_that_collected_too_few_fails(tmp_path):
    code, output = run_pass(tmp_path, WAITROOM_EXPECT_ENGINE="sqlite", WAITROOM_MIN_TESTS="4")
    assert code != 0
    assert "3 tests collected, fewer than 4" in output
    assert "passed" not in output


def test_without_cis_variables_nothing_is_checked(tmp_path):
    code, output = run_pass(tmp_path, tests=1, DATABASE_URL=POSTGRES_URL)
    assert code == 0, output


def test_every_run_of_the_suite_has_the_guard(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("testkit.ci_guard")


def test_ci_names_a_minimum_for_every_pass_it_runs():
    minimums = dict(
        line.split() for line in (ROOT / ".ci" / "min-tests").read_text().splitlines() if line and line[0] != "#"
    )
    script = (ROOT / ".ci" / "run").read_text()
    passes = re.findall(r"\bmake (test[\w-]*)", script)
    assert passes and set(passes) <= set(minimums), (passes, minimums)
    assert all(int(n) > 0 for n in minimums.values())
    # The environment a pass runs in is CI's own, not the caller's.
    assert "env -i" in script


@pytest.mark.parametrize("name", ["PYTEST_ARGS", "PYTEST_ADDOPTS", "DATABASE_URL"])
def test_ci_does_not_pass_on_what_changes_a_run(name):
    script = (ROOT / ".ci" / "run").read_text()
    kept = re.search(r"KEEP=\(([^)]*)\)", script).group(1).split()
    assert name not in kept

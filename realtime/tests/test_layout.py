"""The layout's rule (docs/architecture.md): apps import realtime, realtime
imports no app, and no two apps import each other — read from the code itself,
every import, also those inside functions."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["audit", "clinics", "accounts", "waiting", "messaging", "calls", "reports", "integrations"]


def product_files(top):
    for path in (ROOT / top).rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if "tests" not in parts and "migrations" not in parts:
            yield path


def imported_apps(path):
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        apps |= {name.split(".")[0] for name in names} & set(APPS)
    return apps


def test_every_app_is_looked_at():
    assert all((ROOT / app / "apps.py").exists() for app in APPS)
    assert any(product_files("realtime"))


def test_realtime_imports_no_app():
    offending = {
        str(path.relative_to(ROOT)): sorted(apps)
        for path in product_files("realtime")
        if (apps := imported_apps(path))
    }
    assert offending == {}, f"realtime/ is the leaf and imports no app: {offending}"


def test_no_two_apps_import_each_other():
    imports = {app: set() for app in APPS}
    for app in APPS:
        for path in product_files(app):
            imports[app] |= imported_apps(path) - {app}
    circles = sorted((a, b) for a in APPS for b in imports[a] if a < b and a in imports[b])
    assert circles == [], f"apps that import each other: {circles}"


def test_the_checks_see_an_import_inside_a_function(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from calls.actions import do_hold\n")
    assert imported_apps(module) == {"calls"}

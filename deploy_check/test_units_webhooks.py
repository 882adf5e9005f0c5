"""The webhook worker has its own unit: it starts `manage.py deliver_webhooks`
(which exists) with the environment file, and is restarted if it stops."""

from django.core.management import get_commands

from .units import APP_DIR, ENV_FILE, ROOT, Unit

WORKER = Unit(ROOT / "deploy" / "waitroom-webhooks.service")


def test_the_webhook_worker_runs_the_delivery_command_with_the_environment():
    argv = WORKER.command()
    assert argv[:3] == [f"{APP_DIR}/.venv/bin/python", "manage.py", "deliver_webhooks"]
    assert get_commands()["deliver_webhooks"] == "integrations"
    assert "--once" not in argv  # a long-running worker, not a one-shot job
    assert WORKER.all("Service", "EnvironmentFile") == [ENV_FILE]
    assert WORKER.get("Service", "Restart") == "always"
    assert WORKER.get("Install", "WantedBy") == "multi-user.target"


def test_the_deployment_docs_install_the_worker():
    docs = (ROOT / "docs" / "deploy.md").read_text()
    assert "deploy/waitroom-webhooks.service" in docs
    assert "systemctl enable --now waitroom-webhooks" in docs

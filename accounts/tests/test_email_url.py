"""EMAIL_URL: one variable says how mail leaves (waitroom/settings.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from waitroom.settings import env_email


def parse(monkeypatch, url):
    monkeypatch.setenv("EMAIL_URL", url)
    return env_email("EMAIL_URL", "console://")


def test_the_console_by_default(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    assert env_email("EMAIL_URL", "console://") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_smtp_with_starttls(monkeypatch):
    mail = parse(monkeypatch, "smtp+tls://waitroom%40clinic.example:p%40ss%3Aword@mail.example.org")
    assert mail["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mail["EMAIL_HOST"] == "mail.example.org" and mail["EMAIL_PORT"] == 587
    assert mail["EMAIL_HOST_USER"] == "waitroom@clinic.example"
    assert mail["EMAIL_HOST_PASSWORD"] == "p@ss:word"
    assert mail["EMAIL_USE_TLS"] is True and mail["EMAIL_USE_SSL"] is False


def test_plain_smtp_and_ssl(monkeypatch):
    plain = parse(monkeypatch, "smtp://localhost:2525")
    assert (plain["EMAIL_HOST"], plain["EMAIL_PORT"], plain["EMAIL_HOST_USER"]) == ("localhost", 2525, "")
    assert plain["EMAIL_USE_TLS"] is plain["EMAIL_USE_SSL"] is False
    ssl = parse(monkeypatch, "smtp+ssl://u:p@mail.example.org")
    assert ssl["EMAIL_PORT"] == 465 and ssl["EMAIL_USE_SSL"] is True


def test_a_folder_of_files(monkeypatch):
    assert parse(monkeypatch, "file:///tmp/waitroom-mail")["EMAIL_FILE_PATH"] == "/tmp/waitroom-mail"


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "smtp://host:port", "file://"])
def test_nonsense_is_refused(monkeypatch, url):
    with pytest.raises(ImproperlyConfigured):
        parse(monkeypatch, url)

import pytest

from realtime.watchdog import watchdog


@pytest.fixture(autouse=True)
def socket_test_settings(settings):
    # The Origin the in-process sockets send (testkit.inprocess.ORIGIN).
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "realtime.layers.LocalChannelLayer"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_watchdog():
    watchdog.forget_all()
    yield
    watchdog.forget_all()

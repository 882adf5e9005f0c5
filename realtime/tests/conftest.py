import pytest

from realtime.tests.helpers import Sockets
from realtime.watchdog import watchdog


@pytest.fixture(autouse=True)
def socket_test_settings(settings):
    # The Origin the sockets send and the Host of the test Client.
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # One process, so the in-memory layer whatever REDIS_URL says.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "waitroom.server.layers.LocalChannelLayer"}}
    # Staff fixtures hash a password each; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_watchdog():
    # One watchdog per process, like the channel layer: forget the pages and
    # clinics of the last test (its event loop is gone).
    watchdog.forget_all()
    yield
    watchdog.forget_all()


@pytest.fixture
async def sockets():
    opened = Sockets()
    yield opened
    await opened.close_all()

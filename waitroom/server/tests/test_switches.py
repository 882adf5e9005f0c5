"""Each tuning is switched on where the server is started, and off as plainly:
the settings choose the layers, the tuned protocol starts the heap policy,
and importing the application switches on nothing."""

import asyncio
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from waitroom.server import heap
from waitroom.server.protocol import PageProtocol
from testkit.helpers import in_own_loop

ROOT = Path(__file__).resolve().parents[3]


def in_fresh_process(code, **env):
    """What `code` prints as JSON, run in a new Python with these variables."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WAITROOM_") and k != "REDIS_URL"}
    environ.update(DJANGO_SETTINGS_MODULE="waitroom.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


LAYER = "from django.conf import settings; import json; print(json.dumps(settings.CHANNEL_LAYERS['default']))"


def test_the_tuned_layers_are_the_default():
    assert in_fresh_process(LAYER)["BACKEND"] == "waitroom.server.layers.LocalChannelLayer"
    assert in_fresh_process(LAYER, REDIS_URL="redis://127.0.0.1:6379/0")["BACKEND"] == (
        "waitroom.server.layers.SharedRedisPubSubLayer"
    )


def test_the_stock_layers_when_tuned_layers_are_off():
    local = in_fresh_process(LAYER, WAITROOM_TUNED_LAYERS="false")
    assert local["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    # Channels' default of a day would drop a dashboard left open overnight from its group.
    assert local["CONFIG"]["group_expiry"] >= 365 * 86400
    redis = in_fresh_process(LAYER, WAITROOM_TUNED_LAYERS="false", REDIS_URL="redis://127.0.0.1:6379/0")
    assert redis["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"


def test_the_core_layer_is_still_selectable():
    core = in_fresh_process(LAYER, WAITROOM_CHANNEL_LAYER="core", REDIS_URL="redis://127.0.0.1:6379/0")
    assert core["BACKEND"] == "channels_redis.core.RedisChannelLayer"


def test_importing_the_application_leaves_the_collector_alone():
    code = (
        "import gc, json; before = gc.get_threshold(), len(gc.callbacks); import waitroom.asgi; "
        "print(json.dumps([before, [gc.get_threshold(), len(gc.callbacks)]]))"
    )
    before, after = in_fresh_process(code)
    assert before == after


@pytest.fixture
def collector():
    """The collector as it was before the test, again after it."""
    callbacks, threshold = gc.callbacks[:], gc.get_threshold()
    yield
    gc.callbacks[:] = callbacks
    gc.set_threshold(*threshold)
    gc.unfreeze()


def page_protocol():
    async def app(scope, receive, send):
        pass

    config = Config(app=app, ws="waitroom.server.protocol:PageProtocol", lifespan="off", log_config=None)
    config.load()
    return PageProtocol(config, ServerState(), {}, _loop=asyncio.get_running_loop())


@in_own_loop
async def test_the_tuned_protocol_starts_the_heap_policy_on_its_loop(settings, collector):
    settings.WAITROOM_TUNED_HEAP = True
    page_protocol()
    assert asyncio.get_running_loop() in heap._young_collected
    assert any(isinstance(c, heap.FreezeSurvivors) for c in gc.callbacks)


@in_own_loop
async def test_the_tuned_protocol_leaves_the_heap_alone_when_tuned_heap_is_off(settings, collector):
    settings.WAITROOM_TUNED_HEAP = False
    page_protocol()
    assert asyncio.get_running_loop() not in heap._young_collected


ENGINE = "from django.db import connections; import json; c = connections['default']; print(json.dumps([c.vendor, type(c).__module__]))"


def test_sqlite_writers_wait_in_line_by_default_and_django_s_backend_when_off():
    sqlite = {"DATABASE_URL": "sqlite:////tmp/waitroom-switch-test.sqlite3"}
    assert in_fresh_process(ENGINE, **sqlite) == ["sqlite", "waitroom.server.sqlite.base"]
    assert in_fresh_process(ENGINE, WAITROOM_TUNED_SQLITE="false", **sqlite) == ["sqlite", "django.db.backends.sqlite3.base"]

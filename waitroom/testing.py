"""Helpers for the action and view tests (healthchecks' hc/test.py in spirit):
callers made through the actions, callers who come in through the web page,
and a listener on the channel layer that shows what an action announced."""

import asyncio
import functools
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.utils import timezone

from waiting.actions import do_enter_waiting_area
from waiting.models import Caller


@pytest.fixture(autouse=True)
def action_test_settings(settings):
    # Whatever REDIS_URL says, these tests read announcements from the
    # in-memory layer of this process.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "waitroom.server.layers.LocalChannelLayer"}}
    # Staff fixtures hash a password each; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Listener:
    """A test channel that has joined some groups, as a page's consumer would.

    The in-memory layer delivers a group_send before it returns, so once the
    on-commit callbacks have run, `events()` holds everything that was
    announced: no waiting is needed, and "nothing arrived" is exact.
    """

    def __init__(self, *groups):
        self.layer = get_channel_layer()
        assert isinstance(self.layer, InMemoryChannelLayer)
        self.channel = async_to_sync(self.layer.new_channel)()
        for group in groups:
            async_to_sync(self.layer.group_add)(group, self.channel)

    def events(self):
        """Everything that arrived since the last call, oldest first."""
        received = []
        while (queue := self.layer.channels.get(self.channel)) is not None and not queue.empty():
            received.append(async_to_sync(self.layer.receive)(self.channel))
        return received

    def types(self):
        return [event["type"] for event in self.events()]


def make_caller(clinic, name="Sue Smith", **fields):
    return do_enter_waiting_area(clinic, name=name, **fields)


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def enter(client, clinic, name="Sue Smith", **fields):
    """A caller comes in through the clinic's link; returns their visit."""
    response = client.post(f"/w/{clinic.slug}/", {"name": name, **fields})
    assert response.status_code == 302, response.content.decode()
    return Caller.objects.filter(clinic=clinic).latest("pk")


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def in_own_loop(test):
    """An async test run on an event loop of its own, in a thread of its own:
    after a browser test, Playwright's loop is running in the test's thread,
    where asyncio.run (and pytest-asyncio) refuse to start another."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(asyncio.run, test(*args, **kwargs)).result()

    return run

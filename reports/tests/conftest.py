import pytest

from .visits import Clock


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)

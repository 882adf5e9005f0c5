"""Several real server processes on the test database and a Redis of the
test's own: the multi-process mode, with faults injected for real."""

import pytest

from e2e.servers import RedisServer, Server


@pytest.fixture
def cluster(transactional_db, tmp_path, monkeypatch):
    # Arranging data from an async test: plain synchronous ORM calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    started = []

    class Cluster:
        redis = RedisServer(tmp_path / "redis.log").start()

        def server(self, name, **env):
            app = Server(tmp_path / f"{name}.log", redis_url=self.redis.url, **env).start()
            started.append(app)
            return app

    cluster = Cluster()
    yield cluster
    for app in started:
        app.stop()
    cluster.redis.stop()

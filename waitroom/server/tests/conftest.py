# The heap tests open pages as the realtime tests do: the same settings
# (in-memory tuned layer, "testserver" allowed), watchdog and sockets.
from realtime.tests.conftest import fresh_watchdog, socket_test_settings, sockets  # noqa: F401

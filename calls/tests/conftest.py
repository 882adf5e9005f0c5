from realtime.tests.conftest import fresh_watchdog, socket_test_settings, sockets  # noqa: F401  (fixtures)
from waitroom.testing import action_test_settings  # noqa: F401  (an autouse fixture)

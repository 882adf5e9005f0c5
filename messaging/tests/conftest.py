from waitroom.testing import action_test_settings  # noqa: F401  (an autouse fixture)

"""The app's models, each defined in the module of its feature."""

from .api_keys import ApiKey, IdempotentRequest  # noqa: F401

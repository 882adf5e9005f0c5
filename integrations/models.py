"""The app's models, each kept in the module of its feature."""

from .webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa

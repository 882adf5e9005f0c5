"""The app's models, each in the module of its feature."""

from .api_keys import ApiKey, IdempotentRequest  # noqa: F401
from .invitations import PatientInvitation  # noqa: F401
from .webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: F401

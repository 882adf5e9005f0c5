"""The app's models, each in the module of its feature."""

from .invitations import PatientInvitation  # noqa: F401

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models


class StaffSession(models.Model):
    """A session a person signed in with, so that all of a person's sessions
    can be ended (`ending.end_sessions_of`): Django's sessions do not say
    whose they are without decoding each. Goes with its session (deleted by
    sign-out, `clearsessions`, a new sign-in in the same browser)."""

    # No constraint in the database: nothing may stop a session from being
    # deleted; Django's own deletes (sign-out, clearsessions) take this row along.
    session = models.OneToOneField(Session, primary_key=True, on_delete=models.CASCADE, db_constraint=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_sessions")
    signed_in_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"

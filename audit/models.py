from django.conf import settings
from django.db import models


class AppendOnly(models.QuerySet):
    # Bulk statements skip Model.save() and delete(): refuse them here too.
    # (Django's cascades go through the plain base manager, so deleting a user
    # or clinic still sets their events' actor or clinic to NULL.)
    def update(self, **kwargs):
        raise ValueError("Audit events are append-only")

    def delete(self):
        raise ValueError("Audit events are append-only")


class AuditEvent(models.Model):
    """One thing somebody did, kept append-only.

    It names the caller by id only: the audit trail outlives a purged visit and
    must not keep the patient's name or messages after the visit data is gone.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    clinic = models.ForeignKey("clinics.Clinic", null=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    caller_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=64)
    details = models.JSONField(default=dict, blank=True)

    objects = AppendOnly.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only")

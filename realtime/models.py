from django.db import models


class ServerProcess(models.Model):
    """A running server process, as last heard of. A caller page held by a
    process that stopped being heard of (killed, crashed, its machine gone)
    is Offline, though its socket never said goodbye."""

    id = models.CharField(primary_key=True, max_length=32)
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.id

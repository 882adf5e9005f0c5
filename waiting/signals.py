"""What other apps may hear of a visit without waiting importing them."""

from django.dispatch import Signal

# A visit ended (left, removed, expired offline, the call ended it). Sent
# inside the action's transaction with the caller's row locked:
# sender=Caller, caller=<the locked caller>, actor=<the user, or None>.
# calls/apps.py ends the caller's open call on it; reports/apps.py writes the
# visit's summary.
visit_ended = Signal()

# A visit started (the caller entered). Sent inside the action's transaction:
# sender=Caller, caller=<the new caller>. messaging/apps.py sends the welcome on it.
visit_started = Signal()

# A caller's status changed (see, hold, return to waiting). Sent inside the
# action's transaction with the caller's row locked: sender=Caller,
# caller=<the locked caller>, status=<the new Status>, actor=<the user, or None>.
# messaging/apps.py sends the on-hold message on it.
status_changed = Signal()

# Ended visits are about to be deleted (the retention purge), inside its
# transaction: sender=Caller, clinic=<the clinic>, callers=<a queryset of them>.
# reports/apps.py summarises any that have no summary yet.
visits_purging = Signal()

# The retention purge runs for a clinic (daily, `manage.py purge_visits`),
# inside its transaction: sender=Clinic, clinic=<the clinic>, cutoff=<the
# moment before which finished visits are deleted>. Apps that keep patient
# data of their own delete what is as old (integrations/apps.py: invitations).
purging = Signal()

# The daily purge ran (manage.py purge_visits), after the visits: other apps
# delete their own old rows on it. sender=Caller. integrations/apps.py purges
# old webhook deliveries.
purge_ran = Signal()

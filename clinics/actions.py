from django.db import transaction

from audit.log import record
from realtime import events

from .models import Clinic


def do_change_configuration(clinic_id, *, actor, **changes):
    """A clinic admin changes the General configuration. Records who changed
    what from what; returns the clinic and the changed fields."""
    unknown = set(changes) - set(Clinic.CONFIGURATION_FIELDS)
    if unknown:
        raise ValueError(f"not configuration: {sorted(unknown)}")
    with transaction.atomic():
        clinic = Clinic.objects.select_for_update().get(pk=clinic_id)
        changed = {}
        for field, value in changes.items():
            old = getattr(clinic, field)
            if old != value:
                changed[field] = [old, value]
                setattr(clinic, field, value)
        if changed:
            clinic.full_clean()
            clinic.save(update_fields=list(changed))
            record("clinic.configuration_changed", clinic=clinic, actor=actor, changes=changed)
            transaction.on_commit(lambda: events.publish_clinic_changed(clinic))
    return clinic, changed

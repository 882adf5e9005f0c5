"""Everything that changes a caller's visit. Each function stores the change in
one transaction, records it in the audit trail, and announces it on commit."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import record
from clinics.models import TEXT_MAX as CLINIC_TEXT_MAX
from clinics.models import Clinic
from realtime import events, presence
from realtime.limits import address_key, count_within
from realtime.text import is_encodable, shows_nothing, without_controls
from waitroom.errors import ActionError
from waitroom.lookups import among, set_each

from . import hours, queue
from .models import NAME_MAX, TRANSITIONS, Caller, ClosedDay, DeviceState, LeaveReason, OpeningPeriod, Status, Weekday
from .signals import purge_ran, purging, status_changed, visit_ended, visit_started, visits_purging


def lock_caller(caller_id):
    """The caller's row, locked until the transaction ends."""
    try:
        return Caller.objects.select_for_update(of=("self",)).select_related("clinic").get(pk=caller_id)
    except Caller.DoesNotExist:
        raise ActionError("no_visit", _("This visit does not exist."))


def _announce(caller):
    transaction.on_commit(lambda: events.publish_callers_changed(caller.clinic_id, [caller]))
    transaction.on_commit(lambda: events.publish_visit_changed(caller))


def do_touch_card(caller):
    """Something shown on the caller's card changed outside the visit itself
    (a second team member joined their call): a new version, so every
    dashboard takes the new card. The caller's row is locked by the caller."""
    caller.version += 1
    caller.save(update_fields=["version"])
    transaction.on_commit(lambda: events.publish_callers_changed(caller.clinic_id, [caller]))


def _queue_moved(caller, was_in_queue, clinic=None):
    """Announce that the caller left or entered their clinic's queue, when
    that clinic shows callers their place (nothing is sent otherwise)."""
    clinic = clinic or caller.clinic
    now_in_queue = queue.holds(caller) and caller.clinic_id == clinic.pk
    if now_in_queue == was_in_queue or not clinic.show_queue_position:
        return
    ticket, step = queue.ticket(caller), 1 if now_in_queue else -1
    transaction.on_commit(lambda: events.publish_queue_moved(clinic.pk, ticket, step))


def do_enter_waiting_area(
    clinic,
    *,
    name,
    phone="",
    date_of_birth=None,
    extra_answer="",
    address=None,
    invitation=None,
    appointment_at=None,
    language="",
):
    """A caller enters the clinic's waiting area, their pages speaking
    `language` (empty: the clinic's). `address` is the browser's
    (the entry form's): entries from a browser are limited per address and per
    clinic (settings.WAITROOM_ENTRIES_*); callers made by the system (tests,
    seeding) give none. Outside the opening hours and while the waiting area
    is paused nobody comes in, except (closed only) with a personal
    `invitation` (waiting/hours.py, entry_refusal); `appointment_at` is its
    appointment, which the dashboard's card shows."""
    refusal = hours.entry_refusal(clinic, invitation=invitation)
    if refusal is not None:
        raise ActionError(refusal.reason, refusal_message(refusal), status=403)
    if not is_encodable([name, phone, extra_answer]):
        raise ActionError("invalid", _("Text must be valid Unicode."))
    # Characters that turn the text around them are removed; a name that
    # shows nothing (zero-width characters, blank letters) is no name.
    name = " ".join(without_controls(name).split())
    if shows_nothing(name):
        raise ActionError("name_required", _("Please enter your name."))
    if len(name) > NAME_MAX:
        raise ActionError("name_too_long", _("A name has at most %(n)s characters.") % {"n": NAME_MAX})
    if address is not None:
        _count_entry(clinic, address)
    with transaction.atomic():
        caller = Caller.objects.create(
            clinic=clinic,
            name=name,
            phone=without_controls(phone).strip(),
            date_of_birth=date_of_birth,
            extra_answer=" ".join(without_controls(extra_answer).split()),
            language=language if language in dict(settings.LANGUAGES) else "",
            appointment_at=appointment_at,
        )
        if clinic.show_queue_position:
            # A newcomer stands at the end: nobody's place changes, nothing
            # is announced. Their place is kept for the expected wait.
            caller.place_on_arrival = queue.position_of(caller)
            caller.save(update_fields=["place_on_arrival"])
        record("caller.arrived", clinic=clinic, caller=caller)
        visit_started.send(sender=Caller, caller=caller)  # a welcome message, where the clinic sends one
        transaction.on_commit(lambda: events.publish_callers_changed(clinic.pk, [caller]))
    return caller


def _count_entry(clinic, address):
    """Refuse a flood of visits: per address first, so that one connection's
    flood, refused, does not use up the clinic's allowance for everybody."""
    seconds = 60 * settings.WAITROOM_ENTRIES_MINUTES
    if not count_within(f"entries:address:{address_key(address)}", settings.WAITROOM_ENTRIES_PER_ADDRESS, seconds):
        raise ActionError(
            "too_many_entries",
            _("Many visits were started from your connection just now. Please try again in a few minutes."),
            status=429,
        )
    if not count_within(f"entries:clinic:{clinic.pk}", settings.WAITROOM_ENTRIES_PER_CLINIC, seconds):
        raise ActionError(
            "waiting_area_busy",
            _("The waiting area takes no more arrivals just now. Please try again in a few minutes, or call the clinic."),
            status=429,
        )


def do_leave_waiting_area(caller_id, *, reason=LeaveReason.LEFT, actor=None):
    """The caller leaves (their button), is removed by staff, or the call ends."""
    with transaction.atomic():
        caller = lock_caller(caller_id)
        if caller.left_at is None:
            end_visit(caller, reason, actor)
    return caller


def end_visit(caller, reason, actor):
    """End a locked caller's visit: they leave every list and their page says why."""
    was_in_queue = queue.holds(caller)
    caller.left_at = timezone.now()
    caller.leave_reason = reason
    caller.page_channel = ""
    caller.version += 1
    caller.save(update_fields=["left_at", "leave_reason", "page_channel", "version"])
    record("caller.left", clinic=caller.clinic, actor=actor, caller=caller, reason=reason)
    _announce(caller)
    _queue_moved(caller, was_in_queue)
    visit_ended.send(sender=Caller, caller=caller, actor=actor)  # a call the caller was in ends with it


def apply_transition(caller, name, actor):
    """Move a locked caller along TRANSITIONS; refuses a move the table does not allow."""
    allowed_from, to = TRANSITIONS[name]
    if caller.left_at is not None:
        raise ActionError("visit_ended", _("This caller has left the waiting area."))
    if name == "see" and caller.status == Status.OFFLINE:
        raise ActionError("caller_offline", _("This caller's page is offline."))
    if caller.current_status not in allowed_from:
        raise ActionError("wrong_status", _("A caller who is %(status)s cannot be moved so.") % {"status": caller.get_status_display()})
    was_in_queue = queue.holds(caller)
    if caller.status == Status.OFFLINE:
        caller.status_before_offline = to
    else:
        caller.status = to
    caller.status_changed_at = timezone.now()
    caller.version += 1
    fields = ["status", "status_before_offline", "status_changed_at", "version"]
    if to == Status.BEING_SEEN and caller.first_seen_at is None:
        caller.first_seen_at = caller.status_changed_at  # the end of their wait, for the expected wait
        fields.append("first_seen_at")
    caller.save(update_fields=fields)
    record(f"caller.{to}", clinic=caller.clinic, actor=actor, caller=caller)
    _announce(caller)
    _queue_moved(caller, was_in_queue)
    status_changed.send(sender=Caller, caller=caller, status=to, actor=actor)  # e.g. the on-hold message
    return caller


def _transition(caller_id, name, actor):
    with transaction.atomic():
        return apply_transition(lock_caller(caller_id), name, actor)


def do_see_caller(caller_id, *, actor):
    """A team member takes the caller into a call: Being seen."""
    return _transition(caller_id, "see", actor)


def do_hold_caller(caller_id, *, actor):
    return _transition(caller_id, "hold", actor)


def do_return_to_waiting(caller_id, *, actor):
    return _transition(caller_id, "return_to_waiting", actor)


def do_page_connected(caller_id, channel_name):
    """A caller page connected: it now holds the visit, and an Offline caller is
    back where they were. Returns the caller, or raises if the visit is over."""
    with transaction.atomic():
        caller = lock_caller(caller_id)
        if caller.left_at is None and caller.status == Status.OFFLINE and caller.offline_expires_at() <= timezone.now():
            # The grace period ran out before anybody swept it: it is over.
            _expire(caller, caller.offline_expires_at())
            return caller
        if caller.left_at is not None:
            return caller
        replaced = caller.page_channel if caller.page_channel != channel_name else ""
        if replaced:
            transaction.on_commit(lambda: events.tell_pages_replaced([replaced]))
        presence.server_heartbeat()  # before any page names this process
        caller.page_channel = channel_name
        caller.page_server = presence.SERVER_ID
        fields = ["page_channel", "page_server"]
        if caller.status == Status.OFFLINE:
            caller.status = caller.status_before_offline or Status.WAITING
            caller.status_before_offline = ""
            caller.offline_since = None
            caller.version += 1
            fields += ["status", "status_before_offline", "offline_since", "version"]
            transaction.on_commit(lambda: events.publish_callers_changed(caller.clinic_id, [caller]))
        caller.save(update_fields=fields)
    return caller


def do_pages_connected(pages):
    """do_page_connected for many pages at once, in one transaction (a
    reconnect storm brings thousands a second): `pages` is [(caller_id,
    channel_name)], in the order they connected; returns {caller_id: caller}.

    The rows are locked in one query, and the pages that only take their
    visit back (the usual case: the caller was never marked Offline) are
    written in one UPDATE for all; an Offline caller coming back is saved
    as do_page_connected saves it."""
    if not pages:
        return {}
    with transaction.atomic():
        ids = sorted({caller_id for caller_id, _ in pages})
        callers = {
            c.pk: c for c in Caller.objects.select_for_update(of=("self",)).filter(among("pk", ids)).order_by("pk")
        }
        # Their clinics, read once (a storm brings hundreds of one clinic's callers).
        clinics = Clinic.objects.in_bulk({c.clinic_id for c in callers.values()})
        for caller in callers.values():
            caller.clinic = clinics[caller.clinic_id]
        now = timezone.now()
        presence.server_heartbeat()  # before any page names this process
        taken = {}  # caller id -> channel: written together
        replaced = []  # channels of the pages these take over: told together
        back = set()  # ids of callers who were Offline and are back
        for caller_id, channel_name in pages:
            caller = callers.get(caller_id)
            if caller is None:
                continue
            if caller.left_at is None and caller.status == Status.OFFLINE and caller.offline_expires_at() <= now:
                _expire(caller, caller.offline_expires_at())
                continue
            if caller.left_at is not None:
                continue
            if caller.page_channel and caller.page_channel != channel_name:
                replaced.append(caller.page_channel)
            caller.page_channel = channel_name
            caller.page_server = presence.SERVER_ID
            if caller.status == Status.OFFLINE:
                caller.status = caller.status_before_offline or Status.WAITING
                caller.status_before_offline = ""
                caller.offline_since = None
                caller.version += 1
                back.add(caller_id)
            taken[caller_id] = channel_name
        set_each(Caller, "page_channel", taken, page_server=presence.SERVER_ID)
        if replaced:
            transaction.on_commit(lambda: events.tell_pages_replaced(replaced))
        if back:
            # Back where they were: one UPDATE for all, and one announcement per clinic.
            Caller.objects.filter(among("pk", back)).update(
                status=Case(When(status_before_offline="", then=Value(Status.WAITING)), default=F("status_before_offline")),
                status_before_offline="",
                offline_since=None,
                version=F("version") + 1,
            )
            by_clinic = {}
            for caller_id in sorted(back):
                by_clinic.setdefault(callers[caller_id].clinic_id, []).append(callers[caller_id])
            for clinic_id, cards in by_clinic.items():
                transaction.on_commit(lambda clinic_id=clinic_id, cards=cards: events.publish_callers_changed(clinic_id, cards))
    return {caller_id: callers[caller_id] for caller_id, _ in pages if caller_id in callers}


def do_page_disconnected(caller_id, channel_name):
    """A caller page went away. Only the page that holds the visit makes the
    caller Offline: a refresh's new page has already taken over."""
    with transaction.atomic():
        caller = Caller.objects.select_for_update(of=("self",)).select_related("clinic").filter(pk=caller_id).first()
        if caller is None or caller.left_at is not None or caller.page_channel != channel_name:
            return caller  # gone already (ended, or purged while its page was open)
        _go_offline(caller)
    return caller


def do_pages_disconnected(pages):
    """do_page_disconnected for many pages at once, [(caller_id,
    channel_name)]: a network blip takes thousands together. One
    transaction, one UPDATE, one announcement per clinic."""
    if not pages:
        return
    with transaction.atomic():
        channels = dict(pages)
        callers = [
            c
            for c in Caller.objects.select_for_update(of=("self",)).filter(among("pk", sorted(channels)))
            .order_by("pk")
            if c.left_at is None and c.page_channel == channels[c.pk]
        ]
        if not callers:
            return
        now = timezone.now()
        Caller.objects.filter(among("pk", [c.pk for c in callers])).update(
            page_channel="", status_before_offline=F("status"), status=Status.OFFLINE, offline_since=now,
            version=F("version") + 1,
        )
        by_clinic = {}
        for caller in callers:
            caller.page_channel = ""
            caller.status_before_offline, caller.status = caller.status, Status.OFFLINE
            caller.offline_since = now
            caller.version += 1
            by_clinic.setdefault(caller.clinic_id, []).append(caller)
        for clinic_id, cards in by_clinic.items():
            transaction.on_commit(lambda clinic_id=clinic_id, cards=cards: events.publish_callers_changed(clinic_id, cards))


def _go_offline(caller):
    caller.page_channel = ""
    caller.status_before_offline = caller.status
    caller.status = Status.OFFLINE
    caller.offline_since = timezone.now()
    caller.version += 1
    caller.save(update_fields=["page_channel", "status", "status_before_offline", "offline_since", "version"])
    transaction.on_commit(lambda: events.publish_callers_changed(caller.clinic_id, [caller]))


def _expire(caller, at):
    was_in_queue = queue.holds(caller)
    caller.left_at = at
    caller.leave_reason = LeaveReason.EXPIRED
    caller.version += 1
    caller.save(update_fields=["left_at", "leave_reason", "version"])
    record("caller.left", clinic=caller.clinic, caller=caller, reason=LeaveReason.EXPIRED)
    _announce(caller)
    _queue_moved(caller, was_in_queue)
    visit_ended.send(sender=Caller, caller=caller, actor=None)


def do_expire_offline_callers(clinic=None):
    """Offline callers whose grace period has run out leave the list (of one
    clinic, or of all). Their visit ends when the grace period ended."""
    clinics = [clinic] if clinic is not None else Clinic.objects.filter(
        callers__left_at=None, callers__status=Status.OFFLINE
    ).distinct()
    expired = []
    for clinic in clinics:
        cutoff = timezone.now() - timedelta(minutes=clinic.offline_grace_minutes)
        due = Caller.objects.present().filter(clinic=clinic, status=Status.OFFLINE, offline_since__lte=cutoff)
        for caller_id in due.values_list("pk", flat=True):
            with transaction.atomic():
                caller = lock_caller(caller_id)
                # Checked again under the lock: the page may have come back meanwhile.
                if caller.left_at is None and caller.status == Status.OFFLINE and caller.offline_since <= cutoff:
                    _expire(caller, caller.offline_expires_at())
                    expired.append(caller)
    return expired


def do_mark_unconnected_offline(older_than):
    """Callers whose page never connected (the tab closed right after entry)
    are Offline like any other lost page, so their grace period starts."""
    stale = Caller.objects.present().filter(page_channel="", arrived_at__lte=timezone.now() - older_than).exclude(
        status=Status.OFFLINE
    )
    return _offline_unless_back(stale, lambda caller: caller.page_channel == "")


def do_mark_pages_of_silent_servers_offline():
    """Callers whose page was held by a server process that died are Offline:
    their page will reconnect to another process, or their grace period runs."""
    dead = list(presence.silent_servers())
    if not dead:
        return []
    lost = Caller.objects.present().filter(page_server__in=dead).exclude(page_channel="")
    return _offline_unless_back(lost, lambda caller: caller.page_server in dead and caller.page_channel)


def _offline_unless_back(callers, still_lost):
    marked = []
    for caller_id in callers.values_list("pk", flat=True):
        with transaction.atomic():
            caller = lock_caller(caller_id)
            # Checked again under the lock: the page may have come back meanwhile.
            if caller.left_at is None and caller.status != Status.OFFLINE and still_lost(caller):
                _go_offline(caller)
                marked.append(caller)
    return marked


def do_sweep_presence():
    """The watchdog's sweep (every few seconds, in every process): pages that
    never connected or whose process died are Offline, and Offline callers
    past their grace period leave."""
    # A page gets twice the heartbeat timeout to load and connect after entry.
    do_mark_unconnected_offline(older_than=timedelta(seconds=2 * settings.WAITROOM_HEARTBEAT_TIMEOUT))
    do_mark_pages_of_silent_servers_offline()
    do_expire_offline_callers()


def do_purge_old_visits():
    """Delete finished visits older than their clinic's retention period, with
    their threads. The audit trail keeps only the caller's number."""
    deleted = 0
    for clinic in Clinic.objects.all():
        cutoff = timezone.now() - timedelta(days=clinic.retention_days)
        with transaction.atomic():
            purging.send(sender=Clinic, clinic=clinic, cutoff=cutoff)
            old = Caller.objects.filter(clinic=clinic, left_at__lt=cutoff)
            count = old.count()
            if count:
                visits_purging.send(sender=Caller, clinic=clinic, callers=old)
                old.delete()
                record("visits.purged", clinic=clinic, count=count, older_than_days=clinic.retention_days)
                deleted += count
    purge_ran.send(sender=Caller)  # e.g. old webhook deliveries
    return deleted


def do_transfer_caller(caller_id, to_clinic, *, actor):
    """Move a waiting or on-hold caller to another clinic's waiting area. They
    keep their page, their place in time and their thread."""
    with transaction.atomic():
        caller = lock_caller(caller_id)
        if caller.left_at is not None:
            raise ActionError("visit_ended", _("This caller has left the waiting area."))
        if caller.current_status not in (Status.WAITING, Status.ON_HOLD):
            raise ActionError("wrong_status", _("Only a waiting or on-hold caller can be transferred."))
        if caller.calls.filter(ended_at=None).exists():
            # Held, but still in a call of this clinic: its team members are with them.
            raise ActionError("in_call", _("This caller is still in a call: end it first."))
        source = caller.clinic
        if source.pk == to_clinic.pk:
            raise ActionError("invalid", _("The caller is in that clinic already."))
        was_in_queue = queue.holds(caller)
        caller.clinic = to_clinic
        caller.version += 1
        caller.save(update_fields=["clinic", "version"])
        for clinic in (source, to_clinic):
            record("caller.transferred", clinic=clinic, actor=actor, caller=caller, **{"from": source.name, "to": to_clinic.name})
        transaction.on_commit(lambda: events.publish_callers_gone(source.pk, caller))
        _announce(caller)
        # They leave the one queue and take their place in time in the other.
        _queue_moved(caller, was_in_queue, clinic=source)
        _queue_moved(caller, False, clinic=to_clinic)
    return caller


def refusal_message(refusal):
    if refusal.reason == "paused":
        return _("The waiting area is paused at the moment. Please try again later.")
    return _("The waiting area is closed at the moment.")


# The waiting area's hours and pause ----------------------------------------
# These write the clinic's row too (time zone, closed and pause messages, the
# pause): what decides whether new callers come in is waiting's rule, kept in
# one app (docs/opening-hours.md). The rest of the General configuration is
# clinics.actions.do_change_configuration's.


def _lock_clinic(clinic_id):
    return Clinic.objects.select_for_update().get(pk=clinic_id)


def _texts(**texts):
    if not is_encodable(list(texts.values())):
        raise ActionError("invalid", _("Text must be valid Unicode."))
    for name, text in texts.items():
        if len(text) > CLINIC_TEXT_MAX:
            raise ActionError("too_long", _("A text has at most %(n)s characters.") % {"n": CLINIC_TEXT_MAX})
    return {name: without_controls(text).strip() for name, text in texts.items()}


def do_pause_waiting_area(clinic_id, *, actor, message_en=None, message_de=None):
    """Stop new callers at once (a sudden stop); they read the pause message.
    Callers already in the waiting area stay. Given messages replace the
    clinic's pause message for this and later pauses."""
    changes = {k: v for k, v in {"pause_message_en": message_en, "pause_message_de": message_de}.items() if v is not None}
    changes = _texts(**changes)
    with transaction.atomic():
        clinic = _lock_clinic(clinic_id)
        fields = [field for field, value in changes.items() if getattr(clinic, field) != value]
        if clinic.paused and not fields:
            return clinic
        changed = {field: [getattr(clinic, field), changes[field]] for field in fields}
        for field in fields:
            setattr(clinic, field, changes[field])
        was_paused, clinic.paused = clinic.paused, True
        clinic.save(update_fields=["paused", *fields])
        extra = {"changes": changed} if changed else {}
        record("clinic.pause_message_changed" if was_paused else "clinic.paused", clinic=clinic, actor=actor, **extra)
        transaction.on_commit(lambda: events.publish_clinic_changed(clinic))
    return clinic


def do_resume_waiting_area(clinic_id, *, actor):
    """New callers come in again (within the opening hours)."""
    with transaction.atomic():
        clinic = _lock_clinic(clinic_id)
        if clinic.paused:
            clinic.paused = False
            clinic.save(update_fields=["paused"])
            record("clinic.resumed", clinic=clinic, actor=actor)
            transaction.on_commit(lambda: events.publish_clinic_changed(clinic))
    return clinic


def do_change_opening_hours(clinic_id, *, actor, week, time_zone, closed_message_en="", closed_message_de=""):
    """A clinic admin sets the weekly hours (`week`: {weekday: [(opens, closes), …]},
    weekdays left out have no periods), the time zone and the closed message.
    One audit entry names each weekday and setting that changed, old and new."""
    hours.check_week(week)
    if not hours.is_time_zone(time_zone):
        raise ActionError("invalid_time_zone", _("Choose a time zone from the list, such as Europe/Berlin."))
    texts = _texts(closed_message_en=closed_message_en, closed_message_de=closed_message_de)
    with transaction.atomic():
        clinic = _lock_clinic(clinic_id)
        changes = {}
        old_week = {}
        for period in OpeningPeriod.objects.filter(clinic=clinic):
            old_week.setdefault(period.weekday, []).append((period.opens, period.closes))
        for day in Weekday:
            old, new = hours.describe(old_week.get(day, [])), hours.describe(week.get(day, []))
            if old != new:
                changes[day.label.lower()] = [old, new]
        if any(day.label.lower() in changes for day in Weekday):
            OpeningPeriod.objects.filter(clinic=clinic).delete()
            OpeningPeriod.objects.bulk_create(
                OpeningPeriod(clinic=clinic, weekday=day, opens=opens, closes=closes)
                for day, periods in week.items()
                for opens, closes in periods
            )
        for field, value in {"time_zone": time_zone, **texts}.items():
            if getattr(clinic, field) != value:
                changes[field] = [getattr(clinic, field), value]
                setattr(clinic, field, value)
        clinic_fields = [f for f in ("time_zone", *texts) if f in changes]
        if clinic_fields:
            clinic.save(update_fields=clinic_fields)
        if changes:
            # Weekday names in English in the record, like the field names.
            record("clinic.hours_changed", clinic=clinic, actor=actor, changes=changes)
    return clinic, changes


def do_add_closed_days(clinic_id, *, actor, first_day, last_day=None, note=""):
    """Close the waiting area on a date or from one date to another (a holiday)."""
    last_day = last_day or first_day
    if last_day < first_day:
        raise ActionError("invalid", _("The last day is before the first day."))
    if (last_day - first_day).days > hours.CLOSED_DAYS_MAX:
        raise ActionError("too_long", _("Close at most %(n)s days at once.") % {"n": hours.CLOSED_DAYS_MAX})
    note = " ".join(_texts(note=note)["note"].split())
    if len(note) > 100:
        raise ActionError("too_long", _("A note has at most %(n)s characters.") % {"n": 100})
    with transaction.atomic():
        clinic = _lock_clinic(clinic_id)
        closed = ClosedDay.objects.create(clinic=clinic, first_day=first_day, last_day=last_day, note=note)
        record("clinic.closed_days_added", clinic=clinic, actor=actor, **_closed_details(closed))
    return closed


def do_remove_closed_days(clinic_id, closed_days_id, *, actor):
    with transaction.atomic():
        clinic = _lock_clinic(clinic_id)
        closed = ClosedDay.objects.filter(clinic=clinic, pk=closed_days_id).first()
        if closed is None:
            raise ActionError("not_found", _("These closed dates do not exist."), status=404)
        closed.delete()
        record("clinic.closed_days_removed", clinic=clinic, actor=actor, **_closed_details(closed))
    return closed


def _closed_details(closed):
    return {"from": closed.first_day.isoformat(), "to": closed.last_day.isoformat(), "note": closed.note}


def do_report_devices(caller_id, *, camera, microphone):
    """The caller's page says what it found of the camera and microphone (the
    device check, or the call's media): the clinic sees it on the card. A value
    outside DeviceState is refused; the same report again changes nothing."""
    states = set(DeviceState.values)
    if not (isinstance(camera, str) and camera in states and isinstance(microphone, str) and microphone in states):
        raise ActionError("invalid", _("camera and microphone are each one of: %(values)s.") % {"values": ", ".join(DeviceState.values)})
    with transaction.atomic():
        caller = lock_caller(caller_id)
        if caller.left_at is not None:
            raise ActionError("visit_ended", _("Your visit has ended."))
        if (caller.camera, caller.microphone) == (camera, microphone):
            return caller
        caller.camera, caller.microphone = camera, microphone
        caller.version += 1
        caller.save(update_fields=["camera", "microphone", "version"])
        transaction.on_commit(lambda: events.publish_callers_changed(caller.clinic_id, [caller]))
    return caller

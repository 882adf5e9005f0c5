"""The benchmark's bulk set-up: a helper process that speaks JSON lines.

    python -m bench.seed      (DATABASE_URL, SECRET_KEY in the environment)

It migrates the database named by DATABASE_URL (bench/targets.py has made a
PostgreSQL one afresh), then answers one JSON request
per line on stdin with one JSON line on stdout:

    {"op": "clinic"}            -> {"clinic_id", "slug", "staff_session", "csrf_token"}
    {"op": "callers", "n": K}   -> {"callers": [[caller_id, session_key], ...]}
    {"op": "quit"}

THE BULK SET-UP BYPASSES THE ENTRY FORM ON PURPOSE, for speed: ten thousand
callers through POST /w/<slug>/ would take minutes of the benchmark's ten. It
writes what the form would leave behind and nothing else that the websocket
reads: a Caller row (waiting, arrived now) and a database Session row holding
the visit as the entry form leaves it (testkit.sessions.visit_session_data). It
skips the entry's audit entry and its dashboard announcement. The benchmark
also enters once through the real POST /w/<slug>/ and opens that caller's
socket, to check that the path the bulk set-up stands in for works.

The staff member is a user with a membership and a session made directly
(testkit.sessions.staff_cookie: as login() writes it) and a CSRF secret that is
used as both the csrftoken cookie and the X-CSRFToken header.

It runs from the source tree whose servers are measured (a --baseline's own
seed knows that tree's models), so this request protocol stays as it is.

Callers are made in chunks just before they connect (the benchmark asks for
each chunk): a caller whose page has not connected 24 s after arrival is
marked Offline by the presence sweep, which would add work no real clinic sees.
"""

import json
import os
import sys
from datetime import timedelta

# PostgreSQL runs share Redis pub/sub with anything else on this machine (pub/sub
# channels ignore Redis's database number): ids far from a test suite's keep the
# group names (clinic-<id>.callers, caller-<id>) apart.
ID_START = 900_000_000


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waitroom.settings")
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from clinics.models import Clinic, Membership, Role
    from testkit.sessions import staff_cookie, visit_session_data
    from waiting.models import Caller

    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Clinic, Caller):
                table = model._meta.db_table
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, ID_START])

    key_chars = "abcdefghijklmnopqrstuvwxyz0123456789"  # Django's session key alphabet
    store = SessionStore()
    clinic = None

    def make_clinic():
        nonlocal clinic
        clinic = Clinic.objects.create(
            name="Bench Clinic",
            slug="bench",
            offline_grace_minutes=240,
            waiting_text_en="Benchmark: please wait.",
        )
        user = get_user_model().objects.create_user("bench-staff@example.com", password=get_random_string(20))
        Membership.objects.create(user=user, clinic=clinic, role=Role.MEMBER)
        return {
            "clinic_id": clinic.pk,
            "slug": clinic.slug,
            "staff_session": staff_cookie(user),
            "csrf_token": get_random_string(32),
        }

    def make_callers(n):
        now = timezone.now()
        expires = now + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        with transaction.atomic():
            callers = Caller.objects.bulk_create(
                [Caller(clinic=clinic, name="Bench caller", arrived_at=now, status_changed_at=now) for _ in range(n)],
                batch_size=500,
            )
            sessions = [
                Session(
                    session_key=get_random_string(32, key_chars),
                    session_data=store.encode(visit_session_data(clinic.pk, c.pk)),
                    expire_date=expires,
                )
                for c in callers
            ]
            Session.objects.bulk_create(sessions, batch_size=500)
        return {"callers": [[c.pk, s.session_key] for c, s in zip(callers, sessions)]}

    out = sys.stdout
    out.write(json.dumps({"ready": True, "vendor": connection.vendor}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "quit":
            break
        if request["op"] == "clinic":
            answer = make_clinic()
        elif request["op"] == "callers":
            answer = make_callers(int(request["n"]))
        else:
            answer = {"error": f"unknown op {request['op']!r}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()

"""What ends a sign-in, and telling that person's open pages.

Django's own signals and saves are listened to, so that whatever code signs
out, changes a password, deactivates a person or removes a membership (the
admin, the accounts pages, a management command) needs nothing special:

- sign-out (`user_logged_out`): that session's pages close at once;
- a saved user (password changed: the session auth hash no longer matches
  elsewhere; deactivated) and a deleted user: each of their pages checks itself;
- a deleted membership: their pages of that clinic close;
- `end_sessions_of(user)`: every session of the person is deleted — the
  seam for code that must end them all (a second factor reset by an admin).

Each announcement goes out on commit (store first, then announce). The
watchdog's check (verdicts.py) catches whatever announcement is lost.
"""

from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from clinics.models import Membership
from realtime import events

from . import limits
from accounts.models import StaffSession


def end_sessions_of(user):
    """End every sign-in of `user`, everywhere: their sessions are deleted (so
    every request of theirs is signed out) and their open pages close within
    seconds. Call it when a person's sign-in can no longer be trusted and no
    password changed with it — e.g. when their second factor is reset."""
    with transaction.atomic():
        Session.objects.filter(staffsession__user=user).delete()
        transaction.on_commit(partial(events.publish_session_ended, user.pk))


REMEMBERED_AS = "staff_session_key"  # in the session: the key it is remembered under


def remember_session(session, user):
    """Write down whose this session is, once per session key: a key that
    changes (Django cycles it when the password is changed) is written anew."""
    if session.session_key is None:
        session.save()  # login() may have flushed the old one: the new key exists from now
    if session.get(REMEMBERED_AS) != session.session_key:
        StaffSession.objects.update_or_create(session_id=session.session_key, defaults={"user": user})
        session[REMEMBERED_AS] = session.session_key


def signed_in(sender, request, user, **kwargs):
    limits.start(request.session)
    remember_session(request.session, user)


def signed_out(sender, request, user, **kwargs):
    session_key = request.session.session_key
    if user is not None and session_key:
        # Django's logout() flushes the session only after this signal: delete
        # it first, so that a page told to sign in again (and sent back by the
        # sign-in page to where it was if still signed in) finds it ended.
        request.session.delete()
        transaction.on_commit(partial(events.publish_session_ended, user.pk, session_key))


def user_saved(sender, instance, created, update_fields=None, **kwargs):
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return  # every sign-in writes last_login: nothing about trust changed
    transaction.on_commit(partial(events.publish_session_ended, instance.pk))


def user_deleted(sender, instance, **kwargs):
    transaction.on_commit(partial(events.publish_session_ended, instance.pk))


def membership_deleted(sender, instance, **kwargs):
    transaction.on_commit(partial(events.publish_session_ended, instance.user_id))


def connect():
    user = get_user_model()
    user_logged_in.connect(signed_in, dispatch_uid="accounts.sessions.signed_in")
    user_logged_out.connect(signed_out, dispatch_uid="accounts.sessions.signed_out")
    post_save.connect(user_saved, sender=user, dispatch_uid="accounts.sessions.user_saved")
    post_delete.connect(user_deleted, sender=user, dispatch_uid="accounts.sessions.user_deleted")
    post_delete.connect(membership_deleted, sender=Membership, dispatch_uid="accounts.sessions.membership_deleted")

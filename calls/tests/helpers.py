"""Helpers for the call tests: a team member's browser, a call's addresses and seats."""

from django.test import Client

from calls.actions import do_join_call
from calls.models import Participant
from clinics.models import Membership, Role
from testkit.helpers import post_json


def signed_in(user):
    """A team member's browser, signed in."""
    client = Client()
    client.force_login(user)
    return client


def also_member_of(clinic, user, role=Role.MEMBER):
    Membership.objects.create(user=user, clinic=clinic, role=role)
    return user


def in_call(caller, *team):
    """The caller in a call with these team members (the first starts it)."""
    call = None
    for user in team:
        call, _ = do_join_call(caller.pk, actor=user)
    return call


def call_url(call, action=None):
    url = f"/clinics/{call.clinic.slug}/calls/{call.pk}/"
    return f"{url}{action}/" if action else url


def press(client, call, action, **data):
    """A button of the call page (Call Manager, hang-up dialog)."""
    return post_json(client, call_url(call, action), data)


def seat_of(call, user):
    return Participant.objects.get(call=call, user=user, left_at=None)


def caller_seat(call):
    return Participant.objects.get(call=call, is_caller=True)


def present(call):
    """Who is in the call now, as the Call Manager lists them."""
    return [
        "caller" if p.is_caller else p.user.first_name
        for p in Participant.objects.filter(call=call, left_at=None).select_related("user")
    ]


def error_code(response):
    return response.json()["error"]["code"]

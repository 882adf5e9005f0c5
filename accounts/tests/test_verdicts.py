"""The watchdog's check of every staff page of a process: two queries
however many pages, and the right close code for each."""

from django.contrib.sessions.models import Session
from django.test import Client

from calls.tests.helpers import also_member_of
from clinics.models import Membership
from realtime.consumers import CLOSE_NO_VISIT, CLOSE_NOT_SIGNED_IN
from realtime.staff import SignIn
from accounts.sessions.verdicts import verdicts
from testkit.protocol import SESSION_COOKIE


def session_of(user):
    client = Client()
    client.force_login(user)
    return client.cookies[SESSION_COOKIE].value


def test_it_answers_every_page_in_two_queries(clinic, other_clinic, team_member, clinic_admin, outsider,
                                              django_assert_num_queries):
    also_member_of(other_clinic, team_member)
    lee, lee_elsewhere, alex, olli = (session_of(u) for u in (team_member, team_member, clinic_admin, outsider))
    Session.objects.filter(session_key=lee_elsewhere).delete()
    Membership.objects.filter(user=clinic_admin).delete()
    outsider.is_active = False
    outsider.save()
    pages = [
        SignIn(lee, team_member.pk, clinic.pk),
        SignIn(lee, team_member.pk, other_clinic.pk),
        SignIn(lee_elsewhere, team_member.pk, clinic.pk),
        SignIn(alex, clinic_admin.pk, clinic.pk),
        SignIn(olli, outsider.pk, other_clinic.pk),
        SignIn(lee, clinic_admin.pk, clinic.pk),  # a session that is somebody else's
    ]

    with django_assert_num_queries(2):
        answers = verdicts(pages)

    assert answers == [None, None, CLOSE_NOT_SIGNED_IN, CLOSE_NO_VISIT, CLOSE_NOT_SIGNED_IN, CLOSE_NOT_SIGNED_IN]

"""A clinic keeps at least one admin: demoting or removing the last one
(oneself too) is refused with the reason, also when two admins demote each
other at the same moment."""

import threading

import pytest
from django.db import connection

from audit.models import AuditEvent
from clinics import team
from clinics.models import Membership, Role
from conftest import make_user
from waitroom.errors import ActionError

from .team_helpers import team_url


@pytest.mark.parametrize("post, data", [("role/", {"role": "member"}), ("remove/", {})])
def test_the_only_admin_cannot_step_down(client, clinic, clinic_admin, team_member, post, data):
    client.force_login(clinic_admin)
    response = client.post(team_url(clinic, f"members/{clinic_admin.pk}/{post}"), data)
    assert response.status_code == 409
    assert "You are the clinic&#x27;s only admin. Make somebody else an admin first." in response.content.decode()
    assert Membership.objects.get(user=clinic_admin).role == Role.ADMIN
    assert not AuditEvent.objects.filter(action__in=["clinic.member_role_changed", "clinic.member_removed"]).exists()


def test_an_operator_cannot_take_the_last_admin_away_either(clinic, clinic_admin):
    for change in (lambda: team.do_change_role(clinic.pk, clinic_admin.pk, Role.MEMBER, actor=None),
                   lambda: team.do_remove_member(clinic.pk, clinic_admin.pk, actor=None)):
        with pytest.raises(ActionError) as refused:
            change()
        assert refused.value.code == "last_admin"
        assert refused.value.message == "A clinic keeps at least one admin. Make somebody else an admin first."


def test_with_a_second_admin_one_can_step_down(client, clinic, clinic_admin, team_member):
    Membership.objects.filter(user=team_member).update(role=Role.ADMIN)
    client.force_login(clinic_admin)
    assert client.post(team_url(clinic, f"members/{clinic_admin.pk}/remove/")).url == "/clinics/"
    assert list(Membership.objects.filter(clinic=clinic).values_list("user_id", "role")) == [(team_member.pk, "admin")]


def test_a_former_admin_cannot_act_on_a_page_opened_before(clinic, clinic_admin, team_member):
    second = make_user("kim@sunrise.test", clinic, Role.ADMIN, "Kim")
    team.do_change_role(clinic.pk, clinic_admin.pk, Role.MEMBER, actor=second)
    with pytest.raises(ActionError) as refused:
        team.do_remove_member(clinic.pk, team_member.pk, actor=clinic_admin)
    assert refused.value.status == 403
    assert Membership.objects.filter(user=team_member).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["demote", "remove"])
def test_two_admins_taking_each_other_away_at_once_leave_one(clinic, clinic_admin, team_member, how):
    Membership.objects.filter(user=team_member).update(role=Role.ADMIN)
    start = threading.Barrier(2)
    outcomes = []

    def take_away(actor, other):
        try:
            start.wait()
            if how == "demote":
                team.do_change_role(clinic.pk, other.pk, Role.MEMBER, actor=actor)
            else:
                team.do_remove_member(clinic.pk, other.pk, actor=actor)
            outcomes.append("done")
        except ActionError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_away, args=pair) for pair in ((clinic_admin, team_member), (team_member, clinic_admin))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # The second finds that it is no admin any more (or the last one): refused.
    assert sorted(outcomes) in (["done", "last_admin"], ["done", "not_admin"])
    assert Membership.objects.filter(clinic=clinic, role=Role.ADMIN).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_admins_stepping_down_at_once_leave_one(clinic, clinic_admin, team_member):
    Membership.objects.filter(user=team_member).update(role=Role.ADMIN)
    start = threading.Barrier(2)
    outcomes = []

    def step_down(admin):
        try:
            start.wait()
            team.do_change_role(clinic.pk, admin.pk, Role.MEMBER, actor=admin)
            outcomes.append("done")
        except ActionError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=step_down, args=(admin,)) for admin in (clinic_admin, team_member)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["done", "last_admin"]
    assert Membership.objects.filter(clinic=clinic, role=Role.ADMIN).count() == 1

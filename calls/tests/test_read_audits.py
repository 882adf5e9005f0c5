"""Opening a call page shows the caller's name: it is recorded (who, which
caller, which call), and a page that is not shown is not."""

from audit.models import AuditEvent
from testkit.helpers import make_caller

from .helpers import call_url, in_call, signed_in


def opened():
    return list(AuditEvent.objects.filter(action="call.page_opened").values("clinic_id", "actor_id", "caller_id", "details"))


def test_opening_the_call_page_is_recorded(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    assert signed_in(team_member).get(call_url(call)).status_code == 200
    assert opened() == [{"clinic_id": clinic.pk, "actor_id": team_member.pk, "caller_id": sue.pk, "details": {"call": call.pk}}]


def test_a_team_member_not_in_the_call_is_sent_back_unrecorded(clinic, team_member, clinic_admin):
    call = in_call(make_caller(clinic), team_member)
    response = signed_in(clinic_admin).get(call_url(call))
    assert response.status_code == 302
    assert opened() == []


def test_another_clinics_staff_get_404_unrecorded(clinic, team_member, outsider):
    call = in_call(make_caller(clinic), team_member)
    assert signed_in(outsider).get(call_url(call)).status_code == 404
    assert signed_in(outsider).get(f"/clinics/harbour/calls/{call.pk}/").status_code == 404
    assert opened() == []

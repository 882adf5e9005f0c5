"""The Call Manager's buttons answer a 400, never a 500, to a JSON body with
a lone surrogate (the escape "\\ud800"), and the call is left as it was."""

import pytest

from calls.actions import do_join_call
from calls.models import Call
from testkit.helpers import make_caller
from waiting.models import Status


@pytest.mark.parametrize("action", ["leave", "disconnect", "hold", "end"])
def test_a_call_button_refuses_a_lone_surrogate(client, clinic, team_member, action):
    call, _ = do_join_call(make_caller(clinic).pk, actor=team_member)
    client.force_login(team_member)

    response = client.post(
        f"/clinics/sunrise/calls/{call.pk}/{action}/",
        '{"then": "wait\\ud800", "participant": "\\udc00"}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    call = Call.objects.get(pk=call.pk)
    assert call.ended_at is None
    assert call.participants.filter(user=team_member, left_at=None).exists()
    assert call.caller.status == Status.BEING_SEEN  # not held

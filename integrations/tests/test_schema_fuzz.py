"""The REST API against its own OpenAPI schema, the contract practice
systems build on: schemathesis makes requests from the live schema, valid
ones and invalid ones, for every operation, with a valid key; no answer may
be a server error, and each must be what the schema says (status, content
type, body).

The app is served in-process through WSGI on the test's database."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from messaging.actions import do_add_quick_reply
from testkit.helpers import make_caller

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 15  # per operation and mode: the whole run stays under a minute on a busy machine


@pytest.fixture
def app(db, settings):
    # Each request would close the test's connection (and its transaction)
    # when it ends: Django's test client turns that off the same way.
    settings.WAITROOM_API_REQUESTS_PER_MINUTE = 0
    settings.WAITROOM_API_NOTIFY_PER_MINUTE = 0
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_answers_as_its_schema_says(app, clinic, make_key):
    _key, text = make_key("read", "notify", "invite")
    callers = [make_caller(clinic, name=f"Caller {i}", phone="0151 234") for i in range(3)]
    do_add_quick_reply(clinic, actor=None, title="Soon", text_en="{first_name}, you are next.")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} >= {
        "GET /api/v1/clinic",
        "GET /api/v1/callers",
        "GET /api/v1/callers/{caller_id}",
        "POST /api/v1/callers/{caller_id}/notify",
        "POST /api/v1/notify",
    }
    answered, calls = set(), []
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                if mode == schemathesis.GenerationMode.POSITIVE and len(calls) % 2:
                    # Half of them about callers who are there, with a message
                    # to send, so that the answers are not all refusals.
                    if "caller_id" in (case.path_parameters or {}):
                        case.path_parameters["caller_id"] = callers[0].pk
                    if isinstance(case.body, dict):
                        case.body = {**case.body, "body": "Hello", "quick_reply": None}
                        if operation.path == "/api/v1/notify":
                            case.body.pop("caller_ids", None)
                            case.body["all_waiting"] = True
                response = case.call_and_validate(headers={"Authorization": f"Bearer {text}"}, checks=CHECKS)
                answered.add((operation.path, response.status_code))
                calls.append(response.status_code)

            run()
    # Not only refusals: each operation also did its work.
    assert {path for path, status in answered if status == 200} >= {
        "/api/v1/clinic",
        "/api/v1/callers",
        "/api/v1/callers/{caller_id}",
        "/api/v1/callers/{caller_id}/notify",
        "/api/v1/notify",
    }

"""HTTP requests run whole in a pool thread (waitroom/server/http.py): the
same answers as Django's ASGI handler, the body as sent (also chunked), a
streaming response as it is made, announcements meant for right behind the
response right behind it, work for after the response (Django's
request_finished, where events.after_response runs) only once it was sent,
a thread free for the next request while the loop sends the last, and
"try again in N s" at once, instead of a wait for nobody, once requests wait
too long for a thread (load shedding)."""

import asyncio
import json
import threading
import time

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpResponse, StreamingHttpResponse

from channels.layers import get_channel_layer

from realtime import events
from waitroom.headers import NO_CALLS
from waitroom.server.http import DjangoInThreads

from .test_switches import in_fresh_process

pytestmark = pytest.mark.django_db(transaction=True)


def scope(path="/", method="GET", headers=(), query=b""):
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "root_path": "", "query_string": query,
        "headers": [(b"host", b"testserver"), *headers], "client": ("10.0.0.7", 50000), "server": ("testserver", 80),
    }


async def call(app, scope, body_parts=(b"",)):
    """What the app sends for a request whose body comes in these parts."""
    incoming = [
        {"type": "http.request", "body": part, "more_body": i < len(body_parts) - 1}
        for i, part in enumerate(body_parts)
    ]
    sent = []

    async def receive():
        if incoming:
            return incoming.pop(0)
        await asyncio.Event().wait()  # the client stays (Django's handler listens for it leaving)

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent


def headers_of(start):
    return {name.decode().lower(): value.decode() for name, value in start["headers"]}


class Recorder:
    """A WSGI application whose response is built by `make(environ)`."""

    def __init__(self, make):
        self.make = make
        self.seen = {}

    def __call__(self, environ, start_response):
        self.seen.update(environ=environ, thread=threading.current_thread().name, body=environ["wsgi.input"].read(
            int(environ.get("CONTENT_LENGTH") or 0)))
        response = self.make(environ)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return response


def in_threads(make):
    app = DjangoInThreads(2)
    app.handler = Recorder(make)
    return app


async def test_a_page_is_answered_as_django_s_asgi_handler_answers_it():
    ours = await call(DjangoInThreads(2), scope("/login/"))
    django = await call(ASGIHandler(), scope("/login/"))
    assert ours[0]["status"] == django[0]["status"] == 200
    ours_headers, django_headers = headers_of(ours[0]), headers_of(django[0])
    assert ours_headers["cache-control"] == django_headers["cache-control"]
    assert "no-store" in ours_headers["cache-control"]
    assert ours_headers["content-security-policy"] == django_headers["content-security-policy"]
    assert ours_headers["set-cookie"].startswith("csrftoken=")
    assert ours_headers.keys() == django_headers.keys()
    assert b"<form" in b"".join(m.get("body", b"") for m in ours[1:])


async def test_a_body_sent_in_chunks_without_a_length_arrives_whole():
    app = in_threads(lambda environ: HttpResponse("ok"))
    sent = await call(app, scope("/x/", "POST", [(b"content-type", b"text/plain")]), [b"Gr\xc3\xbc", b"\xc3\x9fe", b""])
    assert sent[0]["status"] == 200
    assert app.handler.seen["body"] == "Grüße".encode()
    environ = app.handler.seen["environ"]
    assert environ["REMOTE_ADDR"] == "10.0.0.7" and environ["HTTP_HOST"] == "testserver"
    assert app.handler.seen["thread"].startswith("http")


async def test_a_path_and_query_that_are_not_ascii_reach_the_view_as_django_reads_them():
    app = in_threads(lambda environ: HttpResponse("ok"))
    await call(app, scope("/w/straße/", query=b"a=%C3%BC"))
    environ = app.handler.seen["environ"]
    assert environ["PATH_INFO"].encode("latin1").decode() == "/w/straße/"
    assert environ["QUERY_STRING"] == "a=%C3%BC"


async def test_a_streaming_response_is_sent_as_it_is_made():
    app = in_threads(lambda environ: StreamingHttpResponse(iter([b"one,", b"two,", b"three"])))
    sent = await call(app, scope("/audit.csv"))
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    assert [m["body"] for m in bodies if m["body"]] == [b"one,", b"two,", b"three"]
    assert bodies[-1].get("more_body", False) is False


async def test_work_for_after_the_response_runs_once_it_was_sent():
    seen = {}
    sent = []

    def make(environ):
        events.request_started()  # as Django's handler signals it
        events.after_response(lambda: seen.update(sent_before=list(sent)))  # e.g. a mail (accounts/views.py)
        return HttpResponse("stored")

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    await in_threads(make)(scope("/password-reset/", "POST"), receive, send)
    assert [m["type"] for m in seen["sent_before"]] == ["http.response.start", "http.response.body"]


async def test_a_thread_takes_the_next_request_while_the_loop_still_sends_the_last():
    app = DjangoInThreads(1)
    app.handler = Recorder(lambda environ: HttpResponse("ok"))
    slow_client = asyncio.Event()

    async def stuck_send(message):  # the first client reads its answer slowly
        await slow_client.wait()

    async def receive():
        return {"type": "http.request", "body": b""}

    first = asyncio.ensure_future(app(scope("/one/"), receive, stuck_send))
    second = await asyncio.wait_for(call(app, scope("/two/")), 5)  # the one thread is free
    assert second[0]["status"] == 200
    assert not first.done()
    slow_client.set()
    await asyncio.wait_for(first, 5)


async def test_a_request_s_announcements_reach_the_loop_in_order_and_those_for_after_the_response_follow_it(monkeypatch):
    """Stored, then told: what a request announces on commit goes to the
    loop at once; what waits for the response (a notification to many) goes
    right behind the response, without a second trip once it was sent."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(events.staff_group(1), channel)
    order = []
    group_send = layer.group_send

    async def recording_group_send(group, message):
        order.append(f"announced {message['receipts'][0]['caller_id']}")
        await group_send(group, message)

    monkeypatch.setattr(layer, "group_send", recording_group_send)

    def receipt(caller_id):
        return [{"caller_id": caller_id, "delivered_seq": 1, "seen_seq": 0}]

    def make(environ):
        events.request_started()  # as Django's handler signals it
        events.publish_receipts(1, receipt(1))  # on commit
        events.behind_the_response(lambda: events.publish_receipts(1, receipt(2)))
        events.publish_receipts(1, receipt(3))
        return HttpResponse("stored")

    async def send(message):
        order.append(message["type"])

    async def receive():
        return {"type": "http.request", "body": b""}

    await in_threads(make)(scope("/notify/", "POST"), receive, send)
    heard = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(3)]
    assert [event["receipts"][0]["caller_id"] for event in heard] == [1, 3, 2]
    assert order == ["announced 1", "announced 3", "http.response.start", "http.response.body", "announced 2"]


async def test_a_handler_that_raises_leaves_its_thread_free_for_the_next_request():
    def fail(environ):
        raise RuntimeError("a bug")

    app = in_threads(fail)
    with pytest.raises(RuntimeError):
        await call(app, scope("/"))
    app.handler = Recorder(lambda environ: HttpResponse("fine"))
    sent = await asyncio.wait_for(call(app, scope("/")), 5)
    assert sent[0]["status"] == 200


def test_the_tuned_http_handler_is_the_default_and_can_be_switched_off():
    code = "import json, waitroom.asgi as a; print(json.dumps(type(a.django_asgi_app).__name__))"
    assert in_fresh_process(code) == "DjangoInThreads"
    assert in_fresh_process(code, WAITROOM_TUNED_HTTP="false") == "ASGIHandler"


def test_how_long_a_request_may_wait_for_a_thread_is_a_setting():
    code = "import json, waitroom.asgi as a; print(json.dumps(a.django_asgi_app.queue_seconds))"
    assert in_fresh_process(code) == 20
    assert in_fresh_process(code, WAITROOM_HTTP_QUEUE_SECONDS="7") == 7


# Load shedding -----------------------------------------------------------------


class Held:
    """A WSGI application whose first request holds the one thread until released."""

    def __init__(self):
        self.release = threading.Event()
        self.ran = []

    def __call__(self, environ, start_response):
        self.ran.append(environ["PATH_INFO"])
        if len(self.ran) == 1:
            self.release.wait(10)
        response = HttpResponse("done")
        start_response("200 OK", list(response.items()))
        return response


def held_app(queue_seconds=0.3):
    app = DjangoInThreads(1, queue_seconds=queue_seconds)
    app.handler = Held()
    return app


async def test_a_request_that_waited_too_long_for_a_thread_is_answered_try_again_and_not_run():
    app = held_app()
    first = asyncio.ensure_future(call(app, scope("/first/")))
    second = asyncio.ensure_future(call(app, scope("/w/sunrise/", "POST")))  # an entry: it would make a caller
    await asyncio.sleep(0.5)
    app.handler.release.set()
    assert (await asyncio.wait_for(first, 5))[0]["status"] == 200
    answer = await asyncio.wait_for(second, 5)
    assert answer[0]["status"] == 503
    assert int(headers_of(answer[0])["retry-after"]) >= 1
    assert app.handler.ran == ["/first/"]  # the entry never ran


async def test_while_the_oldest_waits_too_long_new_requests_are_answered_at_once_until_the_queue_moves():
    app = held_app()
    first = asyncio.ensure_future(call(app, scope("/first/")))
    queued = asyncio.ensure_future(call(app, scope("/queued/")))
    await asyncio.sleep(0.5)
    started = asyncio.get_running_loop().time()
    refused = await asyncio.wait_for(call(app, scope("/new/")), 5)
    assert asyncio.get_running_loop().time() - started < 0.2  # at once, not after the queue
    assert refused[0]["status"] == 503 and headers_of(refused[0])["retry-after"] == "1"
    assert not queued.done()
    app.handler.release.set()
    await asyncio.wait_for(asyncio.gather(first, queued), 5)
    fresh = await asyncio.wait_for(call(app, scope("/later/")), 5)
    assert fresh[0]["status"] == 200
    assert app.handler.ran == ["/first/", "/later/"]


async def test_nothing_is_refused_while_the_queue_moves():
    app = DjangoInThreads(1, queue_seconds=0.5)

    def make(environ):
        time.sleep(0.02)
        return HttpResponse("ok")

    app.handler = Recorder(make)
    answers = await asyncio.wait_for(asyncio.gather(*(call(app, scope(f"/{i}/")) for i in range(15))), 10)
    assert [a[0]["status"] for a in answers] == [200] * 15


async def answered_while_behind(request):
    """What `request` (a scope) is answered while a request has waited too
    long for the one thread, behind another that holds it."""
    app = held_app()
    first = asyncio.ensure_future(call(app, scope("/first/")))
    queued = asyncio.ensure_future(call(app, scope("/queued/")))
    await asyncio.sleep(0.5)
    start, body = await asyncio.wait_for(call(app, request), 5)
    app.handler.release.set()
    await asyncio.wait_for(asyncio.gather(first, queued), 5)
    return start, body


@pytest.mark.parametrize("accept_language, heading", [(b"de-DE,de;q=0.9", "Gerade sehr viel los"),
                                                      (b"en-GB", "Very busy just now"),
                                                      (b"\xff\xfe;q=\x00garbage", "Very busy just now")])
async def test_the_try_again_page_is_in_the_reader_s_language(accept_language, heading):
    start, body = await answered_while_behind(scope("/w/sunrise/", headers=[(b"accept-language", accept_language)]))
    html = body["body"].decode()
    assert start["status"] == 503
    headers = headers_of(start)
    assert headers["content-type"].startswith("text/html")
    # The headers every answer of the app carries (waitroom/headers.py, settings).
    assert headers["permissions-policy"] == NO_CALLS
    assert headers["referrer-policy"] == "same-origin" and headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store" and headers["x-content-type-options"] == "nosniff"
    assert f"<h1>{heading}</h1>" in html
    assert "waitroom/app.css" in html
    assert {"Gerade sehr viel los": "in 1 Sekunde erneut", "Very busy just now": "try again in 1 second:"}[heading] in html


@pytest.mark.parametrize("path, headers", [("/api/v1/callers", []),
                                           ("/clinics/sunrise/notify/", [(b"content-type", b"application/json")]),
                                           ("/clinics/sunrise/thread/1/", [(b"accept", b"application/json")])])
async def test_the_api_and_the_pages_json_calls_hear_it_as_json(path, headers):
    start, body = await answered_while_behind(scope(path, "POST", headers=[*headers, (b"accept-language", b"de")]))
    assert start["status"] == 503 and headers_of(start)["content-type"] == "application/json"
    error = json.loads(body["body"])["error"]
    assert error["code"] == "busy"
    assert error["message"] == "Gerade ist bei Waitroom sehr viel los. Bitte versuchen Sie es in 1 Sekunde erneut."


async def test_a_try_again_answer_that_fails_fails_its_request_and_hangs_nothing(monkeypatch):
    import waitroom.server.http as http

    def broken(environ, seconds):
        raise RuntimeError("a bug in the busy page")

    monkeypatch.setattr(http, "busy_response", broken)
    app = held_app()
    first = asyncio.ensure_future(call(app, scope("/first/")))
    queued = asyncio.ensure_future(call(app, scope("/queued/")))
    await asyncio.sleep(0.5)
    app.handler.release.set()
    await asyncio.wait_for(first, 5)
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(queued, 5)
    assert (await asyncio.wait_for(call(app, scope("/next/")), 5))[0]["status"] == 200

"""Django's HTTP requests, each run whole in a thread of a small pool.

Django's ASGI handler runs a request's middleware and view in a new thread
per request, and crosses back to the event loop and out again between the
middleware that can run async (Axes, CSP, ...) and the ones that cannot (ours),
and around the view. Each crossing waits its turn behind whatever else the
loop is doing: while a notify-all reaches ten thousand pages, that is hundreds
of milliseconds per crossing, and a staff member's click waits for several.
Each new thread also opens a new database connection.

Here a request runs as under WSGI (Django's WSGIHandler: every middleware in
its sync form, the same code as `manage.py runserver`) in one pool thread from
start to finish; the event loop only reads the body before and writes the
response after: one crossing each way. The request's announcements are
handed to the loop without the thread waiting for it to take them
(events.hand_over_to); those meant for right behind the response (a
notification to many) go with it to the loop, which sends them right after
it (events.response_made), not after a second crossing once it was sent.
The thread takes the next request as soon as it has handed the response
over, unless work waits for the response to be sent (events.after_response).
Pool threads live on, so their
database connections are kept (CONN_MAX_AGE) or taken from the pool
(PostgreSQL). A streaming response (the audit CSV) is sent chunk by chunk as
its thread makes them.

**Load shedding.** Requests wait for a thread in arrival order. A process
that falls behind (ten thousand new callers at once) does not let them wait
until the proxy gives up (nginx: 60 s, deploy/nginx-waitroom.conf) and then
run them anyway, for browsers that have gone: an entry made then is a caller
on the dashboard whom nobody will ever answer. Instead, once the oldest
request still waiting for a thread has waited WAITROOM_HTTP_QUEUE_SECONDS, a
new request is answered at once with 503 and "try again in N s"
(`Retry-After`, the page templates/503.html in the reader's language, or
JSON {"error": {"code": "busy", ...}} for the API and the pages' JSON calls),
and a request that did wait that long for its thread is answered so too
instead of being run. Nothing is refused while the queue moves.

On: the setting WAITROOM_TUNED_HTTP (default true) makes waitroom/asgi.py
serve HTTP with `DjangoInThreads`; WAITROOM_HTTP_THREADS sets the pool's size.
Off: Django's own ASGI handler (no load shedding).
"""

import asyncio
import collections
import functools
import json
import math
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from tempfile import SpooledTemporaryFile

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.template.loader import render_to_string
from django.utils import translation

from realtime import events
from waitroom.headers import NO_CALLS

BODY_IN_MEMORY = 64 * 1024  # a larger body goes to a temporary file, as Django's ASGI handler does


class Waiting:
    """A request waiting for a pool thread: since when, and whether a thread
    has taken it (set by that thread)."""

    __slots__ = ("since", "taken")

    def __init__(self):
        self.since = time.monotonic()
        self.taken = False


class DjangoInThreads:
    def __init__(self, threads, queue_seconds=20.0):
        self.handler = WSGIHandler()
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="http")
        self.queue_seconds = queue_seconds
        self.waiting = collections.deque()  # a Waiting per request handed to the pool, in arrival order
        # Run as asgiref runs sync code: in the pool's threads, async_to_sync
        # (announcing to the channel layer) runs on this server's event loop.
        self.respond = sync_to_async(self._respond, thread_sensitive=False, executor=self.pool)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"DjangoInThreads serves http, not {scope['type']}")
        loop = asyncio.get_running_loop()
        with SpooledTemporaryFile(max_size=BODY_IN_MEMORY) as body:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # gone before it finished sending: nothing to answer
                body.write(message.get("body", b""))
                if not message.get("more_body"):
                    break
            size = body.tell()
            body.seek(0)
            environ = wsgi_environ(scope, body)
            environ.setdefault("CONTENT_LENGTH", str(size))  # sent chunked: WSGI reads what the length says
            behind = self.behind()
            if behind >= self.queue_seconds:
                start, chunks = busy_response(environ, math.ceil(behind))
                await send(start)
                await send({"type": "http.response.body", "body": b"".join(chunks)})
                return
            waiting = Waiting()
            self.waiting.append(waiting)
            made, sent = loop.create_future(), threading.Event()
            running = asyncio.ensure_future(self.respond(environ, send, loop, made, sent, waiting))
            running.add_done_callback(lambda _: setattr(waiting, "taken", True))  # (never counted as waiting on)
            try:
                start, chunks, announcements = await asyncio.shield(made)
                if start is not None:
                    await send(start)
                    await send({"type": "http.response.body", "body": b"".join(chunks)})
                events.send_held(announcements)
            finally:
                sent.set()  # the thread closes the response: Django's request_finished
                await running

    def behind(self):
        """Seconds the oldest request still waiting for a thread has waited (0: none waits)."""
        waiting = self.waiting
        while waiting and waiting[0].taken:
            waiting.popleft()
        return time.monotonic() - waiting[0].since if waiting else 0.0

    def _respond(self, environ, send, loop, made, sent, waiting):
        """In a pool thread: the whole request; the response goes to the loop
        (`made`) to be sent, and is closed once it was (`sent`), in this
        thread, as Django's ASGI handler closes it after sending. A streaming
        response is sent from here as it is made."""
        waiting.taken = True
        waited = time.monotonic() - waiting.since
        started = {}
        events.hand_over_to(loop)  # this thread's announcements go to the loop without waiting for it

        def start_response(status, headers, exc_info=None):
            started["start"] = {
                "type": "http.response.start",
                "status": int(status.split(" ", 1)[0]),
                # (Django's WSGI handler writes cookies as " name=value", for a "Set-Cookie:" before them.)
                "headers": [(name.lower().encode("latin1"), value.strip().encode("latin1")) for name, value in headers],
            }

        def on_loop(message):
            asyncio.run_coroutine_threadsafe(send(message), loop).result()

        response = None
        try:
            if waited >= self.queue_seconds:  # its browser may have given up: not run, "try again"
                loop.call_soon_threadsafe(_settle, made, (*busy_response(environ, math.ceil(waited)), ()))
                return
            response = self.handler(environ, start_response)
            if getattr(response, "streaming", False):
                on_loop(started["start"])
                for chunk in response:
                    if chunk:
                        on_loop({"type": "http.response.body", "body": chunk, "more_body": True})
                on_loop({"type": "http.response.body", "body": b""})
                loop.call_soon_threadsafe(_settle, made, (None, None, ()))
            else:
                chunks = list(response)
                # What waits for the response is announced right behind it (notify many).
                loop.call_soon_threadsafe(_settle, made, (started["start"], chunks, events.response_made()))
                if not events.waits_for_the_response():
                    return  # closed now: the thread takes the next request while the loop sends this one
            sent.wait()
        except BaseException as error:
            loop.call_soon_threadsafe(_fail, made, error)
            raise
        finally:
            if response is not None:
                response.close()  # request_finished: what waited for the response is announced now


def busy_response(environ, seconds):
    """503 "try again in `seconds` s": the ASGI response start and body
    chunks, in the language Django would have chosen for the request
    (LocaleMiddleware's rules), as JSON where the request expects JSON."""
    request = WSGIRequest(environ)
    language = translation.get_language_from_request(request)
    wants_json = (
        request.path_info.startswith("/api/")
        or request.content_type == "application/json"
        or "application/json" in request.headers.get("Accept", "")
    )
    body, kind = _busy_body(language, seconds, wants_json)
    headers = [
        (b"content-type", kind),
        (b"retry-after", str(seconds).encode()),
        (b"content-language", language.encode()),
        # What the middleware gives every answer of the app (waitroom/headers.py,
        # Django's security settings), and a policy for a page without scripts.
        (b"cache-control", b"no-store"),
        (b"permissions-policy", NO_CALLS.encode()),
        (b"referrer-policy", settings.SECURE_REFERRER_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", settings.X_FRAME_OPTIONS.encode()),
        (b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'"),
    ]
    return {"type": "http.response.start", "status": 503, "headers": headers}, [body]


@functools.lru_cache(maxsize=256)
def _busy_body(language, seconds, wants_json):
    """Made once for each language and wait: a process that sheds load answers
    thousands of requests a second this way, on its event loop."""
    with translation.override(language):
        if wants_json:
            message = translation.ngettext(
                "Waitroom is very busy just now. Please try again in %(seconds)s second.",
                "Waitroom is very busy just now. Please try again in %(seconds)s seconds.",
                seconds,
            )
            error = {"code": "busy", "message": message % {"seconds": seconds}}
            return json.dumps({"error": error}).encode(), b"application/json"
        return render_to_string("503.html", {"seconds": seconds}).encode(), b"text/html; charset=utf-8"


def _settle(future, result):
    if not future.done():
        future.set_result(result)


def _fail(future, error):
    if not future.done():
        future.set_exception(error)


def wsgi_environ(scope, body):
    """The WSGI environ of an ASGI HTTP scope (PEP 3333; the ASGI spec's
    mapping), as Django's ASGIRequest reads the same scope."""
    script_name = scope.get("root_path", "").encode("utf8").decode("latin1")
    path_info = scope["path"].encode("utf8").decode("latin1")
    if script_name and path_info.startswith(script_name):
        path_info = path_info[len(script_name):]
    server = scope.get("server") or ("localhost", 80)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": scope.get("query_string", b"").decode("latin1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] if server[1] is not None else 80),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if scope.get("client"):
        environ["REMOTE_ADDR"] = scope["client"][0]
        environ["REMOTE_PORT"] = str(scope["client"][1])
    for name, value in scope.get("headers", []):
        name = name.decode("latin1").lower()
        if name == "content-length":
            key = "CONTENT_LENGTH"
        elif name == "content-type":
            key = "CONTENT_TYPE"
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
        value = value.decode("latin1")
        environ[key] = f"{environ[key]},{value}" if key in environ and key.startswith("HTTP_") else value
    return environ

"""The ceiling: the fastest simple thing a Python websockets server can do.

    python -m bench.ceiling --port 9101 --http-port 9102

No framework, no storage, no channel layer. It speaks just enough of
Waitroom's caller protocol for the benchmark's client, unchanged, to use it:

- websocket at /ws/w/<slug>/ with the `sessionid` cookie and an allowed Origin
  (403 otherwise); the session key names a caller id the benchmark registered
  (POST /bench/sessions on the HTTP port) — a dict stands in for the session table;
- a `hello` frame of Waitroom's shape on connect, `heartbeat` answered, any
  other frame (receipts) parsed and ignored;
- HTTP POST /clinics/<slug>/notify/ {caller_ids, body, client_id} on the HTTP
  port (a second port: websockets' own HTTP side speaks only GET) sends each
  named caller a `message` frame of Waitroom's shape with that caller's next
  seq, and answers {"sent": n}.

Like for like with Waitroom's tuned server (waitroom/server/protocol.py): it
sends no keepalive pings of its own (`ping_interval=None`; the pages'
heartbeats do that job) and lets go of each handshake's request and response
once the page is answered (websockets keeps both for the connection's life;
measured: 15.5 KB per page with both, 11.9 KB without).

Per-message deflate is off, as on Waitroom's uvicorn. It runs on uvloop, as
uvicorn does, and collects and freezes its objects as Waitroom's servers do
(waitroom/server/heap.py).
"""

import argparse
import asyncio
import json
import resource
from datetime import datetime, timezone
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from websockets.asyncio.server import broadcast, serve

from waitroom.server.heap import collect_young_regularly, keep_full_collections_short

ALLOWED_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
HEARTBEAT_SECONDS = 5

ANSWERED = object()  # stands for a handshake request let go of
SESSIONS = {}  # session key -> caller id
PAGES = {}  # caller id -> [connection, last seq sent]


def dumps(value):
    return json.dumps(value, separators=(",", ":"))


def now_iso():
    return datetime.now(timezone.utc).isoformat()


def process_request(connection, request):
    if not request.path.startswith("/ws/w/"):
        return connection.respond(404, "Not found\n")
    origin = request.headers.get("Origin")
    if not origin or urlsplit(origin).hostname not in ALLOWED_HOSTS:
        return connection.respond(403, "Forbidden\n")
    cookie = SimpleCookie(request.headers.get("Cookie", ""))
    morsel = cookie.get("sessionid")
    caller_id = SESSIONS.get(morsel.value) if morsel else None
    if caller_id is None:
        return connection.respond(403, "No visit\n")
    connection.caller_id = caller_id
    return None


async def page(connection):
    caller_id = connection.caller_id
    # Answered: as PageProtocol, keep no handshake. (websockets takes a
    # connection whose `request` is None for one still waiting for its request.)
    connection.request, connection.response = ANSWERED, None
    state = PAGES[caller_id] = [connection, 0]
    await connection.send(
        dumps(
            {
                "type": "hello",
                "visit": {"clinic_id": 1, "status": "waiting", "present": True, "leave_reason": "", "arrived_at": now_iso()},
                "clinic": {"name": "Bench Clinic", "slug": "bench", "guest_messaging": False, "waiting_text": {"en": "", "de": ""}, "language": "", "paused": False},
                "messages": [],
                "call": None,
                "me": None,
                "ice_servers": [],
                "heartbeat_seconds": HEARTBEAT_SECONDS,
                "now": now_iso(),
            }
        )
    )
    heartbeat = dumps({"type": "heartbeat"})
    try:
        async for text in connection:
            try:
                frame = json.loads(text)
            except ValueError:
                continue
            if frame.get("type") == "heartbeat":
                await connection.send(heartbeat)
    finally:
        if PAGES.get(caller_id) is state:
            del PAGES[caller_id]


def notify(data):
    body = data["body"]
    prefix = '{"type":"message","message":{"seq":'
    suffix = f',"sender":"clinic","body":{dumps(body)},"created_at":"{now_iso()}"}}}}'
    sent = 0
    for caller_id in data["caller_ids"]:
        state = PAGES.get(caller_id)
        if state is None:
            continue
        state[1] += 1
        broadcast((state[0],), prefix + str(state[1]) + suffix)
        sent += 1
    return {"sent": sent}


async def http(reader, writer):
    """HTTP/1.1 with keep-alive, just enough for the benchmark's two POSTs."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            status, answer = 200, None
            if method == "POST" and path.startswith("/clinics/") and path.endswith("/notify/"):
                answer = notify(json.loads(body))
            elif method == "POST" and path == "/bench/sessions":
                SESSIONS.update({key: int(caller_id) for key, caller_id in json.loads(body).items()})
                answer = {"sessions": len(SESSIONS)}
            else:
                status, answer = 404, {"error": "not found"}
            payload = dumps(answer).encode()
            writer.write(
                b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % (status, b"OK" if status == 200 else b"Not Found", len(payload))
                + payload
            )
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(args):
    collect_young_regularly(asyncio.get_running_loop())  # as Waitroom's servers do (waitroom/server/heap.py)
    http_server = await asyncio.start_server(http, args.host, args.http_port, backlog=1024)
    async with serve(page, args.host, args.port, process_request=process_request, compression=None, backlog=4096, max_size=65536,
                     ping_interval=None):
        async with http_server:
            print("ready", flush=True)
            await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    keep_full_collections_short()  # as Waitroom's servers do (waitroom/server/heap.py)
    try:
        import uvloop

        uvloop.run(main(args))
    except ImportError:
        asyncio.run(main(args))

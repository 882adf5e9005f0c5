"""How a Python program is a Waitroom page: said once for the socket tests,
scaleout/ and bench/.

Not a Django app and not part of the product: a plain package of the
repository, for the programs that test and measure it.

- `protocol` — what a page says and expects (docs/realtime.md): the socket
  paths, the session cookie, the frames a page sends, the first frame each
  socket gets, the resume rule (?after=<last seq>), the stop codes and the
  reconnect backoff. No Django, no transport: the benchmark's lean client for
  10,000 pages imports it in processes without Django.
- `sessions` — the cookies, made directly in the database: a caller's session
  for a visit, a signed-in staff member's session (needs Django set up).
- `live` — a page over a real socket (`websockets`) to a real server process,
  as the browser's LiveSocket behaves, and a staff member posting over HTTP.
- `inprocess` — a page through the whole ASGI application in the test's own
  process (Channels' WebsocketCommunicator); `sockets` builds the socket
  tests' `Sockets` (the `sockets` fixture) and their frame helpers on it.
- `helpers` — callers made through the actions, a caller who comes in through
  the web page, a listener on the channel layer (fixtures: conftest.py).

The transports differ where they must (ten thousand pages in one process need
bench/client.py's Sans-I/O protocol objects; a test wants readable asyncio);
what a page says does not.
"""

"""Server tuning for a process that holds thousands of idle pages: opt-in,
and each part switched on where the server is started, never by an import.

Five tunings, each with stock upstream code as the other, supported choice
(CI runs the browser and scale-out tests in both modes: `make test-stock`):

- protocol.py: uvicorn's Sans-I/O websocket protocol, holding less per page
  (no handshake kept, no keepalive timer, a single-reader inbox), pausing
  reading only when the app falls behind, and offering the app `send_now`
  (a frame written before the call returns) and `receive_now` (the app's
  handler offered each frame as it is read): realtime/frames.py. On: the server's command line,
  `uvicorn waitroom.asgi:application --ws waitroom.server.protocol:PageProtocol`
  (`make run`, deploy/waitroom@.service). Off: any other `--ws`, e.g.
  `--ws websockets-sansio --ws-max-size 131072`.
- layers.py: channel layers that share one event among the consumers of a
  process instead of copying or deserialising it per consumer, and offer it
  to a waiting consumer before queuing it (`serve_now`). On: the setting
  WAITROOM_TUNED_LAYERS (default true) selects LocalChannelLayer, or with
  REDIS_URL SharedRedisPubSubLayer. Off: WAITROOM_TUNED_LAYERS=false selects
  Channels' InMemoryChannelLayer / channels_redis' RedisPubSubChannelLayer.
- heap.py: garbage collections that walk only what is new. On: started by
  PageProtocol on its event loop, unless the setting WAITROOM_TUNED_HEAP is
  false. With the stock protocol it is off.
- http.py: each HTTP request run whole in a pool thread by Django's WSGI
  handler, instead of Django's ASGI handler crossing between threads and the
  busy event loop several times per request; announcements handed to the
  loop without waiting for it, a notification to many right behind its
  response; and once requests wait too long for a thread, "try again in N s"
  (503) at once rather than a wait that ends in the proxy's timeout. On: the
  setting WAITROOM_TUNED_HTTP (default true; waitroom/asgi.py),
  WAITROOM_HTTP_THREADS threads, WAITROOM_HTTP_QUEUE_SECONDS the longest
  wait for one. Off: WAITROOM_TUNED_HTTP=false.
- sqlite/: Django's SQLite backend whose writers of one process wait their
  turn on a lock instead of in SQLite's busy sleeps, and whose commits leave
  copying the write-ahead log back to a thread of its own. On: the setting
  WAITROOM_TUNED_SQLITE (default true; waitroom/settings.py names it as the
  engine of a SQLite database). Off: WAITROOM_TUNED_SQLITE=false.

Every private upstream name these rely on has a contract test
(tests/test_upstream_contracts.py) that says what to revisit when an upgrade
removes or changes it. `realtime` (the leaf) never imports this package; this
package may import `realtime` (`limits`; `events`, to hand announcements over)
and the project's `waitroom.headers` (the headers of its own 503 answer).
"""

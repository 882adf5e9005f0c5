"""A real HTTP receiver on 127.0.0.1 for the webhook tests, in a thread: it
checks each request's signature as the Standard Webhooks specification says
(its own implementation, not the product's), and answers as told."""

import base64
import hmac
import http.server
import threading
import time


def verify(secret, headers, body):
    """The receiver's side of the spec: the key is the base64 after `whsec_`;
    the signed content is "{webhook-id}.{webhook-timestamp}.{body}"; the header
    holds space-separated "v1,<base64>" signatures, one of which must match."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = headers["webhook-id"].encode() + b"." + headers["webhook-timestamp"].encode() + b"." + body
    expected = base64.b64encode(hmac.digest(key, content, "sha256"))
    for candidate in headers["webhook-signature"].split(" "):
        version, _, sig = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(sig.encode(), expected):
            return True
    return False


class Receiver:
    """Serves on 127.0.0.1:`port` (0: any). `answers` is a list of what to do
    with the next requests (a status code, "drop": read the request and close
    without an answer, "hang": never answer, "drip": answer a byte at a
    time); afterwards it answers `default`. `received` has (headers, body,
    signature valid) of each request it read."""

    def __init__(self, secret=None, port=0, answers=(), default=204, delay=0, tls=None):
        self.secret, self.answers, self.default, self.delay = secret, list(answers), default, delay
        self.received = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                headers[":path"] = self.path
                valid = verify(receiver.secret, headers, body) if receiver.secret else None
                with receiver.lock:
                    receiver.received.append((headers, body, valid))
                    answer = receiver.answers.pop(0) if receiver.answers else receiver.default
                if receiver.delay:
                    time.sleep(receiver.delay)
                if answer == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if answer == "hang":
                    time.sleep(3)
                    return
                if answer == "drip":
                    for byte in b"HTTP/1.1 200 OK\r\n\r\n":
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(0.1)
                    return
                self.send_response(answer)
                if 300 <= answer < 400:
                    self.send_header("location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        if tls is not None:  # an ssl.SSLContext: HTTPS
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks"

    def ids(self):
        return [headers["webhook-id"] for headers, _, _ in self.received]

    def kill(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()

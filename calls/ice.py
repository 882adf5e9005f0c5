"""The STUN/TURN servers a page's browser gets for its calls.

With WAITROOM_TURN_SECRET set (coturn's `static-auth-secret`), each page gets
TURN credentials of its own that expire after a day — coturn's "TURN REST API"
scheme — instead of one password every browser could keep and reuse.
"""

import base64
import hashlib
import hmac
import time

from django.conf import settings

CREDENTIALS_LAST = 24 * 3600


def ice_servers():
    secret = settings.WAITROOM_TURN_SECRET
    servers = []
    for server in settings.WAITROOM_ICE_SERVERS:
        urls = server["urls"] if isinstance(server["urls"], list) else [server["urls"]]
        if secret and "username" not in server and any(u.startswith(("turn:", "turns:")) for u in urls):
            username = f"{int(time.time()) + CREDENTIALS_LAST}:waitroom"
            digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
            server = {**server, "username": username, "credential": base64.b64encode(digest).decode()}
        servers.append(server)
    return servers

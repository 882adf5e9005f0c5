"""What a page may send: the limits every app and page share (pages get
them in their data, `page.limits`), and the budget of frames."""

import ipaddress
import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac

BODY_MAX = 1000  # characters of one message in a caller's thread
FRAME_MAX = 32_768  # characters of one frame: a WebRTC offer (≤ 20,000) fits, and a message of BODY_MAX


def page_limits():
    """The limits a page checks before it sends (the server checks them again)."""
    return {"body_max": BODY_MAX}


class TokenBucket:
    """Allows `burst` events at once and `rate` a second after that."""

    def __init__(self, rate, burst):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def give_back(self):
        """Undo the last `take` (the event it was taken for will be taken again)."""
        self.tokens += 1


class SharedTokenBucket:
    """A TokenBucket kept in the cache the processes share (Redis when there is
    one), under `key`: a page that reconnects, or reconnects to another
    process, finds the allowance where it left it.

    Reading and writing the bucket is two steps: the caller takes it while
    holding a lock that orders all takers of this key (a row lock)."""

    def __init__(self, key, rate, burst):
        self.key = f"waitroom:bucket:{key}"
        self.rate = rate
        self.burst = burst

    def take(self):
        now = time.time()  # wall time: the processes share it, not their monotonic clocks
        tokens, updated = cache.get(self.key) or (float(self.burst), now)
        tokens = min(self.burst, tokens + max(0.0, now - updated) * self.rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        # Kept as long as it takes to fill up again, and a little more.
        cache.set(self.key, (tokens, now), timeout=int(self.burst / self.rate) + 60)
        return allowed


def count_within(key, limit, seconds):
    """Count one more event of `key` in the current window of `seconds`; False
    once more than `limit` were counted in it (0: no limit). The count is one
    atomic increment, so processes that share the cache never both get the last
    place."""
    if not limit:
        return True
    window = int(time.time() // seconds)
    key = f"waitroom:count:{key}:{window}"
    cache.add(key, 0, timeout=seconds + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, timeout=seconds + 60)
        count = cache.incr(key)
    return count <= limit


def address_key(address):
    """What an address is counted as: IPv6 by its /64 (one household's
    prefix), and kept as a keyed hash — the cache holds no patient's address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if ip is not None and ip.version == 6 and ip.ipv4_mapped is None:
        address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
    elif ip is not None and ip.version == 6:
        address = str(ip.ipv4_mapped)
    return salted_hmac("waitroom.address", address, algorithm="sha256").hexdigest()[:32]

"""What a page may send: the limits every app and page share (pages get
them in their data, `page.limits`), and the budget of frames."""

import time

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

import time

FRAME_MAX = 32_768  # characters of one frame: a WebRTC offer (≤ 20,000) fits, and a message of 1,000


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

"""Channel layers fit for ten thousand callers on one process.

A broadcast reaches every caller page of a clinic: the same event goes to
thousands of consumers of one process. Neither of Channels' stock layers is
made for that: the in-memory layer deep-copies the event for each consumer and
scans every channel on every receive; the Redis pub/sub layer receives the
event once per process but deserialises it once per consumer. These
subclasses share the one event among the consumers of a process instead.
Consumers treat events as read-only (they build new dicts to send).

A consumer may also take an event there and then, while it waits for one
(`serve_now`, PageConsumer.take_now): a caller page writes a broadcast's frame
to its socket as the layer hands it over, instead of the layer waking its task
for it — ten thousand task switches fewer per broadcast.

Switched on by the setting WAITROOM_TUNED_LAYERS (default true; false selects
the stock layers). The upstream internals they rely on are checked by
tests/test_upstream_contracts.py.
"""

import asyncio
import collections
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer
from channels_redis.utils import _wrap_close

CLEAN_EVERY_SECONDS = 60.0  # a sweep walks every channel and group: 10,000 of each at 10,000 pages
# A group's event goes to its first few pages before it is queued for the
# rest: queuing it for ten thousand took 15 ms before the first page had it.
FIRST_FEW = 100


class Inbox:
    """A channel's queue, for its one reader: what the stock layer's
    `asyncio.Queue` does here, without the two waiter deques and the event
    each queue carries (ten thousand pages hold one each).

    `get` is a plain method that returns a future, and an item that arrives
    while the reader waits is handed to it directly: a wait is a future and
    nothing more (no coroutine), and ten thousand pages each renew theirs
    with every heartbeat and every broadcast (heap.py says why
    that counts). An item handed to a reader that is cancelled before it runs
    goes with it: readers are cancelled only when their page is gone.
    """

    __slots__ = ("_queue", "maxsize", "_waiter", "take_now")

    def __init__(self, maxsize):
        self._queue = collections.deque()  # the name the stock expiry sweep reads
        self.maxsize = maxsize
        self._waiter = None
        # The reader's own handling of an item while it waits (the layers'
        # serve_now, the protocol's receive_now): True when it took the item,
        # and its wait goes on.
        self.take_now = None

    def empty(self):
        return not self._queue

    def __len__(self):
        return len(self._queue)

    def put_nowait(self, item):
        waiter = self._waiter
        if waiter is not None:
            if not waiter.done():  # (cancelled: its reader has gone)
                if self.take_now is not None and self.take_now(item):
                    return
                self._waiter = None
                waiter.set_result(item)
                return
            self._waiter = None
        if len(self._queue) >= self.maxsize:
            raise asyncio.QueueFull
        self._queue.append(item)

    def get_nowait(self):
        return self._queue.popleft()

    def get(self):
        """A future of the next item."""
        future = asyncio.get_running_loop().create_future()
        if self._queue:
            future.set_result(self._queue.popleft())
        else:
            self._waiter = future
        return future


class LocalChannelLayer(InMemoryChannelLayer):
    """The in-memory layer (one process): no copies, no scan per receive."""

    def __init__(self, **kwargs):
        # A page leaves its groups when it closes (its consumer discards them;
        # a channel whose events expire unread leaves all of them): Channels'
        # default of a day would drop a dashboard left open overnight from its
        # clinic's group, silently.
        kwargs.setdefault("group_expiry", 10 * 365 * 86400)
        super().__init__(**kwargs)
        self._cleaned_at = 0.0
        self._in_order = asyncio.Lock()  # a group's events reach each page in the order they were sent

    def serve_now(self, channel, take):
        """`take(message)` is offered each event for `channel` that comes
        while its reader waits, before it is queued (PageConsumer.take_now)."""
        self._inbox(channel).take_now = lambda item: take(item[1])

    async def send(self, channel, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        self._put(channel, message)

    def _inbox(self, channel):
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = Inbox(self.get_capacity(channel))
        return queue

    def _put(self, channel, message):
        queue = self._inbox(channel)
        try:
            queue.put_nowait((time.time() + self.expiry, message))
        except asyncio.QueueFull:
            raise ChannelFull(channel)

    async def receive(self, channel):
        # The stock layer drops a channel's queue whenever it runs empty and
        # makes a new one for the next message: a consumer keeps its queue.
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self._inbox(channel)
        try:
            _, message = await queue.get()
        except asyncio.CancelledError:
            # Its consumer is leaving (that is when Channels cancels a reader),
            # as the pub/sub layer assumes too: the inbox goes with it.
            self.channels.pop(channel, None)
            raise
        return message

    async def group_send(self, group, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        async with self._in_order:
            channels = list(self.groups.get(group, ()))
            self._put_each(channels[:FIRST_FEW], message)
            if len(channels) > FIRST_FEW:
                await asyncio.sleep(0)  # the first few pages send it; the loop comes back for the rest at once
                members = self.groups.get(group, {})  # (without the pages that left meanwhile)
                self._put_each([c for c in channels[FIRST_FEW:] if c in members], message)

    def _put_each(self, channels, message):
        for channel in channels:
            try:
                self._put(channel, message)
            except ChannelFull:
                pass  # at-most-once: that page catches up from the database

    def _clean_expired(self):
        # Expired messages and stale memberships only cost memory: sweep them
        # now and then, not on every receive of every consumer.
        now = time.monotonic()
        if now - self._cleaned_at >= CLEAN_EVERY_SECONDS:
            self._cleaned_at = now
            super()._clean_expired()


class _PubSubLoopLayer(RedisPubSubLoopLayer):
    async def _subscribe_to_channel(self, channel):
        self.channels[channel] = Inbox(maxsize=float("inf"))  # unbounded, as the stock asyncio.Queue
        await self._get_shard(channel).subscribe(channel)


class SharedRedisPubSubLayer(RedisPubSubChannelLayer):
    """Redis pub/sub (many processes): one publish per group, one message per
    process, and now one deserialisation per process too — the consumers of a
    group are handed the very same bytes, so the last result is reused. Each
    channel's queue is an Inbox, as in the in-memory layer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_raw = None
        self._last_message = None

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _PubSubLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return layer

    def serve_now(self, channel, take):
        """As LocalChannelLayer.serve_now: `channel` is one of new_channel's."""
        inbox = self._get_layer().channels.get(channel)
        if inbox is not None:
            inbox.take_now = lambda raw: take(self.deserialize(raw))

    def deserialize(self, message):
        if message is self._last_raw:
            return self._last_message
        result = super().deserialize(message)
        self._last_raw, self._last_message = message, result
        return result

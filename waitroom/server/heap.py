"""Keep Python's full garbage collections short in a process that holds many pages.

Every open page is about a hundred long-lived objects in the server (its socket,
protocol, consumer, scope, session). Python's full collection walks all of them,
however few are garbage: at 10,000 open pages that was a pause of up to a second
(measured with a gc callback), during which no page hears anything, and full
collections come every time a quarter as many objects again have survived, which
a broadcast to thousands easily does.

So, after each full collection, what survived it is frozen (gc.freeze): the next
full collection walks only what is newer. A frozen object is still freed the
moment its last reference goes (reference counting); only garbage in reference
cycles among frozen objects waits. Our consumers go by reference counting when a
page closes (tests/test_heap.py); uvicorn's protocol objects of a page do
not (about 40 objects in cycles per closed page). So once the frozen set has grown
to twice what the open pages explain — what the last thorough collection kept,
plus PAGE_OBJECTS for each page opened since — everything is thawed and the next
full collection walks it all: closed pages' leftovers never hold more than the
open pages do. A process that grows from 1,000 to 10,000 pages does not walk
everything on the way: such a walk stops every page for a third of a second at
10,000 (335 ms, measured), and growing is what a process does when every page
comes back at once.

Young objects get the same treatment on a timer (collect_young_regularly).

Switched on by the server's tuned protocol (protocol.py: PageProtocol starts
collect_young_regularly on its event loop, which installs the full-collection
policy too), unless the setting WAITROOM_TUNED_HEAP is false; never by
importing the ASGI application. The benchmark's own processes install it
themselves.
"""

import gc
import os
import time
import weakref

# Long-lived objects an open page holds in the server (its socket, protocol,
# consumer, scope, session...: from 1,343 to 10,001 pages the frozen set grew by
# 99 for each, measured with gc.get_freeze_count): each page opened since the
# last thorough collection explains this many more frozen objects.
PAGE_OBJECTS = 100


def open_sockets():
    """How many pages the process holds, near enough: its open files (a
    socket each, and a few more). Zero where the system does not tell."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 0


class FreezeSurvivors:
    """A gc callback: after a full collection, freeze what survived it, or thaw
    everything once the frozen set is twice what the open pages explain
    (`open_pages()`: how many are open now). The benchmark's processes, which
    hold ten thousand pages too, use it as the servers do.

    Counting the frozen set walks it (12 ms for a million objects), and with a
    small unfrozen heap full collections come often: it is counted once every
    `count_every` seconds."""

    def __init__(self, count_every=60.0, open_pages=open_sockets):
        self.count_every = count_every
        self.open_pages = open_pages
        self.counted_at = time.monotonic()
        self.thorough = True  # the next full collection walks everything
        self.kept = 0  # objects the last thorough collection kept
        self.pages_then = 0  # pages open at the last thorough collection

    def __call__(self, phase, info):
        if phase != "stop" or info["generation"] != 2:
            return
        if self.thorough:
            self.thorough = False
            gc.freeze()
            self.kept = gc.get_freeze_count()
            self.pages_then = self.open_pages()
        elif self._past_what_pages_explain():
            self.thorough = True
            gc.unfreeze()
        else:
            gc.freeze()

    def freeze_young(self):
        gc.collect(1)
        if self._past_what_pages_explain():
            self.thorough = True
            gc.unfreeze()
            gc.collect()  # a thorough one: __call__ freezes what survives it
        else:
            gc.freeze()

    def _past_what_pages_explain(self):
        now = time.monotonic()
        if now - self.counted_at < self.count_every:
            return False
        self.counted_at = now
        explained = self.kept + PAGE_OBJECTS * max(0, self.open_pages() - self.pages_then)
        return gc.get_freeze_count() > 2 * explained


def keep_full_collections_short():
    if not any(isinstance(c, FreezeSurvivors) for c in gc.callbacks):
        gc.callbacks.append(FreezeSurvivors())
    # Python starts a full collection after ten of the middle generation once a
    # quarter as many objects as the last full one kept have survived; with the
    # old ones frozen that quarter is small, and what survives a while (each idle
    # page's waiting future, renewed with every heartbeat) passes it every second
    # or so at 10,000 pages. A hundred instead of ten: one pause every half
    # minute or so rather than one a second (measured with a gc callback).
    gc.set_threshold(700, 10, 100)


# The loops on which FreezeSurvivors.freeze_young runs (see collect_young_regularly).
_young_collected = weakref.WeakSet()


def collect_young_regularly(loop, every=0.1):
    """Every `every` seconds on this event loop: collect the young generations,
    then freeze what survived (FreezeSurvivors.freeze_young).

    Python collects its youngest generation when allocations minus deallocations
    pass 700. A process of many long waits seldom passes that: each heartbeat's
    new wait (a future, its iterator, a callback: a few objects) replaces
    the page's last one, one for one, so the young generations grow instead —
    to 20,000–100,000 objects at 10,000 pages — and their collection then
    stopped everything for 10–60 ms; and the waits that reach the old
    generation, all alive, made each full collection a walk of 150 ms or more
    (measured with a gc callback). Collected every 100 ms, the young hold a tenth
    of a second's survivors (about a millisecond's walk), and frozen, those
    survivors are never walked again until the frozen set doubles."""
    if loop in _young_collected:
        return
    _young_collected.add(loop)
    keep_full_collections_short()
    survivors = next(c for c in gc.callbacks if isinstance(c, FreezeSurvivors))

    def tick():
        if not loop.is_closed():
            survivors.freeze_young()
            loop.call_later(every, tick)

    loop.call_later(every, tick)

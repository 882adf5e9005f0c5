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
page closes (realtime/tests/test_heap.py); uvicorn's protocol objects of a page do
not (about 40 objects in cycles per closed page). So once the frozen set has grown
to twice what the last thorough collection kept, everything is thawed and the
next full collection walks it all: closed pages' leftovers never hold more than
the open pages do, and a process growing from 1,000 to 10,000 pages walks
everything a few times on the way, not at every step.

Installed where the ASGI application is made (waitroom/asgi.py: the server
processes, and the tests that drive the application), and in the benchmark's own
processes.
"""

import gc
import time


class FreezeSurvivors:
    """A gc callback: after a full collection, freeze what survived it, or thaw
    everything once the frozen set is twice what the last thorough one kept.

    Counting the frozen set walks it (12 ms for a million objects), and with a
    small unfrozen heap full collections come often: it is counted once every
    `count_every` seconds."""

    def __init__(self, count_every=60.0):
        self.count_every = count_every
        self.counted_at = time.monotonic()
        self.thorough = True  # the next full collection walks everything
        self.kept = 0  # objects the last thorough collection kept

    def __call__(self, phase, info):
        if phase != "stop" or info["generation"] != 2:
            return
        if self.thorough:
            self.thorough = False
            gc.freeze()
            self.kept = gc.get_freeze_count()
        elif self._doubled():
            self.thorough = True
            gc.unfreeze()
        else:
            gc.freeze()

    def _doubled(self):
        now = time.monotonic()
        if now - self.counted_at < self.count_every:
            return False
        self.counted_at = now
        return gc.get_freeze_count() > 2 * self.kept


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

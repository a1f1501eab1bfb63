"""Ending a run on SIGTERM or SIGINT without tearing anything.

Python runs a signal handler in the main thread between two bytecodes, wherever that thread is:
in the middle of writing a block of Singer messages to a target that reads slowly, or between
Procore rotating the refresh token and the tap saving the new one. Stopping right there leaves
a torn JSON line, records written twice (the block is written again at exit), or a refresh
token nobody holds. So a stop waits for the few sections that must not be cut
(`StopGuard.protect`: writing a block, rotating a refresh token), then the writer ends its
output at a line boundary with the last STATE it wrote in full (tap_procore/writer.py), and the
process exits at once: worker threads that wait for a rate-limit window or a slow answer have
nothing left to deliver.
"""

from __future__ import annotations

import contextlib
import threading
import typing as t


class StopGuard:
    """Sections a signal must not cut, and the stop that waits for them."""

    def __init__(self) -> None:
        self._condition = threading.Condition()  # reentrant: the handler may interrupt holders
        self._depth: dict[int, int] = {}  # thread id -> protected sections it is inside
        self._deferred: t.Callable[[], None] | None = None
        self.requested = False

    @contextlib.contextmanager
    def protect(self) -> t.Iterator[None]:
        """A section a stop waits for (in the main thread, the stop runs as it ends)."""
        thread = threading.get_ident()
        with self._condition:
            self._depth[thread] = self._depth.get(thread, 0) + 1
        try:
            yield
        finally:
            with self._condition:
                depth = self._depth.pop(thread) - 1
                if depth:
                    self._depth[thread] = depth
                self._condition.notify_all()
                deferred = self._deferred
                if depth or deferred is None or thread != threading.main_thread().ident:
                    deferred = None
                self._deferred = self._deferred if deferred is None else None
            if deferred is not None:
                self._when_clear(deferred)

    def request(self, stop: t.Callable[[], None]) -> None:
        """Called by the signal handler (in the main thread): run `stop` once no protected
        section is open. A second signal while stopping changes nothing."""
        if self.requested:
            return
        self.requested = True
        with self._condition:
            if self._depth.get(threading.get_ident()):
                # The main thread itself is inside one: the stop runs when it leaves it.
                self._deferred = stop
                return
        self._when_clear(stop)

    def _when_clear(self, stop: t.Callable[[], None]) -> None:
        # Another thread may be inside a section (saving a rotated refresh token): it finishes.
        with self._condition:
            self._condition.wait_for(lambda: not self._depth)
        stop()


#: The one guard of the process (signals are per process, too).
STOP = StopGuard()

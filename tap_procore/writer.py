"""Singer output without a system call per record, and whole lines whenever the run ends.

The SDK's msgspec writer writes and flushes stdout for every message, and under Meltano (which
runs plugins with PYTHONUNBUFFERED=1) stdout has no buffer at all: one system call per record.
Records only need to reach the target before the STATE message that covers them, so this writer
collects messages in memory and writes them out at each STATE, every 256 kB, and at exit. A run
killed before a write loses only records that no emitted STATE vouches for: the next run reads
them again.

A block is written in pieces, and what is out is dropped from memory at once, so nothing is
ever written twice. A signal (tap_procore/stopping.py) lets the piece being written finish,
completes the line it cut, and ends the output with the last STATE written in full: every
record that STATE vouches for came before it. Before any STATE, that is the state the run
started from.
"""

from __future__ import annotations

import atexit
import contextlib
import sys
import typing as t

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import StateMessage

from tap_procore.stopping import STOP, StopGuard

if t.TYPE_CHECKING:
    from singer_sdk.singerlib import Message

FLUSH_AT_BYTES = 256 * 1024
# The most written in one call: a signal waits at most for this much to reach the target.
WRITE_PIECE_BYTES = 64 * 1024
_NEWLINE = ord("\n")


class FlushAtStateWriter(MsgSpecWriter):
    #: Whose stop requests end a block early (the process's; a test's own in unit tests).
    stop_guard: StopGuard = STOP

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending = bytearray()
        # The last write stopped inside a line (an unbuffered stdout may take part of a piece).
        self._inside_a_line = False
        self._state_queued: bytes | None = None
        self._state_written: bytes | None = None
        self._ended = False
        atexit.register(self._flush_at_exit)

    def starting_state(self, state: t.Mapping[str, t.Any]) -> None:
        """The state the run started from: what a stop before the first STATE ends with."""
        self._state_written = bytes(self.format_message(StateMessage(value=dict(state))))

    def write_message(self, message: Message) -> None:
        if self._ended:
            return
        # format_message returns a shared buffer: copied here before the next message reuses it.
        line = self.format_message(message)
        self._pending += line
        if isinstance(message, StateMessage):
            self._state_queued = bytes(line)
            self.flush()
        elif len(self._pending) >= FLUSH_AT_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._ended:
            return
        with self.stop_guard.protect():
            self._write_pending()

    def _write_pending(self) -> None:
        out = sys.stdout.buffer
        done = 0
        try:
            # A stop asked for meanwhile ends the block here; end_after_signal finishes the line.
            while done < len(self._pending) and not self.stop_guard.requested:
                end = done + WRITE_PIECE_BYTES
                with memoryview(self._pending) as whole, whole[done:end] as piece:
                    written = out.write(piece)
                    done += len(piece) if written is None else written
        finally:
            if done:
                self._inside_a_line = self._pending[done - 1] != _NEWLINE
                del self._pending[:done]
        if self._pending:
            return
        if self._state_queued is not None:
            self._state_written, self._state_queued = self._state_queued, None
        sys.stdout.flush()

    def end_after_signal(self) -> None:
        """The last output of a run stopped by a signal: the rest of a line a write cut, then
        the last STATE written in full. Records still in memory are dropped: no STATE that was
        written vouches for them, so the next run reads them again."""
        if self._ended:
            return
        self._ended = True
        tail = bytearray()
        if self._inside_a_line:
            tail += self._pending[: self._pending.find(b"\n") + 1]
        if self._state_written is not None:
            tail += self._state_written
        self._pending.clear()
        # The target may be gone; then there is nobody left to tell.
        with contextlib.suppress(OSError, ValueError):
            out = sys.stdout.buffer
            with memoryview(tail) as view:
                done = 0
                while done < len(view):
                    written = out.write(view[done:])
                    done += len(view) - done if written is None else written
            sys.stdout.flush()

    def _flush_at_exit(self) -> None:
        # The reader may be gone; then there is nobody left to tell.
        with contextlib.suppress(BrokenPipeError, ValueError):
            self.flush()

"""Singer output without a system call per record.

The SDK's msgspec writer writes and flushes stdout for every message, and under Meltano (which
runs plugins with PYTHONUNBUFFERED=1) stdout has no buffer at all: one system call per record.
Records only need to reach the target before the STATE message that covers them, so this writer
collects messages in memory and writes them out at each STATE, every 256 kB, and at exit. A run
killed before a write loses only records that no emitted STATE vouches for: the next run reads
them again.
"""

from __future__ import annotations

import atexit
import contextlib
import sys
import typing as t

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import StateMessage

if t.TYPE_CHECKING:
    from singer_sdk.singerlib import Message

FLUSH_AT_BYTES = 256 * 1024


class FlushAtStateWriter(MsgSpecWriter):
    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending = bytearray()
        atexit.register(self._flush_at_exit)

    def write_message(self, message: Message) -> None:
        # format_message returns a shared buffer: copy it before the next message reuses it.
        self._pending += self.format_message(message)
        if isinstance(message, StateMessage) or len(self._pending) >= FLUSH_AT_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            out = sys.stdout.buffer
            view = memoryview(self._pending)
            while view:
                # An unbuffered stdout may take less than everything in one call.
                written = out.write(view)
                view = view[written if written is not None else len(view) :]
            view.release()
            self._pending.clear()
        sys.stdout.flush()

    def _flush_at_exit(self) -> None:
        # The reader may be gone; then there is nobody left to tell.
        with contextlib.suppress(BrokenPipeError, ValueError):
            self.flush()

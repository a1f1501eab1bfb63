"""Singer output without a system call per record.

The SDK's msgspec writer flushes stdout after every message. Records only need to reach the
target before the STATE message that covers them, so output is flushed at each STATE (and at
exit); in between, records go out in the buffered writer's blocks. A run killed before a flush
loses only records that no emitted STATE vouches for: the next run reads them again.
"""

from __future__ import annotations

import sys
import typing as t

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import StateMessage

if t.TYPE_CHECKING:
    from singer_sdk.singerlib import Message


class FlushAtStateWriter(MsgSpecWriter):
    def write_message(self, message: Message) -> None:
        sys.stdout.buffer.write(self.format_message(message))
        if isinstance(message, StateMessage):
            sys.stdout.flush()

"""The double's clock, which stands for Procore's: it may run behind the tap's.

`clock_skew_seconds` (a setting) moves it: with 300, the `Date` header of every answer and the
`updated_at` stamps of records changed while the double runs are five minutes behind real time,
as on a Procore whose clock runs behind the machine the tap runs on.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

skew_seconds = 0.0  # seconds the double's clock runs behind real time (negative: ahead)


def now_epoch() -> float:
    return time.time() - skew_seconds


def now() -> datetime:
    return datetime.fromtimestamp(now_epoch(), timezone.utc)

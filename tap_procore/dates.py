"""Every date and time the tap reads or writes, in one place, on pendulum.

* ``start_date`` as people and Meltano write it (Meltano passes naive timestamps such as
  ``2024-01-01T00:00:00``; they are UTC).
* Bookmarks and window bounds: UTC, whole seconds, ``YYYY-MM-DDTHH:MM:SSZ``, the form Procore's
  ``filters[updated_at]`` documents.
* Procore's own clock, read from the ``Date`` header of its responses. A window's upper bound
  comes from that clock, not the tap machine's: with Procore's clock behind the tap's, an upper
  bound from the tap's clock would lie in Procore's future and the next run would start after
  rows that Procore stamps a little later.
* Windows: ``lower...upper`` for ``filters[updated_at]``, and runs of days for daily-log style
  endpoints.
* The extraction time of each record (``time_extracted``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import math
import re
import threading
import time
import typing as t

import pendulum
from pendulum import DateTime

# Procore was founded in 2002: nothing it holds is older. The lower bound when neither a
# bookmark nor start_date exists.
EARLIEST: DateTime = pendulum.datetime(2000, 1, 1)
TIMESTAMP_FORMAT = "YYYY-MM-DDTHH:mm:ss[Z]"
# A date, optionally followed by a time: what start_date and bookmarks may look like. Anything
# else pendulum would also accept ("12:00" is today at noon, "2024-W01" a week) is refused.
_DATE_FIRST = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.,]+(Z|[+-][0-9:]+)?)?", re.ASCII)


class DateError(ValueError):
    """A text that is not a date-time of the form the tap accepts."""


def _parse(text: t.Any) -> DateTime:
    if not isinstance(text, str):
        raise DateError(f"not an ISO 8601 date-time: {text!r}")
    return _parse_text(text)


# The sweep reads the same few bookmark and registry stamps for every stream of every project
# (150 streams x 1,000 projects is 300,000 reads a run): each text is parsed once.
@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> DateTime:
    if not _DATE_FIRST.fullmatch(text.strip()):
        raise DateError(f"not an ISO 8601 date-time: {text!r}")
    try:
        parsed = pendulum.parse(text.strip(), tz=pendulum.UTC)
    except (ValueError, OverflowError) as exc:  # pendulum's ParserError is a ValueError
        raise DateError(f"not a valid date-time: {text!r} ({exc})") from None
    if not isinstance(parsed, DateTime):
        raise DateError(f"not an ISO 8601 date-time: {text!r}")
    return parsed.in_timezone(pendulum.UTC)


def parse_start_date(text: t.Any) -> DateTime:
    """``start_date``: a date or date-time; naive values are UTC. Raises DateError."""
    return _parse(text)


def parse_timestamp(text: t.Any) -> DateTime:
    """A bookmark or window bound written by this tap (or by another Singer tool)."""
    if not isinstance(text, str):
        raise DateError(f"not an ISO 8601 date-time: {text!r}")
    return _whole_seconds(text)


@functools.lru_cache(maxsize=4096)
def _whole_seconds(text: str) -> DateTime:
    return _parse_text(text).replace(microsecond=0)


def format_timestamp(value: DateTime) -> str:
    return pendulum.instance(value).in_timezone(pendulum.UTC).format(TIMESTAMP_FORMAT)


def updated_at_range(lower: DateTime, upper: DateTime) -> str:
    """The ``filters[updated_at]`` value for a window; never a reversed range."""
    if lower > upper:
        raise ValueError(f"reversed window {lower} > {upper}")
    return f"{format_timestamp(lower)}...{format_timestamp(upper)}"


def day_windows(lower: DateTime, upper: DateTime, days: int) -> list[tuple[str, str]]:
    """Runs of at most ``days`` calendar days (UTC) covering lower's day to upper's day."""
    first, last = lower.date(), upper.date()
    step = pendulum.duration(days=max(1, days))
    windows = []
    day = first
    while day <= last:
        end = min(day + step - pendulum.duration(days=1), last)
        windows.append((day.isoformat(), end.isoformat()))
        day = end + pendulum.duration(days=1)
    return windows


def seconds(value: float) -> pendulum.Duration:
    return pendulum.duration(seconds=value)


def days(value: int) -> pendulum.Duration:
    return pendulum.duration(days=value)


def parse_http_date(text: str | None) -> DateTime | None:
    """An HTTP date (``Date``, ``Retry-After``): IMF-fixdate or the obsolete forms; else None."""
    if not text:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return pendulum.instance(parsed).in_timezone(pendulum.UTC)


class ProcoreClock:
    """Procore's idea of now, from the ``Date`` header of its latest response.

    Until Procore has answered, the tap's own clock stands in. The offset is kept rather than the
    header itself so that ``now()`` keeps moving between responses. A Date ahead of this
    machine's clock is not followed: an upper bound too early only means the next run re-reads
    a little, one too late loses rows, and a header far in the future is more likely a broken
    proxy than Procore.
    """

    def __init__(self, local: t.Callable[[], float] = time.time) -> None:
        self._local = local
        self._offset: float | None = None
        self._lock = threading.Lock()

    def observe(self, date_header: str | None) -> None:
        stamp = parse_http_date(date_header)
        if stamp is None:
            return
        offset = stamp.timestamp() - self._local()
        if not math.isfinite(offset):
            return
        with self._lock:
            # The header has whole seconds: the latest observation is as good as any other.
            self._offset = offset

    @property
    def known(self) -> bool:
        return self._offset is not None

    @property
    def offset_seconds(self) -> float:
        return self._offset or 0.0

    def now(self) -> DateTime:
        # The header is truncated to the second and ages in transit, so this errs on the side
        # of Procore's past: an upper bound a second early is re-read next run, never skipped.
        moment = self._local() + min(0.0, self.offset_seconds)
        return pendulum.from_timestamp(math.floor(moment), tz=pendulum.UTC)


def extraction_time() -> dt.datetime:
    """A RECORD's ``time_extracted``: this machine's clock, to the microsecond. A standard
    library datetime, which the SDK's writer formats as ``...Z`` like every other Singer tap."""
    return dt.datetime.now(dt.timezone.utc)

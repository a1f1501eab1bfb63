"""Request pacing inside Procore's rate limits.

Procore reports, on every response, the limit that is closest to being exhausted (the 10-second
spike window or the hourly window) through X-Rate-Limit-Limit/-Remaining/-Reset. Limits are kept
per company for service accounts, and failed calls count too, so a 429 costs twice: the refused
call and its retry. The governor therefore spends what is left of the reported window evenly over
the time until it resets, instead of bursting into a 429 and sleeping. While plenty of the
window is left, requests go out at full speed: a run that needs fewer requests than the window
holds should not be slowed down for nothing.

Pauses the headers ask for count against `max_rate_limit_wait`, like the waits after a 429: a
company's pauses add up until one of its requests goes out without waiting for the window, and
a pause that would take the sum beyond the allowance stops the run instead. An honest window
resets within the hour; one whose reset keeps moving away (or lies a year ahead: each pause is
capped at an hour) would otherwise hold the run for as long as it lasts.
"""

from __future__ import annotations

import logging
import threading
import time
import typing as t
from dataclasses import dataclass, field

from tap_procore.errors import RateLimitWaitExceeded

logger = logging.getLogger("tap-procore")

# One request of every window is held back so that a retry after a transient failure does not
# itself push the window over the edge.
RESERVE = 1
LONGEST_WINDOW = 3600.0
# Below this share of the window's limit, the rest is spread evenly until the window resets.
PACE_BELOW = 0.2
# A pause at least this long gets a log line, so that a run waiting for a window is not
# mistaken for a hung one.
LOGGED_PAUSE_SECONDS = 30.0


@dataclass
class _Window:
    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None  # epoch seconds
    next_slot: float = 0.0  # monotonic time before which the next request should not start
    # When the next request could start by max_requests_per_hour alone (the user's own pace).
    own_slot: float = 0.0
    # Seconds this company's requests have paused for its window since one went out unpaused.
    paused_for_window: float = 0.0


@dataclass
class PacingStats:
    waits: int = 0
    waited_seconds: float = 0.0
    longest_wait: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)


def _header_int(headers: t.Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(float(raw))
    except (ValueError, OverflowError):  # "nan", "inf", "1e999"
        return None


class RateGovernor:
    """Decides how long to wait before each request, per company."""

    def __init__(
        self,
        *,
        max_requests_per_hour: int | None = None,
        max_rate_limit_wait: float | None = None,
        clock: t.Callable[[], float] = time.time,
        monotonic: t.Callable[[], float] = time.monotonic,
        sleep: t.Callable[[float], None] = time.sleep,
    ) -> None:
        self._min_interval = 3600.0 / max_requests_per_hour if max_requests_per_hour else 0.0
        self._max_wait = max_rate_limit_wait
        self._clock = clock
        self._monotonic = monotonic
        self._sleep = sleep
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()
        self.stats = PacingStats()

    def _window(self, company: str) -> _Window:
        return self._windows.setdefault(company, _Window())

    def _reserve_slot(self, company: str) -> float:
        """Claim the next start time for a request of this company; return seconds to wait."""
        with self._lock:
            window = self._window(company)
            now_mono = self._monotonic()
            start = max(now_mono, window.next_slot)
            spacing = self._min_interval
            if window.remaining is not None and window.reset_at is not None:
                # Seconds from this request's start until the reported window resets; no
                # Procore window is longer than an hour, whatever a header claims.
                until_reset = min(
                    window.reset_at - self._clock() - (start - now_mono), LONGEST_WINDOW
                )
                if until_reset > 0:
                    usable = window.remaining - RESERVE
                    if window.remaining <= 0:
                        # Nothing left in this window: start once it has reset.
                        start += until_reset + 0.05
                        window.remaining = None
                    elif usable <= 0:
                        # X-Rate-Limit-Reset is a whole second, so the window may already have
                        # reset up to a second earlier. The reserved request goes out at the
                        # earliest possible reset: if it has not reset, that request still fits,
                        # and its answer says to wait for the rest.
                        start = max(start, now_mono + until_reset - 1.0 + 0.05)
                        window.remaining = 0
                    else:
                        limit = window.limit or window.remaining
                        if window.remaining <= max(limit * PACE_BELOW, 2 * RESERVE):
                            spacing = max(spacing, until_reset / usable)
                        # Count this request until the next response reports the real figure.
                        window.remaining -= 1
                else:
                    window.remaining = None  # the window rolled over; its counts are stale
            self._count_pause_for_window(company, window, start - max(now_mono, window.own_slot))
            window.own_slot = start + self._min_interval
            window.next_slot = start + spacing
            return start - now_mono

    def _count_pause_for_window(self, company: str, window: _Window, pause: float) -> None:
        if pause <= 0.0005:
            window.paused_for_window = 0.0
            return
        total = window.paused_for_window + pause
        if self._max_wait is not None and total > self._max_wait:
            reset_in = (window.reset_at or 0.0) - self._clock()
            raise RateLimitWaitExceeded(
                f"company {company or '(login)'}: Procore's rate-limit headers ask for a pause of "
                f"{pause:.0f}s (X-Rate-Limit-Reset is {reset_in:.0f}s away; a pause is at most "
                f"{LONGEST_WINDOW:.0f}s), which would make {total:.0f}s of waiting for this "
                f"company's window, beyond max_rate_limit_wait ({self._max_wait:g}s); raise "
                "max_rate_limit_wait or lower the load on this company's budget"
            )
        window.paused_for_window = total

    def before_request(self, company: str) -> None:
        delay = self._reserve_slot(company)
        if delay > 0.0005:
            if delay >= LOGGED_PAUSE_SECONDS:
                logger.info(
                    "Pausing %.0fs before the next request for company %s: its rate-limit "
                    "window is spent until it resets",
                    delay,
                    company or "(login)",
                )
            self._record_wait(delay, "pacing")
            self._sleep(delay)

    def observe(self, company: str, headers: t.Mapping[str, str]) -> None:
        limit = _header_int(headers, "X-Rate-Limit-Limit")
        remaining = _header_int(headers, "X-Rate-Limit-Remaining")
        reset = _header_int(headers, "X-Rate-Limit-Reset")
        if remaining is None or reset is None:
            return
        with self._lock:
            window = self._window(company)
            window.limit, window.remaining, window.reset_at = limit, remaining, float(reset)

    def hold_until(self, company: str, seconds: float) -> None:
        """After a 429/503, nothing else for this company starts before the wait is over."""
        with self._lock:
            window = self._window(company)
            window.next_slot = max(window.next_slot, self._monotonic() + seconds)

    def _record_wait(self, seconds: float, reason: str) -> None:
        with self._lock:
            self.stats.waits += 1
            self.stats.waited_seconds += seconds
            self.stats.longest_wait = max(self.stats.longest_wait, seconds)
            self.stats.reasons[reason] = self.stats.reasons.get(reason, 0) + 1

    def record_wait(self, seconds: float, reason: str) -> None:
        self._record_wait(seconds, reason)

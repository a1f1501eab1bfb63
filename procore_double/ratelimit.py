"""Procore's two rate limits, kept per company (per `Procore-Company-Id`).

An hourly limit and a spike limit over a short window (notes §5).  Every
response reports whichever limit is closer to exhaustion in
`X-Rate-Limit-Limit/Remaining/Reset`; a request over either limit gets 429
with `Retry-After`.  Failed calls count like successful ones; the 429s
themselves do not, so a client that backs off recovers when the window ends.

Windows are fixed (they start with the first request and reset after their
length), which makes `X-Rate-Limit-Reset` an exact promise tests can check.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

DEFAULT_HOURLY_LIMIT = 3600
DEFAULT_HOURLY_WINDOW = 3600.0
DEFAULT_SPIKE_LIMIT = 1000
DEFAULT_SPIKE_WINDOW = 10.0


@dataclass
class RateLimitSettings:
    hourly_limit: int = DEFAULT_HOURLY_LIMIT
    hourly_window: float = DEFAULT_HOURLY_WINDOW
    spike_limit: int = DEFAULT_SPIKE_LIMIT
    spike_window: float = DEFAULT_SPIKE_WINDOW


@dataclass
class _Window:
    limit: int
    length: float
    started: float = 0.0
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.started + self.length:
            self.started = now
            self.used = 0

    @property
    def reset_at(self) -> float:
        return self.started + self.length

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_epoch: int
    retry_after: int | None

    def headers(self) -> list[tuple[str, str]]:
        headers = [
            ("X-Rate-Limit-Limit", str(self.limit)),
            ("X-Rate-Limit-Remaining", str(self.remaining)),
            ("X-Rate-Limit-Reset", str(self.reset_epoch)),
        ]
        if self.retry_after is not None:
            headers.append(("Retry-After", str(self.retry_after)))
        return headers


class RateLimiter:
    def __init__(self, settings: RateLimitSettings | None = None):
        self.settings = settings or RateLimitSettings()
        self._companies: dict[str, tuple[_Window, _Window]] = {}
        self._lock = threading.Lock()

    def reconfigure(self, settings: RateLimitSettings) -> None:
        """New limits start with fresh windows for every company."""
        with self._lock:
            self.settings = settings
            self._companies.clear()

    def hit(self, company_key: str, now: float | None = None) -> RateDecision:
        now = time.time() if now is None else now
        with self._lock:
            windows = self._companies.get(company_key)
            if windows is None:
                windows = (
                    _Window(self.settings.hourly_limit, self.settings.hourly_window),
                    _Window(self.settings.spike_limit, self.settings.spike_window),
                )
                self._companies[company_key] = windows
            for window in windows:
                window.roll(now)
            exhausted = [w for w in windows if w.used >= w.limit]
            if exhausted:
                # The window that frees up last decides when to come back.
                blocking = max(exhausted, key=lambda w: w.reset_at)
                return RateDecision(
                    allowed=False,
                    limit=blocking.limit,
                    remaining=0,
                    reset_epoch=math.ceil(blocking.reset_at),
                    retry_after=max(1, math.ceil(blocking.reset_at - now)),
                )
            for window in windows:
                window.used += 1
            reported = min(windows, key=lambda w: (w.remaining / max(1, w.limit), w.length))
            return RateDecision(
                allowed=True,
                limit=reported.limit,
                remaining=reported.remaining,
                reset_epoch=math.ceil(reported.reset_at),
                retry_after=None,
            )

    def peek(self, company_key: str, now: float | None = None) -> RateDecision:
        """The headers for a response that was not counted (e.g. a 429 from a fault)."""
        now = time.time() if now is None else now
        with self._lock:
            windows = self._companies.get(company_key)
            if windows is None:
                spike = _Window(self.settings.spike_limit, self.settings.spike_window, now, 0)
                return RateDecision(
                    True, spike.limit, spike.remaining, math.ceil(spike.reset_at), None
                )
            reported = min(windows, key=lambda w: (w.remaining / max(1, w.limit), w.length))
            return RateDecision(
                True, reported.limit, reported.remaining, math.ceil(reported.reset_at), None
            )

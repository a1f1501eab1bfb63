"""The counts, clock and rate governor every request of a run shares (tap_procore/retries.py
decides what to do with a failure; tap_procore/pacing.py when a request may go)."""

from __future__ import annotations

import threading
import time
import typing as t
from dataclasses import dataclass, field

import requests

from tap_procore.dates import ProcoreClock
from tap_procore.pacing import RateGovernor


@dataclass
class TransportStats:
    requests: int = 0
    #: Answers with a 2xx status: whether anything at all still works (errors.EveryRequestFailing).
    successes: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    retries: int = 0
    retry_reasons: dict[str, int] = field(default_factory=dict)
    rate_limit_waits: int = 0
    rate_limit_wait_seconds: float = 0.0
    token_refreshes: int = 0


class Transport:
    """Retry settings, the rate governor, Procore's clock and the counts every stream shares."""

    def __init__(
        self,
        *,
        governor: RateGovernor,
        max_retries: int,
        max_rate_limit_wait: float,
        clock: t.Callable[[], float] = time.time,
    ) -> None:
        self.governor = governor
        self.max_retries = max_retries
        self.max_rate_limit_wait = max_rate_limit_wait
        self.clock = clock
        self.procore_clock = ProcoreClock(clock)
        self.stats = TransportStats()
        self._lock = threading.Lock()
        self._rate_limited_in_a_row: dict[str, int] = {}

    @staticmethod
    def company_of(response: requests.Response | None) -> str:
        request = getattr(response, "request", None)
        headers = getattr(request, "headers", None) or {}
        return str(headers.get("Procore-Company-Id", ""))

    def observe(self, response: requests.Response) -> None:
        """Every answer from Procore: counts, rate-limit headers, its clock, 429/503 streaks."""
        company = self.company_of(response)
        code = response.status_code
        with self._lock:
            self.stats.requests += 1
            self.stats.by_status[code] = self.stats.by_status.get(code, 0) + 1
            if 200 <= code < 300:
                self.stats.successes += 1
            if code == 429 or (code == 503 and response.headers.get("Retry-After")):
                self._rate_limited_in_a_row[company] = (
                    self._rate_limited_in_a_row.get(company, 0) + 1
                )
            else:
                self._rate_limited_in_a_row.pop(company, None)
        self.governor.observe(company, response.headers)
        if code < 500:
            self.procore_clock.observe(response.headers.get("Date"))

    def count_failed_attempt(self) -> None:
        """An attempt that got no answer at all (a network failure)."""
        with self._lock:
            self.stats.requests += 1

    def rate_limited_in_a_row(self, response: requests.Response | None) -> int:
        """429s (and 503s with Retry-After) in a row from the company that sent `response`."""
        with self._lock:
            return self._rate_limited_in_a_row.get(self.company_of(response), 1)

    def count_retry(self, reason: str) -> None:
        with self._lock:
            self.stats.retries += 1
            self.stats.retry_reasons[reason] = self.stats.retry_reasons.get(reason, 0) + 1

    def count_rate_limit_wait(self, seconds: float) -> None:
        with self._lock:
            self.stats.rate_limit_waits += 1
            self.stats.rate_limit_wait_seconds += seconds

    def count_token_refresh(self) -> None:
        with self._lock:
            self.stats.token_refreshes += 1

"""A run's budget: the requests and minutes it may spend before it stops at a clean boundary.

Procore's limit is physical (3,600 requests an hour per token), so a large company's first sync
is a series of bounded runs. `RunBudget.check` is asked before every page a run reads; once the
budget is spent it raises `BudgetReached`, which is not a failure: the run writes its state (the
sweep's position, and which streams of the scope in progress are done) and exits 0, and the next
run continues exactly there (tap_procore/sweep.py). A run overshoots by the pages already in
flight at most (one, unless max_workers reads ahead), and the next run reads again only the one
listing the stop cut short.
"""

from __future__ import annotations

import time
import typing as t


class BudgetReached(Exception):  # not an error: the run ends as planned
    """The run spent its budget: stop at this page, save state, exit 0."""


class RunBudget:
    def __init__(
        self,
        *,
        max_requests: int | None,
        max_minutes: float | None,
        requests_sent: t.Callable[[], int],
        clock: t.Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_requests = max_requests
        self._max_seconds = None if max_minutes is None else max_minutes * 60.0
        self._requests_sent = requests_sent
        self._clock = clock
        self._started = clock()

    def check(self) -> None:
        """Before a request: raise BudgetReached once the budget is spent."""
        spent = self.spent()
        if spent is not None:
            raise BudgetReached(spent)

    def spent(self) -> str | None:
        """What of the budget is spent, or None while some is left."""
        sent = self._requests_sent()
        if self._max_requests is not None and sent >= self._max_requests:
            return f"{sent} requests sent, max_requests_per_run is {self._max_requests}"
        elapsed = self._clock() - self._started
        if self._max_seconds is not None and elapsed >= self._max_seconds:
            return f"{elapsed / 60:.1f} minutes, max_run_minutes is {self._max_seconds / 60:g}"
        return None

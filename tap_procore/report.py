"""What the run tells its operator: progress lines while it works and a summary at the end."""

from __future__ import annotations

import logging
import threading
import time
import typing as t
from collections import Counter
from dataclasses import dataclass

if t.TYPE_CHECKING:
    from tap_procore.pacing import PacingStats
    from tap_procore.sweep import Scope
    from tap_procore.transport import TransportStats

logger = logging.getLogger("tap-procore")


@dataclass(frozen=True)
class Skip:
    stream: str
    company_id: int
    project_id: int | None
    reason: str


def waits(transport: TransportStats, pacing: PacingStats) -> str:
    """Time spent waiting on Procore's rate limit, in the words of the progress lines and the
    summary alike: the whole, then its two causes (429/503 answers waited out, and the pacing
    that keeps requests under the limit)."""
    total = transport.rate_limit_wait_seconds + pacing.waited_seconds
    return (
        f"waited {total:.1f}s on the rate limit (429/503 answers: {transport.rate_limit_waits}, "
        f"{transport.rate_limit_wait_seconds:.1f}s; pacing: {pacing.waited_seconds:.1f}s)"
    )


class RunReport:
    def __init__(
        self, *, progress_interval: float, clock: t.Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._started = clock()
        self._progress_interval = progress_interval
        self._last_progress = self._started
        self._lock = threading.Lock()
        self.records: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.skips: list[Skip] = []
        #: Scopes that failed (tap_procore/scopes.py): they make the run end non-zero.
        self.failures: list[Skip] = []
        #: Scopes not read because nothing there needed reading, by reason.
        self.not_read_by_reason: Counter[str] = Counter()
        self.projects_per_company: dict[int, int] = {}
        self.projects_seen: set[int] = set()
        self._current: tuple[Scope, int, int] | None = None

    # --- counting ------------------------------------------------------------------------------

    def count_record(self, stream: str) -> None:
        self.records[stream] += 1

    def count_request(self, stream: str) -> None:
        with self._lock:
            self.requests[stream] += 1

    def skip(self, stream: str, scope: Scope, reason: str) -> None:
        self.skips.append(Skip(stream, scope.company_id, scope.project_id, reason))
        where = _where(scope.company_id, scope.project_id)
        logger.warning("Skipping %s for %s: %s", stream, where, reason)

    def not_read(self, stream: str, scope: Scope, reason: str) -> None:
        with self._lock:
            self.not_read_by_reason[reason] += 1
        where = _where(scope.company_id, scope.project_id)
        logger.debug("Not reading %s in %s: %s", stream, where, reason)

    def fail(self, stream: str, scope: Scope, reason: str) -> None:
        self.failures.append(Skip(stream, scope.company_id, scope.project_id, reason))
        logger.error(
            "%s failed in %s: %s", stream, _where(scope.company_id, scope.project_id), reason
        )

    def projects_found(self, company_id: int, project_ids: list[int]) -> None:
        self.projects_per_company[company_id] = len(project_ids)
        self.projects_seen.update(project_ids)

    # --- progress ------------------------------------------------------------------------------

    def enter_project(self, scope: Scope, index: int, total: int) -> None:
        self._current = (scope, index, total)

    def where_now(self) -> str:
        """Where the run is: the company and project it is reading."""
        if self._current is None:
            return "companies"
        scope, index, total = self._current
        return f"company {scope.company_id}, project {index} of {total} ({scope.project_id})"

    def maybe_log_progress(self, transport: TransportStats, pacing: PacingStats) -> None:
        now = self._clock()
        if now - self._last_progress < self._progress_interval:
            return
        self._last_progress = now
        where = self.where_now()
        logger.info(
            "Progress after %.0fs: %s; %d records; %d requests; %d retries; %s",
            now - self._started,
            where,
            sum(self.records.values()),
            transport.requests,
            transport.retries,
            waits(transport, pacing),
        )

    # --- the end -------------------------------------------------------------------------------

    def summary_lines(
        self,
        transport: TransportStats,
        pacing: PacingStats,
        missing_project_ids: t.Iterable[int] = (),
        failure_streaks: t.Mapping[str, t.Mapping[int, int]] | None = None,
    ) -> list[str]:
        elapsed = self._clock() - self._started
        lines = [
            f"Run summary: {sum(self.records.values())} records in {elapsed:.1f}s, "
            f"{transport.requests} requests, {transport.retries} retries, "
            f"{waits(transport, pacing)}, {transport.token_refreshes} token refreshes after 401",
        ]
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(transport.by_status.items()))
        if statuses:
            lines.append(f"Responses by status: {statuses}")
        for company_id, count in sorted(self.projects_per_company.items()):
            lines.append(f"Company {company_id}: {count} projects extracted")
        for stream in sorted(set(self.records) | set(self.requests)):
            lines.append(
                f"  {stream}: {self.records[stream]} records, {self.requests[stream]} requests"
            )
        if self.not_read_by_reason:
            counts = ", ".join(
                f"{count} {reason}" for reason, count in sorted(self.not_read_by_reason.items())
            )
            lines.append(f"Not read, nothing to read there: {counts}")
        if self.skips:
            lines.append(f"Skipped {len(self.skips)} stream/scope pairs:")
            for skip in self.skips:
                where = _where(skip.company_id, skip.project_id)
                lines.append(f"  {skip.stream} in {where}: {skip.reason}")
        if self.failures:
            lines.append(
                f"Failed {len(self.failures)} stream/scope pairs (kept at their old bookmarks, "
                "read again next run):"
            )
            for failure in self.failures:
                where = _where(failure.company_id, failure.project_id)
                scope_id = failure.project_id or failure.company_id
                streak = (failure_streaks or {}).get(failure.stream, {}).get(scope_id, 1)
                runs = "first failure" if streak <= 1 else f"failed {streak} runs in a row"
                lines.append(f"  {failure.stream} in {where} ({runs}): {failure.reason}")
        missing = sorted(missing_project_ids)
        if missing:
            lines.append(
                "project_ids not found in any configured company: "
                + ", ".join(str(project_id) for project_id in missing)
            )
        return lines


def _where(company_id: int, project_id: int | None) -> str:
    return f"project {project_id}" if project_id else f"company {company_id}"

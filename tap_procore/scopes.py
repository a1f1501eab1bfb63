"""The one place that decides whether a scope of a stream is read, and records why not.

`ScopeGate.decide` is asked before a stream reads a scope (a company's or a project's partition of
it). It answers "not now" for a scope the interrupted run already finished, a partition the change
feed vouches had no changes, a tool that is off in the project, or a parent record that says it
has no children: each with its reason, logged at DEBUG ("why was project P of stream S not read")
and counted in the run summary; a tool that is off is also a skip (below). Projects the run does
not visit at all (inactive, not in `project_ids`) pass through `not_visited`.

Then, whether each scope that was read was read whole:

A scope (a company's or a project's partition of a stream) is covered by a run only when
everything it depends on was read completely: every page of its listing through to an end that
agrees with ``Total``, its id sources, its parent's records and its children. Whatever stops a
scope short passes through `ScopeOutcomes`, with its reason:

* `skip`: not read, and nothing is wrong: the tool is off in the project, Procore refused it
  (403/404), or the listing its ids come from was refused;
* `fail`: a `ScopeFailure` (tap_procore/errors.py): retries exhausted, a 4xx that is not about
  credentials or the company, an answer of the wrong shape, a listing that could not be read whole,
  a record that cannot be loaded.

Either way the stream, and every selected stream below it, keeps the coverage it had of that scope
(`Sweep.keep_coverage`), so the next run reads it again from there; the run summary lists it, and
failures make the run end non-zero. Scope after scope failing with no request succeeding in between
is not a scope's problem but the host's: the run stops (`EveryRequestFailing`). With `fail_fast` the
first failure stops the run.
"""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass

from tap_procore.errors import EveryRequestFailing, ScopeFailure, UnloadableRecord

if t.TYPE_CHECKING:
    from tap_procore.feed import ChangeFeed
    from tap_procore.report import RunReport
    from tap_procore.sweep import Scope, Sweep
    from tap_procore.tools import ToolRegistry

logger = logging.getLogger("tap-procore")

#: Scopes failing in a row, with not one request answered in between, before the run stops.
FAILURES_WITHOUT_ANY_SUCCESS = 3


class Gated(t.Protocol):
    """What the gate asks of a stream."""

    @property
    def name(self) -> str: ...

    @property
    def tool(self) -> str | None: ...

    @property
    def parent_count_field(self) -> str | None: ...

    @property
    def is_feed_root(self) -> bool: ...

    def coverage_streams(self) -> list[str]: ...


@dataclass(frozen=True)
class Decision:
    """Whether to read a scope; `reason` says why not. `feed_deletes`: the change feed's delete
    events for the partition are written whether or not it is read."""

    read: bool
    reason: str | None = None
    feed_deletes: bool = False


READ = Decision(read=True)
#: Reasons a scope is not read that are not a skip: nothing there needs reading.
ALREADY_READ = "read by the interrupted run this one resumes"
NO_EVENTS = "no change-feed events since its bookmark"
PARENT_SAYS_NONE = "its parent record says it has none"


class ScopeGate:
    """Decides which scopes are read, and keeps the run's record of those not read whole."""

    def __init__(
        self,
        *,
        sweep: Sweep,
        report: RunReport,
        descendants: t.Callable[[str], t.Sequence[str]],
        successes: t.Callable[[], int],
        tools: t.Callable[[], ToolRegistry],
        feed: ChangeFeed | None = None,
        fail_fast: bool = False,
        shard: tuple[int, int] | None = None,
    ) -> None:
        self._sweep = sweep
        self._report = report
        self._tools = tools
        self._feed = feed
        #: Why company-level streams are not read here (another shard reads them), or None.
        self._company_streams_elsewhere = (
            f"company-level streams are read by shard 1 of {shard[1]}"
            if shard is not None and shard[0] != 1
            else None
        )
        self._descendants = descendants
        self._successes = successes
        self._fail_fast = fail_fast
        self._failed: set[tuple[str, Scope]] = set()
        self._failed_in_a_row = 0
        self._successes_at_last_failure: int | None = None

    # --- before a scope is read -----------------------------------------------------------------

    def decide(self, stream: Gated, scope: Scope, parent_fields: t.Mapping[str, t.Any]) -> Decision:
        """Whether `stream` reads `scope` now; every "no" is recorded with its reason."""
        if self._sweep.already_done(stream.name, scope):
            return self._pass(stream.name, scope, ALREADY_READ)
        if self._company_streams_elsewhere is not None and not scope.is_project:
            return self._pass(stream.name, scope, self._company_streams_elsewhere)
        feed = self._feed if stream.is_feed_root else None
        if feed is not None:
            covered = [
                self._sweep.covered_through(name, scope) for name in stream.coverage_streams()
            ]
            if feed.skips(stream.name, scope, covered):
                return self._pass(stream.name, scope, NO_EVENTS, feed_deletes=True)
        if stream.tool and self._tools().is_off(scope, stream.tool):
            reason = f"tool '{stream.tool}' is not active in the project"
            self.skip(stream.name, scope, reason)
            return Decision(read=False, reason=reason, feed_deletes=feed is not None)
        count = parent_fields.get(stream.parent_count_field) if stream.parent_count_field else None
        if _says_none(count):
            return self._pass(stream.name, scope, PARENT_SAYS_NONE, feed_deletes=feed is not None)
        return Decision(read=True, feed_deletes=feed is not None)

    def not_visited(self, scope: Scope, reason: str) -> None:
        """A project the run does not visit at all (no stream reads it)."""
        self._report.not_read("every stream", scope, reason)

    def _pass(
        self, stream: str, scope: Scope, reason: str, *, feed_deletes: bool = False
    ) -> Decision:
        self._report.not_read(stream, scope, reason)
        return Decision(read=False, reason=reason, feed_deletes=feed_deletes)

    # --- scopes not read whole ------------------------------------------------------------------

    def skip(self, stream: str, scope: Scope, reason: str) -> None:
        """`stream` does not read `scope` this run, and nothing is wrong (tool off, refused)."""
        self._report.skip(stream, scope, reason)
        self._hold(stream, scope, failed=False)

    def fail(
        self, stream: str, scope: Scope, failure: ScopeFailure, *, with_descendants: bool = True
    ) -> None:
        """`stream` could not read `scope` completely: hold it back, say so, and carry on (or
        stop, with `fail_fast`, or when nothing at all succeeds any more).
        `with_descendants`: False where the scopes below are not visited at all (a company or
        its project list could not be read), so no sweep covers them."""
        if self._fail_fast:
            raise failure
        first = (stream, scope) not in self._failed
        self._failed.add((stream, scope))
        self._report.fail(stream, scope, str(failure))
        if with_descendants:
            self._hold(stream, scope, failed=True)
        else:
            self._sweep.keep_coverage(stream, scope, failed=True)
        if first and not isinstance(failure, UnloadableRecord):
            # A record Procore sent whole-but-keyless says nothing about the host.
            self._note_failure(failure)

    def _hold(self, stream: str, scope: Scope, *, failed: bool) -> None:
        for name in (stream, *self._descendants(stream)):
            self._sweep.keep_coverage(name, scope, failed=failed)

    def _note_failure(self, failure: ScopeFailure) -> None:
        successes = self._successes()
        if successes == self._successes_at_last_failure:
            self._failed_in_a_row += 1
        else:
            self._failed_in_a_row = 1
        self._successes_at_last_failure = successes
        if self._failed_in_a_row >= FAILURES_WITHOUT_ANY_SUCCESS:
            msg = (
                f"{self._failed_in_a_row} scopes failed in a row and not one request succeeded "
                f"in between, so the problem is not one scope's; last failure: {failure}"
            )
            raise EveryRequestFailing(msg)


def _says_none(count: t.Any) -> bool:
    """A parent's count of its children that is exactly 0 (a missing or odd count is not)."""
    return isinstance(count, int) and not isinstance(count, bool) and count == 0

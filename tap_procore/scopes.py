"""Whether each scope of a stream was read whole, and what happens when it was not.

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

from tap_procore.errors import EveryRequestFailing, ScopeFailure, UnloadableRecord

if t.TYPE_CHECKING:
    from tap_procore.report import RunReport
    from tap_procore.sweep import Scope, Sweep

logger = logging.getLogger("tap-procore")

#: Scopes failing in a row, with not one request answered in between, before the run stops.
FAILURES_WITHOUT_ANY_SUCCESS = 3


class ScopeOutcomes:
    """The run's record of the scopes it could not read completely (one per run)."""

    def __init__(
        self,
        *,
        sweep: Sweep,
        report: RunReport,
        descendants: t.Callable[[str], t.Sequence[str]],
        successes: t.Callable[[], int],
        fail_fast: bool = False,
    ) -> None:
        self._sweep = sweep
        self._report = report
        self._descendants = descendants
        self._successes = successes
        self._fail_fast = fail_fast
        self._failed: set[tuple[str, Scope]] = set()
        self._failed_in_a_row = 0
        self._successes_at_last_failure: int | None = None

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

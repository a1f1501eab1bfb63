"""Errors that end a run, or one scope of it, with one clear line instead of a traceback.

Two families, and the line between them is what a failure means (docs/operations.md, "When
something fails"):

* `ScopeFailure`: something wrong with one listing in one scope (a project's, or a company's,
  partition of a stream): retries exhausted on it, a 4xx that is not about credentials or the
  company, an answer of the wrong shape, a listing that could not be read consistently. That
  scope stops (with its children); the run goes on and ends non-zero.
* everything else that is a `ProcoreError` (`FatalAPIError`, `ConfigError`, ...): no other scope
  can do better (credentials refused, the company refused, the host unreachable, the rate-limit
  wait past `max_rate_limit_wait`, a setting): the run stops at once.
"""

from __future__ import annotations


class ProcoreError(Exception):
    """Base for every error the tap reports to its operator as a single line."""


class ConfigError(ProcoreError):
    """A setting is missing or malformed; raised before any request is made."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"Invalid setting '{setting}': {problem}")
        self.setting = setting
        self.problem = problem


class FatalAPIError(ProcoreError):
    """Procore answered in a way that no retry or skip can fix (bad credentials, no access)."""


class CredentialsRejected(FatalAPIError):
    """Procore refuses the credentials or the tokens they give: no request can succeed."""


class LoginFailed(FatalAPIError):
    """The token endpoint kept failing: without a token no request can be made."""


class RateLimitWaitExceeded(FatalAPIError):
    """Waiting out the rate limit would take longer than `max_rate_limit_wait` allows."""


class EveryRequestFailing(FatalAPIError):
    """Scope after scope failed with no request succeeding in between: the host, not a scope."""


class ScopeFailure(ProcoreError):
    """A failure that belongs to the scope being read: it stops that scope, not the run."""


class RetriesExhaustedError(ScopeFailure):
    """A request kept failing after every retry the policy allows."""


class RequestRefused(ScopeFailure):
    """A 4xx that is not about credentials, the company or a tool that is off (400, 422, ...)."""


class UnreadableAnswer(ScopeFailure):
    """An answer no retry makes readable (nested too deeply, larger than allowed)."""


class IncompleteListing(ScopeFailure):
    """A listing that could not be read whole: it changed under the read beyond what re-reading
    could recover, a page repeated, or it ended short of its `Total`."""


class UnloadableRecord(ScopeFailure):
    """A record no target can load (its key is missing): it is left out, its scope held back."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def at(self, position: str | None) -> UnloadableRecord:
        """The same failure, saying where in the listing the record was."""
        return UnloadableRecord(f"{self.message} ({position})" if position else self.message)


class ScopeUnavailable(Exception):
    """A project (or company) tool answered 403/404: skip this scope for this stream only."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status}: {reason}")
        self.status = status
        self.reason = reason

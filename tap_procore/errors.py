"""Errors that end a run with one clear line instead of a traceback."""

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


class RetriesExhaustedError(ProcoreError):
    """A request kept failing after every retry the policy allows."""


class ScopeUnavailable(Exception):
    """A project (or company) tool answered 403/404: skip this scope for this stream only."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status}: {reason}")
        self.status = status
        self.reason = reason

"""Incremental windows: which part of a listing a run reads, from the sweep's bookmarks.

An incremental stream reads ``filters[updated_at]=<lower>...<upper>``, where `upper` is the
sweep's fixed upper bound and `lower` the earliest point that the stream, or any of its
selected descendants (whose parents must be read for them), still needs in the scope, or earlier
when the change feed needs more (a late delivery, a reconciliation sweep). Daily-log style
endpoints are read in runs of days instead (`date_params`), a few days before the bookmark, since
logs are edited after their date. See tap_procore/sweep.py for the state and tap_procore/dates.py
for the formats.
"""

from __future__ import annotations

import typing as t

from tap_procore import dates

if t.TYPE_CHECKING:
    from pendulum import DateTime

    from tap_procore.run import RunContext
    from tap_procore.sweep import Scope


class Windowed(t.Protocol):
    """What a stream tells the windows: its name, how it filters, and the streams it feeds."""

    @property
    def name(self) -> str: ...

    @property
    def replication_key(self) -> str | None: ...

    @property
    def date_params(self) -> tuple[str, str] | None: ...

    @property
    def updated_at_param(self) -> str: ...

    @property
    def config(self) -> t.Mapping[str, t.Any]: ...

    @property
    def run(self) -> RunContext: ...

    def coverage_streams(self) -> list[str]: ...


def lower_bound(stream: Windowed, scope: Scope) -> DateTime:
    """Where the stream's window starts in `scope`."""
    run = stream.run
    lower = run.sweep.lower_bound(stream.coverage_streams(), scope)
    if run.feed is not None:
        needed = run.feed.reread_from(stream.name, scope)
        if needed is not None and needed < lower:
            lower = max(needed, run.sweep.start)
    return lower


def windows(stream: Windowed, scope: Scope) -> list[dict[str, str]]:
    """Query parameters of each window to read for this scope ([{}] for one plain read)."""
    sweep = stream.run.sweep
    if stream.date_params is not None:
        return _date_windows(stream, scope, stream.date_params)
    if stream.replication_key is None:
        return [{}]
    lower = lower_bound(stream, scope)
    if lower >= sweep.upper:
        return []  # nothing can have changed in an empty window (start_date ahead of it)
    if stream.updated_at_param != "filters[updated_at]":
        # A lower bound alone (``...[gt]``, ``updated_after``): records changed after the
        # upper bound come again next run.
        return [{stream.updated_at_param: dates.format_timestamp(lower)}]
    return [{stream.updated_at_param: dates.updated_at_range(lower, sweep.upper)}]


def _date_windows(stream: Windowed, scope: Scope, params: tuple[str, str]) -> list[dict[str, str]]:
    sweep = stream.run.sweep
    lower = lower_bound(stream, scope)
    if lower > sweep.start:
        # Logs are edited after their date: re-read a few days before the bookmark.
        lookback = dates.days(int(stream.config.get("log_lookback_days", 3)))
        lower = max(lower - lookback, sweep.start)
    start_param, end_param = params
    days = int(stream.config.get("date_window_days") or 366)
    found = dates.day_windows(lower, sweep.upper, days)
    return [{start_param: first, end_param: last} for first, last in found]

"""Incremental windows: which part of a listing a run reads, from the sweep's bookmarks.

An incremental stream reads ``filters[updated_at]=<lower>...<upper>``, where `upper` is the
sweep's fixed upper bound and `lower` the earliest point that the stream, or any of its
selected descendants (whose parents must be read for them), still needs in the scope. Daily-log
style endpoints are read in runs of days instead (`date_params`), a few days before the
bookmark, since logs are edited after their date. See tap_procore/sweep.py for the state and
tap_procore/dates.py for the formats.
"""

from __future__ import annotations

import typing as t

from tap_procore import dates
from tap_procore.paging import PagingStream
from tap_procore.sweep import Scope

if t.TYPE_CHECKING:
    from pendulum import DateTime
    from singer_sdk.helpers.types import Context


class WindowedStream(PagingStream):
    """Query parameters of the windows a stream reads in each scope."""

    @staticmethod
    def scope_of(context: Context | None) -> Scope:
        assert context is not None, "Procore streams always run inside a company"
        return Scope(int(context["company_id"]), context.get("project_id"))

    def active_descendants(self) -> list[WindowedStream]:
        found: list[WindowedStream] = []
        for child in self.child_streams:
            assert isinstance(child, WindowedStream)
            if child.selected:
                found.append(child)
            found.extend(child.active_descendants())
        return found

    def coverage_streams(self) -> list[str]:
        """Streams whose coverage this stream's window must satisfy (itself and its children)."""
        names = [self.name] if self.selected else []
        if not self.children_see_every_record:
            names.extend(child.name for child in self.active_descendants())
        return names

    def lower_bound(self, scope: Scope) -> DateTime:
        """Where this stream's window starts in `scope`: the earliest point it, or a selected
        stream below it, still needs, or earlier when the change feed needs more (a late
        delivery, a reconciliation sweep)."""
        sweep = self.tap.sweep
        lower = sweep.lower_bound(self.coverage_streams(), scope)
        feed = self.tap.feed
        if feed is not None:
            needed = feed.reread_from(self.name, scope)
            if needed is not None and needed < lower:
                lower = max(needed, sweep.start)
        return lower

    def windows(self, context: Context) -> list[dict[str, str]]:
        """Query parameters of each window to read for this scope ([{}] for one plain read)."""
        sweep = self.tap.sweep
        scope = self.scope_of(context)
        if self.date_params is not None:
            return self._date_windows(scope, self.date_params)
        if self.replication_key is None:
            return [{}]
        lower = self.lower_bound(scope)
        if lower >= sweep.upper:
            return []  # nothing can have changed in an empty window (start_date ahead of it)
        if self.updated_at_param != "filters[updated_at]":
            # A lower bound alone (``...[gt]``, ``updated_after``): records changed after the
            # upper bound come again next run.
            return [{self.updated_at_param: dates.format_timestamp(lower)}]
        return [{self.updated_at_param: dates.updated_at_range(lower, sweep.upper)}]

    def _date_windows(self, scope: Scope, params: tuple[str, str]) -> list[dict[str, str]]:
        sweep = self.tap.sweep
        lower = self.lower_bound(scope)
        if lower > sweep.start:
            # Logs are edited after their date: re-read a few days before the bookmark.
            lookback = dates.days(int(self.config.get("log_lookback_days", 3)))
            lower = max(lower - lookback, sweep.start)
        start_param, end_param = params
        days = int(self.config.get("date_window_days") or 366)
        windows = dates.day_windows(lower, sweep.upper, days)
        return [{start_param: first, end_param: last} for first, last in windows]

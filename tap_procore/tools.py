"""Which Procore tools are switched on in a project, so that switched-off ones cost nothing.

Procore answers 403 when a project's tool is off, and failed calls count against the rate limit.
One call to a project's tool list replaces one failing call per switched-off tool. It is made
when it costs nothing extra (project_tools is selected, so the list is read anyway) or once this
run has seen, on average, at least one refused call per project: then the list saves more than
it costs. If the tool list itself cannot be read, nothing is skipped: the 403 handling in the
stream base still catches switched-off tools one by one.
"""

from __future__ import annotations

import logging
import re
import threading
import typing as t

from tap_procore.errors import ScopeFailure, ScopeUnavailable

if t.TYPE_CHECKING:
    from tap_procore.sweep import Scope

logger = logging.getLogger("tap-procore")


#: Each tool a stream names (`tool`, Procore's engine name) as Procore names it in a project's
#: tool list and in the permissions of an app's manifest (docs/permissions.md).
TOOL_TITLES: dict[str, str] = {
    "action_plans": "Action Plans",
    "bidding": "Bidding",
    "bim": "Models",
    "budget": "Budget",
    "change_events": "Change Events",
    "change_orders": "Change Orders",
    "checklists": "Inspections",
    "commitments": "Commitments",
    "coordination_issues": "Coordination Issues",
    "daily_log": "Daily Log",
    "direct_costs": "Direct Costs",
    "directory": "Directory",
    "documents": "Documents",
    "drawings": "Drawings",
    "forms": "Forms",
    "incidents": "Incidents",
    "meetings": "Meetings",
    "observations": "Observations",
    "photos": "Photos",
    "prime_contracts": "Prime Contracts",
    "punch_list": "Punch List",
    "rfi": "RFIs",
    "schedule": "Schedule",
    "specifications": "Specifications",
    "submittal_log": "Submittals",
    "tasks": "Tasks",
    "timesheets": "Timesheets",
}


def normalise_tool_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


class ToolRegistry:
    def __init__(
        self,
        fetch: t.Callable[[Scope], list[dict[str, t.Any]]],
        *,
        tool_streams: int,
        list_selected: bool,
    ) -> None:
        self._fetch = fetch
        self._enough_streams = tool_streams >= 2
        self._list_selected = list_selected
        self._projects = 0
        self._refusals = 0
        self._tools: dict[Scope, dict[str, bool] | None] = {}
        self._records: dict[Scope, list[dict[str, t.Any]]] = {}
        self._lock = threading.Lock()

    def _load(self, scope: Scope) -> dict[str, bool] | None:
        with self._lock:
            if scope in self._tools:
                return self._tools[scope]
            try:
                records = self._fetch(scope)
            except (ScopeUnavailable, ScopeFailure) as exc:
                # Unknown tools are all read: a tool that is off then answers 403 on its own.
                logger.info("Tool list of project %s unavailable (%s)", scope.project_id, exc)
                self._tools[scope] = None
                return None
            self._records[scope] = records
            active: dict[str, bool] = {}
            for tool in records:
                is_active = tool.get("is_active")
                if not isinstance(is_active, bool):
                    continue
                for key in ("engine_name", "name", "title"):
                    if isinstance(tool.get(key), str):
                        active[normalise_tool_name(tool[key])] = is_active
            self._tools[scope] = active
            return active

    def note_project(self) -> None:
        self._projects += 1

    def note_refusal(self) -> None:
        """A project-level request was refused (403/404): likely a switched-off tool."""
        self._refusals += 1

    @property
    def _worth_asking(self) -> bool:
        if self._list_selected:
            return True
        return self._enough_streams and self._refusals >= max(self._projects, 1)

    def is_off(self, scope: Scope, tool: str) -> bool:
        if not scope.is_project or not self._worth_asking:
            return False
        active = self._load(scope)
        if not active:
            return False
        return active.get(normalise_tool_name(tool)) is False

    def records_for(self, scope: Scope) -> list[dict[str, t.Any]] | None:
        """The tool list already fetched for this project, if any (saves project_tools a call)."""
        with self._lock:
            return self._records.get(scope)

    def forget(self, scope: Scope) -> None:
        with self._lock:
            self._tools.pop(scope, None)
            self._records.pop(scope, None)

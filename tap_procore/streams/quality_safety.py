"""Quality & Safety: punch list, inspections, observations, incidents."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import ProjectStream


class PunchItemsStream(ProjectStream):
    name = "punch_items"
    path = "/rest/v1.1/punch_items"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
    replication_key = "updated_at"
    tool = "punch_list"


class ChecklistsStream(ProjectStream):
    name = "checklists"
    path = "/rest/v1.0/projects/{project_id}/checklist/lists"
    replication_key = "updated_at"
    tool = "checklists"


class ObservationsStream(ProjectStream):
    name = "observations"
    path = "/rest/v1.0/observations/items"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
    replication_key = "updated_at"
    tool = "observations"


class IncidentsStream(ProjectStream):
    name = "incidents"
    path = "/rest/v1.0/projects/{project_id}/incidents"
    replication_key = "updated_at"
    tool = "incidents"

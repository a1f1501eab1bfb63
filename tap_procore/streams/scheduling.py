"""Scheduling: the v2 Scheduling tool (schedules with their activities, activity links and
timeline events, calendars); the legacy Schedule tool is read in core and project management.

Scheduling keys its records by text ids named after the resource (`schedule_id`,
`activity_id`, ...) rather than `id`; they stay text.
"""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import ProjectStream

V2_MAX = 100  # Procore's v2 ceiling for per_page


class SchedulesStream(ProjectStream):
    """The project's schedules (the project schedule, lookaheads, imports)."""

    name = "schedules"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/schedules"
    replication_key = "updated_at"
    updated_at_param = "filters[updated_at][gt]"
    max_page_size = V2_MAX
    tool = "schedule"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "schedule_id")
    child_id_key = "schedule_id"
    child_id_field = "schedule_id"


class ScheduleActivitiesStream(ProjectStream):
    """Activities of each schedule."""

    name = "schedule_activities"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/schedules/{schedule_id}/activities"
    )
    replication_key = "updated_at"
    updated_at_param = "filters[updated_at][gt]"
    max_page_size = V2_MAX
    parent_stream_type = SchedulesStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "schedule_id", "activity_id")


class ScheduleActivityLinksStream(ProjectStream):
    """Links (dependencies) between the activities of each schedule."""

    name = "schedule_activity_links"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/schedules/{schedule_id}"
        "/activity_links"
    )
    replication_key = "updated_at"
    updated_at_param = "filters[updated_at][gt]"
    max_page_size = V2_MAX
    parent_stream_type = SchedulesStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "schedule_id", "id")


class ScheduleTimelineEventsStream(ProjectStream):
    """Timeline events of each schedule."""

    name = "schedule_timeline_events"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/schedules/{schedule_id}"
        "/timeline_events"
    )
    max_page_size = V2_MAX
    parent_stream_type = SchedulesStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "schedule_id", "timeline_event_id")


class ScheduleCalendarsStream(ProjectStream):
    """Working calendars of the project's schedules."""

    name = "schedule_calendars"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/calendars"
    max_page_size = V2_MAX
    tool = "schedule"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "calendar_id")


class LegacyScheduleResourcesStream(ProjectStream):
    """Resources of the legacy Schedule through the query-scoped v1.0 list; opt-in:
    schedule_resources reads them (v1.1)."""

    name = "legacy_schedule_resources"
    path = "/rest/v1.0/resources"
    tool = "schedule"
    selected_by_default = False

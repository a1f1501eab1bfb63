"""Project Management: RFIs, submittals, drawings, daily logs."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import ProjectStream


class RfisStream(ProjectStream):
    name = "rfis"
    path = "/rest/v1.0/projects/{project_id}/rfis"
    replication_key = "updated_at"
    tool = "rfi"
    child_id_key = "rfi_id"


class RfiRepliesStream(ProjectStream):
    """Replies of each RFI read in this run: all RFIs on a first sync, changed RFIs after that
    (a reply updates its RFI)."""

    name = "rfi_replies"
    path = "/rest/v1.0/projects/{project_id}/rfis/{rfi_id}/replies"
    parent_stream_type = RfisStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "rfi_id", "id")
    tool = "rfi"


class SubmittalsStream(ProjectStream):
    name = "submittals"
    path = "/rest/v1.1/projects/{project_id}/submittals"
    replication_key = "updated_at"
    tool = "submittal_log"


class DrawingAreasStream(ProjectStream):
    name = "drawing_areas"
    path = "/rest/v1.1/projects/{project_id}/drawing_areas"
    tool = "drawings"


class ManpowerLogsStream(ProjectStream):
    """Daily log: Procore returns only today's logs unless given dates, so it is read in
    start_date/end_date windows from the bookmark (minus log_lookback_days) to today."""

    name = "manpower_logs"
    path = "/rest/v1.0/projects/{project_id}/manpower_logs"
    replication_key = "date"
    date_params = ("start_date", "end_date")
    tool = "daily_log"

"""Project Management: RFIs, submittals, drawings, specifications, daily logs, meetings, forms,
photos, schedule, coordination issues, bidding and BIM."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream

# Fixed bounds for endpoints whose date parameters filter by occurrence, not by log day: wide
# enough to cover every project, so nothing is cut off by a default range.
_EARLIEST_DAY = "1970-01-01"
_LATEST_DAY = "2100-12-31"


# --- RFIs --------------------------------------------------------------------------------------


class RfisStream(ProjectStream):
    name = "rfis"
    path = "/rest/v1.0/projects/{project_id}/rfis"
    replication_key = "updated_at"
    tool = "rfi"
    child_id_key = "rfi_id"


class DeletedRfisStream(ProjectStream):
    """RFIs in the recycle bin (same keys as `rfis`, for an anti-join)."""

    name = "deleted_rfis"
    path = "/rest/v1.0/projects/{project_id}/rfis/recycle_bin"
    replication_key = "updated_at"
    tool = "rfi"


class RfiRepliesStream(ProjectStream):
    """Replies of each RFI read in this run: all RFIs on a first sync, changed RFIs after that
    (a reply updates its RFI)."""

    name = "rfi_replies"
    path = "/rest/v1.0/projects/{project_id}/rfis/{rfi_id}/replies"
    parent_stream_type = RfisStream


class RfiPotentialAssigneesStream(ProjectStream):
    """Option list: the users an RFI can be assigned to in each project (a user appears once per
    project, hence project_id + id)."""

    name = "rfi_potential_assignees"
    path = "/rest/v1.0/projects/{project_id}/rfis/potential_assignees"
    tool = "rfi"


class RfiPotentialManagersStream(ProjectStream):
    """Option list: the users that can be RFI manager in each project (project_id + id)."""

    name = "rfi_potential_managers"
    path = "/rest/v1.0/projects/{project_id}/rfis/potential_rfi_managers"
    tool = "rfi"


# --- Submittals ----------------------------------------------------------------------------


class SubmittalsStream(ProjectStream):
    name = "submittals"
    path = "/rest/v1.1/projects/{project_id}/submittals"
    replication_key = "updated_at"
    tool = "submittal_log"
    child_id_key = "submittal_id"


class DeletedSubmittalsStream(ProjectStream):
    """Submittals in the recycle bin (v1.1, the version `submittals` reads)."""

    name = "deleted_submittals"
    path = "/rest/v1.1/projects/{project_id}/submittals/recycle_bin"
    replication_key = "updated_at"
    tool = "submittal_log"


class SubmittalApproversStream(ProjectStream):
    """One record per approver of each submittal. Procore has no approvers list endpoint: they
    come inside each v1.1 submittal (`approvers`), so no request is made. Follows `submittals`:
    all submittals on a first sync, changed submittals after that. Keyed by project, submittal
    and the approver's id (an approver id belongs to one submittal revision)."""

    name = "submittal_approvers"
    path = "/rest/v1.1/projects/{project_id}/submittals"
    parent_stream_type = SubmittalsStream
    embedded_in = "approvers"


class SubmittalResponsesStream(ProjectStream):
    """The approver responses configured in each project (Approved, Revise and Resubmit...)."""

    name = "submittal_responses"
    path = "/rest/v1.0/projects/{project_id}/submittal_responses"
    tool = "submittal_log"


class SubmittalPackagesStream(ProjectStream):
    name = "submittal_packages"
    path = "/rest/v1.0/projects/{project_id}/submittal_packages"
    replication_key = "updated_at"
    tool = "submittal_log"


# --- Drawings --------------------------------------------------------------------------------


class DrawingAreasStream(ProjectStream):
    name = "drawing_areas"
    path = "/rest/v1.1/projects/{project_id}/drawing_areas"
    tool = "drawings"
    child_id_key = "drawing_area_id"


class DrawingsStream(ProjectStream):
    """Drawings of each drawing area (v1.1), in the `extended` view, which carries each
    drawing's current revision. Every revision, with change tracking, is in
    `drawing_revisions`."""

    name = "drawings"
    parent_count_field = "drawings_count"
    path = "/rest/v1.1/drawing_areas/{drawing_area_id}/drawings"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}", "view": "extended"}
    parent_stream_type = DrawingAreasStream


class DrawingRevisionsStream(ProjectStream):
    """Every drawing revision of the project, obsolete ones included (`with_obsolete=true`;
    Procore leaves them out by default)."""

    name = "drawing_revisions"
    path = "/rest/v1.0/projects/{project_id}/drawing_revisions"
    query: t.ClassVar[dict[str, str]] = {"with_obsolete": "true"}
    replication_key = "updated_at"
    tool = "drawings"


class DeletedDrawingRevisionsStream(ProjectStream):
    """Deleted drawing revisions: the live list with `filters[deleted]=only` (obsolete ones
    included, as in `drawing_revisions`)."""

    name = "deleted_drawing_revisions"
    path = "/rest/v1.0/projects/{project_id}/drawing_revisions"
    query: t.ClassVar[dict[str, str]] = {"filters[deleted]": "only", "with_obsolete": "true"}
    replication_key = "updated_at"
    tool = "drawings"


class DrawingSetsStream(ProjectStream):
    name = "drawing_sets"
    path = "/rest/v1.0/projects/{project_id}/drawing_sets"
    tool = "drawings"


class DrawingUploadsStream(ProjectStream):
    """Drawing uploads (v1.1): each batch of drawing files uploaded, with its processing
    status."""

    name = "drawing_uploads"
    path = "/rest/v1.1/projects/{project_id}/drawing_uploads"
    tool = "drawings"


class DrawingDisciplinesStream(ProjectStream):
    """Drawing disciplines (v1.1, the newer version of the v1.0 list)."""

    name = "drawing_disciplines"
    path = "/rest/v1.1/projects/{project_id}/drawing_disciplines"
    tool = "drawings"


# --- Specifications ----------------------------------------------------------------------------


class SpecificationSectionsStream(ProjectStream):
    name = "specification_sections"
    path = "/rest/v1.0/specification_sections"
    paginated = False
    tool = "specifications"


class SpecificationSectionDivisionsStream(ProjectStream):
    name = "specification_section_divisions"
    path = "/rest/v1.0/specification_section_divisions"
    tool = "specifications"
    child_id_key = "specification_section_division_id"


class SpecificationSectionRevisionsStream(ProjectStream):
    """Revisions of the sections of each specification division (Procore lists them per
    division, not per section). All revisions, not only current ones (`all_revisions=true`)."""

    name = "specification_section_revisions"
    path = "/rest/v1.0/specification_section_revisions"
    query: t.ClassVar[dict[str, str]] = {
        "project_id": "{project_id}",
        "specification_section_division_id": "{specification_section_division_id}",
        "all_revisions": "true",
    }
    parent_stream_type = SpecificationSectionDivisionsStream


class SpecificationSetsStream(ProjectStream):
    name = "specification_sets"
    path = "/rest/v1.0/projects/{project_id}/specification_sets"
    tool = "specifications"


class SpecificationUploadsStream(ProjectStream):
    name = "specification_uploads"
    path = "/rest/v1.0/projects/{project_id}/specification_uploads"
    tool = "specifications"


# --- Daily log ---------------------------------------------------------------------------------


class _DailyLogStream(ProjectStream):
    """Daily log: Procore returns only today's logs unless given dates, so these are read in
    start_date/end_date windows from the bookmark (minus log_lookback_days) to today."""

    replication_key = "date"
    date_params = ("start_date", "end_date")
    tool = "daily_log"


class AccidentLogsStream(_DailyLogStream):
    name = "accident_logs"
    path = "/rest/v1.0/projects/{project_id}/accident_logs"


class CallLogsStream(_DailyLogStream):
    name = "call_logs"
    path = "/rest/v1.0/projects/{project_id}/call_logs"


class ConstructionReportLogsStream(_DailyLogStream):
    name = "construction_report_logs"
    path = "/rest/v1.0/projects/{project_id}/daily_construction_report_logs"


class DelayLogsStream(_DailyLogStream):
    name = "delay_logs"
    path = "/rest/v1.0/projects/{project_id}/delay_logs"


class DeliveryLogsStream(_DailyLogStream):
    name = "delivery_logs"
    path = "/rest/v1.0/projects/{project_id}/delivery_logs"


class DumpsterLogsStream(_DailyLogStream):
    name = "dumpster_logs"
    path = "/rest/v1.0/projects/{project_id}/dumpster_logs"


class EquipmentLogsStream(_DailyLogStream):
    name = "equipment_logs"
    path = "/rest/v1.0/projects/{project_id}/equipment_logs"


class InspectionLogsStream(_DailyLogStream):
    name = "inspection_logs"
    path = "/rest/v1.0/projects/{project_id}/inspection_logs"


class ManpowerLogsStream(_DailyLogStream):
    name = "manpower_logs"
    path = "/rest/v1.0/projects/{project_id}/manpower_logs"


class NotesLogsStream(_DailyLogStream):
    name = "notes_logs"
    path = "/rest/v1.0/projects/{project_id}/notes_logs"


class PlanRevisionLogsStream(_DailyLogStream):
    name = "plan_revision_logs"
    path = "/rest/v1.0/projects/{project_id}/plan_revision_logs"
    paginated = False


class ProductivityLogsStream(_DailyLogStream):
    name = "productivity_logs"
    path = "/rest/v1.0/projects/{project_id}/productivity_logs"


class QuantityLogsStream(_DailyLogStream):
    name = "quantity_logs"
    path = "/rest/v1.0/projects/{project_id}/quantity_logs"


class SafetyViolationLogsStream(_DailyLogStream):
    name = "safety_violation_logs"
    path = "/rest/v1.0/projects/{project_id}/safety_violation_logs"


class VisitorLogsStream(_DailyLogStream):
    name = "visitor_logs"
    path = "/rest/v1.0/projects/{project_id}/visitor_logs"


class WasteLogsStream(_DailyLogStream):
    name = "waste_logs"
    path = "/rest/v1.0/projects/{project_id}/waste_logs"


class WeatherLogsStream(_DailyLogStream):
    """Weather logs from v1.1 (`/daily_logs/weather_logs`, the newer version of
    `/rest/v1.0/projects/{project_id}/weather_logs`; it adds `deleted_at`)."""

    name = "weather_logs"
    path = "/rest/v1.1/projects/{project_id}/daily_logs/weather_logs"


class WorkLogsStream(_DailyLogStream):
    name = "work_logs"
    path = "/rest/v1.0/projects/{project_id}/work_logs"


class DailyLogHeadersStream(ProjectStream):
    """One header per log day (completed / distributed status). Read in start_date/end_date
    windows like the logs; its day is `log_date`."""

    name = "daily_log_headers"
    path = "/rest/v1.0/projects/{project_id}/daily_log_headers/index"
    replication_key = "log_date"
    date_params = ("start_date", "end_date")
    tool = "daily_log"


class DailyLogCountsStream(ProjectStream):
    """Aggregate: how many daily log entries each log type (`module_name`) holds in the
    project over its whole life. Read with one fixed start_date/end_date range covering every
    possible log day (not in bookmark windows, which would overwrite totals with counts of the
    last few days) and replaced on every run; one row per project and log type. The rows have no
    id and `module_name` may be null: keyed by (project_id, row_key), row_key derived from
    module_name. Per-day counts are the log streams themselves, grouped by date."""

    name = "daily_log_counts"
    path = "/rest/v1.1/projects/{project_id}/daily_logs/counts"
    query: t.ClassVar[dict[str, str]] = {"start_date": _EARLIEST_DAY, "end_date": _LATEST_DAY}
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    surrogate_key_of = ("module_name",)
    tool = "daily_log"


class DelayLogTypesStream(ProjectStream):
    """Delay log types of each project, hidden ones included (`filters[visible]=false...true`;
    Procore lists only visible ones by default)."""

    name = "delay_log_types"
    path = "/rest/v1.0/projects/{project_id}/daily_logs/delay_log_types"
    query: t.ClassVar[dict[str, str]] = {"filters[visible]": "false...true"}
    tool = "daily_log"


class InstructionsStream(ProjectStream):
    """Instructions (site instructions). Procore files them under Daily Log in the API
    description but they are their own tool, so no tool gate: a project without it answers
    403, which is skipped."""

    name = "instructions"
    path = "/rest/v1.0/projects/{project_id}/instructions"


class InstructionTypesStream(ProjectStream):
    """Instruction types of each project (no tool gate, as for `instructions`)."""

    name = "instruction_types"
    path = "/rest/v1.0/projects/{project_id}/instruction_types"


# --- Meetings --------------------------------------------------------------------------------


def _flatten_meetings(body: t.Any) -> list[dict[str, t.Any]] | None:
    """Meetings as a flat list, from any of the shapes Procore answers with: grouped by default
    (`[{"group_title": ..., "meetings": [...]}]`, each meeting keeps its `group_title`),
    `{"meetings": [...]}` (documented for `deleted_only`) or a flat array."""
    if isinstance(body, dict) and isinstance(body.get("meetings"), list):
        body = body["meetings"]
    if not isinstance(body, list):
        return None
    meetings: list[dict[str, t.Any]] = []
    for item in body:
        if not isinstance(item, dict):
            continue
        group = item.get("meetings")
        if isinstance(group, list) and "id" not in item:
            meetings.extend(
                {**meeting, "group_title": item.get("group_title")}
                for meeting in group
                if isinstance(meeting, dict)
            )
        else:
            meetings.append(item)
    return meetings


class MeetingsStream(ProjectStream):
    """Meetings (v1.1). The default response groups meetings (`group_title` + `meetings`);
    it is flattened to one record per meeting, which keeps its `group_title`."""

    name = "meetings"
    path = "/rest/v1.1/projects/{project_id}/meetings"
    tool = "meetings"
    child_id_key: t.ClassVar[str | None] = "meeting_id"

    def records_in_body(self, body: t.Any) -> list[dict[str, t.Any]] | None:
        return _flatten_meetings(body)


class DeletedMeetingsStream(MeetingsStream):
    """Deleted meetings: the live list with `deleted_only=true` (answered ungrouped)."""

    name = "deleted_meetings"
    query: t.ClassVar[dict[str, str]] = {"deleted_only": "true"}
    child_id_key = None


class MeetingCategoriesStream(ProjectStream):
    """Agenda categories of each meeting (`meeting_id` is a required query parameter).
    Meeting topics have no list endpoint in the API description."""

    name = "meeting_categories"
    path = "/rest/v1.0/meeting_categories"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}", "meeting_id": "{meeting_id}"}
    parent_stream_type = MeetingsStream


class MeetingTemplatesStream(CompanyStream):
    name = "meeting_templates"
    path = "/rest/v1.0/companies/{company_id}/meeting_templates"


# --- Forms -------------------------------------------------------------------------------------


class FormsStream(ProjectStream):
    name = "forms"
    path = "/rest/v1.1/projects/{project_id}/forms"
    replication_key = "updated_at"
    tool = "forms"


class DeletedFormsStream(ProjectStream):
    """Forms in the project recycle bin."""

    name = "deleted_forms"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/forms"
    replication_key = "updated_at"
    tool = "forms"


class FormTemplatesStream(CompanyStream):
    """Form templates are company objects (the project endpoint lists the same company
    templates once per project), so they are read once per company."""

    name = "form_templates"
    path = "/rest/v1.0/companies/{company_id}/form_templates"
    replication_key = "updated_at"


class DeletedFormTemplatesStream(CompanyStream):
    """Form templates in the company recycle bin."""

    name = "deleted_form_templates"
    path = "/rest/v1.0/companies/{company_id}/recycle_bin/form_templates"
    replication_key = "updated_at"


# --- Photos ------------------------------------------------------------------------------------


class ImagesStream(ProjectStream):
    name = "images"
    path = "/rest/v1.0/images"
    replication_key = "updated_at"
    tool = "photos"


class ImageCategoriesStream(ProjectStream):
    """Photo albums."""

    name = "image_categories"
    path = "/rest/v1.0/image_categories"
    tool = "photos"


# --- Schedule ----------------------------------------------------------------------------------


class ScheduleMetadataStream(ProjectStream):
    """One object per project: the project schedule's metadata and integration type."""

    name = "schedule_metadata"
    path = "/rest/v1.0/projects/{project_id}/schedule"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id",)
    response_kind = "object"
    paginated = False
    tool = "schedule"


class ScheduleSettingsStream(ProjectStream):
    """One object per project: the Schedule tool settings."""

    name = "schedule_settings"
    path = "/rest/v1.0/projects/{project_id}/schedule/settings"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id",)
    response_kind = "object"
    paginated = False
    tool = "schedule"


class CalendarItemsStream(ProjectStream):
    """Calendar items (schedule to-dos). Incremental on `filters[updated_at]`. Its start_date /
    finish_date parameters select items by when they occur (not by log day), so they are sent as
    one fixed range covering every possible date: items far in the past or future are included
    whatever default range Procore applies."""

    name = "calendar_items"
    path = "/rest/v1.0/projects/{project_id}/schedule/calendar_items"
    query: t.ClassVar[dict[str, str]] = {"start_date": _EARLIEST_DAY, "finish_date": _LATEST_DAY}
    replication_key = "updated_at"
    tool = "schedule"


class LookaheadsStream(ProjectStream):
    """Lookahead schedules (v1.1, which declares no paging)."""

    name = "lookaheads"
    path = "/rest/v1.1/projects/{project_id}/schedule/lookaheads"
    paginated = False
    tool = "schedule"


class ScheduleResourcesStream(ProjectStream):
    name = "schedule_resources"
    path = "/rest/v1.1/projects/{project_id}/schedule/resources"
    tool = "schedule"


class ScheduleRequestedChangesStream(ProjectStream):
    """Change requests on schedule tasks (v1.1; without `task_id` it lists the whole
    schedule's)."""

    name = "schedule_requested_changes"
    path = "/rest/v1.1/projects/{project_id}/schedule/requested_changes"
    tool = "schedule"


class ScheduleImportsStream(ProjectStream):
    """Schedule file imports of each project, most recent first."""

    name = "schedule_imports"
    path = "/rest/v1.0/schedule_integration"
    tool = "schedule"


# --- Coordination issues -----------------------------------------------------------------------


class CoordinationIssuesStream(ProjectStream):
    """Coordination issues in the `extended` view (the default `normal` view leaves out
    attachments, viewpoints, linked items and updated_by)."""

    name = "coordination_issues"
    path = "/rest/v1.0/coordination_issues"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}", "view": "extended"}
    replication_key = "updated_at"
    tool = "coordination_issues"
    child_id_key = "coordination_issue_id"


class DeletedCoordinationIssuesStream(ProjectStream):
    """Coordination issues in the recycle bin (`extended` view, as the live stream)."""

    name = "deleted_coordination_issues"
    path = "/rest/v1.0/coordination_issues/recycle_bin"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}", "view": "extended"}
    replication_key = "updated_at"
    tool = "coordination_issues"


class CoordinationIssueActivitiesStream(ProjectStream):
    """Activities of all coordination issues of the project (a project-wide list, optionally
    filtered by issue), in the `extended` view, which adds `activity_details`."""

    name = "coordination_issue_activities"
    path = "/rest/v1.0/coordination_issue_activities"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}", "view": "extended"}
    tool = "coordination_issues"


class DeletedCoordinationIssueActivitiesStream(ProjectStream):
    """Deleted coordination issue activities: `filters[include_deleted]=only`."""

    name = "deleted_coordination_issue_activities"
    path = "/rest/v1.0/coordination_issue_activities"
    query: t.ClassVar[dict[str, str]] = {
        "project_id": "{project_id}",
        "view": "extended",
        "filters[include_deleted]": "only",
    }
    tool = "coordination_issues"


class CoordinationIssueActivityFeedItemsStream(ProjectStream):
    name = "coordination_issue_activity_feed_items"
    path = "/rest/v1.0/coordination_issue_activities/feed"
    tool = "coordination_issues"


class DeletedCoordinationIssueActivityFeedItemsStream(ProjectStream):
    """Deleted activity feed items: `filters[include_deleted]=only`."""

    name = "deleted_coordination_issue_activity_feed_items"
    path = "/rest/v1.0/coordination_issue_activities/feed"
    query: t.ClassVar[dict[str, str]] = {
        "project_id": "{project_id}",
        "filters[include_deleted]": "only",
    }
    tool = "coordination_issues"


# --- Bidding -------------------------------------------------------------------------------


class BidPackagesStream(ProjectStream):
    """Bid packages (v1.1), open and closed (`view=all`; Procore lists only open ones by
    default)."""

    name = "bid_packages"
    path = "/rest/v1.1/projects/{project_id}/bid_packages"
    query: t.ClassVar[dict[str, str]] = {"view": "all"}
    tool = "bidding"
    child_id_key = "bid_package_id"


class BidFormsStream(ProjectStream):
    name = "bid_forms"
    path = "/rest/v1.0/projects/{project_id}/bid_packages/{bid_package_id}/bid_forms"
    parent_stream_type = BidPackagesStream


class BidsStream(ProjectStream):
    name = "bids"
    path = "/rest/v1.0/projects/{project_id}/bids"
    tool = "bidding"


class BidContactsStream(ProjectStream):
    name = "bid_contacts"
    path = "/rest/v1.0/projects/{project_id}/bid_contacts"
    replication_key = "updated_at"
    tool = "bidding"


# --- BIM ---------------------------------------------------------------------------------------


class BimModelsStream(ProjectStream):
    """BIM models in the `extended` view (with the current revision as an object)."""

    name = "bim_models"
    path = "/rest/v1.0/bim_models"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}", "view": "extended"}
    tool = "bim"
    child_id_key = "bim_model_id"


class BimModelRevisionsStream(ProjectStream):
    """Every published revision of every BIM model (`extended` view)."""

    name = "bim_model_revisions"
    path = "/rest/v1.0/bim_model_revisions"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}", "view": "extended"}
    tool = "bim"
    child_id_key = "bim_model_revision_id"


class BimPlansStream(ProjectStream):
    """BIM plans in the `extended` view (with image and sheet/model map points)."""

    name = "bim_plans"
    path = "/rest/v1.0/bim_plans"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}", "view": "extended"}
    tool = "bim"


# --- Inspections and timecard settings listed under Project Management ------------------------


class InspectionTypesStream(CompanyStream):
    name = "inspection_types"
    path = "/rest/v1.0/companies/{company_id}/inspection_types"


class InspectionUsersStream(ProjectStream):
    """Users of the Inspections tool, with whether each can be assignee, point of contact or
    distribution member (project_id + id)."""

    name = "inspection_users"
    path = "/rest/v1.1/projects/{project_id}/checklist/users"
    tool = "checklists"


class ChecklistResponsesStream(CompanyStream):
    """ "Responses" in Procore's tool list: the company's inspection (checklist) item responses."""

    name = "checklist_responses"
    path = "/rest/v1.0/companies/{company_id}/checklist/responses"
    paginated = False


class TimecardTimeTypesStream(ProjectStream):
    """Time types available in each project (no tool gate: a project setting, not a
    Timesheets tool list)."""

    name = "timecard_time_types"
    path = "/rest/v1.0/timecard_time_types"


# --- breadth: more of Procore's project management lists ----------------------------------


class WeatherLogsV1Stream(_DailyLogStream):
    """Weather logs through the v1.0 list (weather_logs reads v1.1); opt-in."""

    name = "weather_logs_v1"
    path = "/rest/v1.0/projects/{project_id}/weather_logs"
    selected_by_default = False


class MeetingGroupsStream(ProjectStream):
    """Meetings grouped as the v1.0 list returns them (one row per group with its meetings),
    keyed by the group's title; opt-in: meetings reads every meeting."""

    name = "meeting_groups"
    path = "/rest/v1.0/meetings"
    tool = "meetings"
    surrogate_key_of = ("group_title",)
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    selected_by_default = False


class ProjectFormTemplatesStream(ProjectStream):
    """Form templates available in each project."""

    name = "project_form_templates"
    path = "/rest/v1.0/projects/{project_id}/form_templates"
    replication_key = "updated_at"
    tool = "forms"


class CommunicationTagsStream(ProjectStream):
    """Tags of the project's emails (Emails tool)."""

    name = "communication_tags"
    path = "/rest/v1.0/communication_tags"


class SubmittalLogsStream(ProjectStream):
    name = "submittal_logs"
    path = "/rest/v1.0/submittal_logs"
    tool = "submittal_log"


class SubmittalResponsesV1Stream(ProjectStream):
    """Submittal responses through the query-scoped v1.0 list; opt-in: submittal_responses
    reads them."""

    name = "project_submittal_responses"
    path = "/rest/v1.0/submittal_responses"
    tool = "submittal_log"
    selected_by_default = False


class SubmittalAttachmentsWithMarkupStream(ProjectStream):
    name = "submittal_attachments_with_markup"
    path = "/rest/v1.1/projects/{project_id}/submittals/attachments_with_markup"
    tool = "submittal_log"


class SubmittalRevisionsStream(ProjectStream):
    """Revisions of each submittal (one request per submittal); opt-in."""

    name = "submittal_revisions"
    path = "/rest/v1.1/projects/{project_id}/submittals/{id}/revisions"
    path_params: t.ClassVar[dict[str, str]] = {"id": "submittal_id"}
    parent_stream_type = SubmittalsStream
    selected_by_default = False


class SubmittalsV2Stream(ProjectStream):
    """The same submittals as submittals, through the v2.0 list (text ids); its rows carry no
    updated_at, so it is read in full; opt-in."""

    name = "submittals_v2"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/submittals"
    max_page_size = 100
    tool = "submittal_log"
    selected_by_default = False


class DrawingRevisionTermsStream(ProjectStream):
    """Search terms Procore extracted from each drawing revision (one row per revision);
    opt-in."""

    name = "drawing_revision_terms"
    path = "/rest/v1.1/projects/{project_id}/drawing_revision_terms"
    paginated = False
    tool = "drawings"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "drawing_revision_id")
    selected_by_default = False


class SpecificationSectionTermsStream(ProjectStream):
    """Search terms Procore extracted from each specification section (one row per section);
    opt-in."""

    name = "specification_section_terms"
    path = "/rest/v1.1/projects/{project_id}/specification_section_terms"
    paginated = False
    tool = "specifications"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "specification_section_id")
    selected_by_default = False


class SpecificationAreasStream(ProjectStream):
    name = "specification_areas"
    path = "/rest/v2.1/companies/{company_id}/projects/{project_id}/specification_areas"
    max_page_size = 100
    tool = "specifications"


class SpecificationDistributionGroupsStream(ProjectStream):
    name = "specification_distribution_groups"
    path = (
        "/rest/v2.1/companies/{company_id}/projects/{project_id}/specification_configuration"
        "/distribution_groups"
    )
    max_page_size = 100
    tool = "specifications"

"""Quality & Safety: punch list, inspections, observations, incidents, action plans.

Deleted records come from Procore's recycle bins: each `deleted_<stream>` has the primary keys
of its live stream, so a warehouse can anti-join.
"""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream
from tap_procore.streams.project_management import CoordinationIssuesStream

# === Punch list ===============================================================================


class PunchItemsStream(ProjectStream):
    name = "punch_items"
    path = "/rest/v1.1/punch_items"
    replication_key = "updated_at"
    tool = "punch_list"


class DeletedPunchItemsStream(ProjectStream):
    """Punch items in the recycle bin. v1.1, the version punch_items reads (a v1.0 bin exists
    too). No paging or updated_at filter declared: the whole bin on every run."""

    name = "deleted_punch_items"
    path = "/rest/v1.1/punch_items/recycle_bin"
    paginated = False
    tool = "punch_list"


class PunchItemTemplatesStream(ProjectStream):
    name = "punch_item_templates"
    path = "/rest/v1.0/projects/{project_id}/punch_item_templates"
    replication_key = "updated_at"
    tool = "punch_list"


class PunchItemManagersStream(ProjectStream):
    """Users who can be made Punch Item Manager (an option list)."""

    name = "punch_item_managers"
    path = "/rest/v1.0/projects/{project_id}/available_punch_item_managers"
    tool = "punch_list"


class PunchItemTypesStream(ProjectStream):
    name = "punch_item_types"
    path = "/rest/v1.0/punch_item_types"
    tool = "punch_list"


# === Inspections (checklists) ====================================================================


class ChecklistsStream(ProjectStream):
    name = "checklists"
    path = "/rest/v1.0/projects/{project_id}/checklist/lists"
    replication_key = "updated_at"
    tool = "checklists"
    child_id_key = "list_id"


class DeletedChecklistsStream(ProjectStream):
    name = "deleted_checklists"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/checklist/lists"
    replication_key = "updated_at"
    tool = "checklists"


class ChecklistSignatureRequestsStream(ProjectStream):
    """Signature requests of each checklist read in this run (all checklists on a first sync,
    changed ones after that). No paging declared."""

    name = "checklist_signature_requests"
    path = "/rest/v1.0/checklist/lists/{list_id}/signature_requests"
    parent_stream_type = ChecklistsStream
    paginated = False


class ChecklistItemsStream(ProjectStream):
    """Items of every checklist of the project (v1.1, the latest version), with their
    `item_response`."""

    name = "checklist_items"
    path = "/rest/v1.1/projects/{project_id}/checklist/list_items"
    replication_key = "updated_at"
    tool = "checklists"
    child_id_key = "item_id"


class ChecklistItemResponsesStream(ProjectStream):
    """The response of each checklist item read in this run, from Procore's per-item show
    endpoint (one object per item, keyed by item_id: it has no id of its own).

    Not selected by default: it costs one request per checklist item, and checklist_items
    already carries the same data in `item_response`."""

    name = "checklist_item_responses"
    path = "/rest/v1.0/projects/{project_id}/checklist/items/{item_id}/item_response"
    parent_stream_type = ChecklistItemsStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "item_id")
    response_kind = "object"
    paginated = False
    selected_by_default = False


class ChecklistItemAttachmentsStream(ProjectStream):
    name = "checklist_item_attachments"
    path = "/rest/v1.0/projects/{project_id}/checklist/list_item_attachments"
    replication_key = "updated_at"
    tool = "checklists"


class DeletedChecklistItemAttachmentsStream(ProjectStream):
    """Attachments of items of deleted checklists."""

    name = "deleted_checklist_item_attachments"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/checklist/list_item_attachments"
    replication_key = "updated_at"
    tool = "checklists"


class ChecklistItemCommentsStream(ProjectStream):
    name = "checklist_item_comments"
    path = "/rest/v1.0/projects/{project_id}/checklist/list_item_comments"
    replication_key = "updated_at"
    tool = "checklists"


class DeletedChecklistItemCommentsStream(ProjectStream):
    """Comments of items of deleted checklists."""

    name = "deleted_checklist_item_comments"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/checklist/list_item_comments"
    replication_key = "updated_at"
    tool = "checklists"


class ChecklistItemObservationsStream(ProjectStream):
    """Links between checklist items and the observations raised from them."""

    name = "checklist_item_observations"
    path = "/rest/v1.0/projects/{project_id}/checklist/list_item_observations"
    replication_key = "updated_at"
    tool = "checklists"


class ChecklistSectionsStream(ProjectStream):
    name = "checklist_sections"
    path = "/rest/v1.0/projects/{project_id}/checklist/list_sections"
    replication_key = "updated_at"
    tool = "checklists"


class DeletedChecklistSectionsStream(ProjectStream):
    """Sections in the recycle bin (only a v1.1 recycle-bin list exists)."""

    name = "deleted_checklist_sections"
    path = "/rest/v1.1/projects/{project_id}/recycle_bin/checklist/list_sections"
    replication_key = "updated_at"
    tool = "checklists"


class ChecklistDefaultDistributionStream(ProjectStream):
    """Inspections default distribution members.

    Not selected by default: Procore marks this endpoint deprecated (since February 2022), and
    deprecated endpoints are sunset after a year and refused to new apps. The members also appear
    in each checklist's `distribution_members`."""

    name = "checklist_default_distribution"
    path = "/rest/v1.0/checklist/default_distribution"
    tool = "checklists"
    selected_by_default = False


class ChecklistTypeFilterOptionsStream(ProjectStream):
    """Inspection types used by the project's inspections: `{key, value}` options without an id,
    keyed by `row_key` derived from `key` (which may be null). No paging declared."""

    name = "checklist_type_filter_options"
    path = "/rest/v1.0/projects/{project_id}/checklist/lists/filter_options/types"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    surrogate_key_of = ("key",)
    paginated = False
    tool = "checklists"


class ChecklistTemplatesStream(ProjectStream):
    """Project checklist templates (v1.1, the latest version)."""

    name = "checklist_templates"
    path = "/rest/v1.1/projects/{project_id}/checklist/list_templates"
    tool = "checklists"
    child_id_key = "list_template_id"


class DeletedChecklistTemplatesStream(ProjectStream):
    """Project checklist templates in the recycle bin (only a v1.0 recycle-bin list exists)."""

    name = "deleted_checklist_templates"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/checklist/list_templates"
    tool = "checklists"


class ChecklistItemTypesStream(ProjectStream):
    """Item types available in each project (`?project_id=`; the operation marks company_id and
    project_id required but says one of them is enough)."""

    name = "checklist_item_types"
    path = "/rest/v1.0/checklist/item_types"
    tool = "checklists"


class ChecklistSchedulesStream(ProjectStream):
    """Recurring inspection schedules."""

    name = "checklist_schedules"
    path = "/rest/v1.0/projects/{project_id}/checklist/schedules"
    replication_key = "updated_at"
    tool = "checklists"
    child_id_key = "schedule_id"


class CompanyChecklistTemplatesStream(CompanyStream):
    name = "company_checklist_templates"
    path = "/rest/v1.0/companies/{company_id}/checklist/list_templates"
    replication_key = "updated_at"
    child_id_key = "list_template_id"


class DeletedCompanyChecklistTemplatesStream(CompanyStream):
    name = "deleted_company_checklist_templates"
    path = "/rest/v1.0/companies/{company_id}/recycle_bin/checklist/list_templates"


class CompanyChecklistSectionsStream(CompanyStream):
    """Sections of each company checklist template read in this run (`?list_template_id=`; all
    templates on a first sync, changed ones after that). No paging declared."""

    name = "company_checklist_sections"
    path = "/rest/v1.0/companies/{company_id}/checklist/sections"
    query: t.ClassVar[dict[str, str]] = {"list_template_id": "{list_template_id}"}
    parent_stream_type = CompanyChecklistTemplatesStream
    paginated = False


class CompanyChecklistTemplateSectionsStream(CompanyStream):
    """Sections of each company checklist template read in this run (template id in the path).
    No paging declared."""

    name = "company_checklist_template_sections"
    path = "/rest/v1.0/companies/{company_id}/checklist/list_templates/{list_template_id}/sections"
    parent_stream_type = CompanyChecklistTemplatesStream
    paginated = False


class CompanyChecklistItemTypesStream(CompanyStream):
    """Item types available in each company: the checklist_item_types endpoint with
    `?company_id=`."""

    name = "company_checklist_item_types"
    path = "/rest/v1.0/checklist/item_types"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}


class ChecklistItemResponseSetsStream(CompanyStream):
    """Company item response sets (the answers an inspection item offers), with their
    responses."""

    name = "checklist_item_response_sets"
    path = "/rest/v1.0/companies/{company_id}/checklist/item/response_sets"
    replication_key = "updated_at"
    child_id_key = "response_set_id"


# === Observations ===============================================================================


class ObservationsStream(ProjectStream):
    name = "observations"
    path = "/rest/v1.0/observations/items"
    replication_key = "updated_at"
    tool = "observations"
    child_id_key = "item_id"


class DeletedObservationsStream(ProjectStream):
    """Observation items in the recycle bin. No paging declared (filters[updated_at] is)."""

    name = "deleted_observations"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/observations/items"
    replication_key = "updated_at"
    paginated = False
    tool = "observations"


class ObservationResponseLogsStream(ProjectStream):
    """Responses (comments and status changes) on the project's observations."""

    name = "observation_response_logs"
    path = "/rest/v1.0/projects/{project_id}/observations/response_logs"
    replication_key = "updated_at"
    tool = "observations"


class ObservationAssigneesStream(ProjectStream):
    """Users who can be assigned observations (an option list)."""

    name = "observation_assignees"
    path = "/rest/v1.0/observations/assignees"
    tool = "observations"


class ObservationTypesStream(ProjectStream):
    """Observation types of each project (`?project_id=`; the operation marks company_id and
    project_id required but says one of them is enough)."""

    name = "observation_types"
    path = "/rest/v1.0/observations/types"
    tool = "observations"


class CompanyObservationTypesStream(CompanyStream):
    """Observation types of each company: the observation_types endpoint with `?company_id=`."""

    name = "company_observation_types"
    path = "/rest/v1.0/observations/types"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}


# === Incidents ==================================================================================


class IncidentsStream(ProjectStream):
    name = "incidents"
    path = "/rest/v1.0/projects/{project_id}/incidents"
    replication_key = "updated_at"
    tool = "incidents"


class DeletedIncidentsStream(ProjectStream):
    name = "deleted_incidents"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/incidents"
    replication_key = "updated_at"
    tool = "incidents"


class EnvironmentalsStream(ProjectStream):
    name = "environmentals"
    path = "/rest/v1.0/projects/{project_id}/incidents/environmentals"
    tool = "incidents"


class DeletedEnvironmentalsStream(ProjectStream):
    name = "deleted_environmentals"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/incidents/environmentals"
    tool = "incidents"


class InjuriesStream(ProjectStream):
    name = "injuries"
    path = "/rest/v1.0/projects/{project_id}/incidents/injuries"
    tool = "incidents"


class DeletedInjuriesStream(ProjectStream):
    name = "deleted_injuries"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/incidents/injuries"
    tool = "incidents"


class NearMissesStream(ProjectStream):
    name = "near_misses"
    path = "/rest/v1.0/projects/{project_id}/incidents/near_misses"
    tool = "incidents"


class DeletedNearMissesStream(ProjectStream):
    name = "deleted_near_misses"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/incidents/near_misses"
    tool = "incidents"


class PropertyDamagesStream(ProjectStream):
    name = "property_damages"
    path = "/rest/v1.0/projects/{project_id}/incidents/property_damages"
    tool = "incidents"


class DeletedPropertyDamagesStream(ProjectStream):
    name = "deleted_property_damages"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/incidents/property_damages"
    tool = "incidents"


class IncidentActionsStream(ProjectStream):
    """Corrective and follow-up actions of the project's incidents."""

    name = "incident_actions"
    path = "/rest/v1.0/projects/{project_id}/incidents/actions"
    replication_key = "updated_at"
    tool = "incidents"


class DeletedIncidentActionsStream(ProjectStream):
    """Incident actions in the recycle bin (v1.1, the latest version of that list)."""

    name = "deleted_incident_actions"
    path = "/rest/v1.1/projects/{project_id}/recycle_bin/incidents/actions"
    replication_key = "updated_at"
    tool = "incidents"


class WitnessStatementsStream(ProjectStream):
    name = "witness_statements"
    path = "/rest/v1.0/projects/{project_id}/incidents/witness_statements"
    tool = "incidents"


class DeletedWitnessStatementsStream(ProjectStream):
    """Witness statements in the recycle bin (v1.1, the latest version of that list)."""

    name = "deleted_witness_statements"
    path = "/rest/v1.1/projects/{project_id}/recycle_bin/incidents/witness_statements"
    tool = "incidents"


class IncidentAlertsStream(ProjectStream):
    """Alerts sent for the project's incidents (severity-level notifications)."""

    name = "incident_alerts"
    path = "/rest/v1.0/projects/{project_id}/incidents/alerts"
    replication_key = "updated_at"
    tool = "incidents"


class IncidentSeverityLevelsStream(CompanyStream):
    name = "incident_severity_levels"
    path = "/rest/v1.0/companies/{company_id}/incidents/severity_levels"
    replication_key = "updated_at"
    child_id_key = "severity_level_id"


class IncidentFilingTypesStream(CompanyStream):
    """Injury filing types (e.g. recordable, first aid) and their severity levels."""

    name = "incident_filing_types"
    path = "/rest/v1.0/companies/{company_id}/incidents/injury_filing_types"
    replication_key = "updated_at"


class HazardsStream(CompanyStream):
    """Company hazards, inactive ones included (`all=true`: old incidents refer to them)."""

    name = "hazards"
    path = "/rest/v1.0/companies/{company_id}/hazards"
    query: t.ClassVar[dict[str, str]] = {"all": "true"}
    replication_key = "updated_at"


class ContributingBehaviorsStream(CompanyStream):
    """Company contributing behaviors, inactive ones included (`all=true`)."""

    name = "contributing_behaviors"
    path = "/rest/v1.0/companies/{company_id}/contributing_behaviors"
    query: t.ClassVar[dict[str, str]] = {"all": "true"}
    replication_key = "updated_at"


class ContributingConditionsStream(CompanyStream):
    """Company contributing conditions, inactive ones included (`all=true`)."""

    name = "contributing_conditions"
    path = "/rest/v1.0/companies/{company_id}/contributing_conditions"
    query: t.ClassVar[dict[str, str]] = {"all": "true"}
    replication_key = "updated_at"


class IncidentHarmSourcesStream(CompanyStream):
    """Company harm sources, inactive ones included (`all=true`)."""

    name = "incident_harm_sources"
    path = "/rest/v1.0/companies/{company_id}/incidents/harm_sources"
    query: t.ClassVar[dict[str, str]] = {"all": "true"}
    replication_key = "updated_at"


class IncidentAfflictionTypesStream(CompanyStream):
    name = "incident_affliction_types"
    path = "/rest/v1.0/companies/{company_id}/incidents/affliction_types"
    replication_key = "updated_at"


class IncidentBodyPartsStream(CompanyStream):
    name = "incident_body_parts"
    path = "/rest/v1.0/companies/{company_id}/incidents/body_parts"
    replication_key = "updated_at"


class IncidentWorkActivitiesStream(CompanyStream):
    name = "incident_work_activities"
    path = "/rest/v1.0/companies/{company_id}/incidents/work_activities"
    replication_key = "updated_at"


class IncidentActionTypesStream(CompanyStream):
    name = "incident_action_types"
    path = "/rest/v1.0/companies/{company_id}/incidents/action_types"
    replication_key = "updated_at"


class IncidentEnvironmentalTypesStream(CompanyStream):
    name = "incident_environmental_types"
    path = "/rest/v1.0/companies/{company_id}/incidents/environmental_types"
    replication_key = "updated_at"


# === Action plans ===============================================================================


class ActionPlansStream(ProjectStream):
    name = "action_plans"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plans"
    replication_key = "updated_at"
    tool = "action_plans"
    child_id_key = "plan_id"


class DeletedActionPlansStream(ProjectStream):
    name = "deleted_action_plans"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/action_plans/plans"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanSectionsStream(ProjectStream):
    name = "action_plan_sections"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_sections"
    replication_key = "updated_at"
    tool = "action_plans"


class DeletedActionPlanSectionsStream(ProjectStream):
    name = "deleted_action_plan_sections"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/action_plans/plan_sections"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanItemsStream(ProjectStream):
    name = "action_plan_items"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_items"
    replication_key = "updated_at"
    tool = "action_plans"


class DeletedActionPlanItemsStream(ProjectStream):
    name = "deleted_action_plan_items"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/action_plans/plan_items"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanItemAssigneesStream(ProjectStream):
    """Assignees of action plan items, with their role, signature and verification method."""

    name = "action_plan_item_assignees"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_item_assignees"
    replication_key = "updated_at"
    tool = "action_plans"


class DeletedActionPlanItemAssigneesStream(ProjectStream):
    name = "deleted_action_plan_item_assignees"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/action_plans/plan_item_assignees"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanApproversStream(ProjectStream):
    name = "action_plan_approvers"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_approvers"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanReceiversStream(ProjectStream):
    name = "action_plan_receivers"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_receivers"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanReferencesStream(ProjectStream):
    """Records referenced by action plans and their items (drawings, documents, ...)."""

    name = "action_plan_references"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_references"
    replication_key = "updated_at"
    tool = "action_plans"


class DeletedActionPlanReferencesStream(ProjectStream):
    name = "deleted_action_plan_references"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/action_plans/plan_references"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanTestRecordsStream(ProjectStream):
    """Evidence (test records) attached to action plan items."""

    name = "action_plan_test_records"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_test_records"
    replication_key = "updated_at"
    tool = "action_plans"


class DeletedActionPlanTestRecordsStream(ProjectStream):
    name = "deleted_action_plan_test_records"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/action_plans/plan_test_records"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanTestRecordRequestsStream(ProjectStream):
    """Evidence requested on action plan items."""

    name = "action_plan_test_record_requests"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_test_record_requests"
    replication_key = "updated_at"
    tool = "action_plans"


class DeletedActionPlanTestRecordRequestsStream(ProjectStream):
    name = "deleted_action_plan_test_record_requests"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/action_plans/plan_test_record_requests"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanTemplatesStream(ProjectStream):
    name = "action_plan_templates"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_templates"
    replication_key = "updated_at"
    tool = "action_plans"


class CompanyActionPlanTemplatesStream(CompanyStream):
    """Company action plan templates (v1.1, the latest version)."""

    name = "company_action_plan_templates"
    path = "/rest/v1.1/companies/{company_id}/action_plans/plan_templates"
    replication_key = "updated_at"


class DeletedCompanyActionPlanTemplatesStream(CompanyStream):
    """Company action plan templates in the recycle bin (v1.1, as the live stream)."""

    name = "deleted_company_action_plan_templates"
    path = "/rest/v1.1/companies/{company_id}/recycle_bin/action_plans/plan_templates"
    replication_key = "updated_at"


class ActionPlanTypesStream(CompanyStream):
    name = "action_plan_types"
    path = "/rest/v1.0/companies/{company_id}/action_plans/plan_types"
    replication_key = "updated_at"


class ActionPlanVerificationMethodsStream(CompanyStream):
    name = "action_plan_verification_methods"
    path = "/rest/v1.0/companies/{company_id}/action_plans/verification_methods"
    replication_key = "updated_at"


# === Breadth: more of Procore's quality and safety lists ======================================


class _PickList(ProjectStream):
    """Choices a v2 tool offers its filters and forms ({key, value} or people): opt-in."""

    max_page_size = 100
    selected_by_default = False


class _KeyValuePickList(_PickList):
    # Rows are {key, value}: keyed by `key` (Procore gives them no id).
    surrogate_key_of = ("key",)
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")


class _LabelValueList(CompanyStream):
    """A company's {label, value} choices for incident forms, keyed by `value`; opt-in."""

    paginated = False
    surrogate_key_of = ("value",)
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "row_key")
    selected_by_default = False


# --- Inspections -------------------------------------------------------------------------------


class ChecklistTemplatesV1Stream(ProjectStream):
    """Project inspection templates through the query-scoped v1.0 list; opt-in:
    checklist_templates reads them."""

    name = "project_checklist_list_templates"
    path = "/rest/v1.0/checklist/list_templates"
    tool = "checklists"
    selected_by_default = False


class ChecklistListsByTemplateStream(ProjectStream):
    """Inspections grouped by template (`/checklist/lists?project_id=`): one row per template
    with its inspections, keyed by template; opt-in: checklists reads every inspection."""

    name = "checklists_by_template"
    path = "/rest/v1.0/checklist/lists"
    paginated = False
    tool = "checklists"
    surrogate_key_of = ("template_id",)
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    selected_by_default = False


class ChecklistsGroupedStream(ProjectStream):
    """Inspections grouped for the tool's list view (`grouped_index`): one row per group,
    keyed by its header; opt-in: checklists reads every inspection."""

    name = "checklists_grouped"
    path = "/rest/v1.0/projects/{project_id}/checklist/lists/grouped_index"
    tool = "checklists"
    surrogate_key_of = ("header",)
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    selected_by_default = False


class DeletedChecklistsGroupedStream(ProjectStream):
    """Deleted inspections grouped as in checklists_grouped; opt-in."""

    name = "deleted_checklists_grouped"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/checklist/lists/grouped_index"
    tool = "checklists"
    surrogate_key_of = ("header",)
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    selected_by_default = False


class ChecklistAlternativeResponseSetsStream(CompanyStream):
    name = "checklist_alternative_response_sets"
    path = "/rest/v1.0/companies/{company_id}/checklist/alternative_response_sets"
    paginated = False


class ChecklistResponseSetResponsesStream(CompanyStream):
    """Responses of each item response set (one request per set); opt-in:
    checklist_item_response_sets carries them."""

    name = "checklist_response_set_responses"
    path = (
        "/rest/v1.0/companies/{company_id}/checklist/item/response_sets/{response_set_id}/responses"
    )
    paginated = False
    parent_stream_type = ChecklistItemResponseSetsStream
    selected_by_default = False


class ChecklistScheduleAttachmentsStream(ProjectStream):
    """Attachments of each inspection schedule (one request per schedule); opt-in."""

    name = "checklist_schedule_attachments"
    path = "/rest/v1.0/projects/{project_id}/checklist/schedules/{schedule_id}/attachments"
    parent_stream_type = ChecklistSchedulesStream
    selected_by_default = False


class ChecklistScheduleChangeHistoryStream(ProjectStream):
    """Change history of each inspection schedule (one request per schedule); opt-in."""

    name = "checklist_schedule_change_history"
    path = "/rest/v1.0/projects/{project_id}/checklist/schedules/{schedule_id}/change_history"
    parent_stream_type = ChecklistSchedulesStream
    selected_by_default = False


class InspectionInspectorsStream(_PickList):
    name = "inspection_inspectors"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections/inspectors"
    tool = "checklists"


class InspectionClosedByContactsStream(_PickList):
    name = "inspection_closed_by_contacts"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections/closed_by_contacts"
    tool = "checklists"


class InspectionPointsOfContactStream(_PickList):
    name = "inspection_points_of_contact"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections/points_of_contact"
    tool = "checklists"


class InspectionScheduleAssigneesStream(_PickList):
    name = "inspection_schedule_assignees"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections/schedules/assignees"
    tool = "checklists"


class InspectionListTemplateChoicesStream(_KeyValuePickList):
    name = "inspection_list_template_choices"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections/list_templates"
    tool = "checklists"


class InspectionLocationChoicesStream(_KeyValuePickList):
    name = "inspection_location_choices"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections/locations"
    tool = "checklists"


class InspectionResponsibleContractorChoicesStream(_KeyValuePickList):
    name = "inspection_responsible_contractor_choices"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections"
        "/responsible_contractors"
    )
    tool = "checklists"


class InspectionScheduleTemplateChoicesStream(_KeyValuePickList):
    name = "inspection_schedule_template_choices"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections/schedules"
        "/inspection_templates"
    )
    tool = "checklists"


class InspectionScheduleTypeChoicesStream(_KeyValuePickList):
    name = "inspection_schedule_type_choices"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections/schedules/types"
    tool = "checklists"


class InspectionSpecSectionChoicesStream(_KeyValuePickList):
    name = "inspection_spec_section_choices"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections/spec_sections"
    tool = "checklists"


class InspectionTradeChoicesStream(_KeyValuePickList):
    name = "inspection_trade_choices"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections/trades"
    tool = "checklists"


class InspectionTypeChoicesStream(_KeyValuePickList):
    name = "inspection_type_choices"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspections/types"
    tool = "checklists"


# --- Punch list --------------------------------------------------------------------------------


class PunchListAssigneesStream(ProjectStream):
    """Users punch items can be assigned to (v1.0); opt-in."""

    name = "punch_list_assignees"
    path = "/rest/v1.0/projects/{project_id}/punch_list/assignees"
    paginated = False
    tool = "punch_list"
    selected_by_default = False


class PunchListFinalApproverChoicesStream(ProjectStream):
    """Users who can be a punch item's final approver (v1.0); opt-in."""

    name = "punch_list_final_approver_choices"
    path = "/rest/v1.0/projects/{project_id}/punch_list/available_final_approvers"
    tool = "punch_list"
    selected_by_default = False


class PunchListVendorsStream(ProjectStream):
    """Vendors punch items can be assigned to; opt-in."""

    name = "punch_list_vendors"
    path = "/rest/v1.0/projects/{project_id}/punch_list/vendors"
    paginated = False
    tool = "punch_list"
    selected_by_default = False


class PunchListAssigneesV2Stream(_PickList):
    name = "punch_list_assignees_v2"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/punch_list/assignees"
    tool = "punch_list"


class PunchListBallInCourtStream(_PickList):
    name = "punch_list_ball_in_court"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/punch_list/ball_in_court"
    tool = "punch_list"


class PunchListClosedByContactsStream(_PickList):
    name = "punch_list_closed_by_contacts"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/punch_list/closed_by_contacts"
    tool = "punch_list"


class PunchListCreatorsStream(_PickList):
    name = "punch_list_creators"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/punch_list/creators"
    tool = "punch_list"


class PunchListFinalApproversStream(_PickList):
    name = "punch_list_final_approvers"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/punch_list/final_approvers"
    tool = "punch_list"


class PunchListManagersStream(_PickList):
    name = "punch_list_managers"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/punch_list/punch_item_managers"
    tool = "punch_list"


class PunchListLocationChoicesStream(_KeyValuePickList):
    name = "punch_list_location_choices"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/punch_list/locations"
    tool = "punch_list"


class PunchListTradeChoicesStream(_KeyValuePickList):
    name = "punch_list_trade_choices"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/punch_list/trades"
    tool = "punch_list"


class PunchListTypeChoicesStream(_KeyValuePickList):
    name = "punch_list_type_choices"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/punch_list/types"
    tool = "punch_list"


# --- Observations ------------------------------------------------------------------------------


class ObservationItemResponseLogsStream(ProjectStream):
    """Response logs of each observation (one request per observation); opt-in:
    observation_response_logs lists the project's at once."""

    name = "observation_item_response_logs"
    path = "/rest/v1.0/observations/items/{item_id}/response_logs"
    parent_stream_type = ObservationsStream
    selected_by_default = False


class ObservationCategoryFieldSetsStream(ProjectStream):
    """Configurable field sets of each observation category."""

    name = "observation_category_field_sets"
    path = "/rest/v1.0/observations/category_configurable_field_sets"
    tool = "observations"


class ProjectObservationTypesV1Stream(ProjectStream):
    """Observation types through the project-scoped list; opt-in: observation_types reads them."""

    name = "project_observation_types"
    path = "/rest/v1.0/projects/{project_id}/observation_types"
    tool = "observations"
    selected_by_default = False


class CompanyObservationTypesV1Stream(CompanyStream):
    """Observation types through the company-scoped list; opt-in: company_observation_types
    reads them."""

    name = "company_observation_types_v1"
    path = "/rest/v1.0/companies/{company_id}/observation_types"
    selected_by_default = False


class ObservationStatusesStream(ProjectStream):
    """The statuses an observation can take, keyed by `status`; opt-in."""

    name = "observation_statuses"
    path = "/rest/v1.0/projects/{project_id}/observations/items/statuses"
    paginated = False
    tool = "observations"
    surrogate_key_of = ("status",)
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    selected_by_default = False


# --- Incidents ---------------------------------------------------------------------------------


class IncidentAffectedBodyPartsStream(_LabelValueList):
    name = "incident_affected_body_parts"
    path = "/rest/v1.0/companies/{company_id}/incidents/affected_body_parts"


class IncidentFilingTypeChoicesStream(_LabelValueList):
    name = "incident_filing_type_choices"
    path = "/rest/v1.0/companies/{company_id}/incidents/filing_types"


class IncidentStatusesStream(_LabelValueList):
    name = "incident_statuses"
    path = "/rest/v1.0/companies/{company_id}/incidents/statuses"


class IncidentUnitsOfMeasureStream(_LabelValueList):
    name = "incident_units_of_measure"
    path = "/rest/v1.0/companies/{company_id}/incidents/units_of_measure"


class IncidentAlertRecipientsStream(CompanyStream):
    """Who is alerted for each incident severity level (one request per level)."""

    name = "incident_alert_recipients"
    path = (
        "/rest/v1.0/companies/{company_id}/incidents/severity_levels/{severity_level_id}"
        "/alert_recipients"
    )
    parent_stream_type = IncidentSeverityLevelsStream


# --- Action plans ------------------------------------------------------------------------------


class CompanyActionPlanTemplateItemsStream(CompanyStream):
    name = "company_action_plan_template_items"
    path = "/rest/v1.0/companies/{company_id}/action_plans/plan_template_items"
    replication_key = "updated_at"


class CompanyActionPlanTemplateItemAssigneesStream(CompanyStream):
    name = "company_action_plan_template_item_assignees"
    path = "/rest/v1.0/companies/{company_id}/action_plans/plan_template_item_assignees"
    replication_key = "updated_at"


class CompanyActionPlanTemplateReferencesStream(CompanyStream):
    name = "company_action_plan_template_references"
    path = "/rest/v1.0/companies/{company_id}/action_plans/plan_template_references"
    replication_key = "updated_at"


class CompanyActionPlanTemplateTestRecordRequestsStream(CompanyStream):
    name = "company_action_plan_template_test_record_requests"
    path = "/rest/v1.0/companies/{company_id}/action_plans/plan_template_test_record_requests"
    replication_key = "updated_at"


class DeletedCompanyActionPlanTemplateItemsStream(CompanyStream):
    name = "deleted_company_action_plan_template_items"
    path = "/rest/v1.0/companies/{company_id}/recycle_bin/action_plans/plan_template_items"
    replication_key = "updated_at"


class DeletedCompanyActionPlanTemplateItemAssigneesStream(CompanyStream):
    name = "deleted_company_action_plan_template_item_assignees"
    path = "/rest/v1.0/companies/{company_id}/recycle_bin/action_plans/plan_template_item_assignees"
    replication_key = "updated_at"


class DeletedCompanyActionPlanTemplateReferencesStream(CompanyStream):
    name = "deleted_company_action_plan_template_references"
    path = "/rest/v1.0/companies/{company_id}/recycle_bin/action_plans/plan_template_references"
    replication_key = "updated_at"


class DeletedCompanyActionPlanTemplateSectionsStream(CompanyStream):
    name = "deleted_company_action_plan_template_sections"
    path = "/rest/v1.0/companies/{company_id}/recycle_bin/action_plans/plan_template_sections"
    replication_key = "updated_at"


class DeletedCompanyActionPlanTemplateTestRecordRequestsStream(CompanyStream):
    name = "deleted_company_action_plan_template_test_record_requests"
    path = (
        "/rest/v1.0/companies/{company_id}/recycle_bin/action_plans"
        "/plan_template_test_record_requests"
    )
    replication_key = "updated_at"


class ActionPlanTemplateItemsStream(ProjectStream):
    name = "action_plan_template_items"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_template_items"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanTemplateItemAssigneesStream(ProjectStream):
    name = "action_plan_template_item_assignees"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_template_item_assignees"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanTemplateSectionsStream(ProjectStream):
    name = "action_plan_template_sections"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_template_sections"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanTemplateReferencesStream(ProjectStream):
    name = "action_plan_template_references"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_template_references"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanTemplateTestRecordRequestsStream(ProjectStream):
    name = "action_plan_template_test_record_requests"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_template_test_record_requests"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanTemplateApproversStream(ProjectStream):
    name = "action_plan_template_approvers"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_template_approvers"
    tool = "action_plans"


class ActionPlanTemplateReceiversStream(ProjectStream):
    name = "action_plan_template_receivers"
    path = "/rest/v1.0/projects/{project_id}/action_plans/plan_template_receivers"
    replication_key = "updated_at"
    tool = "action_plans"


class DeletedActionPlanTemplateApproversStream(ProjectStream):
    name = "deleted_action_plan_template_approvers"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/action_plans/plan_template_approvers"
    replication_key = "updated_at"
    tool = "action_plans"


class DeletedActionPlanTemplateReceiversStream(ProjectStream):
    name = "deleted_action_plan_template_receivers"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/action_plans/plan_template_receivers"
    replication_key = "updated_at"
    tool = "action_plans"


class DeletedActionPlanTemplateReferencesStream(ProjectStream):
    name = "deleted_action_plan_template_references"
    path = "/rest/v1.0/projects/{project_id}/recycle_bin/action_plans/plan_template_references"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanPartiesStream(ProjectStream):
    name = "action_plan_parties"
    path = "/rest/v1.0/projects/{project_id}/action_plans/parties"
    replication_key = "updated_at"
    tool = "action_plans"


class ActionPlanChangeHistoryEventsStream(ProjectStream):
    """Change history of each action plan (one request per plan); opt-in."""

    name = "action_plan_change_history_events"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/action_plans/plans/{plan_id}"
        "/change_history_events"
    )
    max_page_size = 100
    parent_stream_type = ActionPlansStream
    selected_by_default = False


# --- Coordination issues -----------------------------------------------------------------------


class CoordinationIssueAssigneesStream(ProjectStream):
    """Users coordination issues can be assigned to; opt-in."""

    name = "coordination_issue_assignees"
    path = "/rest/v1.0/coordination_issues/assignees"
    tool = "coordination_issues"
    selected_by_default = False


class CoordinationIssueChangeHistoryStream(ProjectStream):
    """Change history of each coordination issue (one request per issue); opt-in."""

    name = "coordination_issue_change_history"
    path = "/rest/v1.0/coordination_issues/{id}/change_history"
    path_params: t.ClassVar[dict[str, str]] = {"id": "coordination_issue_id"}
    parent_stream_type = CoordinationIssuesStream
    selected_by_default = False


class CoordinationIssueStatusChangesStream(ProjectStream):
    """Status changes of each coordination issue (one request per issue); opt-in."""

    name = "coordination_issue_status_changes"
    path = "/rest/v1.0/coordination_issues/{id}/status_changes"
    path_params: t.ClassVar[dict[str, str]] = {"id": "coordination_issue_id"}
    parent_stream_type = CoordinationIssuesStream
    selected_by_default = False


class CoordinationIssuesV2Stream(ProjectStream):
    """The same coordination issues as coordination_issues, through the v2.0 list (text ids);
    opt-in."""

    name = "coordination_issues_v2"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/coordination_issues"
    replication_key = "updated_at"
    max_page_size = 100
    tool = "coordination_issues"
    child_id_key = "coordination_issue_id"
    selected_by_default = False


class CoordinationIssueViewpointsStream(ProjectStream):
    """Viewpoints of each coordination issue (one request per issue); opt-in."""

    name = "coordination_issue_viewpoints"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/coordination_issues"
        "/{coordination_issue_id}/viewpoints"
    )
    max_page_size = 100
    parent_stream_type = CoordinationIssuesV2Stream
    selected_by_default = False


class CoordinationIssueWorkflowIssuesStream(ProjectStream):
    """Coordination issues as the workflow view lists them (v2.0); opt-in."""

    name = "coordination_issue_workflow_issues"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/coordination_issues"
        "/workflow_issues"
    )
    replication_key = "updated_at"
    max_page_size = 100
    tool = "coordination_issues"
    selected_by_default = False


class CompanyInspectionTemplateItemsStream(CompanyStream):
    """Items of each company inspection (checklist) template (one request per template)."""

    name = "company_inspection_template_items"
    path = "/rest/v1.0/companies/{company_id}/inspection_templates/{inspection_template_id}/items"
    path_params: t.ClassVar[dict[str, str]] = {"inspection_template_id": "list_template_id"}
    parent_stream_type = CompanyChecklistTemplatesStream


class CompanyInspectionTemplateItemReferencesStream(CompanyStream):
    """References of the items of each company inspection template (one request per
    template); opt-in."""

    name = "company_inspection_template_item_references"
    path = (
        "/rest/v1.0/companies/{company_id}/inspection_templates/{inspection_template_id}"
        "/item_references"
    )
    path_params: t.ClassVar[dict[str, str]] = {"inspection_template_id": "list_template_id"}
    replication_key = "updated_at"
    parent_stream_type = CompanyChecklistTemplatesStream
    selected_by_default = False


class InspectionTemplateItemReferencesStream(ProjectStream):
    """References of the items of each project inspection template (one request per
    template); opt-in."""

    name = "inspection_template_item_references"
    path = (
        "/rest/v1.0/projects/{project_id}/inspection_templates/{inspection_template_id}"
        "/item_references"
    )
    path_params: t.ClassVar[dict[str, str]] = {"inspection_template_id": "list_template_id"}
    replication_key = "updated_at"
    parent_stream_type = ChecklistTemplatesStream
    selected_by_default = False


class InspectionItemReferencesStream(ProjectStream):
    """References of the items of each inspection (one request per inspection); opt-in."""

    name = "inspection_item_references"
    path = "/rest/v1.0/projects/{project_id}/inspections/{inspection_id}/item_references"
    path_params: t.ClassVar[dict[str, str]] = {"inspection_id": "list_id"}
    replication_key = "updated_at"
    parent_stream_type = ChecklistsStream
    selected_by_default = False


class InspectionItemSignatureRequestsStream(ProjectStream):
    """Signature requests of each inspection item (v2.0; one request per item); opt-in."""

    name = "inspection_item_signature_requests"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspection_items/{item_id}"
        "/signature_requests"
    )
    max_page_size = 100
    parent_stream_type = ChecklistItemsStream
    selected_by_default = False


class InspectionItemEvidenceConfigurationStream(ProjectStream):
    """What evidence (photos, observations) each inspection item asks for (v2.0; one request
    per item; rows keyed by their creation time, Procore gives them no id); opt-in."""

    name = "inspection_item_evidence_configuration"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspection_items/{item_id}"
        "/evidence_configuration"
    )
    max_page_size = 100
    parent_stream_type = ChecklistItemsStream
    surrogate_key_of = ("created_at",)
    selected_by_default = False

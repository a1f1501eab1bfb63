"""Quality & Safety: punch list, inspections, observations, incidents, action plans.

Deleted records come from Procore's recycle bins: each `deleted_<stream>` has the primary keys
of its live stream, so a warehouse can anti-join.
"""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream

# === Punch list ===============================================================================


class PunchItemsStream(ProjectStream):
    name = "punch_items"
    path = "/rest/v1.1/punch_items"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
    replication_key = "updated_at"
    tool = "punch_list"


class DeletedPunchItemsStream(ProjectStream):
    """Punch items in the recycle bin. v1.1, the version punch_items reads (a v1.0 bin exists
    too). No paging or updated_at filter declared: the whole bin on every run."""

    name = "deleted_punch_items"
    path = "/rest/v1.1/punch_items/recycle_bin"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
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
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
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
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
    parent_stream_type = ChecklistsStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "list_id", "id")
    paginated = False
    tool = "checklists"


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
    tool = "checklists"
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
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
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
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
    tool = "checklists"


class ChecklistSchedulesStream(ProjectStream):
    """Recurring inspection schedules."""

    name = "checklist_schedules"
    path = "/rest/v1.0/projects/{project_id}/checklist/schedules"
    replication_key = "updated_at"
    tool = "checklists"


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
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "list_template_id", "id")
    paginated = False


class CompanyChecklistTemplateSectionsStream(CompanyStream):
    """Sections of each company checklist template read in this run (template id in the path).
    No paging declared."""

    name = "company_checklist_template_sections"
    path = "/rest/v1.0/companies/{company_id}/checklist/list_templates/{list_template_id}/sections"
    parent_stream_type = CompanyChecklistTemplatesStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "list_template_id", "id")
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


# === Observations ===============================================================================


class ObservationsStream(ProjectStream):
    name = "observations"
    path = "/rest/v1.0/observations/items"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
    replication_key = "updated_at"
    tool = "observations"


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
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
    tool = "observations"


class ObservationTypesStream(ProjectStream):
    """Observation types of each project (`?project_id=`; the operation marks company_id and
    project_id required but says one of them is enough)."""

    name = "observation_types"
    path = "/rest/v1.0/observations/types"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
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

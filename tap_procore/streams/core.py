"""Core Tools: directory, tools, documents, permissions, workflows and company settings."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


class ProjectToolsStream(ProjectStream):
    """Tools of each project, with whether each is switched on (one call per project)."""

    name = "project_tools"
    path = "/rest/v1.0/projects/{project_id}/tools"

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        # The tool registry may already have fetched this list to decide what to skip.
        cached = self.run.tools.records_for(self.scope_of(context))
        if cached is not None:
            yield from (dict(record) for record in cached)
            return
        yield from super().get_records(context)


class CompanyUsersStream(CompanyStream):
    name = "company_users"
    path = "/rest/v1.3/companies/{company_id}/users"
    replication_key = "updated_at"
    child_id_key = "user_id"


class CompanyVendorsStream(CompanyStream):
    name = "company_vendors"
    path = "/rest/v1.0/vendors"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    replication_key = "updated_at"
    child_id_key = "vendor_id"


class TradesStream(CompanyStream):
    name = "trades"
    path = "/rest/v1.0/companies/{company_id}/trades"
    replication_key = "updated_at"


class ProjectUsersStream(ProjectStream):
    name = "project_users"
    path = "/rest/v1.0/projects/{project_id}/users"
    replication_key = "updated_at"
    tool = "directory"


class CompanyInactiveUsersStream(CompanyStream):
    name = "company_inactive_users"
    path = "/rest/v1.0/companies/{company_id}/users/inactive"


class CompanyInactiveVendorsStream(CompanyStream):
    name = "company_inactive_vendors"
    path = "/rest/v1.0/companies/{company_id}/vendors/inactive"


class ProjectVendorsStream(ProjectStream):
    """Project directory vendors (v1.1, the latest version). No filters[updated_at]: full table."""

    name = "project_vendors"
    path = "/rest/v1.1/projects/{project_id}/vendors"
    tool = "directory"
    child_id_key = "vendor_id"


class ProjectInactiveUsersStream(ProjectStream):
    name = "project_inactive_users"
    path = "/rest/v1.0/projects/{project_id}/users/inactive"
    tool = "directory"


class ProjectMembershipsStream(ProjectStream):
    """Every membership of the project, inactive users and vendors included."""

    name = "project_memberships"
    path = "/rest/v1.0/projects/{project_id}/project_memberships"
    tool = "directory"


class ProjectPermissionTemplatesStream(ProjectStream):
    name = "project_permission_templates"
    path = "/rest/v1.0/projects/{project_id}/permission_templates"
    paginated = False
    tool = "directory"


class ProjectRolesStream(ProjectStream):
    """Users and contacts holding each project role."""

    name = "project_roles"
    path = "/rest/v1.0/project_roles"


class VendorInsurancesStream(CompanyStream):
    """Insurances of each company vendor read in this run: all vendors on a first sync, changed
    vendors after that (the vendor list is incremental). company_insurances lists every insurance
    of the company in one listing."""

    name = "vendor_insurances"
    path = "/rest/v1.0/companies/{company_id}/vendors/{vendor_id}/insurances"
    parent_stream_type = CompanyVendorsStream


class ConfigurableFieldSetsStream(CompanyStream):
    """Company configurable field sets ("Company Custom Field Sets" in Procore's tool list)."""

    name = "configurable_field_sets"
    path = "/rest/v1.0/companies/{company_id}/configurable_field_sets"


class CustomFieldDefinitionsStream(CompanyStream):
    """Custom field definitions (v1.1, the latest version); per_page is at most 100."""

    name = "custom_field_definitions"
    path = "/rest/v1.1/companies/{company_id}/custom_field_definitions"
    max_page_size = 100
    child_id_key = "custom_field_definition_id"


class CompanyOfficesStream(CompanyStream):
    name = "company_offices"
    path = "/rest/v1.0/offices"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}


class ProgramsStream(CompanyStream):
    name = "programs"
    path = "/rest/v1.0/companies/{company_id}/programs"


class SubmittalStatusesStream(CompanyStream):
    name = "submittal_statuses"
    path = "/rest/v1.0/companies/{company_id}/submittal_statuses"


class SubmittalTypesStream(CompanyStream):
    name = "submittal_types"
    path = "/rest/v1.0/companies/{company_id}/submittal_types"
    paginated = False


class CompanyDocumentsStream(CompanyStream):
    """Company folders and files (one record per folder or file)."""

    name = "company_documents"
    path = "/rest/v1.0/companies/{company_id}/documents"
    replication_key = "updated_at"


class ProjectDocumentsStream(ProjectStream):
    """Project folders and files (one record per folder or file)."""

    name = "project_documents"
    path = "/rest/v1.0/projects/{project_id}/documents"
    replication_key = "updated_at"
    tool = "documents"


class CostCodesStream(ProjectStream):
    name = "cost_codes"
    path = "/rest/v1.0/cost_codes"


class SubJobsStream(ProjectStream):
    name = "sub_jobs"
    path = "/rest/v1.0/sub_jobs"


class AdminEquipmentStream(ProjectStream):
    name = "admin_equipment"
    path = "/rest/v1.0/equipment"


class LocationsStream(ProjectStream):
    name = "locations"
    path = "/rest/v1.0/projects/{project_id}/locations"
    replication_key = "updated_at"


class ProjectDatesStream(ProjectStream):
    """One object per project, `{schedule_dates: {...}, project_dates: [...]}`, keyed by project.
    (The v2.0 list declares per_page without page, so the v1.0 object is read.)"""

    name = "project_dates"
    path = "/rest/v1.0/projects/{project_id}/project_dates"
    response_kind = "object"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id",)


class CompanyPermissionManifestStream(CompanyStream):
    """The service account's permission manifest in each company (`?company_id=`): one object,
    `{tools: [...]}`, keyed by company."""

    name = "company_permission_manifest"
    path = "/rest/v1.0/settings/permissions"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    response_kind = "object"
    paginated = False
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id",)


class ProjectPermissionManifestStream(ProjectStream):
    """The service account's permission manifest in each project (`?project_id=`): one object,
    `{tools: [...]}`, keyed by project."""

    name = "project_permission_manifest"
    path = "/rest/v1.0/settings/permissions"
    response_kind = "object"
    paginated = False
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id",)


class TasksStream(ProjectStream):
    """Schedule (Legacy) tasks (`/rest/v1.0/tasks`); the Tasks tool's items are task_items.
    Tool: the project Schedule."""

    name = "tasks"
    path = "/rest/v1.0/tasks"
    replication_key = "updated_at"
    tool = "schedule"


class WorkflowInstancesStream(CompanyStream):
    """Workflow instances of the company (legacy v1.0 list; the v2.0 lists need a tool type and
    cursor paging)."""

    name = "workflow_instances"
    path = "/rest/v1.0/workflow_instances"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    child_id_key = "workflow_instance_id"


class WorkflowActivityHistoriesStream(CompanyStream):
    """Activities of each workflow instance (`?workflow_instance_id=`)."""

    name = "workflow_activity_histories"
    path = "/rest/v1.0/workflow_activity_histories"
    query: t.ClassVar[dict[str, str]] = {
        "company_id": "{company_id}",
        "workflow_instance_id": "{workflow_instance_id}",
    }
    parent_stream_type = WorkflowInstancesStream


# --- beyond the first stream list (every stream, with its level and path: docs/streams.md) ---


class ProjectInactiveVendorsStream(ProjectStream):
    """Vendors deactivated in the project directory (project_vendors lists active ones)."""

    name = "project_inactive_vendors"
    path = "/rest/v1.0/projects/{project_id}/vendors/inactive"
    tool = "directory"


class CompanyInsurancesStream(CompanyStream):
    """Every insurance of every vendor of the company, in one listing (`vendor_id` per record)."""

    name = "company_insurances"
    path = "/rest/v1.0/companies/{company_id}/insurances"


class ProjectInsurancesStream(ProjectStream):
    """Insurances of the project's vendors."""

    name = "project_insurances"
    path = "/rest/v1.0/projects/{project_id}/insurances"
    tool = "directory"


class CompanyPeopleStream(CompanyStream):
    """Directory users and reference users (people without a login) of the company."""

    name = "company_people"
    path = "/rest/v1.0/companies/{company_id}/people"


class ProjectPeopleStream(ProjectStream):
    """Directory users and reference users of the project."""

    name = "project_people"
    path = "/rest/v1.0/projects/{project_id}/people"
    tool = "directory"


class CompanyPermissionTemplatesStream(CompanyStream):
    name = "company_permission_templates"
    path = "/rest/v1.0/companies/{company_id}/permission_templates"
    paginated = False


class CompanyRolesStream(CompanyStream):
    """Company project roles (v2.0: the v1.0 list gives only id and name and no paging)."""

    name = "company_roles"
    path = "/rest/v2.0/companies/{company_id}/roles"
    max_page_size = 100


class CompanyDistributionGroupsStream(CompanyStream):
    name = "company_distribution_groups"
    path = "/rest/v1.0/companies/{company_id}/distribution_groups"


class ProjectDistributionGroupsStream(ProjectStream):
    name = "project_distribution_groups"
    path = "/rest/v1.0/projects/{project_id}/distribution_groups"
    tool = "directory"


class DepartmentsStream(CompanyStream):
    name = "departments"
    path = "/rest/v1.0/departments"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}


class CrewsStream(ProjectStream):
    """Project crews with their lead and members."""

    name = "crews"
    path = "/rest/v1.0/projects/{project_id}/crews"
    replication_key = "updated_at"
    tool = "directory"


class TaskItemsStream(ProjectStream):
    """Items of the Tasks tool (the `tasks` stream is Schedule (Legacy) tasks)."""

    name = "task_items"
    path = "/rest/v1.0/task_items"
    tool = "tasks"


class TaskItemCommentsStream(ProjectStream):
    name = "task_item_comments"
    path = "/rest/v1.0/companies/{company_id}/projects/{project_id}/task_item_comments"
    tool = "tasks"


class TaskItemCategoriesStream(ProjectStream):
    name = "task_item_categories"
    path = "/rest/v1.0/companies/{company_id}/projects/{project_id}/task_item_categories"
    tool = "tasks"

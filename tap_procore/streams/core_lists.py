"""More of Core Tools: inactive people, user project assignments, vendor comments
and insurances, project templates, v2 documents and their revisions, workflow templates and
tools, document tags, and the query-scoped or newer versions of lists read elsewhere."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream
from tap_procore.streams.core import CompanyUsersStream, CompanyVendorsStream, ProjectVendorsStream

V2_MAX = 100  # Procore's v2 ceiling for per_page

# --- directory ---------------------------------------------------------------------------------


class CompanyInactivePeopleStream(CompanyStream):
    name = "company_inactive_people"
    path = "/rest/v1.0/companies/{company_id}/people/inactive"


class ProjectInactivePeopleStream(ProjectStream):
    name = "project_inactive_people"
    path = "/rest/v1.0/projects/{project_id}/people/inactive"
    tool = "directory"


class UserProjectAssignmentsStream(CompanyStream):
    """Projects each company user is (or can be) assigned to, one row per project (one request
    per user); opt-in."""

    name = "user_project_assignments"
    path = "/rest/v1.0/companies/{company_id}/users/{user_id}/project_assignments"
    parent_stream_type = CompanyUsersStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "user_id", "project_id")
    selected_by_default = False


class VendorCommentsStream(CompanyStream):
    """Comments on each company vendor (one request per vendor); opt-in."""

    name = "vendor_comments"
    path = "/rest/v1.0/companies/{company_id}/vendors/{vendor_id}/comments"
    parent_stream_type = CompanyVendorsStream
    selected_by_default = False


class ProjectVendorInsurancesStream(ProjectStream):
    """Insurances of each project vendor (one request per vendor and project); opt-in:
    vendor_insurances and company_insurances read them per company."""

    name = "project_vendor_insurances"
    path = "/rest/v1.0/projects/{project_id}/vendors/{vendor_id}/insurances"
    parent_stream_type = ProjectVendorsStream
    selected_by_default = False


class AssignableUsersStream(ProjectStream):
    """Users who can be assigned items in each project; opt-in."""

    name = "assignable_users"
    path = "/rest/v1.0/projects/{project_id}/assignable_users"
    paginated = False
    tool = "directory"
    selected_by_default = False


class DistributionGroupsWithAncestorsStream(ProjectStream):
    """The project's distribution groups with the groups they inherit from; opt-in."""

    name = "distribution_groups_with_ancestors"
    path = "/rest/v1.0/projects/{project_id}/distribution_groups_with_ancestors"
    tool = "directory"
    selected_by_default = False


class UsersV13Stream(CompanyStream):
    """The same users as company_users, through the query-scoped v1.3 list; opt-in."""

    name = "users_v1_3"
    path = "/rest/v1.3/users"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    replication_key = "updated_at"
    selected_by_default = False


# --- projects ----------------------------------------------------------------------------------


class ProjectTemplatesStream(CompanyStream):
    name = "project_templates"
    path = "/rest/v1.0/project_templates"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}


class ProjectLocationsV1Stream(ProjectStream):
    """The same locations as locations, through the query-scoped list; opt-in."""

    name = "project_locations"
    path = "/rest/v1.0/locations"
    selected_by_default = False


class ToolsStream(ProjectStream):
    """Tools available to each project (the query-scoped list); opt-in: project_tools reads
    them."""

    name = "tools"
    path = "/rest/v1.0/tools"
    selected_by_default = False


class ProjectDatesV2Stream(ProjectStream):
    """Each project's dates through the v2.0 list; opt-in: project_dates reads them. The
    operation declares per_page but no page: one page of Procore's largest."""

    name = "project_dates_v2"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/project_dates"
    query: t.ClassVar[dict[str, str]] = {"per_page": str(V2_MAX)}
    paginated = False
    selected_by_default = False


class ProjectHomeLinksV2Stream(ProjectStream):
    """The same links as project_home_links, through the v2.0 list (text ids); opt-in."""

    name = "project_home_links_v2"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/links"
    max_page_size = V2_MAX
    selected_by_default = False


# --- documents ---------------------------------------------------------------------------------


class PdfTemplateConfigsStream(CompanyStream):
    name = "pdf_template_configs"
    path = "/rest/v1.0/companies/{company_id}/pdf_template_configs"


class DocumentCustomTagsStream(ProjectStream):
    name = "document_custom_tags"
    path = "/rest/v1.0/projects/{project_id}/document_custom_tags"
    tool = "documents"


class CompanyDocumentsV2Stream(CompanyStream):
    """Company folders and files through the v2.0 list (text ids); opt-in: company_documents
    reads them through v1.0."""

    name = "company_documents_v2"
    path = "/rest/v2.0/companies/{company_id}/documents"
    replication_key = "updated_at"
    max_page_size = V2_MAX
    child_id_key = "document_id"
    selected_by_default = False


class CompanyDocumentRevisionsStream(CompanyStream):
    """Revisions of each company file (one request per document); opt-in."""

    name = "company_document_revisions"
    path = "/rest/v2.0/companies/{company_id}/documents/{document_id}/revisions"
    paginated = False
    parent_stream_type = CompanyDocumentsV2Stream
    selected_by_default = False


class ProjectDocumentsV2Stream(ProjectStream):
    """Project folders and files through the v2.0 list (text ids); opt-in: project_documents
    reads them through v1.0."""

    name = "project_documents_v2"
    path = "/rest/v2.0/projects/{project_id}/documents"
    replication_key = "updated_at"
    max_page_size = V2_MAX
    tool = "documents"
    child_id_key = "document_id"
    selected_by_default = False


class ProjectDocumentRevisionsStream(ProjectStream):
    """Revisions of each project file (one request per document); opt-in."""

    name = "project_document_revisions"
    path = "/rest/v2.0/projects/{project_id}/documents/{document_id}/revisions"
    paginated = False
    parent_stream_type = ProjectDocumentsV2Stream
    selected_by_default = False


# --- workflows ---------------------------------------------------------------------------------


class WorkflowTemplatesStream(CompanyStream):
    name = "workflow_templates"
    path = "/rest/v2.0/companies/{company_id}/workflows/templates"
    max_page_size = V2_MAX


class WorkflowToolsStream(CompanyStream):
    """Tools (and subtypes, for correspondence) that can have workflows in the company."""

    name = "workflow_tools"
    path = "/rest/v2.0/companies/{company_id}/workflows/tools"
    paginated = False
    surrogate_key_of = ("type", "subtype")
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "row_key")
    # Workflow lists are asked for one tool type (and subtype) at a time.
    child_id_key = "tool_type"
    child_id_field = "type"
    child_fields: t.ClassVar[dict[str, str]] = {"tool_subtype": "subtype"}


TOOL_FILTERS = {"filters[tool_type]": "{tool_type}", "filters[tool_subtype]": "{tool_subtype}"}
TOOL_PARAMS = {"tool_type": "{tool_type}", "tool_subtype": "{tool_subtype}"}


class CompanyWorkflowInstancesStream(CompanyStream):
    """Workflow instances of each workflow tool of the company (v2.0, cursor-paged)."""

    name = "company_workflow_instances"
    path = "/rest/v2.0/companies/{company_id}/workflows/instances"
    query: t.ClassVar[dict[str, str]] = TOOL_FILTERS
    paginated = False
    cursor_param = "cursor"
    max_page_size = V2_MAX
    parent_stream_type = WorkflowToolsStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "tool_type", "id")


class CompanyWorkflowPresetsStream(CompanyStream):
    """Workflow presets of each workflow tool of the company; opt-in."""

    name = "company_workflow_presets"
    path = "/rest/v2.0/companies/{company_id}/workflows/presets"
    query: t.ClassVar[dict[str, str]] = {**TOOL_FILTERS, "per_page": str(V2_MAX)}
    paginated = False
    parent_stream_type = WorkflowToolsStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "tool_type", "id")
    selected_by_default = False


class CompanyWorkflowAssigneesStream(CompanyStream):
    """Who can be assigned workflow steps, per workflow tool (and subtype); opt-in."""

    name = "company_workflow_assignees"
    path = "/rest/v2.0/companies/{company_id}/workflows/possible_assignees"
    query: t.ClassVar[dict[str, str]] = TOOL_PARAMS
    max_page_size = V2_MAX
    parent_stream_type = WorkflowToolsStream
    surrogate_key_of = ("tool_type", "tool_subtype", "id")
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "row_key")
    selected_by_default = False


class CompanyWorkflowManagersStream(CompanyStream):
    """Workflow managers, per workflow tool (and subtype); opt-in."""

    name = "company_workflow_managers"
    path = "/rest/v2.0/companies/{company_id}/workflows/workflow_managers"
    query: t.ClassVar[dict[str, str]] = TOOL_PARAMS
    max_page_size = V2_MAX
    parent_stream_type = WorkflowToolsStream
    surrogate_key_of = ("tool_type", "tool_subtype", "id")
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "row_key")
    selected_by_default = False


class ProjectWorkflowInstancesStream(ProjectStream):
    """Workflow instances of each project and workflow tool (v2.0, cursor-paged); the tool
    types come from the company's workflow_tools."""

    name = "project_workflow_instances"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/workflows/instances"
    query: t.ClassVar[dict[str, str]] = TOOL_FILTERS
    paginated = False
    cursor_param = "cursor"
    max_page_size = V2_MAX
    ids_from = ("workflow_tools",)
    id_param = "tool_type"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "tool_type", "id")


class ProjectWorkflowPresetsStream(ProjectStream):
    """Workflow presets of each project and workflow tool; opt-in."""

    name = "project_workflow_presets"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/workflows/presets"
    query: t.ClassVar[dict[str, str]] = {**TOOL_FILTERS, "per_page": str(V2_MAX)}
    paginated = False
    ids_from = ("workflow_tools",)
    id_param = "tool_type"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "tool_type", "id")
    selected_by_default = False


class ProjectWorkflowAssigneesStream(ProjectStream):
    """Who can be assigned workflow steps in each project, per tool (and subtype); opt-in."""

    name = "project_workflow_assignees"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/workflows/possible_assignees"
    query: t.ClassVar[dict[str, str]] = TOOL_PARAMS
    max_page_size = V2_MAX
    ids_from = ("workflow_tools",)
    id_param = "tool_type"
    surrogate_key_of = ("tool_type", "tool_subtype", "id")
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    selected_by_default = False


class ProjectWorkflowManagersStream(ProjectStream):
    """Workflow managers of each project, per tool (and subtype); opt-in."""

    name = "project_workflow_managers"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/workflows/workflow_managers"
    query: t.ClassVar[dict[str, str]] = TOOL_PARAMS
    max_page_size = V2_MAX
    ids_from = ("workflow_tools",)
    id_param = "tool_type"
    surrogate_key_of = ("tool_type", "tool_subtype", "id")
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    selected_by_default = False

"""Company Admin: the company's project dimensions (types, stages, regions, owner and bid types),
custom fields and their list-of-values entries, configurable field sets, project home links."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream
from tap_procore.streams.core import CustomFieldDefinitionsStream

# --- project dimensions ------------------------------------------------------------------------


class ProjectTypesStream(CompanyStream):
    name = "project_types"
    path = "/rest/v1.0/companies/{company_id}/project_types"


class ProjectStagesStream(CompanyStream):
    """Every stage of the company (the optional `project_id` filter is not sent)."""

    name = "project_stages"
    path = "/rest/v1.0/companies/{company_id}/project_stages"


class ProjectRegionsStream(CompanyStream):
    name = "project_regions"
    path = "/rest/v1.0/companies/{company_id}/project_regions"


class ProjectOwnerTypesStream(CompanyStream):
    name = "project_owner_types"
    path = "/rest/v1.0/companies/{company_id}/project_owner_types"


class ProjectBidTypesStream(CompanyStream):
    name = "project_bid_types"
    path = "/rest/v1.0/companies/{company_id}/project_bid_types"


class CompanyProjectsStream(CompanyStream):
    """The company's projects as the company-scoped v1.0 list gives them (all at once, no
    paging). `projects` reads the same projects (v1.1, incremental); opt-in."""

    name = "company_projects"
    path = "/rest/v1.0/companies/{company_id}/projects"
    paginated = False
    selected_by_default = False


class ProjectWorkClassificationsStream(ProjectStream):
    name = "project_work_classifications"
    path = "/rest/v1.0/projects/{project_id}/work_classifications"


class AsyncOperationsStream(CompanyStream):
    """Procore's record of the company's asynchronous jobs (exports, bulk updates); opt-in."""

    name = "async_operations"
    path = "/rest/v2.0/companies/{company_id}/async_operations"
    max_page_size = 100
    selected_by_default = False


# --- custom fields -----------------------------------------------------------------------------


class CompanyCustomFieldDefinitionsStream(CompanyStream):
    """The same definitions as custom_field_definitions, through the query-scoped v1.0 list;
    opt-in."""

    name = "company_custom_field_definitions"
    path = "/rest/v1.0/custom_field_definitions"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    selected_by_default = False


class CustomFieldLovEntriesStream(CompanyStream):
    """List-of-values entries of each custom field definition (one request per definition)."""

    name = "custom_field_lov_entries"
    path = (
        "/rest/v1.0/custom_field_definitions/{custom_field_definition_id}/custom_field_lov_entries"
    )
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    parent_stream_type = CustomFieldDefinitionsStream


class CustomFieldDefinitionFieldSetsStream(CompanyStream):
    """Configurable field sets using each custom field definition (one request per definition);
    opt-in: configurable_field_sets lists the sets with their fields."""

    name = "custom_field_definition_field_sets"
    path = (
        "/rest/v1.0/companies/{company_id}/custom_field_definitions/{custom_field_definition_id}"
        "/configurable_field_sets"
    )
    paginated = False
    parent_stream_type = CustomFieldDefinitionsStream
    selected_by_default = False


class CustomFieldMetadataStream(CompanyStream):
    """Custom field metadata of the company (`?company_id=`)."""

    name = "custom_field_metadata"
    path = "/rest/v1.0/custom_field_metadata"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}


class CustomFieldsSectionsStream(CompanyStream):
    name = "custom_fields_sections"
    path = "/rest/v1.0/custom_fields_sections"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}


class ProjectConfigurableFieldSetsStream(ProjectStream):
    name = "project_configurable_field_sets"
    path = "/rest/v1.0/projects/{project_id}/configurable_field_sets"


# --- project home links ------------------------------------------------------------------------


class ProjectHomeLinksStream(ProjectStream):
    """Links on each project's home page."""

    name = "project_home_links"
    path = "/rest/v1.0/links"


class DeletedProjectHomeLinksStream(ProjectStream):
    """Project home links in the recycle bin."""

    name = "deleted_project_home_links"
    path = "/rest/v1.0/links/recycle_bin"

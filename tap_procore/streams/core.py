"""Core Tools: directory, tools and company settings."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


class ProjectToolsStream(ProjectStream):
    """Tools of each project, with whether each is switched on (one call per project)."""

    name = "project_tools"
    path = "/rest/v1.0/projects/{project_id}/tools"

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        # The tool registry may already have fetched this list to decide what to skip.
        cached = self._tap.tools.records_for(self.scope_of(context))
        if cached is not None:
            yield from (dict(record) for record in cached)
            return
        yield from super().get_records(context)


class CompanyUsersStream(CompanyStream):
    name = "company_users"
    path = "/rest/v1.3/companies/{company_id}/users"
    replication_key = "updated_at"


class CompanyVendorsStream(CompanyStream):
    name = "company_vendors"
    path = "/rest/v1.0/vendors"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    replication_key = "updated_at"


class TradesStream(CompanyStream):
    name = "trades"
    path = "/rest/v1.0/companies/{company_id}/trades"
    replication_key = "updated_at"


class ProjectUsersStream(ProjectStream):
    name = "project_users"
    path = "/rest/v1.0/projects/{project_id}/users"
    replication_key = "updated_at"

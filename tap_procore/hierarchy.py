"""The tree every stream hangs from: companies -> projects -> project tools and records.

Companies come from configuration; projects are listed once per company, filtered (active,
``project_ids``) and visited in id order, which is what makes the sweep's position a single
value (tap_procore/sweep.py). After all streams of a company or project finish, the sweep moves
forward and the tap may checkpoint STATE.
"""

from __future__ import annotations

import hashlib
import logging
import typing as t

from tap_procore import dates
from tap_procore.client import ProcoreStream
from tap_procore.config import parse_shard
from tap_procore.errors import FatalAPIError, ScopeFailure, ScopeUnavailable
from tap_procore.redaction import printable_url
from tap_procore.sweep import Scope

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

logger = logging.getLogger("tap-procore")


class CompaniesStream(ProcoreStream):
    """The configured companies, each fetched with its own Procore-Company-Id."""

    name = "companies"
    path = "/rest/v1.0/companies"
    is_scope_source = True
    child_id_key = "company_id"
    max_page_size = 1000

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        # Company records, like every company-level stream, are written by shard 1 only.
        shard = self.config.get("shard")
        if shard and parse_shard(shard)[0] != 1:
            self.keep_record = _never

    def check_companies(self) -> None:
        """Every configured company answers, before any is extracted: a wrong id stops the run
        at its start, not after the companies before it were extracted. The records found are
        the ones `get_records` writes (no second request)."""
        self._checked: dict[int, dict[str, t.Any]] = {}
        problems = []
        for company_id in self.config["company_ids"]:
            try:
                self._checked[company_id] = self._find_company(company_id)
            except FatalAPIError as exc:
                problems.append(str(exc))
            except ScopeFailure:
                continue  # not refused, only failing: read (or failed) with the others
        if problems:
            raise FatalAPIError(" | ".join(problems))

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        checked = getattr(self, "_checked", {})
        for company_id in self.config["company_ids"]:
            scope = Scope(company_id)
            record = checked.pop(company_id, None)
            if record is None:
                try:
                    record = self._find_company(company_id)
                except ScopeFailure as exc:
                    # Nothing of this company is read this run; the others are. Its scopes drop
                    # out of the registry, so the next run reads them as new ones: nothing lost.
                    self.run.scopes.fail(self.name, scope, exc, with_descendants=False)
                    self.run.sweep.skip_company(company_id)
                    continue
            # The sweep's upper bound is Procore's clock: it is fixed after Procore's first
            # answer (its Date header), which is this one.
            sweep = self.run.sweep
            sweep.note_company(company_id)
            yield record
            # Every company-level stream and every project of this company has finished; the
            # tap completes the sweep once every stream has returned (TapProcore.sync_all).
            sweep.finish_company(company_id)
            self.run.forget_scope(scope)

    def _find_company(self, company_id: int) -> dict[str, t.Any]:
        context = {"company_id": company_id}
        try:
            for record in self.request_records(context):
                if record.get("id") == company_id:
                    return record
        except ScopeUnavailable as exc:
            msg = (
                f"Company {company_id} refused access ({exc}) at {printable_url(self.url_base)}; "
                "check that "
                "the service account's app is installed in that company, that company_ids is "
                "right, and that api_url (or environment) points at that company's Procore"
            )
            raise FatalAPIError(msg) from None
        msg = (
            f"Company {company_id} is not visible to these credentials at "
            f"{printable_url(self.url_base)}; "
            "check company_ids, that the app is installed in that company, and that api_url "
            "(or environment) points at that company's Procore"
        )
        raise FatalAPIError(msg)

    def get_child_context(
        self, record: dict[str, t.Any], context: Context | None
    ) -> dict[str, t.Any]:
        return {"company_id": record["id"]}

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        return super().post_process(row, None)


class CompanyStream(ProcoreStream):
    """A list that belongs to a company (one scope per company)."""

    parent_stream_type: type[ProcoreStream] | None = CompaniesStream
    # The same user, vendor or setting appears once per company.
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "id")


class ProjectsStream(CompanyStream):
    """Projects of each company: active only unless include_inactive_projects, and only
    project_ids when given. Every project-level stream is a child of this one."""

    name = "projects"
    path = "/rest/v1.1/projects"
    is_scope_source = True
    primary_keys: t.ClassVar[tuple[str, ...]] = ("id",)
    # Incremental for the warehouse: only projects changed since the bookmark (or new ones) are
    # written. The full list is still read (one request per 300 projects) because every project
    # must be visited for its own streams.
    replication_key = "updated_at"
    children_see_every_record = True
    _write_current = True
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    # "The max page size is 300 projects due to the size of the data in the response."
    max_page_size = 300
    child_id_key = "project_id"

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.keep_record = self._changed_project

    def get_url_params(
        self, context: Context | None, next_page_token: int | str | None
    ) -> dict[str, t.Any]:
        params = super().get_url_params(context, next_page_token)
        if self.config.get("include_inactive_projects"):
            params["filters[by_status]"] = "All"
        return params

    def why_not_visited(self, project: dict[str, t.Any]) -> str | None:
        """Why the run does not visit a listed project (None: it does)."""
        shard = self.config.get("shard")
        if shard:
            this, count = parse_shard(shard)
            if shard_of(project["id"], count) != this:
                return f"in another shard than {this} of {count}"
        wanted_ids = self.config.get("project_ids")
        if wanted_ids and project.get("id") not in wanted_ids:
            return "not in project_ids"
        if not self.config.get("include_inactive_projects") and _is_inactive(project):
            if wanted_ids:
                logger.warning(
                    "Project %s is listed in project_ids but is inactive; set "
                    "include_inactive_projects to extract it",
                    project.get("id"),
                )
            return "inactive project (include_inactive_projects is off)"
        return None

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        company_id = int(context["company_id"])
        sweep = self.run.sweep
        # Company-level streams run before this one (see streams/__init__.py): they are done.
        sweep.finish_scope(Scope(company_id))
        try:
            listed = list(self.request_records(dict(context)))
        except ScopeUnavailable as exc:
            msg = f"Company {company_id} refused to list its projects ({exc})"
            raise FatalAPIError(msg) from None
        except ScopeFailure as exc:
            # No project of this company is visited: they drop out of the registry, and the
            # next run that lists them reads them as new ones (nothing is lost).
            self.run.scopes.fail(self.name, Scope(company_id), exc, with_descendants=False)
            return
        selected = []
        for project in self.with_usable_ids(listed, company_id):
            reason = self.why_not_visited(project)
            if reason is None:
                selected.append(project)
            else:
                self.run.scopes.not_visited(Scope(company_id, project["id"]), reason)
        self.run.report.projects_found(company_id, [project["id"] for project in selected])
        for index, project in enumerate(selected, start=1):
            scope = Scope(company_id, project["id"])
            self.run.report.enter_project(scope, index, len(selected))
            self.run.tools.note_project()
            self._write_current = self._changed_or_new(project, scope)
            yield project
            sweep.finish_scope(scope)
            self.run.forget_scope(scope)

    def with_usable_ids(
        self, listed: list[dict[str, t.Any]], company_id: int
    ) -> list[dict[str, t.Any]]:
        """The listed projects by id, ids sent as text made numbers; a project without a usable
        id cannot be visited (its streams are addressed by it): said, never dropped silently."""
        usable = []
        for project in listed:
            project_id = project_id_of(project)
            if project_id is None:
                logger.warning(
                    "projects: company %s lists a project without a usable id; it is skipped, "
                    "with all its streams: id %.40r, name %.80r",
                    company_id,
                    project.get("id"),
                    project.get("name"),
                )
                continue
            project["id"] = project_id
            usable.append(project)
        return sorted(usable, key=lambda project: project["id"])

    def get_child_context(
        self, record: dict[str, t.Any], context: Context | None
    ) -> dict[str, t.Any]:
        assert context is not None
        return {"company_id": context["company_id"], "project_id": record["id"]}

    def _changed_or_new(self, project: dict[str, t.Any], scope: Scope) -> bool:
        if self.replication_method != "INCREMENTAL":
            return True
        since = self.run.sweep.changed_since(self.name, scope)
        if since is None:
            return True  # a project this stream has not delivered yet
        try:
            return dates.parse_timestamp(project.get("updated_at")) >= since
        except dates.DateError:
            return True  # no usable updated_at: writing it again costs nothing

    def _changed_project(self, record: dict[str, t.Any]) -> bool:
        return self._write_current


def project_id_of(project: dict[str, t.Any]) -> int | None:
    """A project's id as a number, also when it is sent as text ("101"); None if it is neither."""
    value = project.get("id")
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _is_inactive(project: dict[str, t.Any]) -> bool:
    if project.get("active") is False:
        return True
    status = project.get("status_name") or project.get("status")
    return isinstance(status, str) and status.strip().lower() == "inactive"


class ProjectStream(ProcoreStream):
    """A list that belongs to one project (one scope per project)."""

    parent_stream_type: type[ProcoreStream] | None = ProjectsStream
    # Directory entries, tools and option lists repeat across projects under the same id.
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "id")


def shard_of(project_id: int, count: int) -> int:
    """The shard (1..count) a project belongs to: a stable hash of its id, so that shards stay
    balanced whatever pattern the ids follow, and a project never changes shard."""
    digest = hashlib.sha256(str(project_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def _never(record: dict[str, t.Any]) -> bool:
    return False

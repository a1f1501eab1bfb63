"""What a stream declares: every class attribute a Procore stream may set, in one place.

A stream class only declares what is particular to its endpoint; what it does not declare is
derived from its parent (`__init_subclass__`), and everything else comes from tap_procore/
client.py. This class also says where a stream's requests go: the SDK builds each request from
`get_url`, `get_url_params` and `get_http_request` below. New attributes
belong here, with a line saying what they mean; docs/adding-a-stream.md shows them in use.
"""

from __future__ import annotations

import re
import typing as t

import requests
from singer_sdk import RESTStream, SchemaDirectory, StreamSchema
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.streams.rest import HTTPRequest, PageContext

from tap_procore import schemas
from tap_procore.deletes import SchemaWithDeletes, note_stream_name

if t.TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_procore.auth import ProcoreAuthenticator
    from tap_procore.run import RunContext

SCHEMAS = SchemaDirectory(schemas)
_TEMPLATE = re.compile(r"\{(\w+)\}")


class DeclaredStream(RESTStream[int]):
    """The declarations of a Procore stream, and where its requests go."""

    #: API path; ``{company_id}``, ``{project_id}`` and parent keys are filled from the context.
    path: str
    primary_keys: t.ClassVar[tuple[str, ...]] = ("id",)
    replication_key: str | None = None
    #: Path parameters whose name in Procore's path differs from the context key holding the
    #: value, e.g. {"id": "budget_line_item_id"} for a show endpoint.
    path_params: t.ClassVar[dict[str, str]] = {}
    #: Fixed query parameters; values may be templates such as "{project_id}".
    query: t.ClassVar[dict[str, str]] = {}
    #: False for endpoints that declare no page/per_page (they answer everything at once).
    paginated: t.ClassVar[bool] = True
    #: The endpoint's own per_page ceiling.
    max_page_size: t.ClassVar[int] = 1000
    #: "list", or "object" for endpoints that answer one object per scope.
    response_kind: t.ClassVar[str] = "list"
    #: Parameter names of daily-log style endpoints that must be read in date windows.
    date_params: t.ClassVar[tuple[str, str] | None] = None
    #: Procore tool (engine name) the endpoint belongs to; off in a project -> not requested.
    tool: t.ClassVar[str | None] = None
    #: Context key under which this stream passes each record's id to its child streams.
    child_id_key: t.ClassVar[str | None] = None
    #: Where to find the child id in this stream's records (default "id").
    child_id_field: t.ClassVar[str] = "id"
    #: Other fields of this stream's records that its children need, by the context key that
    #: carries them: {"tool_subtype": "subtype"} (workflow tool types and subtypes).
    child_fields: t.ClassVar[dict[str, str]] = {}
    #: The filter an incremental stream windows: ``filters[updated_at]`` takes a range; any
    #: other (``filters[updated_at][gt]`` in v2 Scheduling, ``updated_after`` in Resource
    #: Planning) the lower bound alone.
    updated_at_param: t.ClassVar[str] = "filters[updated_at]"
    #: The first page's number (Resource Planning counts pages from 0), and the parameter that
    #: carries the page size (None: the endpoint has a fixed page size, `max_page_size`).
    page_base: t.ClassVar[int] = 1
    per_page_param: t.ClassVar[str | None] = "per_page"
    #: Cursor-paged listings (v2 workflow instances, v1 webhook deliveries): the parameter that
    #: carries the cursor. The next cursor is the `Link: rel="next"` URL's, else the body's
    #: ``next_cursor`` (top level, ``meta`` or ``pagination``), else, with `cursor_is_last_id`,
    #: the last row's id when the page came back full; none of them ends the listing.
    cursor_param: t.ClassVar[str | None] = None
    cursor_is_last_id: t.ClassVar[bool] = False
    #: For endpoints that need a parent id as a query parameter and have several possible
    #: parents (contract payments: prime, purchase order and work order contracts): the
    #: streams whose ids to use, and the parameter that carries them. Every parent id of the
    #: scope is used on every run, since these endpoints filter on their own updated_at. The
    #: source gives its `child_id_field` (default "id") and its `child_fields`, which pass on to
    #: this stream's children; a company-level source is read once per company.
    ids_from: t.ClassVar[tuple[str, ...]] = ()
    id_param: t.ClassVar[str | None] = None
    #: For data that has no endpoint of its own but comes inside each parent record (submittal
    #: approvers inside submittals): the parent record's field holding the list.
    embedded_in: t.ClassVar[str | None] = None
    #: The parent record's count of this stream's records (drawing areas' drawings_count): a
    #: parent that says 0 costs no request.
    parent_count_field: t.ClassVar[str | None] = None
    #: True when this stream hands every record to its children whatever its own window
    #: (projects), so its children are not limited to records changed since the bookmark.
    children_see_every_record: t.ClassVar[bool] = False
    #: False for streams that users should opt into (expensive or rarely useful).
    selected_by_default: bool = True
    #: For rows Procore gives no unique id of their own: the fields that identify a row in its
    #: list. They may be null, so they cannot be key columns; the stream's key uses `row_key`,
    #: derived from them by `surrogate_key` (unique within one list, see `post_process`).
    surrogate_key_of: t.ClassVar[tuple[str, ...]] = ()
    #: What `row_key` is, for the schema's description (default: said from surrogate_key_of).
    row_key_description: t.ClassVar[str | None] = None

    # The schema file, plus `_sdc_deleted_at` where deleted rows are recorded (deletes.py).
    schema: t.ClassVar[StreamSchema] = SchemaWithDeletes(SCHEMAS)
    state_partitioning_keys: t.ClassVar[tuple[str, ...]] = ()  # see tap_procore/sweep.py
    is_sorted = False
    # RecordConformer (conform.py) already makes every top-level value fit its declared type.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    #: True for the streams whose records are the scopes every other stream is read in
    #: (companies, projects): their children are a level of the tree, not records of a tool.
    is_scope_source: t.ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        """What a stream does not declare is derived from its parent: a child's key is its
        parent's key with the parent's id as the children see it (`child_id_key`), then its own
        `id` (or `row_key`); its tool is its parent's; a project-level listing whose path does not
        carry the project asks for it in its query."""
        super().__init_subclass__(**kwargs)
        if isinstance(vars(cls).get("name"), str):
            note_stream_name(vars(cls)["name"])
        parent = getattr(cls, "parent_stream_type", None)
        if parent is None or not isinstance(vars(cls).get("name", getattr(cls, "name", None)), str):
            return
        if not parent.is_scope_source:
            keyed = parent.child_id_key is not None and "id" in parent.primary_keys
            if keyed and not _declared_by_a_stream(cls, "primary_keys"):
                own = "row_key" if cls.surrogate_key_of else "id"
                cls.primary_keys = (
                    *(parent.child_id_key if key == "id" else key for key in parent.primary_keys),
                    own,
                )
            if not _declared_by_a_stream(cls, "tool") and parent.tool:
                cls.tool = parent.tool
        path = getattr(cls, "path", "")
        listed = cls.embedded_in is None
        needs_project = _level_key(cls) == "project_id" and "{project_id}" not in path
        if listed and needs_project and "project_id" not in cls.query:
            cls.query = {"project_id": "{project_id}", **cls.query}

    def __init__(self, tap: RunContext, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(t.cast("Tap", tap), *args, **kwargs)
        #: The run's shared services (tap_procore/run.py); the SDK's own reference to the tap
        #: (`_tap`) is private, and a stream needs no more of it than this.
        self.run = tap

    # --- where requests go (the SDK builds them from these, `get_http_request`) --------------

    @property
    def url_base(self) -> str:
        return self.run.http.endpoints.api_url

    @property
    def requests_session(self) -> requests.Session:
        return self.run.http.session

    @property
    def authenticator(self) -> ProcoreAuthenticator:
        return self.run.http.authenticator

    @property
    def timeout(self) -> int:
        return int(self.config.get("request_timeout") or 300)

    @property
    def user_agent(self) -> str:
        return self.run.http.user_agent

    @property
    def http_headers(self) -> dict[str, str]:
        return {"Accept": "application/json"}

    @property
    def page_size(self) -> int:
        if self.per_page_param is None:
            return self.max_page_size  # the endpoint's own, fixed page size
        return max(1, min(int(self.config.get("page_size") or 1000), self.max_page_size))

    @property
    def is_v2(self) -> bool:
        return self.path.startswith("/rest/v2")

    def records_in_body(self, body: t.Any) -> list[dict[str, t.Any]] | None:
        """For answers whose records are not where Procore usually puts them (meetings come in
        groups): the records of the decoded body; None: the usual place."""
        return None

    def get_url(self, context: Context | None) -> str:
        context = context or {}
        return self.url_base + _TEMPLATE.sub(
            lambda match: str(context[self.path_params.get(match.group(1), match.group(1))]),
            self.path,
        )

    def get_url_params(
        self, context: Context | None, next_page_token: int | str | None
    ) -> dict[str, t.Any]:
        context = context or {}
        params: dict[str, t.Any] = {
            key: fill_template(value, context)
            for key, value in self.query.items()
            # A parent field that is null (a workflow tool without subtype) is not sent.
            if not any(
                name in context and context[name] is None for name in _TEMPLATE.findall(value)
            )
        }
        if self.cursor_param:
            if next_page_token is not None:
                params[self.cursor_param] = next_page_token
            if self.per_page_param:
                params[self.per_page_param] = self.page_size
        elif self.paginated:
            params["page"] = self.page_base if next_page_token is None else next_page_token
            if self.per_page_param:
                params[self.per_page_param] = self.page_size
        window = context.get("_window")
        if window:
            params.update(window)
        return params

    def get_http_request(self, *, page: PageContext) -> HTTPRequest:
        request = super().get_http_request(page=page)
        context = page.stream_context or {}
        request.headers["Procore-Company-Id"] = str(context["company_id"])
        return request


def fill_template(value: str, context: t.Mapping[str, t.Any]) -> str:
    """``{name}`` placeholders replaced by the context's values."""
    return _TEMPLATE.sub(lambda match: str(context[match.group(1)]), value)


def _declared_by_a_stream(cls: type, attribute: str) -> bool:
    """Whether `attribute` is declared by `cls` or a stream class it inherits from (rather than
    by one of the base layers, whose value is only a default)."""
    for klass in cls.__mro__:
        if attribute in vars(klass):
            return "name" in vars(klass)
    return False


def _level_key(cls: type) -> str | None:
    """The context key of the scope a stream is read in: "project_id" or "company_id"."""
    stream: t.Any = cls
    while stream is not None:
        parent = getattr(stream, "parent_stream_type", None)
        if parent is not None and parent.is_scope_source:
            return t.cast("str | None", parent.child_id_key)
        stream = parent
    return None

"""Answering Procore REST GETs from the synthetic tenant.

The pipeline for one request: match the route, check required query params,
resolve the scope (company / project) and the company header, refuse
switched-off tools, check that parent ids exist, then select rows (deleted
mode, `filters[updated_at]`, daily-log dates, project status), paginate and
encode.  Encoded records are cached per route, collection and collection
version, so serving a page is mostly a `b",".join(...)`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from random import Random
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from .fakedata import Generator, stable_seed
from .routes import Route, RouteTable
from .tenant import (
    COMPANIES_RESOURCES,
    PROJECTS_RESOURCES,
    Collection,
    Row,
    Scope,
    Tenant,
    now_text,
    today_utc,
)
from .tools import TOOLS

JSON_TYPE = "application/json; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIMECARD_DEFAULT_DAYS = 7  # timecard lists without dates return the last week
EDITABLE_FIELDS = ("title", "name", "subject", "description", "notes", "comment")
TOOL_TITLES = {tool.engine_name: tool.title for tool in TOOLS}


class ApiError(Exception):
    """An error answer in Procore's v1 shape: {"errors": "..."}."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> bytes:
        return json.dumps({"errors": self.message}).encode("utf-8")


class Query:
    """A parsed query string that keeps order and repeats (`filters[x][]=a&...=b`)."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs
        self._last = dict(pairs)

    @classmethod
    def parse(cls, text: str) -> Query:
        return cls(parse_qsl(text, keep_blank_values=True))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Query:
        pairs: list[tuple[str, str]] = []
        for name, value in mapping.items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((name, _query_text(v)) for v in values)
        return cls(pairs)

    def get(self, name: str) -> str | None:
        return self._last.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self._last

    def as_dict(self) -> dict[str, Any]:
        """For the request log: arrays (repeated or `[]` names) as lists."""
        out: dict[str, Any] = {}
        for name, value in self.pairs:
            if name in out:
                previous = out[name]
                out[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                out[name] = [value] if name.endswith("[]") else value
        return out


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class ApiResult:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    route: Route | None = None
    # Set on paginated list answers, so page faults can rewrite them.
    page: int | None = None
    total: int | None = None
    empty_body: bytes | None = None


@dataclass
class Resolved:
    route: Route
    path_values: list[str]  # aligned with route.path_params
    query: Query
    scope: Scope
    tool_off: bool = False


class ApiService:
    def __init__(self, routes: RouteTable, tenant: Tenant):
        self.routes = routes
        self.tenant = tenant
        self._generators: dict[str, Generator | None] = {}
        # (operation id, collection key) -> (collection version, row id -> JSON bytes)
        self._encoded: dict[tuple, tuple[int, dict[int, bytes]]] = {}
        self._objects: dict[tuple, bytes] = {}
        self._filtered: dict[tuple, list[Row]] = {}
        self._mutations = 0
        # Told of every change the control API makes (the webhooks record deliveries):
        # (route resource, company id, project id or None, event type, record ids, timestamp).
        self.on_change: Callable[[str, int, int | None, str, list[int], str], Any] = (
            lambda *change: None
        )

    # ================================================================ resolving

    def resolve(
        self, path: str, query: Query, header_company: str | None, *, for_control: bool = False
    ) -> Resolved:
        matched = self.routes.match(path)
        if matched is None:
            raise ApiError(404, f"No route matches {path}")
        route, by_name = matched
        self._check_required(route, query)
        scope = self._scope(route, by_name, query, header_company, for_control=for_control)
        if not for_control:
            self._check_company_header(scope, header_company)
        tool_off = bool(
            route.tool and scope.project is not None and route.tool in scope.project.tools_off
        )
        if tool_off and not for_control:
            title = TOOL_TITLES.get(route.tool or "", route.tool)
            raise ApiError(403, f"The {title} tool is not enabled for project {scope.project.id}")
        resolved = Resolved(route, [by_name[n] for n in route.path_params], query, scope, tool_off)
        self._check_parents(resolved)
        return resolved

    @staticmethod
    def _check_required(route: Route, query: Query) -> None:
        required = route.required_query
        # Some operations list both company_id and project_id as required while
        # their description says "either" (line item types, webhooks): one suffices.
        either = {"company_id", "project_id"} <= set(required)
        for name in required:
            if name in query and query.get(name) != "":
                continue
            if (
                either
                and name in ("company_id", "project_id")
                and (query.get("company_id") or query.get("project_id"))
            ):
                continue
            raise ApiError(400, f"{name} is missing")

    def _scope(
        self,
        route: Route,
        by_name: dict[str, str],
        query: Query,
        header_company: str | None,
        *,
        for_control: bool,
    ) -> Scope:
        company_text = _located(route.company_param, by_name, query)
        project_text = _located(route.project_param, by_name, query)
        tenant = self.tenant
        if project_text:
            project = tenant.projects.get(_parse_id(project_text, "project"))
            if project is None:
                raise ApiError(404, f"Project {project_text} not found")
            company = tenant.companies[project.company_id]
            if company_text and _parse_id(company_text, "company") != company.id:
                raise ApiError(404, f"Project {project.id} not found in company {company_text}")
            return Scope(company, project)
        if company_text:
            company = tenant.companies.get(_parse_id(company_text, "company"))
            if company is None:
                raise ApiError(404, f"Company {company_text} not found")
            return Scope(company)
        # No ids in the request: the company header is the scope.
        if for_control:
            header_company = query.get("procore_company_id") or header_company
            if header_company is None:
                return Scope(tenant.companies[min(tenant.companies)])
        company = tenant.companies.get(_maybe_int(header_company))
        if company is None:
            raise ApiError(403, f"Not authorized for company {header_company}")
        return Scope(company)

    @staticmethod
    def _check_company_header(scope: Scope, header_company: str | None) -> None:
        if _maybe_int(header_company) != scope.company.id:
            owner = (
                f"project {scope.project.id}" if scope.project else f"company {scope.company.id}"
            )
            raise ApiError(
                403,
                f"Procore-Company-Id {header_company} does not match the company of {owner}",
            )

    def _check_parents(self, resolved: Resolved) -> None:
        route = resolved.route
        for parent in route.parents:
            if not parent.routes:
                continue  # the API description gives no parent list to check against
            value = self._param_value(resolved, parent.param, parent.location)
            if value is None:
                continue  # an optional parent the client did not send
            for operation_id in parent.routes:
                target = self.routes.by_operation_id[operation_id]
                collection = self._collection_for(target, resolved)
                # A parent counts if its list shows it by default (filters aside).
                visible = self._visible(target, collection)
                if any(str(target.id_value(row.id)) == value for row in visible):
                    break
            else:
                raise ApiError(404, f"{parent.param} {value} not found")

    @staticmethod
    def _param_value(resolved: Resolved, name: str, location: str) -> str | None:
        if location == "path":
            route = resolved.route
            return resolved.path_values[route.path_params.index(name)]
        return resolved.query.get(name) or None

    # ============================================================= collections

    def _collection_route(self, route: Route) -> Route:
        """The list whose collection a route reads: recycle bins read their live list."""
        if route.recycle_bin_of:
            return self.routes.by_operation_id[route.recycle_bin_of]
        return route

    def _collection_for(self, target: Route, resolved: Resolved) -> Collection:
        source = self._collection_route(target)
        scope = resolved.scope
        scope_key = scope.key_for(source.project_param is not None)
        values = self._parent_values(target, resolved)
        return self.tenant.collection(source.resource, scope, scope_key, values)

    def _parent_values(self, target: Route, resolved: Resolved) -> tuple:
        """Values that pick a list's collection within a scope: the list's non-scope path
        params (taken by position from the request: a parent list's path is a prefix of
        its child's) and its query parents (e.g. contract_id)."""
        values: list[str] = []
        scope_names = target.scope_path_params
        for index, name in enumerate(target.path_params):
            if name in scope_names or index >= len(resolved.path_values):
                continue
            values.append(resolved.path_values[index])
        for parent in target.parents:
            if parent.location == "query":
                values.append(resolved.query.get(parent.param) or "")
        return tuple(values)

    def _visible(
        self, route: Route, collection: Collection, query: Query | None = None
    ) -> list[Row]:
        """Rows a list shows before other filters: live ones, the recycle bin's deleted
        ones, or what the route's deleted-records filter in `query` asks for."""
        mode = "deleted" if route.recycle_bin_of else "live"
        if query is not None and route.deleted_filter and route.deleted_filter in query:
            mode = _deleted_mode(route.deleted_filter, query.get(route.deleted_filter) or "")
        if mode == "all":
            return collection.rows
        want_deleted = mode == "deleted"
        return [row for row in collection.rows if row.deleted is want_deleted]

    # ================================================================ answering

    def answer(self, resolved: Resolved, base_url: str, raw_path: str) -> ApiResult:
        route = resolved.route
        if route.response_kind == "text":
            return self._answer_text(resolved)
        if route.response_kind == "object":
            return self._answer_object(resolved)
        return self._answer_list(resolved, base_url, raw_path)

    def _answer_list(self, resolved: Resolved, base_url: str, raw_path: str) -> ApiResult:
        route = resolved.route
        rows, encoded = self._list_rows(resolved, apply_filters=True)
        total = len(rows)
        headers: list[tuple[str, str]] = []
        page = None
        if route.paginated:
            per_page = bounded_int(
                resolved.query.get("per_page"), route.per_page_default, 1, route.per_page_max
            )
            base = route.page_base
            page = bounded_int(resolved.query.get("page"), base, base, None)
            last_page = max(1, math.ceil(total / per_page))
            start = (page - base) * per_page
            rows = rows[start : start + per_page]
            # Resource Planning's 0-based pages come without Procore's paging headers.
            headers = (
                []
                if base == 0
                else [
                    ("Total", str(total)),
                    ("Per-Page", str(per_page)),
                    (
                        "Link",
                        _link_header(base_url, raw_path, resolved.query, page, per_page, last_page),
                    ),
                ]
            )
        items = [encoded(row) for row in rows]
        return ApiResult(
            200,
            self._wrap_list(route, items),
            headers=headers,
            route=route,
            page=page,
            total=total,
            empty_body=self._wrap_list(route, []),
        )

    def _list_rows(self, resolved: Resolved, *, apply_filters: bool):
        """(rows, encode) for a list route; `encode(row)` gives the row's JSON bytes."""
        route = resolved.route
        if route.item_type in ("integer", "string") and not route.ids_of:
            return self._generated_scalars(resolved)
        source_route = self.routes.by_operation_id[route.ids_of] if route.ids_of else route
        collection = self._collection_for(source_route, resolved)
        # Paging through a big list asks for the same filtered rows page after page: keep
        # them, so serving a page costs the page, not the whole list (a benchmark's double
        # must not be slower than the tap it measures).
        memo_key = (
            route.operation_id,
            collection.key,
            collection.version,
            self.tenant.entity_version,
            apply_filters,
            tuple(pair for pair in resolved.query.pairs if pair[0] not in ("page", "per_page")),
        )
        rows = self._filtered.get(memo_key)
        if rows is None:
            rows = self._visible(source_route, collection, resolved.query)
            if collection.resource in PROJECTS_RESOURCES:
                rows = self._by_project_status(route, rows, resolved.query)
            if apply_filters:
                rows = self._filter_updated_at(route, rows, resolved.query)
                rows = self._filter_dates(route, rows, resolved.query)
            if len(self._filtered) > 256:
                self._filtered.clear()
            self._filtered[memo_key] = rows
        if route.ids_of:
            as_text = route.is_v2 or route.item_type == "string"
            return rows, lambda row: json.dumps(str(row.id) if as_text else row.id).encode()
        return rows, self._encoder(route, collection, resolved.scope)

    def _generated_scalars(self, resolved: Resolved):
        route = resolved.route
        seed = stable_seed(
            self.tenant.seed, route.operation_id, resolved.scope.describe(), resolved.path_values
        )
        rng = Random(seed)
        count = self.tenant.config.records_per_list
        if resolved.scope.project is not None and resolved.scope.project.empty:
            count = 0
        values = [str(self.tenant.fake.big_id(rng)) for _ in range(count)]
        if route.item_type == "integer" and not route.is_v2:
            return values, lambda value: value.encode()
        return values, lambda value: json.dumps(value).encode()

    def _wrap_list(self, route: Route, items: list[bytes]) -> bytes:
        body = b"[" + b",".join(items) + b"]"
        return b'{"data":' + body + b"}" if route.is_v2 else body

    def _answer_object(self, resolved: Resolved) -> ApiResult:
        route = resolved.route
        entity = self._entity_show(resolved)
        if entity is not None:
            collection, row = entity
        elif route.record_of:
            collection, row = self._shown_record(resolved)
        else:
            body = self._single_object(resolved)
            return ApiResult(200, self._wrap_object(route, body), route=route)
        body = self._encoder(route, collection, resolved.scope)(row)
        return ApiResult(200, self._wrap_object(route, body), route=route)

    def _wrap_object(self, route: Route, body: bytes) -> bytes:
        return b'{"data":' + body + b"}" if route.is_v2 else body

    def _entity_show(self, resolved: Resolved) -> tuple[Collection, Row] | None:
        """`/projects/{id}` and `/companies/{id}`: the tenant's own project or company."""
        route = resolved.route
        if not route.path_params or route.path_params[-1] not in route.scope_path_params:
            return None
        list_resource = route.resource.rsplit("/", 1)[0]
        scope = resolved.scope
        if list_resource in PROJECTS_RESOURCES and scope.project is not None:
            wanted = scope.project.id
        elif list_resource in COMPANIES_RESOURCES:
            wanted = scope.company.id
        else:
            return None
        collection = self.tenant.collection(list_resource, scope, ("company", scope.company.id), ())
        row = next((r for r in collection.rows if r.id == wanted), None)
        return (collection, row) if row is not None else None

    def _shown_record(self, resolved: Resolved) -> tuple[Collection, Row]:
        route = resolved.route
        list_route = self.routes.by_operation_id[route.record_of or ""]
        collection = self._collection_for(list_route, resolved)
        wanted = resolved.path_values[-1]
        rows = self._visible(list_route, collection, resolved.query)
        if resolved.query.get("include_deleted") in ("true", "1"):
            rows = collection.rows
        for row in rows:
            if str(list_route.id_value(row.id)) == wanted:
                return collection, row
        raise ApiError(404, f"{route.path_params[-1]} {wanted} not found")

    def _single_object(self, resolved: Resolved) -> bytes:
        route = resolved.route
        scope_key = resolved.scope.key_for(route.project_param is not None)
        key = (route.operation_id, scope_key, tuple(resolved.path_values))
        cached = self._objects.get(key)
        if cached is None:
            rng = Random(stable_seed(self.tenant.seed, *key))
            generate = self._generator(route)
            record = generate(rng) if generate else self._generic_record(rng)
            record = self._with_scope_fields(route, record, resolved.scope)
            cached = _encode(record)
            self._objects[key] = cached
        return cached

    def _answer_text(self, resolved: Resolved) -> ApiResult:
        lines = ["id,name,updated_at"]
        rng = Random(
            stable_seed(self.tenant.seed, resolved.route.operation_id, resolved.scope.describe())
        )
        for _ in range(self.tenant.config.records_per_list):
            name = self.tenant.fake.phrase(rng).replace(",", " ")
            lines.append(
                f"{self.tenant.fake.big_id(rng)},{name},{self.tenant.fake.datetime_text(rng)}"
            )
        body = ("\r\n".join(lines) + "\r\n").encode("utf-8")
        return ApiResult(200, body, content_type=CSV_TYPE, route=resolved.route)

    # ================================================================== filters

    @staticmethod
    def _by_project_status(route: Route, rows: list[Row], query: Query) -> list[Row]:
        if "filters[by_status]" not in route.query_enums:
            return rows
        status = query.get("filters[by_status]") or "Active"  # Procore lists active by default
        allowed = route.query_enums["filters[by_status]"]
        if status not in allowed:
            raise ApiError(400, f"filters[by_status] must be one of {', '.join(allowed)}")
        if status == "All":
            return rows
        want_active = status == "Active"
        return [row for row in rows if bool(row.fields.get("active")) is want_active]

    @staticmethod
    def _filter_updated_at(route: Route, rows: list[Row], query: Query) -> list[Row]:
        name = route.updated_at_filter
        if not name or name not in query:
            return rows
        text = query.get(name) or ""
        if name.endswith("[gt]"):
            after = _parse_bound(text, upper=False, name=name)
            return [row for row in rows if row.updated_epoch > after]
        lower_text, separator, upper_text = text.partition("...")
        if not separator or not lower_text or not upper_text:
            raise ApiError(400, f"{name} must be a range: START...END (ISO 8601)")
        lower = _parse_bound(lower_text, upper=False, name=name)
        upper = _parse_bound(upper_text, upper=True, name=name)
        return [row for row in rows if lower <= row.updated_epoch <= upper]

    @staticmethod
    def _filter_dates(route: Route, rows: list[Row], query: Query) -> list[Row]:
        """Daily-log style date params (Procore: no dates given -> only today's logs)."""
        if not route.date_params:
            return rows
        declared = route.date_params
        log_date = query.get("log_date") if "log_date" in declared else None
        start = query.get("start_date") if "start_date" in declared else None
        end = query.get("end_date") if "end_date" in declared else None
        if log_date:
            day = _parse_day(log_date, "log_date")
            return [row for row in rows if row.date == day]
        if start or end:
            low = _parse_day(start, "start_date") if start else "0000-00-00"
            high = _parse_day(end, "end_date") if end else "9999-99-99"
            if low > high:
                raise ApiError(400, "start_date must not be after end_date")
            return [row for row in rows if low <= row.date <= high]
        today = today_utc()
        if "timecard" in route.path:
            oldest = (today - timedelta(days=TIMECARD_DEFAULT_DAYS - 1)).isoformat()
            return [row for row in rows if oldest <= row.date <= today.isoformat()]
        return [row for row in rows if row.date == today.isoformat()]

    # ================================================================ rendering

    def _generator(self, route: Route) -> Generator | None:
        if route.operation_id not in self._generators:
            schema = route.item_schema
            self._generators[route.operation_id] = (
                self.tenant.fake.compile_object(schema, string_ids=route.is_v2) if schema else None
            )
        return self._generators[route.operation_id]

    def _encoder(self, route: Route, collection: Collection, scope: Scope):
        cache_key = (route.operation_id, collection.key)
        cached = self._encoded.get(cache_key)
        if cached is None or cached[0] != collection.version:
            cached = (collection.version, {})
            self._encoded[cache_key] = cached
        encoded = cached[1]

        def encode(row: Row) -> bytes:
            body = encoded.get(row.id)
            if body is None:
                body = _encode(self.render(route, collection, row, scope))
                encoded[row.id] = body
            return body

        return encode

    def render(self, route: Route, collection: Collection, row: Row, scope: Scope) -> dict:
        """One record as `route` shows it: generated fields plus the row's facts."""
        rng = Random(collection.seed + row.index * 7919 + 1)
        generate = self._generator(route)
        record = generate(rng) if generate else self._generic_record(rng)
        schema = route.item_schema or {}
        record[route.id_field] = route.id_value(row.id)
        # The row's own facts, where the double filters on them (updated_at, log dates); a
        # creation time may be null like any other field that is not an id.
        if not schema or ("created_at" in schema and record.get("created_at") is not None):
            record["created_at"] = row.created_at
        if not schema or "updated_at" in schema:
            record["updated_at"] = row.updated_at
        if route.date_params:
            record["date"] = row.date
            if "log_date" in schema:
                record["log_date"] = row.date
        if "deleted_at" in schema or row.deleted:
            record["deleted_at"] = row.deleted_at
        record = self._with_scope_fields(route, record, scope)
        if collection.entity_rows:
            record.update(row.fields)
        else:
            for name, value in row.fields.items():
                if name in record:
                    record[name] = value
        if collection.resource.endswith("/submittals"):
            self._ensure_approvers(route, record, rng)
        return record

    def _with_scope_fields(self, route: Route, record: dict, scope: Scope) -> dict:
        schema = route.item_schema or {}
        as_text = route.is_v2
        if "project_id" in schema and scope.project is not None:
            record["project_id"] = str(scope.project.id) if as_text else scope.project.id
        if "company_id" in schema:
            record["company_id"] = str(scope.company.id) if as_text else scope.company.id
        return record

    def _generic_record(self, rng: Random) -> dict[str, Any]:
        """The shape for routes whose item schema the API description lost."""
        fake = self.tenant.fake
        created = fake.datetime_text(rng)
        return {
            "id": fake.big_id(rng),
            "name": fake.phrase(rng),
            "created_at": created,
            "updated_at": max(created, fake.datetime_text(rng)),
        }

    def _ensure_approvers(self, route: Route, record: dict, rng: Random) -> None:
        # Procore has no approvers list endpoint; taps derive them from submittals.
        approvers = record.get("approvers")
        if (
            isinstance(approvers, list)
            and approvers
            and all(isinstance(a, dict) and a.get("id") is not None for a in approvers)
        ):
            return
        fake = self.tenant.fake
        record["approvers"] = [
            {
                "id": str(fake.big_id(rng)) if route.is_v2 else fake.big_id(rng),
                "user": {"id": fake.big_id(rng), "name": fake.person(rng)},
                "response": {"id": fake.big_id(rng), "name": rng.choice(("Approved", "Pending"))},
            }
            for _ in range(rng.randint(1, 3))
        ]

    # ============================================================ ground truth

    def ground_truth(self, path: str, query: Query) -> dict[str, Any]:
        """What exists behind a route in a scope: all records, no filters, all dates."""
        resolved = self.resolve(path, query, None, for_control=True)
        route = resolved.route
        answer: dict[str, Any] = {
            "operation_id": route.operation_id,
            "path_template": route.path,
            "scope": resolved.scope.describe(),
            "tool": route.tool,
            "status": 403 if resolved.tool_off else 200,
            "records": [],
            "deleted_records": [],
        }
        if resolved.tool_off:
            return answer
        if route.response_kind == "object":
            answer["records"] = [json.loads(self._answer_object(resolved).body)]
        elif route.response_kind == "list":
            rows, encode = self._list_rows(resolved, apply_filters=False)
            answer["records"] = [json.loads(encode(row)) for row in rows]
            is_record_list = route.item_type == "object" and not route.ids_of
            if is_record_list and not route.recycle_bin_of:
                collection = self._collection_for(route, resolved)
                encode = self._encoder(route, collection, resolved.scope)
                answer["deleted_records"] = [
                    json.loads(encode(row)) for row in collection.rows if row.deleted
                ]
        answer["count"] = len(answer["records"])
        return answer

    # =============================================================== mutations

    def mutate(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        action = payload.get("action")
        tenant = self.tenant
        try:
            if action == "add_project":
                project = tenant.add_project(
                    int(payload["company_id"]),
                    name=payload.get("name"),
                    active=bool(payload.get("active", True)),
                    records_per_list=payload.get("records_per_list"),
                )
                self._project_changed(project, "create")
                return {"action": action, "project": _project_dict(project)}
            if action == "set_project_active":
                project = tenant.set_project_active(
                    int(payload["project_id"]), bool(payload["active"])
                )
                self._project_changed(project, "update")
                return {"action": action, "project": _project_dict(project)}
            if action == "set_tool":
                project = tenant.set_tool(
                    int(payload["project_id"]), str(payload["tool"]), bool(payload["enabled"])
                )
                return {"action": action, "project": _project_dict(project)}
        except KeyError as missing:
            raise ApiError(400, f"{action}: unknown or missing {missing}") from None
        if action in ("touch", "add", "delete"):
            return self._mutate_records(action, payload)
        raise ApiError(400, f"unknown mutation action {action!r}")

    def _mutate_records(self, action: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        if "path" not in payload:
            raise ApiError(400, f"{action} needs a concrete `path`")
        query = Query.from_mapping(payload.get("query") or {})
        resolved = self.resolve(str(payload["path"]), query, None, for_control=True)
        route = resolved.route
        if route.response_kind != "list" or route.ids_of:
            raise ApiError(400, f"{route.path} is not a list of records")
        count = int(payload.get("count", 1))
        ids = [str(i) for i in payload.get("ids") or []]
        with self.tenant.lock:
            self._mutations += 1
            collection = self._collection_for(route, resolved)
            if collection.entity_rows:
                return self._mutate_entities(action, route, collection, ids, count)
            if action == "add":
                changed = self.tenant.new_rows(collection, count)
            else:
                changed = self._pick_rows(collection, ids, count, payload.get("positions"))
                # A change Procore records late carries its own, earlier, time.
                stamp = str(payload.get("updated_at") or now_text())
                for row in changed:
                    if action == "delete":
                        row.deleted = True
                        row.deleted_at = stamp
                    else:
                        self._edit(route, collection, row, resolved.scope, payload.get("set"))
                    row.set_updated(stamp)
            collection.version += 1
        scope_kind, scope_id = collection.key[1]
        self.on_change(
            collection.resource,
            resolved.scope.company.id,
            scope_id if scope_kind == "project" else None,
            {"add": "create", "touch": "update", "delete": "delete"}[action],
            [row.id for row in changed],
            max((row.updated_at for row in changed), default=now_text()),
        )
        return {
            "action": action,
            "operation_id": route.operation_id,
            "scope": resolved.scope.describe(),
            "ids": sorted(str(row.id) if route.is_v2 else row.id for row in changed),
            "updated_at": max((row.updated_at for row in changed), default=None),
        }

    def _project_changed(self, project: Any, event_type: str) -> None:
        self.on_change(
            "/projects",
            project.company_id,
            project.id,
            event_type,
            [project.id],
            project.updated_at,
        )

    def _pick_rows(
        self, collection: Collection, ids: list[str], count: int, positions: Any = None
    ) -> list[Row]:
        live = [row for row in collection.rows if not row.deleted]
        if positions is not None:
            # By place in the listing as it is now ("the first row"), as a user sees it.
            return [live[int(n)] for n in positions if int(n) < len(live)]
        if ids:
            chosen = [row for row in live if str(row.id) in ids]
            if len(chosen) != len(set(ids)):
                raise ApiError(404, "some ids are not live records of this list")
            return chosen
        rng = Random(stable_seed(self.tenant.seed, "mutation", self._mutations))
        return sorted(rng.sample(live, min(count, len(live))), key=lambda row: row.id)

    def _edit(
        self,
        route: Route,
        collection: Collection,
        row: Row,
        scope: Scope,
        explicit: Mapping[str, Any] | None,
    ) -> None:
        if explicit:
            row.fields.update(explicit)
            return
        schema = route.item_schema or {"name": {"type": "string"}}
        name = next(
            (f for f in EDITABLE_FIELDS if _free_text(f, schema.get(f, {}))),
            next((f for f, spec in schema.items() if _free_text(f, spec)), None),
        )
        if name is None:
            return
        current = self.render(route, collection, row, scope).get(name)
        row.fields[name] = (
            f"{current} (edited {self._mutations})" if current else (f"edited {self._mutations}")
        )

    def _mutate_entities(
        self, action: str, route: Route, collection: Collection, ids: list[str], count: int
    ) -> dict[str, Any]:
        if action != "touch" or collection.resource not in PROJECTS_RESOURCES:
            raise ApiError(
                400,
                f"{action} is not supported on {route.path}; "
                "use add_project / set_project_active / set_tool",
            )
        rows = self._pick_rows(collection, ids, count)
        projects = [self.tenant.touch_project(row.id) for row in rows]
        for project in projects:
            self._project_changed(project, "update")
        return {
            "action": action,
            "operation_id": route.operation_id,
            "ids": sorted(project.id for project in projects),
            "updated_at": max((p.updated_at for p in projects), default=None),
        }


# ==================================================================== helpers


def _free_text(name: str, spec: Mapping[str, Any]) -> bool:
    """A field an edit may append to: text that is not an id, a time, a date or a choice."""
    lowered = name.lower()
    return (
        spec.get("type") == "string"
        and not spec.get("format")
        and not spec.get("enum")
        and not (lowered == "id" or lowered.endswith(("_id", "_at", "_date", "date")))
    )


def _located(where: tuple[str, str] | None, by_name: dict[str, str], query: Query) -> str | None:
    if where is None:
        return None
    location, name = where
    return by_name.get(name) if location == "path" else (query.get(name) or None)


def _parse_id(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ApiError(404, f"{what} {text!r} not found") from None


def _maybe_int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _deleted_mode(name: str, value: str) -> str:
    value = value.strip().lower()
    if name in ("filters[include_deleted]", "filters[deleted]"):
        modes = {"only": "deleted", "with": "all"}
        if value not in modes:
            raise ApiError(400, f"{name} must be 'only' or 'with'")
        return modes[value]
    if value not in ("true", "false", "1", "0"):
        raise ApiError(400, f"{name} must be true or false")
    return "deleted" if value in ("true", "1") else "live"


def _parse_bound(text: str, *, upper: bool, name: str) -> float:
    """An ISO 8601 date or date-time as epoch seconds; a date as an upper bound
    covers that whole day."""
    text = text.strip().replace(" ", "+")  # '+' in an offset arrives as ' ' if unescaped
    try:
        if DATE_ONLY.match(text):
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            if upper:
                return (day + timedelta(days=1)).timestamp() - 0.001
            return day.timestamp()
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise ApiError(400, f"{name}: {text!r} is not an ISO 8601 date or date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _parse_day(text: str | None, name: str) -> str:
    try:
        return date.fromisoformat(text or "").isoformat()
    except ValueError:
        raise ApiError(400, f"{name} must be a date (YYYY-MM-DD)") from None


def bounded_int(text: str | None, default: int, low: int, high: int | None) -> int:
    try:
        value = int(text) if text not in (None, "") else default
    except ValueError:
        value = default
    value = max(low, value)
    return min(value, high) if high is not None else value


def _link_header(
    base_url: str, raw_path: str, query: Query, page: int, per_page: int, last_page: int
) -> str:
    kept = [(k, v) for k, v in query.pairs if k not in ("page", "per_page")]

    def url(number: int) -> str:
        params = [*kept, ("page", str(number)), ("per_page", str(per_page))]
        return f"{base_url}{raw_path}?{urlencode(params, quote_via=quote, safe='[]')}"

    links = [f'<{url(1)}>; rel="first"']
    if page > 1:
        links.append(f'<{url(min(page - 1, last_page))}>; rel="prev"')
    links.append(f'<{url(last_page)}>; rel="last"')
    if page < last_page:
        links.append(f'<{url(page + 1)}>; rel="next"')
    return ", ".join(links)


def _encode(record: Any) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _project_dict(project: Any) -> dict[str, Any]:
    return {
        "id": project.id,
        "company_id": project.company_id,
        "name": project.name,
        "active": project.active,
        "empty": project.empty,
        "tools_off": sorted(project.tools_off),
        "updated_at": project.updated_at,
    }

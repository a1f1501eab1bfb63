"""The double's route table: GET operations from routes.json and a path matcher.

routes.json is generated from Procore's API description by
scripts/generate_double_routes.py; this module only reads it.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .tools import tool_for_route

ROUTES_FILE = Path(__file__).with_name("routes.json")

# Procore's page-size rules (notes §4): v1 lists default to 100 here (most
# endpoints do not state a default) and are capped at 1000; v2 lists default
# to 10 and are capped at 100.  A route's own stated default wins.
V1_DEFAULT_PER_PAGE = 100
V1_MAX_PER_PAGE = 1000
V2_DEFAULT_PER_PAGE = 10
V2_MAX_PER_PAGE = 100

PARAM_SEGMENT = re.compile(r"^\{[^}]+\}$")

# Query params that are never "missing": paging always has a default.
NEVER_REQUIRED = frozenset({"page", "per_page"})


@dataclass(frozen=True)
class Parent:
    """A path or query param that must name an existing record of a parent list."""

    param: str
    location: str  # "path" or "query"
    routes: tuple[str, ...]  # operation ids of candidate parent lists; empty = not checked


@dataclass(frozen=True)
class Route:
    operation_id: str
    path: str
    version: str
    summary: str
    tag: str | None
    category: str | None
    module: str | None
    resource: str
    path_params: tuple[str, ...]
    query_params: tuple[dict[str, Any], ...]
    company_param: tuple[str, str] | None  # ("path"|"query", name)
    project_param: tuple[str, str] | None
    paginated: bool
    per_page_default: int
    per_page_max: int
    updated_at_filter: str | None
    deleted_filter: str | None
    date_params: tuple[str, ...]
    envelope: str | None
    response_kind: str  # list | object | text
    item_type: str | None
    item_schema: dict[str, Any] | None
    parents: tuple[Parent, ...]
    record_of: str | None
    recycle_bin_of: str | None
    ids_of: str | None
    tool: str | None
    required_query: tuple[str, ...] = field(default=())
    query_enums: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    #: The first page's number (Resource Planning counts pages from 0).
    page_base: int = 1
    #: The record field holding its id (`schedule_id` in v2 schedules, which have no `id`).
    id_field: str = "id"

    @property
    def is_v2(self) -> bool:
        return self.envelope == "data"

    def id_value(self, row_id: int) -> int | str:
        """A row's id as this route sends it: a UUID where the description says so, text in
        v2 and where the description declares a string, else the integer."""
        declared = (self.item_schema or {}).get(self.id_field) or {}
        if declared.get("format") == "uuid":
            return str(uuid.UUID(int=row_id))
        if self.is_v2 or declared.get("type") == "string":
            return str(row_id)
        return row_id

    @property
    def scope_path_params(self) -> frozenset[str]:
        names = set()
        for where in (self.company_param, self.project_param):
            if where and where[0] == "path":
                names.add(where[1])
        return frozenset(names)

    def summary_dict(self) -> dict[str, Any]:
        return {
            "operation_id": self.operation_id,
            "path": self.path,
            "version": self.version,
            "module": self.module,
            "tag": self.tag,
            "tool": self.tool,
            "resource": self.resource,
            "path_params": list(self.path_params),
            "scope": {
                "company": ":".join(self.company_param) if self.company_param else None,
                "project": ":".join(self.project_param) if self.project_param else None,
            },
            "response_kind": self.response_kind,
            "envelope": self.envelope,
            "paginated": self.paginated,
            "per_page_default": self.per_page_default if self.paginated else None,
            "per_page_max": self.per_page_max if self.paginated else None,
            "updated_at_filter": self.updated_at_filter,
            "deleted_filter": self.deleted_filter,
            "date_params": list(self.date_params),
            "required_query": list(self.required_query),
            "parents": [
                {"param": p.param, "in": p.location, "routes": list(p.routes)} for p in self.parents
            ],
            "record_of": self.record_of,
            "recycle_bin_of": self.recycle_bin_of,
        }


def _scope_location(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    location, name = value.split(":", 1)
    return location, name


def _build_route(raw: dict[str, Any]) -> Route:
    is_v2 = raw["envelope"] == "data"
    default = raw.get("per_page_default") or (V2_DEFAULT_PER_PAGE if is_v2 else V1_DEFAULT_PER_PAGE)
    cap = V2_MAX_PER_PAGE if is_v2 else V1_MAX_PER_PAGE
    # A route may state a larger default or maximum than the usual cap
    # (e.g. equipment ids default 5000); honour what the route says.
    maximum = max(cap, default, raw.get("per_page_max") or 0)
    query_params = tuple(raw["query_params"])
    return Route(
        operation_id=raw["operation_id"],
        path=raw["path"],
        version=raw["version"],
        summary=raw.get("summary") or "",
        tag=raw.get("tag"),
        category=raw.get("category"),
        module=raw.get("module"),
        resource=raw["resource"],
        path_params=tuple(raw["path_params"]),
        query_params=query_params,
        company_param=_scope_location(raw["scope"]["company"]),
        project_param=_scope_location(raw["scope"]["project"]),
        paginated=raw["paginated"],
        per_page_default=default,
        per_page_max=maximum,
        updated_at_filter=raw["updated_at_filter"],
        deleted_filter=raw["deleted_filter"],
        date_params=tuple(raw["date_params"]),
        envelope=raw["envelope"],
        response_kind=raw["response_kind"],
        item_type=raw["item_type"],
        item_schema=raw["item_schema"],
        parents=tuple(Parent(p["param"], p["in"], tuple(p["routes"])) for p in raw["parents"]),
        record_of=raw["record_of"],
        recycle_bin_of=raw["recycle_bin_of"],
        ids_of=raw["ids_of"],
        tool=tool_for_route(raw.get("module"), raw.get("tag")),
        required_query=tuple(
            q["name"] for q in query_params if q["required"] and q["name"] not in NEVER_REQUIRED
        ),
        query_enums={q["name"]: tuple(q["enum"]) for q in query_params if q.get("enum")},
        id_field=raw.get("id_field") or "id",
        page_base=0 if raw.get("page_base") == 0 else 1,
    )


class _Node:
    __slots__ = ("literals", "param", "patterns", "route")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        # Segments mixing text and params, e.g. `{id}.pdf`: (regex, child) pairs.
        self.patterns: list[tuple[re.Pattern[str], _Node]] = []
        self.param: _Node | None = None
        self.route: Route | None = None


def template_pattern(template: str) -> re.Pattern[str]:
    """A regex matching a path (or one segment) of the description, a group per `{param}`."""
    parts = re.split(r"\{[^}]+\}", template)
    return re.compile("^" + "([^/]+?)".join(re.escape(part) for part in parts) + "$")


class RouteTable:
    """All GET routes, indexed for matching and for parent lookups."""

    def __init__(
        self,
        routes: list[Route],
        source: dict[str, Any] | None = None,
        write_routes: list[dict[str, Any]] | None = None,
    ):
        self.routes = routes
        self.source = source or {}
        # The webhooks API's POST/PATCH/DELETE operations, as routes.json gives them.
        self.write_routes = list(write_routes or [])
        self.by_operation_id = {route.operation_id: route for route in routes}
        self._root = _Node()
        for route in routes:
            if route.path.startswith("/rest/"):
                self._insert(route)

    @classmethod
    def load(cls, path: Path = ROUTES_FILE) -> RouteTable:
        document = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            [_build_route(raw) for raw in document["routes"]],
            document.get("source"),
            document.get("write_routes"),
        )

    def _insert(self, route: Route) -> None:
        node = self._root
        for segment in route.path.strip("/").split("/"):
            if PARAM_SEGMENT.match(segment):
                node.param = node.param or _Node()
                node = node.param
            elif "{" in segment:
                pattern = template_pattern(segment)
                child = next((n for p, n in node.patterns if p.pattern == pattern.pattern), None)
                if child is None:
                    child = _Node()
                    node.patterns.append((pattern, child))
                node = child
            else:
                node = node.literals.setdefault(segment, _Node())
        # Catalog paths are unique per method, so a terminal is never overwritten.
        node.route = node.route or route

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        """The most specific route for a concrete path, with its path-param values.

        Literal segments are tried before `{param}` segments at every level, so
        `/rfis/recycle_bin` beats `/rfis/{id}`; backtracking handles the rest.
        """
        segments = [s for s in path.strip("/").split("/")]
        if not segments or segments == [""]:
            return None
        found = self._walk(self._root, segments, 0, [])
        if found is None:
            return None
        route, values = found
        return route, dict(zip(route.path_params, values, strict=True))

    def _walk(
        self, node: _Node, segments: list[str], index: int, values: list[str]
    ) -> tuple[Route, list[str]] | None:
        if index == len(segments):
            return (node.route, values) if node.route else None
        segment = segments[index]
        literal = node.literals.get(segment)
        if literal is not None:
            found = self._walk(literal, segments, index + 1, values)
            if found:
                return found
        for pattern, child in node.patterns:
            match = pattern.match(segment)
            if match:
                found = self._walk(child, segments, index + 1, [*values, *match.groups()])
                if found:
                    return found
        if node.param is not None and segment:
            return self._walk(node.param, segments, index + 1, [*values, segment])
        return None

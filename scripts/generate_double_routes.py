#!/usr/bin/env python3
"""Build the Procore double's route table from Procore's API description.

Reads the vendored, machine-readable API description (``catalog.json`` and
``endpoint-details/<operationId>.json``, by default in ``../shared/procore-api``
relative to the repository root) and writes ``procore_double/routes.json``:
one entry per GET operation with everything the double needs at runtime
(parameters, pagination, filters, envelope, response kind, simplified item
schema, parent routes), and the write operations of the webhooks API (hooks and
triggers: the only writes the tap makes, for `tap-procore-webhooks setup`).
The double reads only routes.json, never ../shared.

Usage (from the repository root):

    python scripts/generate_double_routes.py            # (re)write routes.json
    python scripts/generate_double_routes.py --check    # exit 1 if it is stale
    python scripts/generate_double_routes.py --shared /path/to/procore-api

The output is deterministic: the same input always gives byte-identical output,
so ``--check`` can run in CI wherever the API description is available.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "procore-api"
DEFAULT_OUTPUT = REPO_ROOT / "procore_double" / "routes.json"

FORMAT_VERSION = 1

# Deletion filters Procore spells differently per resource (notes §6.4).
DELETED_FILTERS = (
    "filters[include_deleted]",
    "filters[deleted]",
    "filters[is_deleted]",
    "filters[recycle_bin]",
    "deleted_only",
)
UPDATED_AT_FILTERS = ("filters[updated_at]", "filters[updated_at][gt]")
DATE_PARAMS = ("log_date", "start_date", "end_date")
PAGING_PARAMS = ("page", "per_page")
# How the simplified API description marks values nested deeper than it kept.
LOST = "(nested object)"
# Nesting kept in item shapes: as deep as scripts/generate_schemas.py types the tap's schemas.
MAX_SHAPE_DEPTH = 4

# Path segments whose following `{param}` is really a company or project id,
# e.g. `/rest/v1.0/projects/{id}`: the double treats such a param as the scope.
SCOPE_SEGMENTS = {"companies": "company", "projects": "project", "project": "project"}

# Required query params that point at a parent record but whose parent list
# cannot be derived from the path.  Values are list-route paths; the id must
# exist in (any of) those lists in the request's scope.  Path params use the
# generic "path minus the last /{x_id}/..." rule and fall back to this table.
PARENT_OVERRIDES: dict[str, tuple[str, ...]] = {
    "contract_id": (
        "/rest/v1.0/purchase_order_contracts",
        "/rest/v1.0/work_order_contracts",
        "/rest/v1.0/prime_contracts",
    ),
    "specification_section_division_id": ("/rest/v1.0/specification_section_divisions",),
    "list_template_id": ("/rest/v1.0/companies/{company_id}/checklist/list_templates",),
    "hook_id": ("/rest/v1.0/webhooks/hooks",),
    "workflow_instance_id": ("/rest/v1.0/workflow_instances",),
}

# Parents one route's path names that differ from the list of that name elsewhere: project
# status snapshots hang under the budget views offered for snapshots, not the budget views of
# the v1.0 budget tool.
ROUTE_PARENT_OVERRIDES: dict[tuple[str, str], tuple[str, ...]] = {
    (
        "/rest/v2.0/companies/{company_id}/budget_views/{budget_view_id}/project_status_snapshots",
        "budget_view_id",
    ): ("/rest/v2.0/companies/{company_id}/project_status_snapshots/budget_views",),
    (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/budget_views/{budget_view_id}"
        "/project_status_snapshots",
        "budget_view_id",
    ): (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/project_status_snapshots/budget_views",
    ),
    # Inspection templates and inspections are the Inspections tool's checklist templates and
    # lists, which these paths name differently.
    (
        "/rest/v1.0/companies/{company_id}/inspection_templates/{inspection_template_id}/items",
        "inspection_template_id",
    ): ("/rest/v1.0/companies/{company_id}/checklist/list_templates",),
    (
        "/rest/v1.0/companies/{company_id}/inspection_templates/{inspection_template_id}"
        "/item_references",
        "inspection_template_id",
    ): ("/rest/v1.0/companies/{company_id}/checklist/list_templates",),
    (
        "/rest/v1.0/projects/{project_id}/inspection_templates/{inspection_template_id}"
        "/item_references",
        "inspection_template_id",
    ): ("/rest/v1.1/projects/{project_id}/checklist/list_templates",),
    (
        "/rest/v1.0/projects/{project_id}/inspections/{inspection_id}/item_references",
        "inspection_id",
    ): ("/rest/v1.0/projects/{project_id}/checklist/lists",),
    **{
        (
            "/rest/v2.0/companies/{company_id}/projects/{project_id}/inspection_items/{item_id}"
            f"/{child}",
            "item_id",
        ): ("/rest/v1.1/projects/{project_id}/checklist/list_items",)
        for child in ("evidence_configuration", "signature_requests")
    },
}

# The few operations whose 200 schema is an object with an `id` although the
# summary says "List ...": these really return one (folder) object.
RESPONSE_KIND_OVERRIDES = {
    "RestV10FoldersGet": "object",
    "RestV10CompaniesCompanyIdFoldersGet": "object",
}

# Writes the double serves: the webhooks API's hooks and triggers (tap-procore-webhooks setup).
WRITE_TAG_PREFIX = "Platform - Developer Tools/Webhooks/"

VERSION_PREFIX = re.compile(r"^/rest/v\d+\.\d+")
PARAM_SEGMENT = re.compile(r"^\{([^}]+)\}$")
PARAM_ANYWHERE = re.compile(r"\{([^}]+)\}")  # also inside a segment, e.g. `{id}.pdf`
PER_PAGE_DEFAULT_TEXT = re.compile(r"default(?:s)?(?: is| to|:)?\s*(\d+)", re.IGNORECASE)
PER_PAGE_MAX_TEXT = re.compile(r"max(?:imum)?(?: is|:)?\s*(\d+)", re.IGNORECASE)
PAGE_SIZE_TEXT = re.compile(r"up to \**(\d+)", re.IGNORECASE)
LIST_SUMMARY = re.compile(r"^(list|lists|get all|show all)\b", re.IGNORECASE)


# --------------------------------------------------------------------------- helpers


def param_name(segment: str) -> str | None:
    match = PARAM_SEGMENT.match(segment)
    return match.group(1) if match else None


def resource_key(path: str) -> str:
    """Version-free, param-name-free, scope-free path: v1.0 and v1.1 of a resource share data,
    and so do the path-scoped and query-scoped forms of one list (`/projects/{id}/checklist/lists`
    and `/checklist/lists?project_id=`), as they do in Procore."""
    stripped = VERSION_PREFIX.sub("", path)
    return unscoped("/".join("{}" if param_name(s) else s for s in stripped.split("/")))


def unscoped(resource: str) -> str:
    """Resource key without its company/project segments, to compare namespaces."""
    segments = resource.split("/")
    kept = []
    for index, segment in enumerate(segments):
        # Only a scope prefix: `projects/{}` at the end is the project resource itself.
        if segment in SCOPE_SEGMENTS and index + 2 < len(segments) and segments[index + 1] == "{}":
            continue
        if (
            segment == "{}"
            and 0 < index < len(segments) - 1
            and segments[index - 1] in SCOPE_SEGMENTS
        ):
            continue
        kept.append(segment)
    return "/".join(kept)


def schema_type(schema: Any) -> str | None:
    if not isinstance(schema, dict):
        return None
    declared = schema.get("type")
    if isinstance(declared, list):  # OpenAPI 3.1 style ["string", "null"]
        declared = next((t for t in declared if t != "null"), None)
    if declared:
        return declared
    if schema.get("properties"):
        return "object"
    if "items" in schema:
        return "array"
    return None


def simplify_property(schema: Any, depth: int) -> dict[str, Any]:
    """Keep what the double needs to fake a value: type, format, enum and shape, to the depth
    the tap's schemas declare (so that the double's values have the shapes the tap expects)."""
    out: dict[str, Any] = {"type": schema_type(schema) or "string"}
    if not isinstance(schema, dict):
        return out
    if schema.get("description") == LOST:
        # The description kept only the name: the value may be of any JSON type.
        return {"type": "any"}
    if schema.get("format"):
        out["format"] = schema["format"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        out["enum"] = schema["enum"]
    if depth >= MAX_SHAPE_DEPTH:
        return out
    if out["type"] == "object" and isinstance(schema.get("properties"), dict):
        out["properties"] = {
            name: simplify_property(sub, depth + 1) for name, sub in schema["properties"].items()
        }
    elif out["type"] == "array" and schema_type(schema.get("items")):
        out["items"] = simplify_property(schema["items"], depth + 1)
    return out


def simplify_object(schema: Any) -> dict[str, Any] | None:
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return None
    properties = schema["properties"]
    if not properties:
        return None
    return {name: simplify_property(sub, 1) for name, sub in properties.items()}


def _unwrapped(properties: dict[str, Any], op: Operation) -> dict[str, Any]:
    """A record a write operation takes or answers with inside a field named after the resource
    (`{"company_id": ..., "vendor": {...}}`): that field's properties, beside the others."""
    literals = [segment for segment in op.segments if not param_name(segment)]
    word = literals[-1] if literals else ""
    singular = word[:-3] + "y" if word.endswith("ies") else word.removesuffix("s")
    inner = properties.get(singular) or {}
    if inner.get("type") != "object" or not inner.get("properties"):
        return properties
    outer = {name: spec for name, spec in properties.items() if name != singular}
    return {**outer, **{k: v for k, v in inner["properties"].items() if k not in outer}}


# --------------------------------------------------------------------------- analysis


class Operation:
    """One GET operation with the facts the double needs, derived from its detail file."""

    def __init__(self, entry: dict[str, Any], detail: dict[str, Any]):
        self.entry = entry
        self.operation_id: str = entry["operationId"]
        self.path: str = entry["path"]
        self.version: str = entry.get("version") or "unknown"
        self.segments = self.path.strip("/").split("/")
        self.resource = resource_key(self.path)
        self.params: list[dict[str, Any]] = detail.get("parameters") or []
        self.param_names = {p["name"] for p in self.params}
        self.summary: str = detail.get("summary") or entry.get("summary") or ""
        response = (detail.get("responses") or {}).get("200") or {}
        self.schema: Any = response.get("schema") or {}
        self.envelope = "data" if self.version.startswith("v2") else None
        self.paginated = "page" in self.param_names or "per_page" in self.param_names
        self.last_is_param = bool(self.segments and param_name(self.segments[-1]))
        self.path_params = PARAM_ANYWHERE.findall(self.path)

    # The body inside the v2 {"data": ...} envelope (or the whole body for v1).
    def payload_schema(self) -> Any:
        schema = self.schema
        if isinstance(schema, dict) and set(schema.get("properties") or {}) == {"data"}:
            return schema["properties"]["data"] or {}
        return schema

    def classify(self) -> tuple[str, str]:
        """(response_kind, basis): list | object | text, and why we think so."""
        if self.operation_id in RESPONSE_KIND_OVERRIDES:
            return RESPONSE_KIND_OVERRIDES[self.operation_id], "override"
        payload = self.payload_schema()
        kind = schema_type(payload)
        if kind == "array":
            return "list", "schema"
        if kind == "string":
            return "text", "schema"
        if kind == "object":
            has_id = "id" in (payload.get("properties") or {})
            if (
                not self.last_is_param
                and has_id
                and ((self.envelope and self.paginated) or LIST_SUMMARY.match(self.summary))
            ):
                # The simplifier flattened "array of X" into "X" (allOf lost).
                return "list", "summary"
            return "object", "schema"
        # Shape lost entirely: fall back to REST conventions.
        if self.last_is_param:
            return "object", "path"
        if self.paginated or LIST_SUMMARY.match(self.summary):
            return "list", "path"
        return "object", "path"

    def item_shape(self, kind: str) -> tuple[str | None, dict[str, Any] | None]:
        """(item_type, simplified properties) from this operation's own schema."""
        payload = self.payload_schema()
        if kind == "list":
            item = payload.get("items") if schema_type(payload) == "array" else payload
            item_type = schema_type(item)
            if item_type and item_type != "object":
                return item_type, None
            return "object", simplify_object(item)
        if kind == "object":
            return "object", simplify_object(payload)
        return None, None

    def query_params(self) -> list[dict[str, Any]]:
        out = []
        for param in self.params:
            if param.get("in") != "query":
                continue
            entry: dict[str, Any] = {"name": param["name"], "required": bool(param.get("required"))}
            enum = (param.get("schema") or {}).get("enum")
            if isinstance(enum, list) and enum:
                entry["enum"] = enum
            out.append(entry)
        return sorted(out, key=lambda p: p["name"])

    def page_base(self) -> int:
        """The first page's number: 0 where the page parameter says it is a 0-based index
        (Resource Planning), else 1."""
        for param in self.params:
            if param["name"] == "page" and "0-based" in (param.get("description") or ""):
                return 0
        return 1

    def per_page_limits(self) -> tuple[int | None, int | None]:
        """(default, max) that the operation states for per_page, if any; for lists paged by
        `page` alone, the page size their page parameter states ("up to 400")."""
        if "per_page" not in self.param_names:
            for param in self.params:
                match = PAGE_SIZE_TEXT.search(param.get("description") or "")
                if param["name"] == "page" and match:
                    return int(match.group(1)), int(match.group(1))
        for param in self.params:
            if param["name"] != "per_page":
                continue
            schema = param.get("schema") or {}
            text = param.get("description") or ""
            default = schema.get("default")
            if not isinstance(default, int):
                match = PER_PAGE_DEFAULT_TEXT.search(text)
                default = int(match.group(1)) if match else None
            match = PER_PAGE_MAX_TEXT.search(text)
            maximum = schema.get("maximum") if isinstance(schema.get("maximum"), int) else None
            if maximum is None and match:
                maximum = int(match.group(1))
            return default, maximum
        return None, None

    def scope(self) -> dict[str, str | None]:
        """Where the request carries its company and project id ("path:x" / "query:x")."""
        scope: dict[str, str | None] = {"company": None, "project": None}
        for index, segment in enumerate(self.segments):
            name = param_name(segment)
            if not name or index == 0:
                continue
            kind = SCOPE_SEGMENTS.get(self.segments[index - 1])
            if kind == "project" and "workforce-planning" in self.segments:
                continue  # Resource Planning's projects are its own records, not Procore's
            if kind and scope[kind] is None:
                scope[kind] = f"path:{name}"
        for kind, query_name in (("company", "company_id"), ("project", "project_id")):
            if scope[kind] is None and any(
                p["name"] == query_name and p.get("in") == "query" for p in self.params
            ):
                scope[kind] = f"query:{query_name}"
        return scope

    def scope_param_names(self) -> set[str]:
        names = set()
        for location in self.scope().values():
            if location and location.startswith("path:"):
                names.add(location[5:])
        return names


class RouteTableBuilder:
    def __init__(self, shared: Path):
        self.shared = shared
        catalog_bytes = (shared / "catalog.json").read_bytes()
        self.catalog_sha256 = hashlib.sha256(catalog_bytes).hexdigest()
        catalog = json.loads(catalog_bytes)
        self.catalog_size = len(catalog)
        self.operations: list[Operation] = []
        self.write_routes: list[dict[str, Any]] = []
        # Writes by (method, resource key): where a list lost its item shape, their responses
        # (the record) and their bodies (its writable fields) still describe it.
        self.writes: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for entry in catalog:
            if entry.get("method", "").upper() != "GET":
                if str(entry.get("tag") or "").startswith(WRITE_TAG_PREFIX):
                    self.write_routes.append(self.write_route(shared, entry))
                key = (entry["method"].upper(), resource_key(entry["path"]))
                self.writes.setdefault(key, []).append((entry["path"], entry["operationId"]))
                continue
            detail_file = shared / "endpoint-details" / f"{entry['operationId']}.json"
            detail = json.loads(detail_file.read_text(encoding="utf-8"))
            self.operations.append(Operation(entry, detail))
        self.kinds = {op.operation_id: op.classify() for op in self.operations}
        self.by_path = {op.path: op for op in self.operations}
        self.lists_by_resource: dict[str, list[Operation]] = {}
        for op in self.operations:
            if self.kinds[op.operation_id][0] == "list":
                self.lists_by_resource.setdefault(op.resource, []).append(op)

    @staticmethod
    def write_route(shared: Path, entry: dict[str, Any]) -> dict[str, Any]:
        detail_file = shared / "endpoint-details" / f"{entry['operationId']}.json"
        detail = json.loads(detail_file.read_text(encoding="utf-8"))
        body = (detail.get("requestBody") or {}).get("schema") or {}
        item = body.get("items") if body.get("type") == "array" else body
        return {
            "operation_id": entry["operationId"],
            "method": entry["method"].upper(),
            "path": entry["path"],
            "version": entry.get("version") or "unknown",
            "tag": entry.get("tag"),
            "path_params": PARAM_ANYWHERE.findall(entry["path"]),
            "body": body.get("type"),
            "body_required": sorted((item or {}).get("required") or []),
            "statuses": sorted(
                int(code) for code in (detail.get("responses") or {}) if code.isdigit()
            ),
        }

    # ----------------------------------------------------------------- lookups

    def list_route_for(self, resource: str, version: str) -> Operation | None:
        """A list route for a resource key, preferring the caller's version."""
        candidates = self.lists_by_resource.get(resource) or []
        if not candidates:
            return None
        return sorted(
            candidates, key=lambda op: (op.version != version, op.version, op.operation_id)
        )[0]

    def list_route_at(self, path: str) -> Operation | None:
        op = self.by_path.get(path)
        if op and self.kinds[op.operation_id][0] == "list":
            return op
        version = VERSION_PREFIX.match(path)
        return self.list_route_for(
            resource_key(path), version.group(0).rsplit("/", 1)[-1] if version else ""
        )

    def named_parent(self, op: Operation, name: str) -> list[str]:
        """Parent lists for a param the path cannot explain: override table, then plural name.

        `meeting_id` -> the one list route (same version preferred) whose last
        segment is `meetings` and that the child's scope can address.  Ambiguous
        names (several candidates) stay unresolved rather than guessed.
        """
        if name in PARENT_OVERRIDES:
            found = [self.list_route_at(path) for path in PARENT_OVERRIDES[name]]
            return [parent.operation_id for parent in found if parent]
        if not name.endswith("_id"):
            return []
        plural = name[: -len("_id")] + "s"
        child_scope = {kind for kind, where in op.scope().items() if where}
        child_namespace = unscoped(op.resource)
        candidates = [
            other
            for others in self.lists_by_resource.values()
            for other in others
            if other.segments[-1] == plural
            and {kind for kind, where in other.scope().items() if where} <= child_scope
            and set(other.path_params) <= other.scope_param_names()  # not itself a child list
            # `markup_id` under viewer_documents is not a financials markup.
            and child_namespace.startswith(unscoped(other.resource).rsplit("/", 1)[0] + "/")
        ]
        by_resource: dict[str, list[Operation]] = {}
        for candidate in candidates:
            by_resource.setdefault(candidate.resource, []).append(candidate)
        if len(by_resource) != 1:
            return []
        (resource,) = by_resource
        parent = self.list_route_for(resource, op.version)
        return [parent.operation_id] if parent else []

    def parents(self, op: Operation, kind: str) -> tuple[list[dict[str, Any]], str | None]:
        """Parent-id params of a route, and (for show routes) the list it shows a record of."""
        parents: list[dict[str, Any]] = []
        record_of: str | None = None
        scope_names = op.scope_param_names()
        last_index = len(op.segments) - 1
        for index, segment in enumerate(op.segments):
            name = param_name(segment)
            if not name or name in scope_names:
                continue
            prefix = "/" + "/".join(op.segments[:index])
            # The literal prefix route first: it has the child's own scope.
            parent = self.list_route_at(prefix)
            if index == last_index and kind == "object":
                record_of = parent.operation_id if parent else None
                continue
            routes = [parent.operation_id] if parent else self.named_parent(op, name)
            if (op.path, name) in ROUTE_PARENT_OVERRIDES:
                found = [self.by_path.get(path) for path in ROUTE_PARENT_OVERRIDES[op.path, name]]
                routes = [route.operation_id for route in found if route]
            parents.append({"param": name, "in": "path", "routes": routes})
        for param in op.params:
            name = param["name"]
            if param.get("in") != "query" or not param.get("required"):
                continue
            if name in ("company_id", "project_id") or not name.endswith("_id"):
                continue
            parents.append({"param": name, "in": "query", "routes": self.named_parent(op, name)})
        return parents, record_of

    @staticmethod
    def id_field(op: Operation, item_schema: dict[str, Any] | None) -> str:
        """The field holding a record's id: `id`, or for records without one the field named
        after the resource (`schedule_id` in schedules, `activity_id` in activities)."""
        if not item_schema or "id" in item_schema:
            return "id"
        literals = [s for s in op.segments if not param_name(s)]
        word = literals[-1] if literals else ""
        for plural, singular in (("ies", "y"), ("ses", "s"), ("s", "")):
            if word.endswith(plural):
                word = word[: -len(plural)] + singular
                break
        candidate = f"{word}_id"
        return candidate if candidate in item_schema else "id"

    def recycle_bin_of(self, op: Operation) -> str | None:
        """The live list whose deleted records a recycle-bin list shows."""
        if "recycle_bin" not in op.segments:
            return None
        live_path = "/" + "/".join(s for s in op.segments if s != "recycle_bin")
        live = self.list_route_at(live_path)
        return live.operation_id if live and live is not op else None

    def ids_of(self, op: Operation, item_type: str | None) -> str | None:
        """For `.../ids` routes returning bare integers: the list whose ids they are."""
        if item_type not in ("integer", "string") or op.segments[-1] != "ids":
            return None
        parent = self.list_route_for(resource_key("/" + "/".join(op.segments[:-1])), op.version)
        return parent.operation_id if parent else None

    def fallback_item_schema(self, op: Operation) -> tuple[dict[str, Any] | None, str | None]:
        """When a list lost its item shape: the show route's schema, then other lists of the
        resource, then (for a recycle bin) the live list's with `deleted_at`, then the resource's
        update and create operations (`write_shape`)."""
        candidates: list[Operation] = []
        show_key = op.resource + "/{}"
        same_resource = [o for o in self.operations if o.resource == show_key]
        same_resource.sort(
            key=lambda o: (
                o.version != op.version,
                o.segments[-1] != "{id}",
                o.version,
                o.operation_id,
            )
        )
        candidates.extend(same_resource)
        other_lists = [o for o in self.lists_by_resource.get(op.resource, []) if o is not op]
        other_lists.sort(key=lambda o: (o.version, o.operation_id))
        for other in other_lists:
            candidates.append(other)
        for candidate in candidates:
            kind = self.kinds[candidate.operation_id][0]
            if kind not in ("list", "object"):
                continue
            item_type, properties = candidate.item_shape(kind)
            if item_type == "object" and properties:
                return properties, candidate.operation_id
        # A recycle bin lists the live list's records.
        live = self.recycle_bin_of(op)
        if live:
            live_op = next(o for o in self.operations if o.operation_id == live)
            item_type, properties = live_op.item_shape("list")
            if item_type != "object" or not properties:
                properties, _ = self.write_shape(live_op)
            if properties:
                return {**properties, "deleted_at": {"format": "date-time", "type": "string"}}, live
        return self.write_shape(op)

    def _write_details(self, operation_id: str) -> dict[str, Any]:
        detail_file = self.shared / "endpoint-details" / f"{operation_id}.json"
        return json.loads(detail_file.read_text(encoding="utf-8"))

    def write_shape(self, op: Operation) -> tuple[dict[str, Any] | None, str | None]:
        """The record from the resource's update or create operation: the record they answer
        with, else the writable fields their body takes (a v1 body wraps them, {"rfi": {...}}),
        with the id and the timestamps every record has."""
        same_form = re.sub(r"\{[^}]+\}", "{}", op.path)
        writes = [
            (method, path, operation_id)
            for method, suffix in (("PATCH", "/{}"), ("PUT", "/{}"), ("POST", ""))
            for path, operation_id in sorted(
                self.writes.get((method, op.resource + suffix), []),
                key=lambda w: (re.sub(r"\{[^}]+\}", "{}", w[0]) != same_form + suffix, w[1]),
            )
        ]
        for _, _, operation_id in writes:
            responses = self._write_details(operation_id).get("responses") or {}
            for status in ("200", "201"):
                schema = (responses.get(status) or {}).get("schema") or {}
                props = schema.get("properties") or {}
                if set(props) == {"data"}:  # the v2 envelope
                    schema = props["data"] or {}
                properties = simplify_object(schema)
                if properties and "id" in properties:
                    return _unwrapped(properties, op), operation_id
        for _, _, operation_id in writes:
            body = (self._write_details(operation_id).get("requestBody") or {}).get("schema") or {}
            props = body.get("properties") or {}
            if len(props) == 1:
                (only,) = props.values()
                if isinstance(only, dict) and isinstance(only.get("properties"), dict):
                    body = only
            properties = simplify_object(body)
            if properties:
                properties = _unwrapped(properties, op)
                stamps = {"format": "date-time", "type": "string"}
                return {
                    "id": {"type": "integer"},
                    **properties,
                    "created_at": stamps,
                    "updated_at": stamps,
                }, operation_id
        return None, None

    # ----------------------------------------------------------------- output

    def route_entry(self, op: Operation) -> dict[str, Any]:
        kind, basis = self.kinds[op.operation_id]
        item_type, item_schema = op.item_shape(kind)
        item_source = op.operation_id if item_schema else None
        if kind == "list" and item_type == "object" and not item_schema:
            item_schema, item_source = self.fallback_item_schema(op)
        parents, record_of = self.parents(op, kind)
        per_page_default, per_page_max = op.per_page_limits()
        names = op.param_names
        return {
            "operation_id": op.operation_id,
            "path": op.path,
            "version": op.version,
            "summary": op.summary,
            "tag": op.entry.get("tag"),
            "category": op.entry.get("category"),
            "module": op.entry.get("module"),
            "resource": op.resource,
            "path_params": op.path_params,
            "query_params": op.query_params(),
            "scope": op.scope(),
            "paginated": op.paginated,
            "page_base": op.page_base() if op.paginated else None,
            "per_page_default": per_page_default if op.paginated else None,
            "per_page_max": per_page_max if op.paginated else None,
            "updated_at_filter": next((f for f in UPDATED_AT_FILTERS if f in names), None),
            "deleted_filter": next((f for f in DELETED_FILTERS if f in names), None),
            "date_params": [p for p in DATE_PARAMS if p in names],
            "envelope": op.envelope,
            "response_kind": kind,
            "response_kind_basis": basis,
            "item_type": item_type,
            "item_schema": item_schema,
            "item_schema_source": item_source,
            "parents": parents,
            "record_of": record_of,
            "recycle_bin_of": self.recycle_bin_of(op),
            "ids_of": self.ids_of(op, item_type),
            "id_field": self.id_field(op, item_schema),
        }

    def render(self) -> str:
        routes = sorted(
            (self.route_entry(op) for op in self.operations),
            key=lambda r: (r["path"], r["operation_id"]),
        )
        header = {
            "format": FORMAT_VERSION,
            "generated_by": "scripts/generate_double_routes.py",
            "source": {
                "catalog_sha256": self.catalog_sha256,
                "catalog_operations": self.catalog_size,
                "get_routes": len(routes),
                "write_routes": len(self.write_routes),
            },
        }
        # One route per line: small diffs when the API description changes.
        lines = [
            json.dumps(route, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            for route in routes
        ]
        writes = [
            json.dumps(route, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            for route in sorted(self.write_routes, key=lambda r: (r["path"], r["method"]))
        ]
        head = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return (
            head[:-1]
            + ',"routes":[\n'
            + ",\n".join(lines)
            + '\n],"write_routes":[\n'
            + ",\n".join(writes)
            + "\n]}\n"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="directory holding catalog.json and endpoint-details/ (default: %(default)s)",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="routes.json to write or check"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if --output differs from what would be generated",
    )
    args = parser.parse_args(argv)

    shared = args.shared
    if (
        not (shared / "catalog.json").is_file()
        and (shared / "procore-api" / "catalog.json").is_file()
    ):
        shared = shared / "procore-api"  # accept ../shared as well as ../shared/procore-api
    if not (shared / "catalog.json").is_file():
        print(f"error: no catalog.json under {args.shared}", file=sys.stderr)
        return 2

    rendered = RouteTableBuilder(shared).render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
        if current != rendered:
            print(f"{args.output} is out of date; run: python scripts/generate_double_routes.py")
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(rendered, encoding="utf-8")
    print(f"wrote {args.output} ({len(rendered.encode('utf-8')):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

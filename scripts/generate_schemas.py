#!/usr/bin/env python3
"""Generate tap_procore/schemas/<stream>.json from Procore's API description.

For each stream the item shape comes from the first of these that has one:
  1. the stream's list operation (its array items, or a v2 ``data`` array);
  2. another operation on the same resource (same path without version, scope prefix and
     parameter names, as scripts/generate_double_routes.py keys resources), the newest version
     first after the stream's own: the show operation (``<list>/{id}``), then the update
     (PATCH, PUT) and create (POST) operations, whose responses are the record, then the other
     lists of the resource (other versions, the company- or project-scoped form);
  3. another stream of the same resource whose shape is hand-written (below); for a recycle
     bin, the live list's record (by rules 1-3) with ``deleted_at``;
  4. the body of the resource's create or update operation: the record's writable fields,
     with its id and, where the list filters on it, updated_at;
  5. a hand-written override in scripts/schema_overrides/<stream>.json, either a pointer to
     another operation (``from_operation``, optionally with ``field`` for data embedded in that
     resource's records), another stream's shape (``same_as``) or the properties themselves.

Every schema is then normalised for warehouses: every property nullable but the key properties
(a loader makes key columns NOT NULL; rows without a unique id of their own get a derived
`row_key`), ids typed as the description declares them (string and UUID ids stay strings; the
few v2 streams in ``V2_INTEGER_IDS`` keep the integer ids they had), arrays that a loader cannot
type (arrays of arrays, of untyped values) declared without items so that they load as one JSON
value, values whose type the description lost left untyped (``{}``) rather than guessed,
``format: date-time`` / ``date`` kept as Procore declares them, enums and patterns dropped
(Procore adds values without notice), nested objects kept as objects; the context keys
(company_id, project_id, parent ids, typed as the parent's id) and ``_procore_extra`` (fields
Procore sends that the description does not list) are added.

Usage:  python scripts/generate_schemas.py [--shared ../shared] [--check]
The description lives outside this repository (../shared/procore-api); the generated files are
committed, so the tap never needs it at run time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import typing as t
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tap_procore.client import ROW_KEY  # noqa: E402
from tap_procore.conform import EXTRA_FIELDS  # noqa: E402
from tap_procore.streams import STREAM_TYPES  # noqa: E402

SCHEMA_DIR = REPO / "tap_procore" / "schemas"
OVERRIDES = REPO / "scripts" / "schema_overrides"
MAX_DEPTH = 4
# How the simplified API description marks values nested deeper than it kept.
LOST = "(nested object)"
# v2 streams whose ids (numeric text in Procore's answers) were declared integers before string
# ids were kept as the description declares them; their key columns keep their type.
V2_INTEGER_IDS = frozenset(
    {
        "budget_change_adjustment_line_items",
        "commitment_change_order_line_items",
        "commitment_contracts",
        "company_roles",
        "deleted_commitment_contracts",
        "prime_change_order_line_items",
    }
)
UNTYPED_COLUMN = {
    "type": ["string", "null"],
    "description": "Type not given by Procore's API description; objects arrive as JSON text.",
}


def _route_generator() -> t.Any:
    spec = importlib.util.spec_from_file_location(
        "generate_double_routes", REPO / "scripts" / "generate_double_routes.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_ROUTES = _route_generator()
resource_key = _ROUTES.resource_key
_VERSION = re.compile(r"^/rest/v(\d+)\.(\d+)")
# Where another operation of the same resource holds the record, in order of trust.
RELATED = (("GET", "/{}"), ("PATCH", "/{}"), ("PUT", "/{}"), ("POST", ""), ("GET", ""))


def _anonymous(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _version(path: str) -> tuple[int, int]:
    match = _VERSION.match(path)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


class Description:
    def __init__(self, shared: Path) -> None:
        api = shared / "procore-api"
        if not (api / "catalog.json").exists():
            raise SystemExit(f"API description not found under {api}")
        self.details_dir = api / "endpoint-details"
        self.get_ops: dict[str, str] = {}
        self.by_resource: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for op in json.loads((api / "catalog.json").read_text()):
            if op["method"] == "GET":
                self.get_ops[op["path"]] = op["operationId"]
            key = (op["method"], resource_key(op["path"]))
            self.by_resource.setdefault(key, []).append((op["path"], op["operationId"]))

    def details(self, operation_id: str) -> dict:
        return json.loads((self.details_dir / f"{operation_id}.json").read_text())

    def item_shape(self, operation_id: str) -> dict:
        responses = self.details(operation_id).get("responses", {})
        for status in ("200", "201"):
            schema = (responses.get(status) or {}).get("schema") or {}
            props = schema.get("properties") or {}
            if "data" in props and len(props) <= 2:  # v2 envelope
                schema = props["data"] or {}
            if schema.get("type") == "array":
                schema = schema.get("items") or {}
            if schema.get("properties"):
                return schema
        return {}

    def related_shape(self, list_path: str) -> tuple[dict, str] | None:
        """The record's shape from another operation on the same resource (rule 2)."""
        own = self.get_ops.get(list_path)
        resource = resource_key(list_path)
        version = _version(list_path)
        for method, suffix in RELATED:
            candidates = self.by_resource.get((method, resource + suffix), [])
            # The same scope form first (project users' show before company users'), then the
            # same version, then the newest.
            same_form = _anonymous(list_path) + suffix
            ordered = sorted(
                candidates,
                key=lambda c: (
                    _anonymous(c[0]) != same_form,
                    _version(c[0]) != version,
                    [-n for n in _version(c[0])],
                    c[1],
                ),
            )
            for _, operation_id in ordered:
                if operation_id == own:
                    continue
                shape = self.item_shape(operation_id)
                if shape:
                    return shape, f"{method.lower()} {operation_id}"
        return None

    def body_shape(self, list_path: str) -> tuple[dict, str] | None:
        """The record's writable fields, from the body of its create or update operation
        (rule 4), with its id (text in v2, as v2 sends every id) and, where the list filters
        on it, updated_at."""
        resource = resource_key(list_path)
        same_form = _anonymous(list_path)
        for method, suffix in (("POST", ""), ("PATCH", "/{}"), ("PUT", "/{}")):
            candidates = sorted(
                self.by_resource.get((method, resource + suffix), []),
                key=lambda c: (_anonymous(c[0]) != same_form + suffix, c[1]),
            )
            for _, operation_id in candidates:
                body = (self.details(operation_id).get("requestBody") or {}).get("schema") or {}
                props = body.get("properties") or {}
                if len(props) == 1:  # v1 wraps the record: {"rfi": {...}}
                    (only,) = props.values()
                    if isinstance(only, dict) and only.get("properties"):
                        props = only["properties"]
                if not props:
                    continue
                id_type = "string" if list_path.startswith("/rest/v2") else "integer"
                shape = {"id": {"type": id_type}, **props}
                own = self.get_ops.get(list_path)
                names = {p["name"] for p in self.details(own)["parameters"]} if own else set()
                if names & {"filters[updated_at]", "filters[updated_at][gt]"}:
                    shape["updated_at"] = {"type": "string", "format": "date-time"}
                return {"type": "object", "properties": shape}, f"body of {operation_id}"
        return None


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith("_id")


def normalise(schema: dict, name: str, depth: int, *, v2: bool) -> dict:  # noqa: C901  # one branch per JSON Schema construct
    """`v2`: ids are integers whatever the description says (V2_INTEGER_IDS)."""
    if not isinstance(schema, dict) or not schema or schema.get("description") == LOST:
        # The description lost this value's type: say so rather than guess. A top-level
        # column needs a type, so it becomes text (structured values arrive as JSON text);
        # nested values live inside a JSON column anyway and stay untyped.
        return dict(UNTYPED_COLUMN) if depth == 1 else {}
    declared = schema.get("type")
    if declared == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        if depth > 1 and props and all(_is_lost(value) for value in props.values()):
            # Only the names of its fields survived: the description does not know its shape.
            return {}
        out: dict = {"type": ["object", "null"]}
        if props and depth < MAX_DEPTH:
            out["properties"] = {
                key: normalise(value, key, depth + 1, v2=v2) for key, value in props.items()
            }
        return out
    if declared == "array":
        out = {"type": ["array", "null"]}
        items = schema.get("items")
        if items and depth < MAX_DEPTH:
            item = normalise(items, name, depth + 1, v2=v2)
            if _loader_types_elements(item):
                out["items"] = item
        return out
    if declared == "integer" or (v2 and name == "id") or (declared == "number" and name == "id"):
        return {"type": ["integer", "null"]}
    if declared == "number":
        return {"type": ["number", "null"]}
    if declared == "boolean":
        return {"type": ["boolean", "null"]}
    if declared == "string":
        out = {"type": ["string", "null"]}
        if name.endswith("_at"):
            # Procore's *_at fields are timestamps even where the description says "date".
            out["format"] = "date-time"
        elif schema.get("format") in ("date-time", "date"):
            out["format"] = schema["format"]
        return out
    return dict(UNTYPED_COLUMN) if depth == 1 else {}


def _loader_types_elements(item: dict) -> bool:
    """Whether a loader can type an array column from its items. target-postgres makes an
    array of scalars or objects a typed array (text[], bigint[], jsonb[]), whose elements must
    then all be of that type; it cannot load arrays of arrays (Postgres arrays are rectangular:
    `malformed array literal`) nor arrays of untyped values. Such an array is declared without
    items: one JSON value (jsonb)."""
    declared = set(item.get("type") or ()) - {"null"}
    return len(declared) == 1 and not declared & {"array"}


def _is_lost(schema: object) -> bool:
    return isinstance(schema, dict) and schema.get("description") == LOST


def context_keys(stream_class: type) -> list[tuple[str, type, str]]:
    """(context key, the stream whose records give it, their field), from the root down: each
    parent's child id, and the ids a stream reads from other lists (ids_from), which it passes
    on to its children."""
    by_name = {stream.name: stream for stream in STREAM_TYPES}
    keys: list[tuple[str, type, str]] = []
    stream = stream_class
    while stream is not None:
        if stream.id_param and stream.ids_from:
            source = by_name[stream.ids_from[0]]
            keys.insert(0, (stream.id_param, source, source.child_id_field))
            keys[:0] = [(key, source, field) for key, field in source.child_fields.items()]
        parent = stream.parent_stream_type
        if parent is not None and parent.child_id_key:
            keys.insert(0, (parent.child_id_key, parent, parent.child_id_field))
            keys[:0] = [(key, parent, field) for key, field in parent.child_fields.items()]
        stream = parent
    return keys


class Generator:
    """Builds every stream's schema; a child's context keys take the type of its parent's id."""

    def __init__(self, description: Description) -> None:
        self.description = description
        self.built: dict[str, tuple[dict, str]] = {}
        self.by_name = {stream_class.name: stream_class for stream_class in STREAM_TYPES}
        # Streams whose shape is hand-written, by resource: rule 3 for other lists of it.
        self.hand_written: dict[str, str] = {}
        for stream_class in STREAM_TYPES:
            override = self.override(stream_class)
            if override and "properties" in override and not stream_class.embedded_in:
                self.hand_written.setdefault(resource_key(stream_class.path), stream_class.name)

    @staticmethod
    def override(stream_class: type) -> dict | None:
        override_file = OVERRIDES / f"{stream_class.name}.json"
        return json.loads(override_file.read_text()) if override_file.exists() else None

    def source_shape(self, stream_class: type) -> tuple[dict, str]:
        description = self.description
        override = self.override(stream_class)
        operation_id = description.get_ops.get(stream_class.path)
        if operation_id is None and not (override and "properties" in override):
            raise SystemExit(
                f"{stream_class.name}: no GET {stream_class.path} in the API description"
            )
        if operation_id and not override:
            shape = description.item_shape(operation_id)
            if shape:
                return shape, f"list {operation_id}"
            related = description.related_shape(stream_class.path)
            if related:
                return related
            same = self.hand_written.get(resource_key(stream_class.path))
            if same and same != stream_class.name:
                return self.source_shape(self.by_name[same])[0], f"same resource as {same}"
            live = self.live_shape(stream_class.path)
            if live:
                return live
            body = description.body_shape(stream_class.path)
            if body:
                return body
            raise SystemExit(
                f"{stream_class.name}: {operation_id} and the other operations on its resource "
                f"lost the item shape; write scripts/schema_overrides/{stream_class.name}.json"
            )
        assert override is not None
        if "same_as" in override:
            shape, _ = self.source_shape(self.by_name[override["same_as"]])
            shape = {"type": "object", "properties": dict(shape["properties"])}
            shape["properties"].update(override.get("extra_properties", {}))
            return shape, f"override -> stream {override['same_as']}"
        if "from_operation" in override:
            shape = description.item_shape(override["from_operation"])
            if shape and "field" in override:
                # Data embedded in another resource's records, e.g. submittals' approvers.
                embedded = shape["properties"].get(override["field"]) or {}
                shape = embedded.get("items") or embedded
            if not shape or not shape.get("properties"):
                raise SystemExit(f"{stream_class.name}: {override['from_operation']} has no shape")
            shape = {"type": "object", "properties": dict(shape["properties"])}
            shape["properties"].update(override.get("extra_properties", {}))
            return shape, f"override -> {override['from_operation']}"
        return (
            {"type": "object", "properties": override["properties"]},
            "override (hand-written)",
        )

    def live_shape(self, path: str) -> tuple[dict, str] | None:
        """A recycle bin's records are the live list's records, with their deletion time."""
        segments = path.split("/")
        if "recycle_bin" not in segments:
            return None
        live_path = "/".join(segment for segment in segments if segment != "recycle_bin")
        description = self.description
        found = None
        if live_path in description.get_ops:
            shape = description.item_shape(description.get_ops[live_path])
            own = description.get_ops[live_path]
            found = (shape, f"list {own}") if shape else description.related_shape(live_path)
        if not found:
            same = self.hand_written.get(resource_key(live_path))
            found = (self.source_shape(self.by_name[same])[0], same) if same else None
        if not found:
            return None
        properties = dict(found[0]["properties"])
        properties.setdefault("deleted_at", {"type": "string", "format": "date-time"})
        return {"type": "object", "properties": properties}, f"live list: {found[1]}"

    def key_type(self, parent: type, field: str) -> str:
        """JSON type of the id a parent passes to its children."""
        if parent.parent_stream_type is None or parent.name == "projects":
            return "integer"  # companies and projects: Procore's integer ids
        prop = self.build(parent)[0]["properties"].get(field) or {}
        declared = prop.get("type") or "integer"
        kinds = [declared] if isinstance(declared, str) else declared
        kinds = [kind for kind in kinds if kind in ("integer", "string")]
        return kinds[0] if kinds else "integer"

    def build(self, stream_class: type) -> tuple[dict, str]:
        if stream_class.name not in self.built:
            self.built[stream_class.name] = self._build(stream_class)
        return self.built[stream_class.name]

    def _build(self, stream_class: type) -> tuple[dict, str]:
        shape, source = self.source_shape(stream_class)
        # v1 sends integer ids where a v2 operation of the resource (whose shape this one
        # borrows) declares them as text.
        borrowed_from_v2 = " RestV2" in source and not stream_class.path.startswith("/rest/v2")
        integer_ids = stream_class.name in V2_INTEGER_IDS or borrowed_from_v2
        properties = {
            key: normalise(value, key, 1, v2=integer_ids)
            for key, value in shape["properties"].items()
        }
        for key, parent, field in context_keys(stream_class):
            properties[key] = {"type": [self.key_type(parent, field), "null"]}
        if ROW_KEY in stream_class.primary_keys:
            properties[ROW_KEY] = {
                "type": "string",
                "description": stream_class.describe_row_key(),
            }
        for key in stream_class.primary_keys:
            # A loader makes key columns NOT NULL; the tap never sends a record without its key.
            prop = properties.setdefault(key, {"type": "string"})
            declared = prop.get("type") or "string"
            kinds = [declared] if isinstance(declared, str) else declared
            kinds = [kind for kind in kinds if kind != "null"]
            prop["type"] = kinds[0] if len(kinds) == 1 else kinds
        replication_key = stream_class.replication_key
        if replication_key and replication_key not in properties:
            raise SystemExit(f"{stream_class.name}: replication key {replication_key} not in shape")
        properties[EXTRA_FIELDS] = {"type": ["object", "null"]}
        schema = {"type": "object", "properties": properties}
        return schema, source


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--check", action="store_true", help="fail if committed files differ")
    parser.add_argument("--only", help="comma-separated stream names (leaves other files alone)")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    generator = Generator(Description(args.shared))

    stale: list[str] = []
    expected_files = set()
    for stream_class in STREAM_TYPES:
        if only is not None and stream_class.name not in only:
            continue
        schema, source = generator.build(stream_class)
        target = SCHEMA_DIR / f"{stream_class.name}.json"
        expected_files.add(target.name)
        text = render(schema)
        if args.check:
            if not target.exists() or target.read_text() != text:
                stale.append(stream_class.name)
        else:
            target.write_text(text)
            print(f"{stream_class.name:45} {len(schema['properties']):4} properties  {source}")
    extra = (
        {path.name for path in SCHEMA_DIR.glob("*.json")} - expected_files
        if only is None
        else set()
    )
    if args.check:
        if stale or extra:
            problems = stale + [f"{name} (no stream)" for name in sorted(extra)]
            print("Schemas out of date, run scripts/generate_schemas.py: " + ", ".join(problems))
            return 1
        print(f"{len(expected_files)} schemas match the API description")
        return 0
    if only is None:
        for name in extra:
            (SCHEMA_DIR / name).unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Generate tap_procore/schemas/<stream>.json from Procore's API description.

For each stream the item shape comes from, in order:
  1. the stream's list operation (its array items, or a v2 ``data`` array);
  2. the show operation of the same resource (same path + "/{id}") when the list lost its shape;
  3. a hand-written override in scripts/schema_overrides/<stream>.json, either a pointer to
     another operation of the same resource (``from_operation``, optionally with ``field`` for
     data embedded in that resource's records) or the properties themselves.

Every schema is then normalised for warehouses: every property nullable but the key properties
(a loader makes key columns NOT NULL; rows without a unique id of their own get a derived
`row_key`), ids as integers, arrays that a loader cannot type (arrays of arrays, of untyped
values) declared without items so that they load as one JSON value,
values whose type the description lost left untyped (``{}``) rather than guessed,
``format: date-time`` / ``date`` kept as Procore declares them, enums and patterns dropped
(Procore adds values without notice), nested objects kept as objects; the context keys
(company_id, project_id, parent ids) and ``_procore_extra`` (fields Procore sends that the
description does not list) are added.

Usage:  python scripts/generate_schemas.py [--shared ../shared] [--check]
The description lives outside this repository (../shared/procore-api); the generated files are
committed, so the tap never needs it at run time.
"""

from __future__ import annotations

import argparse
import json
import sys
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
UNTYPED_COLUMN = {
    "type": ["string", "null"],
    "description": "Type not given by Procore's API description; objects arrive as JSON text.",
}


class Description:
    def __init__(self, shared: Path) -> None:
        api = shared / "procore-api"
        if not (api / "catalog.json").exists():
            raise SystemExit(f"API description not found under {api}")
        self.details_dir = api / "endpoint-details"
        self.get_ops: dict[str, str] = {}
        for op in json.loads((api / "catalog.json").read_text()):
            if op["method"] == "GET":
                self.get_ops[op["path"]] = op["operationId"]

    def details(self, operation_id: str) -> dict:
        return json.loads((self.details_dir / f"{operation_id}.json").read_text())

    def item_shape(self, operation_id: str) -> dict:
        schema = self.details(operation_id).get("responses", {}).get("200", {}).get("schema") or {}
        props = schema.get("properties") or {}
        if "data" in props and len(props) <= 2:  # v2 envelope
            schema = props["data"] or {}
        if schema.get("type") == "array":
            schema = schema.get("items") or {}
        return schema if schema.get("properties") else {}

    def show_operation(self, list_path: str) -> str | None:
        prefix = list_path.rstrip("/") + "/{"
        for path, operation_id in self.get_ops.items():
            rest = path[len(prefix) :] if path.startswith(prefix) else None
            if rest is not None and rest.endswith("}") and "/" not in rest:
                return operation_id
        return None


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith("_id")


def normalise(schema: dict, name: str, depth: int, *, v2: bool) -> dict:  # noqa: C901  # one branch per JSON Schema construct
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
    if declared == "integer" or (v2 and name == "id"):
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
    return {}


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


def context_keys(stream_class: type) -> list[str]:
    keys: list[str] = []
    parent = stream_class.parent_stream_type
    while parent is not None:
        if parent.child_id_key:
            keys.insert(0, parent.child_id_key)
        parent = parent.parent_stream_type
    return keys


def source_shape(stream_class: type, description: Description) -> tuple[dict, str]:
    override_file = OVERRIDES / f"{stream_class.name}.json"
    override = json.loads(override_file.read_text()) if override_file.exists() else None
    operation_id = description.get_ops.get(stream_class.path)
    if operation_id is None and not (override and "properties" in override):
        raise SystemExit(f"{stream_class.name}: no GET {stream_class.path} in the API description")
    if operation_id and not override:
        shape = description.item_shape(operation_id)
        if shape:
            return shape, f"list {operation_id}"
        show = description.show_operation(stream_class.path)
        if show and description.item_shape(show):
            return description.item_shape(show), f"show {show}"
        raise SystemExit(
            f"{stream_class.name}: {operation_id} and its show operation lost the item shape; "
            f"write scripts/schema_overrides/{stream_class.name}.json"
        )
    assert override is not None
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
    return {"type": "object", "properties": override["properties"]}, "override (hand-written)"


def build_schema(stream_class: type, description: Description) -> tuple[dict, str]:
    shape, source = source_shape(stream_class, description)
    v2 = stream_class.path.startswith("/rest/v2")
    properties = {
        key: normalise(value, key, 1, v2=v2) for key, value in shape["properties"].items()
    }
    for key in context_keys(stream_class):
        properties[key] = {"type": ["integer", "null"]}
    if ROW_KEY in stream_class.primary_keys:
        properties[ROW_KEY] = {"type": "string", "description": stream_class.describe_row_key()}
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
    description = Description(args.shared)

    stale: list[str] = []
    expected_files = set()
    for stream_class in STREAM_TYPES:
        if only is not None and stream_class.name not in only:
            continue
        schema, source = build_schema(stream_class, description)
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

"""The catalog against what users asked for (streams.csv) and what Procore describes.

Tests that read ../shared (the API description) are marked `shared`; they run wherever the
description exists (CI has it). The committed files they check are what the tap uses."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tap_procore.client import ProcoreStream
from tap_procore.streams import STREAM_TYPES
from tests.conftest import REPO, discover

SHARED = REPO.parent / "shared" / "procore-api"
shared = pytest.mark.skipif(not SHARED.exists(), reason="../shared/procore-api not present")
PARAM = re.compile(r"\{(\w+)\}")
# Documented in docs/streams.md: no list endpoint exists for these rows of streams.csv.
ABSENT_BY_DESIGN = {"schedule_resource_assignments"}


@pytest.fixture(scope="module")
def catalog() -> dict:
    return {entry["tap_stream_id"]: entry for entry in discover()["streams"]}


def root_metadata(entry: dict) -> dict:
    return next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])


def test_catalog_has_more_than_200_streams_with_keys_and_real_schemas(catalog):
    assert len(catalog) >= 200
    for name, entry in catalog.items():
        metadata = root_metadata(entry)
        keys = metadata.get("table-key-properties")
        assert keys, name
        properties = entry["schema"]["properties"]
        assert set(keys) <= set(properties), name
        own = set(properties) - {"company_id", "project_id", "_procore_extra"} - set(keys)
        assert own, name  # real properties beyond the keys and the extra column


def test_every_record_carries_its_context_keys_in_the_schema(catalog):
    for stream_class in STREAM_TYPES:
        properties = catalog[stream_class.name]["schema"]["properties"]
        parent = stream_class.parent_stream_type
        while parent is not None:
            if parent.child_id_key:
                assert parent.child_id_key in properties, stream_class.name
            parent = parent.parent_stream_type


def test_ids_are_integers_or_text_and_timestamps_have_formats(catalog):
    # Ids are typed as the description declares them: integers, or text (v2 ids, UUIDs, budget
    # columns keyed by name); a number that is not an integer is never an id.
    for name, entry in catalog.items():
        properties = entry["schema"]["properties"]
        if "id" in properties:
            assert _non_null_types(properties["id"]) in ({"integer"}, {"string"}), name
        if "updated_at" in properties:
            # Resource Planning's timestamps are epoch numbers: they stay integers.
            epoch = _non_null_types(properties["updated_at"]) == {"integer"}
            assert epoch or properties["updated_at"].get("format") == "date-time", name


@pytest.fixture(scope="module")
def description() -> dict[str, dict]:
    operations = json.loads((SHARED / "catalog.json").read_text())
    return {op["path"]: op for op in operations if op["method"] == "GET"}


def operation_details(operation_id: str) -> dict:
    return json.loads((SHARED / "endpoint-details" / f"{operation_id}.json").read_text())


@shared
@pytest.mark.shared
def test_every_streams_csv_row_is_a_stream_on_its_path_with_its_replication(catalog):
    with (SHARED / "streams.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    by_name = {stream_class.name: stream_class for stream_class in STREAM_TYPES}
    for row in rows:
        name = row["stream"]
        if name in ABSENT_BY_DESIGN:
            assert name not in by_name
            continue
        assert name in by_name, name
        stream_class = by_name[name]
        csv_path = row["path"].removeprefix("GET ").strip()
        if csv_path.startswith("/rest/"):
            same = PARAM.sub("{}", csv_path) == PARAM.sub("{}", stream_class.path)
            newer = _same_resource_newer_version(csv_path, stream_class.path)
            assert same or newer, (name, csv_path, stream_class.path)
        if row["updated_at_filter"] == "yes" and stream_class.path == csv_path:
            metadata = root_metadata(catalog[name])
            assert metadata.get("replication-key"), name


def _same_resource_newer_version(old: str, new: str) -> bool:
    version = re.compile(r"^/rest/v(\d+)\.(\d+)")
    old_match, new_match = version.match(old), version.match(new)
    if not old_match or not new_match:
        return False
    same_rest = PARAM.sub("{}", old[old_match.end() :]) == PARAM.sub("{}", new[new_match.end() :])
    newer = tuple(map(int, new_match.groups())) >= tuple(map(int, old_match.groups()))
    return same_rest and newer


@shared
@pytest.mark.shared
def test_every_stream_path_exists_with_the_same_path_parameters(description):
    for stream_class in STREAM_TYPES:
        if stream_class.embedded_in:
            continue  # no endpoint of its own; read from its parent's records
        operation = description.get(stream_class.path)
        assert operation is not None, (stream_class.name, stream_class.path)
        declared = operation["pathParams"]
        assert sorted(PARAM.findall(stream_class.path)) == sorted(declared), stream_class.name


@shared
@pytest.mark.shared
def test_streams_whose_endpoint_filters_on_updated_at_are_incremental(description, catalog):
    for stream_class in STREAM_TYPES:
        if stream_class.embedded_in:
            continue
        operation = description[stream_class.path]
        names = {p["name"] for p in operation_details(operation["operationId"])["parameters"]}
        metadata = root_metadata(catalog[stream_class.name])
        has_updated_at = "updated_at" in catalog[stream_class.name]["schema"]["properties"]
        if "filters[updated_at]" in names and has_updated_at:
            assert metadata.get("replication-key") == "updated_at", stream_class.name
        elif "filters[updated_at][gt]" in names and has_updated_at:
            assert metadata.get("replication-key") == "updated_at", stream_class.name
            assert stream_class.updated_at_param == "filters[updated_at][gt]", stream_class.name
        elif stream_class.date_params:
            assert set(stream_class.date_params) <= names, stream_class.name
        elif stream_class.replication_key:  # a lower-bound filter of its own (updated_after)
            assert stream_class.updated_at_param in names, stream_class.name
        else:
            assert not metadata.get("replication-key"), stream_class.name


@shared
@pytest.mark.shared
def test_paging_and_required_parameters_match_the_description(description):
    for stream_class in STREAM_TYPES:
        if stream_class.embedded_in:
            continue
        operation = description[stream_class.path]
        params = operation_details(operation["operationId"])["parameters"]
        names = {p["name"] for p in params}
        if stream_class.paginated:
            assert "page" in names, stream_class.name
        required_query = {p["name"] for p in params if p["in"] == "query" and p.get("required")}
        # Either sent by the stream, or one of Procore's "company_id or project_id" pairs.
        sent_by_the_base = {"page", "per_page"} if stream_class.paginated else set()
        missing = (
            required_query
            - set(stream_class.query)
            - {"company_id", "project_id"}
            - sent_by_the_base
        )
        assert not missing, (stream_class.name, missing)


@shared
@pytest.mark.shared
def test_generated_files_match_the_api_description():
    for script in ("generate_schemas.py", "generate_double_routes.py", "coverage.py"):
        result = subprocess.run(
            [sys.executable, str(REPO / "scripts" / script), "--check"],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_readme_and_plugin_definition_are_current():
    for script in ("readme_sections.py", "plugin_definition.py", "permissions.py"):
        result = subprocess.run(
            [sys.executable, str(REPO / "scripts" / script), "--check"],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme_sections.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    table = Path(REPO / "docs" / "streams.md").read_text()
    assert all(f"| `{entry['tap_stream_id']}`" in table for entry in discover()["streams"])


# --- rules that make every stream loadable (any stream added later included) ----------------

# target-postgres (meltanolabs, 0.8.x) column types by JSON Schema type; formats it maps to
# their own column types. An array with items becomes a typed Postgres array (text[], bigint[],
# jsonb[]), one without items a jsonb value.
LOADER_TYPES = {"string", "integer", "number", "boolean", "object", "array"}
LOADER_FORMATS = {None, "date-time", "date"}


def _context_keys(stream_class) -> set[str]:
    keys = set()
    parent = stream_class.parent_stream_type
    while parent is not None:
        if parent.child_id_key:
            keys.add(parent.child_id_key)
        parent = parent.parent_stream_type
    return keys


def _non_null_types(prop: dict) -> set[str]:
    declared = prop.get("type") or ()
    return {declared} - {"null"} if isinstance(declared, str) else set(declared) - {"null"}


def test_key_properties_are_never_nullable_and_never_fields_procore_may_leave_null(catalog):
    for stream_class in STREAM_TYPES:
        properties = catalog[stream_class.name]["schema"]["properties"]
        set_by_the_tap = _context_keys(stream_class) | {stream_class.id_param}
        for key in stream_class.primary_keys:
            prop = properties[key]
            assert "null" not in (prop.get("type") or ["null"]), (stream_class.name, key)
            if key == "row_key":
                # Derived by the base from fields that may be null; the schema says how.
                derives = stream_class.surrogate_key_of or (
                    stream_class.surrogate_key is not ProcoreStream.surrogate_key
                )
                assert derives, stream_class.name
                assert "Key derived by tap-procore" in prop.get("description", ""), key
            elif key not in set_by_the_tap:
                # Procore's own ids are never null; any other field may be (then: row_key).
                assert key == "id" or key.endswith("_id"), (stream_class.name, key)


def _loader_problems(prop: dict, where: str) -> list[str]:
    problems = []
    kinds = _non_null_types(prop)
    if len(kinds) > 1 or not kinds <= LOADER_TYPES:
        problems.append(f"{where}: type {sorted(kinds)}")
    if prop.get("format") not in LOADER_FORMATS:
        problems.append(f"{where}: format {prop['format']}")
    for name, member in (prop.get("properties") or {}).items():
        problems += _loader_problems(member, f"{where}.{name}")
    items = prop.get("items")
    if items is not None:
        item_kinds = _non_null_types(items)
        if len(item_kinds) != 1 or item_kinds & {"array"}:
            # Postgres arrays are rectangular and typed: `malformed array literal`.
            problems.append(f"{where}[]: array items of type {sorted(item_kinds)}")
        problems += _loader_problems(items, f"{where}[]")
    return problems


def test_every_schema_is_representable_in_target_postgres(catalog):
    problems = []
    for name, entry in catalog.items():
        for prop_name, prop in entry["schema"]["properties"].items():
            if not prop.get("type"):
                problems.append(f"{name}.{prop_name}: untyped column")
            problems += _loader_problems(prop, f"{name}.{prop_name}")
    assert not problems, problems[:20]


def test_the_example_select_lists_name_only_streams_that_exist():
    text = (REPO / "docs" / "streams.md").read_text(encoding="utf-8")
    lists = re.findall(r"select: \[([^\]]*)\]", text)
    named = {name for body in lists for name in re.findall(r"\b([a-z0-9_]+)\.\*", body)}
    assert len(named) > 50  # the example select lists cover every area
    assert named <= {stream_class.name for stream_class in STREAM_TYPES}

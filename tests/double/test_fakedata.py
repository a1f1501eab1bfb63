"""The double's records carry what real tenants send, on every route: nulls in any field that is
not an id, empty objects and arrays, arrays of arrays, hostile text and numbers at the edges of
their types; ids are never null; the same seed gives the same values."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from random import Random
from typing import Any

from procore_double.fakedata import (
    HOSTILE_TEXT,
    INTEGER_EDGES,
    NUMBER_EDGES,
    FakeValues,
    stable_seed,
)
from procore_double.routes import RouteTable

RECORDS_PER_ROUTE = 12
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def _records(seed: int) -> dict[str, list[dict[str, Any]]]:
    fake = FakeValues(NOW)
    out = {}
    for route in RouteTable.load().routes:
        if not route.item_schema:
            continue
        generate = fake.compile_object(route.item_schema, string_ids=route.is_v2)
        rng = Random(stable_seed(seed, route.operation_id))
        out[route.operation_id] = [generate(rng) for _ in range(RECORDS_PER_ROUTE)]
    return out


def _walk(value: Any, name: str = ""):
    """(field name, value) of every value at every depth."""
    yield name, value
    if isinstance(value, dict):
        for key, member in value.items():
            yield from _walk(member, key)
    elif isinstance(value, list):
        for element in value:
            yield from _walk(element, name)


def test_every_kind_of_hostile_value_appears_and_ids_are_never_null():  # noqa: C901  # one check per hostile kind
    records = _records(seed=1)
    seen: dict[str, int] = dict.fromkeys(
        (
            "null",
            "empty object",
            "empty array",
            "array of arrays",
            "hostile text",
            "integer edge",
            "number edge",
            "null non-id timestamp",
        ),
        0,
    )
    routes_with_nulls = 0
    for rows in records.values():
        route_has_null = False
        for row in rows:
            for name, value in _walk(row):
                if name == "id" or name.endswith("_id"):
                    assert value is not None, name
                if value is None:
                    seen["null"] += 1
                    route_has_null = True
                    if name.endswith("_at"):
                        seen["null non-id timestamp"] += 1
                elif value == {}:
                    seen["empty object"] += 1
                elif value == []:
                    seen["empty array"] += 1
                elif isinstance(value, list) and any(isinstance(e, list) for e in value):
                    seen["array of arrays"] += 1
                elif isinstance(value, str) and value in HOSTILE_TEXT:
                    seen["hostile text"] += 1
                elif isinstance(value, bool):
                    pass
                elif isinstance(value, int) and value in INTEGER_EDGES and abs(value) > 1:
                    seen["integer edge"] += 1
                elif (
                    isinstance(value, float)
                    and value in NUMBER_EDGES
                    and (math.copysign(1, value) < 0 or value > 1e15 or 0 < value < 1e-300)
                ):
                    seen["number edge"] += 1
        routes_with_nulls += route_has_null
    assert all(seen.values()), seen
    # "Everywhere": nearly every route has nulls in a dozen records (tiny shapes may not).
    assert routes_with_nulls >= 0.9 * len(records)


def test_same_seed_same_values_other_seed_other_values():
    first, again, other = _records(seed=7), _records(seed=7), _records(seed=8)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert json.dumps(first, sort_keys=True) != json.dumps(other, sort_keys=True)

"""Records that leave the tap load: they fit their schema at every depth (as an SDK target
validates them), integers fit 64 bits, keys are never null and never repeat within a list."""

from __future__ import annotations

import json
from types import SimpleNamespace

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tap_procore.client import ProcoreStream
from tap_procore.conform import EXTRA_FIELDS, RecordConformer, without_nul
from tap_procore.errors import UnloadableRecord
from tap_procore.streams.financials import BudgetViewDetailRowsStream

SCHEMA = {
    "type": "object",
    "properties": {
        "project_id": {"type": "integer"},
        "id": {"type": "integer"},
        "name": {"type": ["string", "null"]},
        "amount": {"type": ["number", "null"]},
        "vendor": {
            "type": ["object", "null"],
            "properties": {
                "id": {"type": ["integer", "null"]},
                "active": {"type": ["boolean", "null"]},
                "address": {
                    "type": ["object", "null"],
                    "properties": {"zip": {"type": ["string", "null"]}},
                },
                "since": {"type": ["string", "null"], "format": "date-time"},
            },
        },
        "tag_ids": {"type": ["array", "null"], "items": {"type": ["integer", "null"]}},
        "labels": {"type": ["array", "null"], "items": {"type": ["string", "null"]}},
        "assignees": {
            "type": ["array", "null"],
            "items": {
                "type": ["object", "null"],
                "properties": {"id": {"type": ["integer", "null"]}},
            },
        },
        "change_order_requests": {"type": ["array", "null"]},  # any JSON array
        "lost": {"type": ["string", "null"]},
        EXTRA_FIELDS: {"type": ["object", "null"]},
    },
}
KEYS = ("project_id", "id")
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.sampled_from(["7", "-3", "12.5", "true", "2024-02-29", "2024-02-29T10:00:00Z"])
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "active", "address", "zip", "since", "x"]), children, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    st.dictionaries(
        st.sampled_from(
            [p for p in SCHEMA["properties"] if p not in (*KEYS, EXTRA_FIELDS)] + ["surprise"]
        ),
        VALUES,
    )
)
def test_conformed_records_validate_at_every_depth_and_lose_no_value(record):
    row = {"project_id": 6000000001, "id": 4294967297, **record}
    original = json.loads(json.dumps(row))
    conformed = RecordConformer("things", SCHEMA["properties"], KEYS).conform(row)
    VALIDATOR.validate(conformed)  # raises on any value that does not fit, at any depth
    extra = conformed.get(EXTRA_FIELDS) or {}
    for key, value in original.items():
        if key in extra:
            assert extra[key] == value and conformed.get(key) is None
        elif value is not None:
            assert conformed[key] is not None, key


def test_nested_values_are_converted_losslessly_or_the_whole_value_is_kept_aside():
    conformer = RecordConformer("things", SCHEMA["properties"], KEYS)
    row = conformer.conform(
        {
            "project_id": 1,
            "id": "2",
            "vendor": {"id": "15", "active": "true"},
            "tag_ids": [1, "2", None],
            "labels": [3, True],
        }
    )
    assert row["id"] == 2
    assert row["vendor"] == {"id": 15, "active": True}
    assert row["tag_ids"] == [1, 2, None]
    assert row["labels"] == ["3", "true"]
    kept = conformer.conform(
        {
            "project_id": 1,
            "id": 2,
            "assignees": [{"id": 1}, [1]],
            "vendor": {"address": {"zip": {"a": 1}}, "since": "soon"},
        }
    )
    assert kept["assignees"] is None and kept["vendor"] is None
    assert kept[EXTRA_FIELDS] == {
        "assignees": [{"id": 1}, [1]],
        "vendor": {"address": {"zip": {"a": 1}}, "since": "soon"},
    }


def test_integers_beyond_64_bits_do_not_reach_a_bigint_column():
    conformer = RecordConformer("things", SCHEMA["properties"], KEYS)
    row = conformer.conform({"project_id": 1, "id": 2**63 - 1, "tag_ids": [2**64], "amount": 2**64})
    assert row["id"] == 2**63 - 1
    assert row["amount"] == 2**64  # numbers are NUMERIC: any size
    assert row["tag_ids"] is None and row[EXTRA_FIELDS] == {"tag_ids": [2**64]}


@pytest.mark.parametrize(
    "record",
    [{"project_id": 1}, {"project_id": 1, "id": None}, {"project_id": 1, "id": "not a number"}],
)
def test_a_record_without_its_key_is_named_as_unloadable(record):
    with pytest.raises(UnloadableRecord, match=r"usable 'id'.* it has fields .*project_id"):
        RecordConformer("things", SCHEMA["properties"], KEYS).conform(record)


def _stream(**attributes) -> SimpleNamespace:
    return SimpleNamespace(_row_key_list=(), _row_keys_seen={}, **attributes)


def test_row_keys_are_the_values_that_identify_a_row_numbered_when_they_repeat_in_a_list():
    stream = _stream(surrogate_key_of=("biller_type", "id"))
    first = {"project_id": 1, "budget_view_id": 5}
    second = {"project_id": 1, "budget_view_id": 6}
    keys = [
        ProcoreStream._unique_in_list(stream, ProcoreStream.surrogate_key(stream, row), context)
        for row, context in [
            ({"biller_type": None, "id": "7"}, first),
            ({"biller_type": "Project", "id": "7"}, first),
            ({"biller_type": None, "id": "7"}, first),
            ({"biller_type": None, "id": "7"}, second),  # another list: numbering restarts
        ]
    ]
    assert keys == ['[null,"7"]', '["Project","7"]', '[null,"7"]#2', '[null,"7"]']


def test_budget_rows_keep_their_id_or_unbudgeted_digest_as_row_key():
    stream = BudgetViewDetailRowsStream.__new__(BudgetViewDetailRowsStream)
    assert stream.surrogate_key({"id": 12}) == "12"
    unbudgeted = stream.surrogate_key({"id": None, "cost_code_id": 3, "biller_type": None})
    assert unbudgeted.startswith("unbudgeted:") and len(unbudgeted) == len("unbudgeted:") + 16


def test_nul_characters_which_postgres_cannot_store_become_replacement_characters():
    body = [{"title": "a\x00b", "nested": [{"k\x00": ["\x00"]}], "n": 1, "none": None}]
    assert without_nul(body) == [
        {"title": "a\ufffdb", "nested": [{"k\ufffd": ["\ufffd"]}], "n": 1, "none": None}
    ]

"""Property-based tests over what the parser meets: bodies, values and headers of any shape.

Hypothesis runs derandomized: the same examples on every run and in CI, so a red run is
reproducible and never a coin toss. Cases a random search once found stay as explicit examples.
"""

from __future__ import annotations

import decimal
import json
import math

import requests
import requests_mock
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tap_procore.answers import decode_json, page_of
from tap_procore.conform import EXTRA_FIELDS, RecordConformer
from tap_procore.paging import ProcorePaginator
from tap_procore.retries import rate_limit_wait

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)
PROPERTIES = {
    "id": {"type": ["integer", "null"]},
    "name": {"type": ["string", "null"]},
    "amount": {"type": ["number", "null"]},
    "active": {"type": ["boolean", "null"]},
    "updated_at": {"type": ["string", "null"], "format": "date-time"},
    "due_date": {"type": ["string", "null"], "format": "date"},
    "vendor": {"type": ["object", "null"], "properties": {"id": {"type": ["integer", "null"]}}},
    "tags": {"type": ["array", "null"]},
    "anything": {},
    EXTRA_FIELDS: {"type": ["object", "null"]},
}
CHECKS = {
    "id": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "name": lambda v: isinstance(v, str),
    "amount": lambda v: isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool),
    "active": lambda v: isinstance(v, bool),
    "updated_at": lambda v: isinstance(v, str) and v[4] == "-" and "T" in v[:11],
    "due_date": lambda v: isinstance(v, str) and len(v) == 10,
    "vendor": lambda v: isinstance(v, dict),
    "tags": lambda v: isinstance(v, list),
}


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from([*PROPERTIES, "surprise", "other"]), JSON_VALUES))
def test_conformed_records_fit_their_columns_and_lose_no_value(record):
    original = json.loads(json.dumps(record, default=str))
    conformer = RecordConformer("things", PROPERTIES)
    row = conformer.conform(dict(record))
    extra = row.get(EXTRA_FIELDS) or {}
    for key, check in CHECKS.items():
        value = row.get(key)
        assert value is None or check(value), (key, value)
    for key, value in original.items():
        if key == EXTRA_FIELDS:
            continue
        if key in extra:
            assert extra[key] == value or (key in PROPERTIES and row.get(key) is None)
        elif value is not None:
            assert key in row  # kept as is or converted, never dropped


@settings(max_examples=300, deadline=None, derandomize=True)
@given(JSON_VALUES)
def test_any_json_body_decodes_to_the_same_value(value):
    encoded = json.dumps(value).encode()
    assert decode_json(encoded) == json.loads(encoded)


def _response(headers: dict[str, str]) -> requests.Response:
    request = requests.Request("GET", "https://api.example.com/rest/v1.0/things?page=1")
    return requests_mock.create_response(request.prepare(), status_code=200, headers=headers)


LINKS = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.builds(
        lambda page: f'<https://api.example.com/x?page={page}&per_page=10>; rel="next"',
        st.integers(min_value=-5, max_value=10**9),
    ),
    st.just('<https://api.example.com/x?page=3>; rel="last", <garbage'),
    st.just('rel="next"'),
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    link=LINKS,
    total=st.one_of(st.none(), st.text(max_size=8), st.integers(-10, 10**6).map(str)),
    rows=st.integers(min_value=0, max_value=10),
)
# `²` passes str.isdigit() but is not a number int() takes.
@example(link='<https://api.example.com/x?page=²>; rel="next"', total="²", rows=10)
@example(link=None, total=" ²", rows=0)
def test_paginator_never_loops_or_goes_backwards(link, total, rows):
    headers = {}
    if link is not None:
        headers["Link"] = link
    if total is not None:
        headers["Total"] = total
    paginator = ProcorePaginator(per_page=10)
    pages = []
    for _ in range(50):
        if paginator.finished:
            break
        pages.append(paginator.current_value)
        paginator.count_rows(rows)
        paginator.advance(page_of(_response(headers), []))
    assert pages == sorted(set(pages))  # strictly increasing: no page read twice
    if "next" not in _response(headers).links and headers.get("Link"):
        assert paginator.finished and len(pages) == 1
    if not rows and not headers.get("Link"):
        assert len(pages) == 1  # an empty page without a next link ends the listing


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    status=st.sampled_from([429, 503]),
    retry_after=st.one_of(st.none(), st.text(max_size=12), st.integers(-100, 10**5).map(str)),
    reset=st.one_of(st.none(), st.text(max_size=12), st.integers(0, 2 * 10**9).map(str)),
)
def test_rate_limit_headers_of_any_shape_give_a_finite_wait(status, retry_after, reset):
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    if reset is not None:
        headers["X-Rate-Limit-Reset"] = reset
    response = _response(headers)
    response.status_code = status
    wait, reason = rate_limit_wait(response, now=1_800_000_000.0)
    assert 0 <= wait < math.inf
    assert str(status) in reason


def test_without_link_or_total_full_pages_are_followed_to_the_first_short_one():
    paginator = ProcorePaginator(per_page=10)
    pages = []
    for rows in (10, 10, 3, 10):
        if paginator.finished:
            break
        pages.append(paginator.current_value)
        paginator.count_rows(rows)
        paginator.advance(page_of(_response({}), []))
    assert pages == [1, 2, 3]
    # A server that pages by 5 whatever was asked, and says so in Per-Page.
    paginator = ProcorePaginator(per_page=1000)
    paginator.count_rows(5)
    paginator.advance(page_of(_response({"Per-Page": "5"}), []))
    assert not paginator.finished and paginator.current_value == 2

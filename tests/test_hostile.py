"""A malicious or broken Procore on loopback: nothing leaks, nothing hangs, nothing is lost.

Each probe is a small server from tests/hostile_servers.py with one misbehaving route, and the
real tap run against it as a process. Every probe either completes with every row or stops
with exactly one `tap-procore stopped:` line, never a traceback; `test_whole_fault_suite_...`
runs them all (and the double's fault kinds) and fails on any `Traceback` in any stderr.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import resource
import signal
import socket
import ssl
import stat
import subprocess
import sys
import threading
import time
import typing as t
import zlib
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from procore_double import spawn_double
from tests.conftest import REPO, base_config, catalog_selecting, run_tap
from tests.hostile_servers import (
    ACCESS_TOKEN,
    COMPANY_ID,
    TOKEN,
    TRADES,
    HostileHandler,
    HostileServer,
    project_rows,
    projects_with_rfis,
    reply,
    rfis_path,
    trade_rows,
)

GUARD_SECONDS = 120  # a run still going after this long counts as hung


def run_against(
    url: str,
    tmp_path: Path,
    *,
    state: dict | None = None,
    streams: t.Sequence[str] = ("trades",),
    **settings: t.Any,
):
    config = base_config(url, [COMPANY_ID], **{"max_retries": 2, "request_timeout": 5, **settings})
    return run_tap(tmp_path, config, streams=list(streams), state=state, timeout=GUARD_SECONDS)


def stop_line(run) -> str:
    """The run's one stop line; fails unless it stopped with exactly one and no traceback."""
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.returncode == 1, run.stderr[-3000:]
    stops = [line for line in run.stderr.splitlines() if "tap-procore stopped:" in line]
    assert len(stops) == 1, run.stderr[-3000:]
    return stops[0]


def failure_line(run) -> str:
    """The run went on past a failure that belongs to one scope (docs/operations.md, "When
    something fails"): it names that scope once, with the cause, no traceback, and ends
    non-zero; returns that line."""
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.returncode == 1, run.stderr[-3000:]
    assert "tap-procore stopped:" not in run.stderr, run.stderr[-3000:]
    failures = [
        line
        for line in run.stderr.splitlines()
        if re.search(r" failed in (company|project) ", line)
    ]
    assert len(failures) == 1, run.stderr[-3000:]
    assert "tap-procore finished with failures" in run.stderr.splitlines()[-1]
    return failures[0]


def completed(run) -> None:
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.returncode == 0, run.stderr[-3000:]


def warnings_of(run) -> list[str]:
    return [line for line in run.stderr.splitlines() if " WARNING " in line]


# --- secrets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [307, 308])
def test_token_endpoint_redirect_is_never_followed(tmp_path, status):
    with HostileServer() as thief:

        def redirect(handler: HostileHandler, exchange) -> None:
            reply(handler, status, b"", [("Location", thief.url + TOKEN)])

        with HostileServer({("POST", TOKEN): redirect}) as procore:
            run = run_against(procore.url, tmp_path)
    line = stop_line(run)
    assert thief.requests == [], "the login (with client_secret) was sent to another host"
    assert f"answered {status}" in line and "not followed" in line
    assert "double-client-secret" not in run.stdout + run.stderr


def test_api_redirect_to_another_origin_is_not_followed(tmp_path):
    with HostileServer() as thief:
        thief.routes[("GET", TRADES)] = lambda h, e: reply(h, 200, trade_rows(1, first_id=666))

        def redirect(handler: HostileHandler, exchange) -> None:
            reply(handler, 302, b"", [("Location", f"{thief.url}{TRADES}?page=1")])

        with HostileServer({("GET", TRADES): redirect}) as procore:
            run = run_against(procore.url, tmp_path)
    line = stop_line(run)
    assert thief.requests == []
    assert "was redirected (HTTP 302) to" in line and thief.url in line
    assert run.records.get("trades", []) == []


def test_api_redirect_within_the_same_origin_is_followed(tmp_path):
    moved = TRADES + "-moved"

    def redirect(handler: HostileHandler, exchange) -> None:
        reply(handler, 301, b"", [("Location", moved + "?page=1&per_page=1000")])

    with HostileServer(
        {("GET", TRADES): redirect, ("GET", moved): lambda h, e: reply(h, 200, trade_rows(3))}
    ) as procore:
        run = run_against(procore.url, tmp_path)
        forwarded = procore.hits(moved)
    completed(run)
    assert len(run.records["trades"]) == 3
    assert forwarded and forwarded[0].headers.get("authorization") == f"Bearer {ACCESS_TOKEN}"


SECRET = "hostile-secret-7d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2"


def assert_no_piece_of_secret(text: str) -> None:
    pieces = {SECRET[i : i + 12] for i in range(len(SECRET) - 11)}
    leaked = [piece for piece in pieces if piece in text]
    assert not leaked, f"{len(leaked)} pieces of the secret leaked, e.g. {leaked[0]!r}"


def test_secret_echoed_by_the_login_is_redacted_before_any_cut(tmp_path):
    def refuse(handler: HostileHandler, exchange) -> None:
        reply(handler, 401, {"error": f"invalid_client for client_secret={SECRET} " + "x" * 300})

    with HostileServer({("POST", TOKEN): refuse}) as procore:
        config = {"client_secret": SECRET}
        run = run_against(procore.url, tmp_path, **config)
    stop_line(run)
    assert_no_piece_of_secret(run.stdout + run.stderr)


def test_secret_echoed_in_an_api_error_is_redacted_before_any_cut(tmp_path):
    def echo(handler: HostileHandler, exchange) -> None:
        reply(handler, 400, {"errors": "y" * 170 + f" you sent client_secret={SECRET} " + "z" * 80})

    with HostileServer({("GET", TRADES): echo}) as procore:
        run = run_against(procore.url, tmp_path, client_secret=SECRET)
    line = failure_line(run)
    assert "HTTP 400" in line
    assert_no_piece_of_secret(run.stdout + run.stderr)


PROXY_PASSWORD = "proxy-pa55word-9f8e7d6c"


def _with_userinfo(url: str) -> str:
    return url.replace("://", f"://tap-user:{PROXY_PASSWORD}@", 1)


@pytest.mark.parametrize(
    ("routes", "setting", "said"),
    [
        (
            {("POST", TOKEN): lambda h, e: reply(h, 401, {"error": "invalid_client"})},
            "auth_url",
            "refused the client credentials",
        ),
        (
            {("GET", "/rest/v1.0/companies"): lambda h, e: reply(h, 200, [])},
            "api_url",
            "not visible",
        ),
        (
            {("POST", TOKEN): lambda h, e: reply(h, 302, b"", [("Location", "/elsewhere")])},
            "auth_url",
            "not followed",
        ),
    ],
    ids=["login-refused", "company-not-visible", "login-redirected"],
)
def test_a_proxy_password_in_a_url_is_never_printed(tmp_path, routes, setting, said):
    with HostileServer(routes) as procore:
        run = run_against(procore.url, tmp_path, **{setting: _with_userinfo(procore.url)})
    line = stop_line(run)
    assert said in line and procore.url in line
    assert PROXY_PASSWORD not in run.stdout + run.stderr


def test_a_proxy_password_in_a_malformed_url_is_never_printed(tmp_path):
    run = run_against(_with_userinfo("ftp://proxy.example"), tmp_path)
    line = stop_line(run)
    assert "api_url" in line and "ftp://proxy.example" in line
    assert PROXY_PASSWORD not in run.stdout + run.stderr


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory) -> ssl.SSLContext:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_tls_verification_failure_stops_at_once_naming_the_host(tmp_path, self_signed):
    with HostileServer(tls=self_signed) as procore:
        run = run_against(procore.url, tmp_path, max_retries=5)
        attempts = procore.connections
    line = stop_line(run)
    assert "TLS verification failed" in line and "127.0.0.1" in line
    assert attempts == 1, f"{attempts} connections: a failed verification was retried"


def test_unknown_host_stops_at_once_saying_dns(tmp_path):
    run = run_against("https://no-such-procore-host.invalid", tmp_path, max_retries=5)
    line = stop_line(run)
    assert "no-such-procore-host.invalid" in line and "DNS" in line
    assert not [w for w in warnings_of(run) if "Retrying" in w]


def test_refused_connection_names_the_host_and_the_kind(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = run_against(f"http://127.0.0.1:{port}", tmp_path)
    line = stop_line(run)
    assert f"connection to 127.0.0.1:{port} refused (while logging in)" in line


# --- nothing hangs, nothing loops ---------------------------------------------------------------


def _silent(handler: HostileHandler, exchange) -> None:
    time.sleep(30)


def _trickle_status_line(handler: HostileHandler, exchange) -> None:
    for byte in b"HTTP/1.1 200 OK\r\n" * 20:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.2)


def _trickle_body(handler: HostileHandler, exchange) -> None:
    body = json.dumps(trade_rows(50)).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    for byte in body[:300]:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.2)


@pytest.mark.parametrize(
    "behaviour",
    [_silent, _trickle_status_line, _trickle_body],
    ids=["silent", "trickled-status-line", "trickled-body"],
)
def test_every_request_has_a_total_deadline(tmp_path, behaviour):
    with HostileServer({("GET", TRADES): behaviour}) as procore:
        run = run_against(procore.url, tmp_path, request_timeout=2)
        attempts = len(procore.hits(TRADES))
    line = failure_line(run)
    assert "no complete answer from 127.0.0.1" in line and "within 2s" in line
    assert attempts == 2  # retried once (max_retries 2), then given up


def _paged(
    rows_for_page: t.Callable[[int], list[dict]],
    headers_for_page: t.Callable[[int, str], list[tuple[str, str]]],
):
    def handler(handler: HostileHandler, exchange) -> None:
        page = int(exchange.query.get("page", "1"))
        base = f"http://{handler.headers['Host']}{TRADES}"
        reply(handler, 200, rows_for_page(page), headers_for_page(page, base))

    return handler


def test_link_next_pointing_back_to_page_one_ends_the_listing_unread(tmp_path):
    loop = _paged(
        lambda page: trade_rows(3),
        lambda page, base: [("Link", f'<{base}?page=1&per_page=1000>; rel="next"')],
    )
    with HostileServer({("GET", TRADES): loop}) as procore:
        run = run_against(procore.url, tmp_path)
        pages = len(procore.hits(TRADES))
    # The rows read are delivered once; the listing, cut short, does not count as read.
    assert "repeats rows already read while Procore says there is more" in failure_line(run)
    assert sorted(r["id"] for r in run.records["trades"]) == [1, 2, 3]
    assert pages <= 3
    assert run.final_state["bookmarks"]["trades"]["not_covered"] == [COMPANY_ID]


def test_endpoint_that_ignores_page_is_read_once(tmp_path):
    same = _paged(lambda page: trade_rows(5), lambda page, base: [])
    with HostileServer({("GET", TRADES): same}) as procore:
        run = run_against(procore.url, tmp_path, page_size=5)
        pages = len(procore.hits(TRADES))
    completed(run)
    assert len(run.records["trades"]) == 5
    assert pages == 2
    assert any("repeats rows" in w for w in warnings_of(run))


def test_rows_far_beyond_total_end_the_listing(tmp_path):
    endless = _paged(
        lambda page: trade_rows(5, first_id=page * 10),
        lambda page, base: [("Total", "5"), ("Link", f'<{base}?page={page + 1}>; rel="next"')],
    )
    with HostileServer({("GET", TRADES): endless}) as procore:
        run = run_against(procore.url, tmp_path, page_size=5)
        pages = len(procore.hits(TRADES))
    line = failure_line(run)
    assert pages <= 5
    assert "beyond the Total of 5" in line
    assert run.final_state["bookmarks"]["trades"]["not_covered"] == [COMPANY_ID]


@pytest.mark.parametrize("retry_after", ["0", "-30"])
def test_rate_limit_storm_waits_grow_and_end(tmp_path, retry_after):
    def storm(handler: HostileHandler, exchange) -> None:
        reply(handler, 429, {"message": "slow down"}, [("Retry-After", retry_after)])

    with HostileServer({("GET", TRADES): storm}) as procore:
        run = run_against(procore.url, tmp_path, max_rate_limit_wait=10)
        calls = len(procore.hits(TRADES))
    line = stop_line(run)
    assert "still rate limited" in line
    waits = [
        float(m.group(1)) for m in re.finditer(r"Waiting ([0-9.]+)s before retrying", run.stderr)
    ]
    assert waits and all(later > earlier for earlier, later in itertools.pairwise(waits))
    assert waits[0] >= 1.0
    assert calls == len(waits) + 1 <= 5
    assert "Backing off" not in run.stderr  # one line per wait, naming the request


def test_a_window_reset_a_year_away_counts_against_max_rate_limit_wait(tmp_path):
    """The answers say the window is spent until a year from now: each pause is capped at an
    hour, and the pauses count against max_rate_limit_wait like waits after a 429."""
    a_year_away = str(int(time.time()) + 365 * 86400)
    spent = [
        ("X-Rate-Limit-Limit", "3600"),
        ("X-Rate-Limit-Remaining", "0"),
        ("X-Rate-Limit-Reset", a_year_away),
    ]

    def companies(handler: HostileHandler, exchange) -> None:
        reply(handler, 200, [{"id": COMPANY_ID, "name": "Hostile Builders"}], spent)

    with HostileServer({("GET", "/rest/v1.0/companies"): companies}) as procore:
        run = run_against(procore.url, tmp_path, max_rate_limit_wait=5)
        listed = procore.hits(TRADES)
    line = stop_line(run)
    assert f"trades: GET {TRADES}" in line and "max_rate_limit_wait (5s)" in line
    assert listed == []


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """About 1 MiB of gzip that expands to 1 GiB of spaces."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    parts = [compressor.compress(block) for _ in range(1024)]
    parts.append(compressor.flush())
    return b"".join(parts)


def _peak_child_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def test_gzip_bomb_is_cut_at_the_size_cap(tmp_path, gzip_bomb):
    def bomb(handler: HostileHandler, exchange) -> None:
        reply(handler, 200, gzip_bomb, [("Content-Encoding", "gzip")])

    with HostileServer({("GET", TRADES): bomb}) as procore:
        run = run_against(procore.url, tmp_path, max_response_bytes=10 * 2**20)
    line = failure_line(run)
    assert "max_response_bytes" in line
    assert _peak_child_memory_mb() < 1024


def test_endless_chunked_body_is_cut_at_the_size_cap(tmp_path):
    def endless(handler: HostileHandler, exchange) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"[" + b" " * 65535
        for _ in range(40_000):  # 2.5 GiB unless the tap hangs up first
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    with HostileServer({("GET", TRADES): endless}) as procore:
        run = run_against(procore.url, tmp_path, max_response_bytes=10 * 2**20)
    line = failure_line(run)
    assert "max_response_bytes" in line
    assert _peak_child_memory_mb() < 1024


# --- shapes --------------------------------------------------------------------------------


def test_object_where_a_list_is_expected_fails_its_scope_with_one_line(tmp_path):
    with HostileServer({("GET", TRADES): lambda h, e: reply(h, 200, {"id": 1})}) as procore:
        run = run_against(procore.url, tmp_path)
    assert "expected a JSON list" in failure_line(run)


def test_json_nested_a_hundred_thousand_deep_fails_its_scope_with_one_line(tmp_path):
    deep = b"[" * 100_000 + b"]" * 100_000
    with HostileServer({("GET", TRADES): lambda h, e: reply(h, 200, deep)}) as procore:
        run = run_against(procore.url, tmp_path)
    assert "nested" in failure_line(run)


def test_superscript_digits_in_total_and_link_are_not_numbers(tmp_path):
    def pages(handler: HostileHandler, exchange) -> None:
        page = int(exchange.query.get("page", "1"))
        base = f"http://{handler.headers['Host']}{TRADES}"
        if page == 1:
            reply(
                handler,
                200,
                trade_rows(3),
                [("Total", "²"), ("Link", f'<{base}?page=²>; rel="next"')],
            )
        else:
            reply(handler, 200, trade_rows(3, first_id=4), [("Total", "²")])

    with HostileServer({("GET", TRADES): pages}) as procore:
        run = run_against(procore.url, tmp_path)
    completed(run)
    assert sorted(r["id"] for r in run.records["trades"]) == [1, 2, 3, 4, 5, 6]


def _raw_pages(*bodies: bytes):
    """Pages of trades, each a raw body, linked one to the next."""

    def handler(handler: HostileHandler, exchange) -> None:
        page = int(exchange.query.get("page", "1"))
        base = f"http://{handler.headers['Host']}{TRADES}"
        more = [("Link", f'<{base}?page={page + 1}>; rel="next"')] if page < len(bodies) else []
        reply(handler, 200, bodies[page - 1], more)

    return handler


def test_lone_surrogates_are_sent_as_replacement_characters_with_one_warning(tmp_path):
    first = (
        b'[{"id": 1, "name": "cut \\ud83d", "updated_at": "2024-01-02T00:00:00Z"},'
        b' {"id": 2, "name": "whole \\ud83d\\ude00", "\\udc00odd key": "\\uDEAD"}]'
    )
    second = b'[{"id": 3, "name": "\\udbff again", "updated_at": "2024-01-02T00:00:00Z"}]'
    with HostileServer({("GET", TRADES): _raw_pages(first, second)}) as procore:
        run = run_against(procore.url, tmp_path)
    completed(run)
    names = {r["id"]: r["name"] for r in run.records["trades"]}
    assert names == {1: "cut \ufffd", 2: "whole \U0001f600", 3: "\ufffd again"}
    assert run.records["trades"][1]["_procore_extra"] == {"\ufffdodd key": "\ufffd"}
    repaired = [w for w in warnings_of(run) if "surrogates" in w]
    assert len(repaired) == 1 and "trades" in repaired[0] and "U+FFFD" in repaired[0]


def test_bytes_that_are_not_utf8_are_named_with_their_offset_and_the_request(tmp_path):
    body = b'[{"id": 1, "name": "Caf\xe9 au lait", "updated_at": "2024-01-02T00:00:00Z"}]'
    with HostileServer({("GET", TRADES): lambda h, e: reply(h, 200, body)}) as procore:
        run = run_against(procore.url, tmp_path)
    line = failure_line(run)
    assert "not valid JSON" not in line
    assert f"trades: GET {TRADES}" in line
    assert "not UTF-8" in line and "byte 0xe9 at byte offset 23" in line


def test_project_ids_sent_as_text_are_read_and_unusable_ones_are_named(tmp_path):
    projects = project_rows(2)
    projects[1]["id"] = "102"  # a number in text
    unusable = [
        {**project_rows(1, 103)[0], "id": "P-103", "name": "Tower crane yard"},
        {**project_rows(1, 104)[0], "id": None, "name": "Parking deck"},
        {**project_rows(1, 105)[0], "id": True, "name": "Site office"},
    ]
    routes = projects_with_rfis(projects, 2)
    routes[("GET", "/rest/v1.1/projects")] = lambda h, e: reply(h, 200, [*projects, *unusable])
    with HostileServer(routes) as procore:
        run = run_against(procore.url, tmp_path, streams=["projects", "rfis"])
    completed(run)
    assert sorted(r["id"] for r in run.records["projects"]) == [101, 102]
    assert sorted({r["project_id"] for r in run.records["rfis"]}) == [101, 102]
    skipped = [w for w in warnings_of(run) if "without a usable id" in w]
    assert len(skipped) == 3
    for name in ("Tower crane yard", "Parking deck", "Site office"):
        assert any(name in warning for warning in skipped)


@pytest.mark.parametrize("expires_in", [b"1e400", b"1" + b"0" * 400, b"-5", b"0", b'"soon"'])
def test_token_lifetime_of_any_value_neither_crashes_nor_storms(tmp_path, expires_in):
    body = b'{"access_token": "%s", "token_type": "bearer", "expires_in": %s}' % (
        ACCESS_TOKEN.encode(),
        expires_in,
    )
    many_pages = _paged(
        lambda page: trade_rows(2, first_id=page * 10),
        lambda page, base: [("Link", f'<{base}?page={page + 1}>; rel="next"')] if page < 6 else [],
    )
    with HostileServer(
        {("POST", TOKEN): lambda h, e: reply(h, 200, body), ("GET", TRADES): many_pages}
    ) as procore:
        run = run_against(procore.url, tmp_path)
        logins = len(procore.hits(TOKEN, "POST"))
    completed(run)
    assert len(run.records["trades"]) == 12
    assert logins == 1


# --- clocks ---------------------------------------------------------------------------------


def test_procore_clock_five_minutes_behind_loses_nothing(tmp_path):
    with spawn_double(
        hourly_limit=10**9, spike_limit=10**9, big_lists=[], clock_skew_seconds=300
    ) as double:
        company = double.control.tenant()["companies"][0]["id"]
        # Without the overlap only the upper bound from Procore's Date header can save the rows.
        config = base_config(double.url, [company], window_overlap_seconds=0)
        first = run_tap(tmp_path / "1", config, streams=["trades"])
        completed(first)
        windows = [
            r["query"]["filters[updated_at]"]
            for r in double.control.requests()
            if r["path"].endswith("/trades")
        ]
        touched = double.control.mutate(
            "touch", path=f"/rest/v1.0/companies/{company}/trades", count=2
        )
        second = run_tap(tmp_path / "2", config, streams=["trades"], state=first.final_state)
    completed(second)
    upper = windows[0].split("...")[1]
    assert upper <= touched["updated_at"], "the window ended in Procore's future"
    assert {r["id"] for r in second.records.get("trades", [])} >= set(touched["ids"])


FUTURE = "2100-01-01T00:00:00Z"


def _recording_trades(seen: list[str]):
    def handler(handler: HostileHandler, exchange) -> None:
        seen.append(exchange.query.get("filters[updated_at]", ""))
        reply(handler, 200, trade_rows(3))

    return handler


def _window_is_ordered(window: str) -> bool:
    lower, _, upper = window.partition("...")
    return bool(lower) and lower <= upper


def test_bookmark_in_the_future_is_clamped_with_a_warning(tmp_path):
    state = {
        "bookmarks": {
            "trades": {"replication_key": "updated_at", "replication_key_value": FUTURE},
            "projects": {
                "covered": {"companies": {"2020-01-01T00:00:00Z": [COMPANY_ID]}, "projects": {}}
            },
        }
    }
    seen: list[str] = []
    with HostileServer({("GET", TRADES): _recording_trades(seen)}) as procore:
        run = run_against(procore.url, tmp_path, state=state)
    completed(run)
    assert seen and all(_window_is_ordered(window) for window in seen), seen
    assert any("trades" in w and "ahead of Procore's clock" in w for w in warnings_of(run))
    assert run.final_state["bookmarks"]["trades"]["replication_key_value"] < FUTURE


def test_sweep_upper_in_the_future_starts_a_new_sweep(tmp_path):
    state = {
        "bookmarks": {
            "projects": {
                "sweep": {
                    "upper": FUTURE,
                    "companies": [COMPANY_ID],
                    "position": None,
                    "streams": ["trades"],
                    "new_companies": [],
                    "new_projects": [],
                    "skipped": {},
                }
            }
        }
    }
    seen: list[str] = []
    with HostileServer({("GET", TRADES): _recording_trades(seen)}) as procore:
        run = run_against(procore.url, tmp_path, state=state)
    completed(run)
    assert seen and FUTURE not in seen[0]
    assert any("sweep" in w and "ahead of Procore's clock" in w for w in warnings_of(run))


# --- state files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "key"),
    [
        ([1, 2], "state"),
        ({"bookmarks": "oops"}, "bookmarks"),
        ({"bookmarks": {"trades": "x"}}, "bookmarks.trades"),
        (
            {"bookmarks": {"trades": {"replication_key_value": "garbage"}}},
            "bookmarks.trades.replication_key_value",
        ),
        ({"bookmarks": {"trades": {"not_covered": "1"}}}, "bookmarks.trades.not_covered"),
        ({"bookmarks": {"projects": {"covered": "x"}}}, "bookmarks.projects.covered"),
        (
            {"bookmarks": {"projects": {"covered": {"projects": [1, 2]}}}},
            "bookmarks.projects.covered.projects",
        ),
        (
            {"bookmarks": {"projects": {"covered": {"projects": {"2024-01-01T00:00:00Z": "1"}}}}},
            "bookmarks.projects.covered.projects.2024-01-01T00:00:00Z",
        ),
        (
            {"bookmarks": {"projects": {"sweep": {"upper": 5, "companies": [1]}}}},
            "bookmarks.projects.sweep.upper",
        ),
        (
            {"bookmarks": {"projects": {"sweep": {"upper": FUTURE, "companies": "1"}}}},
            "bookmarks.projects.sweep.companies",
        ),
    ],
)
def test_state_of_the_wrong_shape_stops_with_one_line_naming_the_key(tmp_path, state, key):
    with HostileServer() as procore:
        run = run_against(procore.url, tmp_path, state=state)
        requests_made = len(procore.requests)
    line = stop_line(run)
    assert f"'{key}'" in line
    assert requests_made == 0


def test_state_file_nested_a_hundred_thousand_deep_stops_with_one_line(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(base_config("http://127.0.0.1:9", [COMPANY_ID])))
    state = tmp_path / "state.json"
    state.write_text('{"bookmarks": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = subprocess.run(
        [sys.executable, "-m", "tap_procore.tap", "--config", str(config), "--state", str(state)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=GUARD_SECONDS,
        check=False,
    )
    assert "nested too deeply" in stop_line(result)


# --- tokens that cannot be sent ----------------------------------------------------------------

UNSENDABLE_CORE = "hostile-unsendable-token-5f4e3d2c1b0a99887766"


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (UNSENDABLE_CORE + "\r\n", "line break"),
        (UNSENDABLE_CORE + "\u2603", "outside printable ASCII"),
        (UNSENDABLE_CORE[:20] + " " + UNSENDABLE_CORE[20:], "space"),
        ("", "empty"),
    ],
    ids=["crlf", "non-latin-1", "space", "empty"],
)
def test_an_access_token_that_cannot_be_sent_stops_with_one_line_never_showing_it(
    tmp_path, token, problem
):
    def login(handler: HostileHandler, exchange) -> None:
        reply(handler, 200, {"access_token": token, "expires_in": 5400})

    with HostileServer({("POST", TOKEN): login}) as procore:
        run = run_against(procore.url, tmp_path)
        sent = procore.hits(TRADES)
    line = stop_line(run)
    assert "access_token" in line and problem in line
    assert sent == [], "a request went out with a token that cannot be sent"
    output = run.stdout + run.stderr
    pieces = {UNSENDABLE_CORE[i : i + 10] for i in range(len(UNSENDABLE_CORE) - 9)}
    assert not [piece for piece in pieces if piece in output]


# --- rotating refresh tokens ----------------------------------------------------------------


def _login_fields(exchange) -> dict[str, str]:
    """The fields of a login, sent as JSON or as a form (the tap tries both)."""
    try:
        fields = json.loads(exchange.body or b"{}")
    except ValueError:
        return {key: values[-1] for key, values in parse_qs(exchange.body.decode()).items()}
    return fields if isinstance(fields, dict) else {}


def _rotating_login(
    issued: list[str],
    *,
    delay: float = 0.0,
    expires_in: int = 5400,
    grants_access: t.Callable[[], bool] = lambda: True,
):
    """Procore's refresh grant: each refresh token works once, and every use issues the next
    (with an access token unless `grants_access` says no). `delay` holds each login, so that
    logins of two jobs overlap."""
    lock = threading.Lock()

    def handler(handler: HostileHandler, exchange) -> None:
        time.sleep(delay)
        sent = _login_fields(exchange).get("refresh_token")
        with lock:
            if sent != (issued[-1] if issued else "first-refresh-token"):
                answer: tuple[int, dict] = (401, {"error": "invalid_grant"})
            else:
                issued.append(f"rotated-refresh-token-{len(issued) + 1}")
                body: dict[str, t.Any] = {"refresh_token": issued[-1], "token_type": "bearer"}
                if grants_access():
                    body.update(access_token=ACCESS_TOKEN, expires_in=expires_in)
                answer = (200, body)
        reply(handler, *answer)

    return handler


@contextlib.contextmanager
def unwritable(folder: Path) -> t.Iterator[None]:
    """A folder nobody can add files to, root included (as on a read-only mount)."""
    if os.geteuid() == 0:
        # Permissions do not stop root; the immutable attribute does.
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_unwritable_token_folder_stops_before_the_first_refresh(tmp_path):
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    token_file = tokens / "refresh-token"
    token_file.write_text("first-refresh-token\n")
    issued: list[str] = []
    with unwritable(tokens), HostileServer({("POST", TOKEN): _rotating_login(issued)}) as procore:
        run = run_against(
            procore.url,
            tmp_path,
            refresh_token="first-refresh-token",
            refresh_token_path=str(token_file),
        )
        logins = len(procore.hits(TOKEN, "POST"))
    line = stop_line(run)
    assert "refresh_token_path" in line and str(tokens) in line
    assert logins == 0, "the token was rotated although the newest could not be saved"
    assert token_file.read_text() == "first-refresh-token\n"


def test_symlinked_token_file_is_written_through_to_its_target(tmp_path):
    volume = tmp_path / "volume"
    volume.mkdir()
    target = volume / "refresh-token"
    target.write_text("first-refresh-token\n")
    link = tmp_path / "refresh-token-link"
    link.symlink_to(target)
    issued: list[str] = []
    with HostileServer({("POST", TOKEN): _rotating_login(issued)}) as procore:
        run = run_against(procore.url, tmp_path, refresh_token_path=str(link))
    completed(run)
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text().strip() == issued[-1]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


# --- signals while a slow target reads --------------------------------------------------------


class SlowTarget:
    """A target that reads the tap's stdout a few kilobytes at a time, so the pipe stays full
    and the tap spends most of its time blocked in a write."""

    def __init__(self, stream: t.IO[bytes], chunk: int = 4096, pause: float = 0.004) -> None:
        self.received = bytearray()
        self._stream, self._chunk, self._pause = stream, chunk, pause
        self._grown = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            block = self._stream.read1(self._chunk)  # type: ignore[attr-defined]
            if not block:
                break
            with self._grown:
                self.received += block
                self._grown.notify_all()
            time.sleep(self._pause)
        with self._grown:
            self._grown.notify_all()

    def wait_for(self, size: int) -> None:
        with self._grown:
            assert self._grown.wait_for(
                lambda: len(self.received) >= size or not self._thread.is_alive(), GUARD_SECONDS
            )
        assert len(self.received) >= size, "the tap ended before the moment to signal it"

    def messages(self) -> list[dict]:
        self._thread.join(GUARD_SECONDS)
        assert not self._thread.is_alive(), "the tap never closed its output"
        data = bytes(self.received)
        assert data.endswith(b"\n"), f"output ends in a torn line: {data[-120:]!r}"
        return [json.loads(line) for line in data.splitlines()]


def start_tap(
    tmp_path: Path,
    config: dict,
    streams: t.Sequence[str],
    *,
    unbuffered: bool = False,
) -> subprocess.Popen[bytes]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "catalog.json").write_text(json.dumps(catalog_selecting(streams)))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"  # as Meltano runs plugins
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tap_procore.tap",
            "--config",
            str(tmp_path / "config.json"),
            "--catalog",
            str(tmp_path / "catalog.json"),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


SIGNAL_PROJECTS = project_rows(24)
RFIS_PER_PROJECT = 300
ALL_RFIS = {
    (p["id"], p["id"] * 100_000 + i) for p in SIGNAL_PROJECTS for i in range(RFIS_PER_PROJECT)
}


def rfi_keys(messages: list[dict]) -> list[tuple[int, int]]:
    return [
        (m["record"]["project_id"], m["record"]["id"])
        for m in messages
        if m["type"] == "RECORD" and m["stream"] == "rfis"
    ]


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("moment", [1, 400_000, 2_000_000], ids=["first-bytes", "early", "late"])
def test_sigterm_under_back_pressure_ends_with_whole_lines_and_a_true_state(
    tmp_path, moment, unbuffered
):
    """SIGTERM while the target reads slowly: whole lines, no record twice, a last STATE that
    claims only projects whose records were all written (the resumed run loses nothing)."""
    routes = projects_with_rfis(SIGNAL_PROJECTS, RFIS_PER_PROJECT, padding=300)
    with HostileServer(routes) as procore:
        config = base_config(procore.url, [COMPANY_ID], max_retries=2, request_timeout=30)
        with start_tap(
            tmp_path / "run", config, ["projects", "rfis"], unbuffered=unbuffered
        ) as process:
            assert process.stdout is not None and process.stderr is not None
            target = SlowTarget(process.stdout)
            target.wait_for(moment)
            process.send_signal(signal.SIGTERM)
            messages = target.messages()
            stderr = process.stderr.read().decode()
            assert process.wait(GUARD_SECONDS) == 128 + signal.SIGTERM, stderr[-3000:]
        resumed = run_against(
            procore.url,
            tmp_path / "resumed",
            streams=["projects", "rfis"],
            state=messages[-1].get("value") if messages else None,
        )
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "Stopped by signal 15" in stderr
    written = rfi_keys(messages)
    assert len(written) == len(set(written)), "records written twice"
    assert messages and messages[-1]["type"] == "STATE", "no STATE after the last record"
    completed(resumed)
    assert set(written) | set(rfi_keys(resumed.messages)) == ALL_RFIS


def test_sigterm_while_an_answer_is_held_ends_the_run_at_once(tmp_path):
    """A signal while the tap waits for Procore (here, an answer the server never sends) ends
    the run without waiting for the answer, with the last STATE."""
    released = threading.Event()
    routes = projects_with_rfis(SIGNAL_PROJECTS[:3], 5)
    stalled = SIGNAL_PROJECTS[2]["id"]

    def hold(handler: HostileHandler, exchange) -> None:
        released.wait(GUARD_SECONDS)

    routes[("GET", rfis_path(stalled))] = hold
    with HostileServer(routes) as procore:
        config = base_config(procore.url, [COMPANY_ID], max_retries=2, request_timeout=600)
        with start_tap(tmp_path, config, ["projects", "rfis"]) as process:
            assert process.stdout is not None and process.stderr is not None
            target = SlowTarget(process.stdout, pause=0)
            deadline = time.monotonic() + GUARD_SECONDS
            while not procore.hits(rfis_path(stalled)) and time.monotonic() < deadline:
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            try:
                # The answer is held until the tap has ended (or the guard has passed).
                returncode = process.wait(GUARD_SECONDS / 2)
            finally:
                released.set()
            messages = target.messages()
            stderr = process.stderr.read().decode()
    assert returncode == 128 + signal.SIGTERM, stderr[-3000:]
    assert "Traceback" not in stderr
    assert messages[-1]["type"] == "STATE"
    position = messages[-1]["value"]["bookmarks"]["projects"]["sweep"]["position"]
    assert position == [COMPANY_ID, SIGNAL_PROJECTS[1]["id"]]


def test_a_rotated_refresh_token_is_kept_from_an_answer_without_access_token(tmp_path):
    token_file = tmp_path / "refresh-token"
    token_file.write_text("first-refresh-token\n")
    issued: list[str] = []
    broken = [True]
    login = _rotating_login(issued, grants_access=lambda: not broken[0])
    with HostileServer({("POST", TOKEN): login}) as procore:
        first = run_against(procore.url, tmp_path / "1", refresh_token_path=str(token_file))
        kept = token_file.read_text().strip()
        broken[0] = False
        second = run_against(procore.url, tmp_path / "2", refresh_token_path=str(token_file))
    assert "no access_token" in stop_line(first)
    assert kept == issued[1], "the rotated refresh token was dropped"
    completed(second)
    assert token_file.read_text().strip() == issued[-1]


def test_two_jobs_sharing_a_refresh_token_file_take_turns(tmp_path):
    """The scale-out example: shards inherit refresh_token_path, and their tokens (living a
    second here) are renewed while the other job renews its own."""
    token_file = tmp_path / "refresh-token"
    token_file.write_text("first-refresh-token\n")
    issued: list[str] = []
    pages = 30

    def slow_pages(handler: HostileHandler, exchange) -> None:
        page = int(exchange.query.get("page", "1"))
        base = f"http://{handler.headers['Host']}{TRADES}"
        time.sleep(0.1)
        more = [("Link", f'<{base}?page={page + 1}>; rel="next"')] if page < pages else []
        reply(handler, 200, trade_rows(2, first_id=page * 10), more)

    login = _rotating_login(issued, delay=0.3, expires_in=1)
    with HostileServer({("POST", TOKEN): login, ("GET", TRADES): slow_pages}) as procore:
        runs: dict[str, t.Any] = {}
        jobs = [
            threading.Thread(
                target=lambda name=name: runs.__setitem__(
                    name,
                    run_against(procore.url, tmp_path / name, refresh_token_path=str(token_file)),
                )
            )
            for name in ("shard-1", "shard-2")
        ]
        for job in jobs:
            job.start()
        for job in jobs:
            job.join(GUARD_SECONDS)
    for run in runs.values():
        completed(run)
        assert len(run.records["trades"]) == 2 * pages
        assert "invalid_grant" not in run.stderr
    assert len(issued) >= 4, "the jobs did not renew their tokens while both were running"
    assert token_file.read_text().strip() == issued[-1]


# --- everything at once -----------------------------------------------------------------------


def test_whole_fault_suite_prints_no_traceback(tmp_path):
    """Every fault kind of the double, then a traceback check over every hostile probe above.

    The probes above each assert no traceback for their own run, and so does each recovered
    fault in tests/test_faults_and_auth.py; this test adds the double's fault kinds at a
    persistent rate, so that the failure path (not only the recovery) runs, and checks every
    stderr of the lot.
    """
    from tests.test_faults_and_auth import FAULTS, STREAMS

    stderrs: dict[str, str] = {}
    with spawn_double(hourly_limit=10**9, spike_limit=10**9, big_lists=[]) as double:
        company = double.control.tenant()["companies"][0]["id"]
        for name, fault in FAULTS.items():
            double.control.call("DELETE", "faults")
            double.control.add_faults({**fault, "times": 1000})
            config = base_config(
                double.url,
                [company],
                request_timeout=2,
                max_retries=2,
                max_rate_limit_wait=3,
                page_size=2,
                # The first failure ends the run: each kind's failure path runs once, not once
                # per scope (tests/test_faults_and_auth.py shows a run going on past one).
                fail_fast=True,
            )
            run = run_tap(tmp_path / name, config, streams=STREAMS, timeout=GUARD_SECONDS)
            stderrs[name] = run.stderr
            assert run.returncode in (0, 1), (name, run.stderr[-2000:])
    with_traceback = [name for name, text in stderrs.items() if "Traceback" in text]
    assert not with_traceback, with_traceback

"""The pieces that keep a hostile server harmless, one by one (tests/test_hostile.py runs them
end to end): dates and Procore's clock, state validation, failure descriptions, token files."""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import ssl
import stat
import threading
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
import requests
import requests_mock
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.singerlib import RecordMessage, StateMessage

from tap_procore import dates
from tap_procore.answers import header_count, why_not_json
from tap_procore.auth import (
    DEFAULT_TOKEN_LIFETIME,
    LONGEST_TOKEN_LIFETIME,
    ProcoreAuthenticator,
    check_refresh_token_file_replaceable,
    token_lifetime,
    unsendable,
    write_refresh_token_file,
)
from tap_procore.conform import without_lone_surrogates
from tap_procore.errors import ConfigError, FatalAPIError
from tap_procore.hierarchy import project_id_of
from tap_procore.http import DeadlineExceeded, describe_failure, origin
from tap_procore.pacing import RateGovernor
from tap_procore.paging import ReadRows
from tap_procore.redaction import SecretRedactor, printable_url
from tap_procore.stopping import StopGuard
from tap_procore.sweep import Scope, StateError, Sweep, validate_state
from tap_procore.transport import Transport
from tap_procore.writer import FlushAtStateWriter

NOW = dates.parse_timestamp("2026-06-01T12:00:00Z")


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01", "2024-01-01T00:00:00Z"),
        ("2024-01-01T00:00:00", "2024-01-01T00:00:00Z"),  # naive, as Meltano passes it: UTC
        ("2024-01-01 06:30:00", "2024-01-01T06:30:00Z"),
        ("2024-01-01T00:00:00.250000", "2024-01-01T00:00:00Z"),
        ("2024-01-01T02:00:00+02:00", "2024-01-01T00:00:00Z"),
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
    ],
)
def test_start_dates_as_people_and_meltano_write_them(text, expected):
    assert dates.format_timestamp(dates.parse_start_date(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "12:00",
        "2024",
        "2024-W01",
        "2024-13-01",
        "",
        5,
        None,
        "P1D",
        "\uff12\uff10\uff12\uff14-01-01",
    ],
)  # full-width digits
def test_what_is_not_a_date_time_is_refused(text):
    with pytest.raises(dates.DateError):
        dates.parse_start_date(text)


def test_a_window_is_never_reversed():
    assert dates.updated_at_range(NOW, NOW) == "2026-06-01T12:00:00Z...2026-06-01T12:00:00Z"
    with pytest.raises(ValueError, match="reversed"):
        dates.updated_at_range(NOW, NOW - dates.seconds(1))


def test_day_windows_cover_every_day_once():
    windows = dates.day_windows(NOW - dates.days(9), NOW, 4)
    assert windows == [
        ("2026-05-23", "2026-05-26"),
        ("2026-05-27", "2026-05-30"),
        ("2026-05-31", "2026-06-01"),
    ]
    assert dates.day_windows(NOW, NOW - dates.days(1), 4) == []


def test_procore_clock_follows_the_date_header_and_keeps_moving():
    local = [NOW.timestamp()]
    clock = dates.ProcoreClock(lambda: local[0])
    assert not clock.known and clock.now() == NOW
    clock.observe("Mon, 01 Jun 2026 11:55:00 GMT")  # Procore five minutes behind
    assert clock.known and clock.now() == NOW - dates.seconds(300)
    local[0] += 60
    assert clock.now() == NOW - dates.seconds(240)
    for nonsense in (None, "", "yesterday", "Mon, 99 Jun 2026 11:55:00 GMT"):
        clock.observe(nonsense)
    assert clock.now() == NOW - dates.seconds(240)
    # A Date ahead of this machine (a proxy's, a wrong clock): windows still end no later.
    clock.observe("Fri, 01 Jan 2100 00:00:00 GMT")
    assert clock.now() == NOW + dates.seconds(60)


# --- the sweep: overlap, clamps and state validation ----------------------------------------


def covered_state(bookmark: str) -> dict:
    return {
        "bookmarks": {
            "rfis": {"replication_key": "updated_at", "replication_key_value": bookmark},
            "projects": {
                "covered": {
                    "companies": {"2020-01-01T00:00:00Z": [7]},
                    "projects": {"2020-01-01T00:00:00Z": [1]},
                }
            },
        }
    }


def test_windows_start_the_overlap_before_the_bookmark():
    sweep = Sweep(
        covered_state("2026-06-01T10:00:00Z"),
        company_ids=[7],
        start_date=None,
        now=NOW,
        overlap_seconds=300,
    )
    assert sweep.lower_bound(["rfis"], Scope(7, 1)) == dates.parse_timestamp("2026-06-01T09:55:00Z")


def test_a_bookmark_ahead_of_procore_is_clamped_once_with_a_warning(caplog):
    sweep = Sweep(covered_state("2100-01-01T00:00:00Z"), company_ids=[7], start_date=None, now=NOW)
    with caplog.at_level(logging.WARNING, logger="tap-procore"):
        lowers = [sweep.lower_bound(["rfis"], Scope(7, 1)) for _ in range(3)]
    assert lowers == [NOW] * 3
    assert len([r for r in caplog.records if "ahead of Procore's clock" in r.getMessage()]) == 1


def test_an_unfinished_sweep_from_the_future_is_started_again(caplog):
    state = {
        "bookmarks": {
            "projects": {
                "sweep": {
                    "upper": "2100-01-01T00:00:00Z",
                    "companies": [7],
                    "position": [7, 1],
                    "streams": ["rfis"],
                    "new_companies": [],
                    "new_projects": [],
                    "skipped": {},
                }
            }
        }
    }
    with caplog.at_level(logging.WARNING, logger="tap-procore"):
        sweep = Sweep(state, company_ids=[7], start_date=None, now=NOW)
    assert not sweep.resumed and sweep.upper == NOW
    assert "ahead of Procore's clock" in caplog.text


@pytest.mark.parametrize(
    ("state", "key"),
    [
        ([1, 2], "state"),
        ({"bookmarks": []}, "bookmarks"),
        (
            {"bookmarks": {"rfis": {"replication_key_value": 17}}},
            "bookmarks.rfis.replication_key_value",
        ),
        ({"bookmarks": {"rfis": {"swept_through": "soon"}}}, "bookmarks.rfis.swept_through"),
        ({"bookmarks": {"rfis": {"replication_key": 3}}}, "bookmarks.rfis.replication_key"),
        (
            {"bookmarks": {"projects": {"covered": {"companies": {"x": [1]}}}}},
            "bookmarks.projects.covered.companies.x",
        ),
        (
            {
                "bookmarks": {
                    "projects": {
                        "sweep": {
                            "upper": "2026-01-01T00:00:00Z",
                            "companies": [1],
                            "position": [1],
                        }
                    }
                }
            },
            "bookmarks.projects.sweep.position",
        ),
        (
            {
                "bookmarks": {
                    "projects": {
                        "sweep": {
                            "upper": "2026-01-01T00:00:00Z",
                            "companies": [1],
                            "skipped": {"rfis": [True]},
                        }
                    }
                }
            },
            "bookmarks.projects.sweep.skipped.rfis",
        ),
    ],
)
def test_state_of_the_wrong_shape_names_the_key(state, key):
    with pytest.raises(StateError) as caught:
        validate_state(state)
    assert caught.value.key == key
    assert "\n" not in str(caught.value)


def test_states_this_tap_writes_are_valid():
    state: dict = {}
    sweep = Sweep(state, company_ids=[7], start_date=None, now=NOW)
    sweep.enrol(["rfis"])
    sweep.finish_scope(Scope(7))
    sweep.finish_scope(Scope(7, 1))
    validate_state(state)  # mid-sweep
    sweep.complete(incremental={"rfis": "updated_at"}, descendants=["rfi_replies"])
    validate_state(state)
    validate_state({})
    validate_state({"bookmarks": {}})


# --- paging ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (" 7 ", 7), ("²", None), ("٣", None), ("-1", None), ("1e3", None), (None, None)],
)
def test_counts_are_ascii_digits_only(value, expected):
    assert header_count(value) == expected


def test_rows_are_told_apart_by_id_and_pages_without_ids_by_their_bytes():
    read = ReadRows()
    page = [{"id": 1}, {"id": 2}]
    assert read.fresh(page) == page
    assert read.fresh(page) == [] and read.all_seen(page)
    read.start_again()
    assert not read.all_seen(page)  # a second read of the listing starts its own count
    shapeless = ReadRows()
    assert not shapeless.page_seen_before([{"name": "a"}])
    assert shapeless.page_seen_before([{"name": "a"}])
    assert shapeless.fresh([{"name": "a"}, {"name": "a"}]) == [{"name": "a"}, {"name": "a"}]
    assert not shapeless.identified and shapeless.distinct == 2


# --- failures named for what they are ----------------------------------------------------------


def test_origins_differ_by_scheme_host_and_port():
    assert origin("https://api.procore.com/x") == origin("https://API.procore.com:443/y?z")
    assert origin("https://api.procore.com/x") != origin("http://api.procore.com/x")
    assert origin("https://api.procore.com/x") != origin("https://api.procore.com:8443/x")
    assert origin("https://api.procore.com/x") != origin("https://evil.example/x")


def _wrapped(cause: BaseException) -> requests.exceptions.ConnectionError:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise requests.exceptions.ConnectionError(inner) from inner
    except requests.exceptions.ConnectionError as outer:
        return outer


URL = "https://api.procore.com/rest/v1.0/companies"


@pytest.mark.parametrize(
    ("cause", "words", "transient"),
    [
        (
            socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
            ["cannot resolve api.procore.com", "DNS"],
            False,
        ),
        (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"), ["DNS"], True),
        (
            ssl.SSLCertVerificationError(1, "certificate verify failed"),
            ["TLS verification failed for api.procore.com"],
            False,
        ),
        (
            ConnectionRefusedError(errno.ECONNREFUSED, "refused"),
            ["connection to api.procore.com refused"],
            True,
        ),
        (
            ConnectionResetError(errno.ECONNRESET, "reset"),
            ["connection to api.procore.com closed"],
            True,
        ),
    ],
)
def test_connection_failures_name_the_host_and_the_kind(cause, words, transient):
    text, may_pass = describe_failure(_wrapped(cause), URL)
    assert all(word in text for word in words), text
    assert may_pass is transient


def test_a_missed_deadline_says_so():
    text, may_pass = describe_failure(
        DeadlineExceeded("no complete answer from api.procore.com within 2s"), URL
    )
    assert text == "no complete answer from api.procore.com within 2s" and may_pass


# --- tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3600, 3600),
        ("7200", 7200),
        (float("inf"), LONGEST_TOKEN_LIFETIME),
        (10**400, DEFAULT_TOKEN_LIFETIME),
        (-5, DEFAULT_TOKEN_LIFETIME),
        (0, DEFAULT_TOKEN_LIFETIME),
        (float("nan"), DEFAULT_TOKEN_LIFETIME),
        ("soon", DEFAULT_TOKEN_LIFETIME),
        (None, DEFAULT_TOKEN_LIFETIME),
        (True, DEFAULT_TOKEN_LIFETIME),
        (10**9, LONGEST_TOKEN_LIFETIME),
    ],
)
def test_token_lifetimes_of_any_value_are_finite_and_positive(value, expected):
    assert token_lifetime(value) == expected


def test_a_symlinked_token_file_is_written_through(tmp_path):
    target = tmp_path / "volume" / "token"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "token-link"
    link.symlink_to(target)
    write_refresh_token_file(link, "new")
    assert link.is_symlink() and target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_folder_that_cannot_take_a_file_is_refused_before_any_login(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    with pytest.raises(ConfigError, match="refresh_token_path") as caught:
        check_refresh_token_file_replaceable(not_a_folder / "token")
    assert str(not_a_folder) in str(caught.value)
    check_refresh_token_file_replaceable(tmp_path / "token")  # a writable folder passes
    assert [p.name for p in tmp_path.iterdir()] == ["file"]  # and the probe is gone


def test_a_token_that_cannot_be_saved_leaves_the_old_file_and_says_what_to_do(
    tmp_path, monkeypatch
):
    token_file = tmp_path / "token"
    token_file.write_text("old-refresh-token\n")
    auth = _authenticator(token_file)

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(FatalAPIError) as caught:
        auth._save_refresh_token("new-refresh-token")
    message = str(caught.value)
    assert "could not be saved" in message and "No space left" in message
    assert "authorise the app again" in message
    assert token_file.read_text() == "old-refresh-token\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["token"]  # no half-written file left


def test_rate_limit_headers_that_are_not_numbers_are_ignored():
    pacer = RateGovernor()
    for value in ("inf", "-inf", "nan", "1e999", "²", ""):
        pacer.observe(
            "1",
            {
                "X-Rate-Limit-Limit": value,
                "X-Rate-Limit-Remaining": value,
                "X-Rate-Limit-Reset": value,
            },
        )
    pacer.before_request("1")  # no window was recorded: nothing to wait for
    assert pacer.stats.waits == 0


# --- output when a signal comes --------------------------------------------------------------


class _SlowPipe:
    """stdout on a pipe a slow target drains: each write takes at most `piece` bytes, and the
    first `fail_after` writes succeed before one is interrupted by an error."""

    def __init__(self, piece: int, fail_after: int | None = None) -> None:
        self.data = bytearray()
        self.piece = piece
        self.fail_after = fail_after
        self.writes = 0
        self.on_write: list = []

    def write(self, chunk) -> int:
        self.writes += 1
        if self.fail_after is not None and self.writes > self.fail_after:
            self.fail_after = None
            raise InterruptedError("interrupted")
        taken = bytes(chunk[: self.piece])
        self.data += taken
        for hook in self.on_write:
            hook()
        return len(taken)

    def flush(self) -> None:
        pass

    def lines(self) -> list[dict]:
        assert self.data.endswith(b"\n"), self.data[-80:]
        return [json.loads(line) for line in self.data.splitlines()]


@pytest.fixture
def slow_stdout(monkeypatch):
    def install(piece: int, fail_after: int | None = None) -> _SlowPipe:
        pipe = _SlowPipe(piece, fail_after)
        monkeypatch.setattr("sys.stdout", SimpleNamespace(buffer=pipe, flush=lambda: None))
        return pipe

    return install


def _record(number: int) -> RecordMessage:
    return RecordMessage(stream="rfis", record={"id": number, "subject": "x" * 50})


def test_a_block_cut_by_an_error_is_never_written_twice(slow_stdout):
    pipe = slow_stdout(piece=100, fail_after=3)
    writer = FlushAtStateWriter()
    for number in range(20):
        writer.write_message(_record(number))
    with pytest.raises(InterruptedError):
        writer.flush()
    writer.flush()  # as at exit
    ids = [message["record"]["id"] for message in pipe.lines()]
    assert ids == list(range(20))


def test_a_signal_mid_block_ends_with_the_cut_line_and_the_last_state_written(slow_stdout):
    pipe = slow_stdout(piece=100)
    writer = FlushAtStateWriter()
    writer.stop_guard = guard = StopGuard()
    writer.starting_state({"bookmarks": {"rfis": {"at": "start"}}})
    writer.write_message(_record(0))
    writer.write_message(StateMessage(value={"bookmarks": {"rfis": {"at": "record 0"}}}))
    for number in range(1, 20):
        writer.write_message(_record(number))
    # The signal comes while the block is being written: the handler cannot stop here.
    pipe.on_write.append(lambda: guard.request(writer.end_after_signal))
    writer.write_message(StateMessage(value={"bookmarks": {"rfis": {"at": "record 19"}}}))
    messages = pipe.lines()
    assert messages[-1] == {"type": "STATE", "value": {"bookmarks": {"rfis": {"at": "record 0"}}}}
    ids = [m["record"]["id"] for m in messages if m["type"] == "RECORD"]
    assert ids == list(range(len(ids))) and len(ids) < 20
    writer.write_message(_record(99))  # nothing after the end
    writer.flush()
    assert pipe.lines() == messages


def test_a_signal_before_any_state_ends_with_the_state_the_run_started_from(slow_stdout):
    pipe = slow_stdout(piece=10_000)
    writer = FlushAtStateWriter()
    writer.stop_guard = guard = StopGuard()
    writer.starting_state({"bookmarks": {"rfis": {"at": "start"}}})
    writer.write_message(_record(0))  # not yet written: no STATE vouches for it
    guard.request(writer.end_after_signal)
    assert pipe.lines() == [{"type": "STATE", "value": {"bookmarks": {"rfis": {"at": "start"}}}}]


def test_a_stop_waits_for_a_section_another_thread_is_in():
    guard = StopGuard()
    inside, leave = threading.Event(), threading.Event()
    events: list[str] = []

    def rotate_token() -> None:
        with guard.protect():
            inside.set()
            leave.wait(30)
            events.append("token saved")

    worker = threading.Thread(target=rotate_token)
    worker.start()
    inside.wait(30)
    threading.Timer(0.2, leave.set).start()
    guard.request(lambda: events.append("stopped"))
    worker.join(30)
    assert events == ["token saved", "stopped"]
    guard.request(lambda: events.append("stopped again"))  # a second signal changes nothing
    assert events == ["token saved", "stopped"]


def test_a_stop_inside_a_section_of_the_main_thread_runs_as_it_ends():
    guard = StopGuard()
    events: list[str] = []
    with guard.protect():
        with guard.protect():
            guard.request(lambda: events.append("stopped"))
            events.append("inner section ends")
        events.append("outer section ends")
    assert events == ["inner section ends", "outer section ends", "stopped"]


# --- text that cannot be written as it came ------------------------------------------------


def test_lone_surrogates_become_replacement_characters_keys_included():
    body = json.loads('[{"a": "x \\ud83d", "\\udc00": ["\\ud83d\\ude00", 1, null]}]')
    assert without_lone_surrogates(body) == [{"a": "x \ufffd", "\ufffd": ["\U0001f600", 1, None]}]


def test_a_body_that_is_not_utf8_is_named_with_the_offending_byte():
    assert why_not_json(b'["Caf\xe9"]') == (
        "response body is not UTF-8 text: byte 0xe9 at byte offset 5 of 8 "
        "(invalid continuation byte)"
    )
    assert why_not_json(b'[{"id": 1},') == "response body is not valid JSON"


# --- tokens: what cannot be sent, rotations, shared files, every printed form ----------------


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("abc123\r\n", "line break"),
        ("abc\u2603123", "outside printable ASCII"),
        ("abc\u00e9123", "outside printable ASCII"),  # Latin-1, but no OAuth token has it
        ("abc 123", "space or tab"),
        ("abc\x00123", "control characters"),
        ("", "empty"),
    ],
)
def test_access_tokens_that_cannot_be_sent_are_named_for_their_problem(token, problem):
    assert problem in (unsendable(token) or "")


def test_access_tokens_procore_issues_can_be_sent():
    assert unsendable("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2lnbmF0dXJl-_~+/=") is None


def _authenticator(token_file) -> ProcoreAuthenticator:
    """An authenticator with a refresh token kept in `token_file`."""
    return ProcoreAuthenticator(
        token_url="https://login.example.com/oauth/token",
        client_id="id",
        client_secret="secret-value",
        transport=Transport(governor=RateGovernor(), max_retries=2, max_rate_limit_wait=10),
        session=requests.Session(),
        timeout=5,
        refresh_token_path=str(token_file),
    )


def _refresh_login(token_file, answers):
    """An authenticator on `token_file`, its login answering from `answers` (sent token ->
    callable(context) -> body)."""
    auth = _authenticator(token_file)

    def answer(request, context):
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        try:
            sent = json.loads(body)["refresh_token"]
        except ValueError:  # the form encoding the tap tries after a refusal
            sent = parse_qs(body)["refresh_token"][0]
        return answers[sent](context)

    return auth, answer


def test_an_answer_without_access_token_still_leaves_its_rotated_refresh_token(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("refresh-1\n")

    def rotated_only(context):
        return {"refresh_token": "refresh-2"}

    auth, answer = _refresh_login(token_file, {"refresh-1": rotated_only})
    with requests_mock.Mocker() as mock:
        mock.post("https://login.example.com/oauth/token", json=answer)
        with pytest.raises(RetriableAPIError, match="no access_token"):
            auth.update_access_token()
    assert token_file.read_text() == "refresh-2\n"
    assert auth.refresh_token == "refresh-2"


def test_a_refusal_after_the_file_changed_is_tried_once_with_the_files_token(tmp_path):
    """Someone who does not take the lock (an older tap, a person) replaced the file while this
    login was on its way: Procore refuses the token this job sent, the file's works."""
    token_file = tmp_path / "token"
    token_file.write_text("refresh-1\n")

    def stale(context):
        token_file.write_text("refresh-2\n")  # the other writer, meanwhile
        context.status_code = 401
        return {"error": "invalid_grant"}

    def fresh(context):
        return {"access_token": "access-ok", "refresh_token": "refresh-3", "expires_in": 5400}

    auth, answer = _refresh_login(token_file, {"refresh-1": stale, "refresh-2": fresh})
    with requests_mock.Mocker() as mock:
        mock.post("https://login.example.com/oauth/token", json=answer)
        auth.update_access_token()
    assert auth.access_token == "access-ok"
    assert token_file.read_text() == "refresh-3\n"


def test_a_refusal_with_the_file_unchanged_is_final(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("refresh-1\n")

    def refused(context):
        context.status_code = 401
        return {"error": "invalid_grant"}

    auth, answer = _refresh_login(token_file, {"refresh-1": refused})
    with requests_mock.Mocker() as mock:
        mock.post("https://login.example.com/oauth/token", json=answer)
        with pytest.raises(FatalAPIError, match="invalid_grant"):
            auth.update_access_token()
        # JSON, then the form encoding once: no third try with the same token.
        assert mock.call_count == 2


def test_a_refresh_reads_the_token_another_job_saved(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("refresh-1\n")

    def fresh(context):
        return {"access_token": "access-ok", "refresh_token": "refresh-3", "expires_in": 5400}

    auth, answer = _refresh_login(token_file, {"refresh-2": fresh})
    token_file.write_text("refresh-2\n")  # the other shard rotated it after this one started
    with requests_mock.Mocker() as mock:
        mock.post("https://login.example.com/oauth/token", json=answer)
        auth.update_access_token()
    assert token_file.read_text() == "refresh-3\n"
    assert (tmp_path / "token.lock").exists()


@pytest.mark.parametrize(
    "printed",
    [
        "Invalid header value: 'Bearer tok-5f4e3d2c\\r\\n'",  # repr of the str
        "b'Bearer tok-5f4e3d2c\\r\\n'",  # repr of the bytes
        '{"access_token": "tok-5f4e3d2c\\r\\n"}',  # JSON
        "refresh_token=tok-5f4e3d2c%0D%0A",  # a form body
        "Bearer tok-5f4e3d2c",  # the token without its line break
    ],
)
def test_every_printed_form_of_a_secret_is_redacted(printed):
    redactor = SecretRedactor(lambda: ["tok-5f4e3d2c\r\n"])
    assert "5f4e3d2c" not in redactor.scrub(printed)


@pytest.mark.parametrize(
    ("text", "printable"),
    [
        ("http://user:pa55word@127.0.0.1:8080/oauth/token", "http://127.0.0.1:8080/oauth/token"),
        ("https://u:p@ss@proxy.example/x?y=1", "https://proxy.example/x?y=1"),
        ("at https://api.procore.com/rest a@b", "at https://api.procore.com/rest a@b"),
        ("see 'http://me:secret@host' and http://x:y@z/", "see 'http://host' and http://z/"),
    ],
)
def test_urls_are_printed_without_userinfo(text, printable):
    assert printable_url(text) == printable


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (101, 101),
        ("101", 101),
        (" 102 ", 102),
        ("\u00b2", None),  # a digit to str.isdigit, not a number
        ("P-103", None),
        ("-3", None),
        (True, None),
        (None, None),
        (101.0, None),
    ],
)
def test_project_ids_are_numbers_or_numbers_in_text(value, expected):
    assert project_id_of({"id": value}) == expected

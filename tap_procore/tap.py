"""tap-procore: settings, the stream registry, and the services one run shares."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import PurePath

import requests
import simplejson
from singer_sdk.helpers.capabilities import PluginCapabilities, TapCapabilities

from tap_procore import DISTRIBUTION, dates
from tap_procore.auth import ProcoreAuthenticator
from tap_procore.budget import BudgetReached, RunBudget
from tap_procore.config import (
    CONFIG_SCHEMA,
    DEFAULT_FULL_SWEEP_DAYS,
    DEFAULT_WINDOW_OVERLAP_SECONDS,
    parse_shard,
    resolve_endpoints,
    settings_from_environment,
    unknown_settings,
    validate_config,
)
from tap_procore.deletes import DeletedRows
from tap_procore.errors import ProcoreError, ScopeFailure, ScopeUnavailable
from tap_procore.http import DEFAULT_MAX_RESPONSE_BYTES, ProcoreSession
from tap_procore.pacing import RateGovernor
from tap_procore.redaction import SecretRedactor
from tap_procore.report import RunReport
from tap_procore.run import Http
from tap_procore.scopes import ScopeGate
from tap_procore.sdk_private import PrivateTapHooks
from tap_procore.stopping import STOP
from tap_procore.streams import STREAM_TYPES
from tap_procore.sweep import HOLDER_STREAM, Scope, StateError, Sweep, validate_state
from tap_procore.tools import ToolRegistry
from tap_procore.transport import Transport
from tap_procore.webhooks_api import build_feed
from tap_procore.writer import FlushAtStateWriter

if t.TYPE_CHECKING:
    from tap_procore.client import ProcoreStream
    from tap_procore.config import Endpoints
    from tap_procore.feed import ChangeFeed
    from tap_procore.hierarchy import CompaniesStream

logger = logging.getLogger("tap-procore")


class TapProcore(PrivateTapHooks):
    """Singer tap for Procore: every company, project and tool, paced inside the rate limit."""

    name = "tap-procore"
    package_name = DISTRIBUTION  # --version and --about read its installed metadata
    config_jsonschema = CONFIG_SCHEMA
    message_writer_class = FlushAtStateWriter
    # ACTIVATE_VERSION per child partition would soft-delete rows of projects not yet synced
    # (SDK pitfall P15), and BATCH buys nothing with target-postgres: neither is offered.
    capabilities: t.ClassVar = [
        TapCapabilities.CATALOG,
        TapCapabilities.STATE,
        TapCapabilities.DISCOVER,
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
        PluginCapabilities.STRUCTURED_LOGGING,
    ]

    #: False in the helper commands (tap-procore-plan, tap-procore-webhooks): they read Procore
    #: but write no records, so warnings about how records are written would only be noise.
    writes_records = True

    def __init__(self, *args: t.Any, state: t.Any = None, **kwargs: t.Any) -> None:
        # The SDK takes anything that is not a dict for a file name ([1, 2] from a state file
        # ends in a traceback); a state must be a JSON object.
        if state is not None and not isinstance(state, (dict, str, PurePath)):
            raise StateError("state", f"must be a JSON object, got {type(state).__name__}")
        super().__init__(*args, state=state, **kwargs)
        # The first checkpoint comes one interval into the run, not with the first project.
        self._last_checkpoint = time.monotonic()
        # A signal before the first checkpoint ends the output with the state the run got.
        if isinstance(self.message_writer, FlushAtStateWriter):
            self.message_writer.starting_state(self.state)
        # A run's log is for people: per-request METRIC lines and the SDK's per-stream
        # bookkeeping come back with LOGLEVEL=DEBUG.
        if self.logger.getEffectiveLevel() > logging.DEBUG:
            self.metrics_logger.setLevel(logging.WARNING)
            self.logger.addFilter(_quiet_sdk_bookkeeping)

    def discover_streams(self) -> list[ProcoreStream]:
        return [stream_class(tap=self) for stream_class in STREAM_TYPES]

    def stream(self, name: str) -> ProcoreStream:
        """A stream of this run, typed as what every stream of this tap is."""
        return t.cast("ProcoreStream", self.streams[name])

    def load_state(self, state: dict[str, t.Any]) -> None:
        # One line naming the first key of the wrong shape, before the SDK or the sweep reads it.
        validate_state(state)
        super().load_state(state)

    @classmethod
    def environment_config(cls, prefix: str) -> dict[str, t.Any]:
        """TAP_PROCORE_* settings, typed by the settings schema (Meltano passes every value as
        text); a bad value stops with one line naming the setting."""
        # A .env file beside the project counts as environment, as it does for the SDK.
        from dotenv import find_dotenv, load_dotenv

        load_dotenv(find_dotenv(usecwd=True), override=False)
        schema = cls.config_jsonschema
        cls.append_builtin_config(schema)
        return settings_from_environment(os.environ, schema, prefix)

    def check_config(self) -> None:
        # Our own check first: one line that names the setting, before any request.
        validate_config(self.config)
        schema = json.loads(json.dumps(self.config_jsonschema))
        self.append_builtin_config(schema)  # stream maps, flattening: the SDK's own settings
        for line in unknown_settings(self.config, schema["properties"]):
            logger.warning(line)

    # --- services shared by every stream of a run ------------------------------------------

    @cached_property
    def endpoints(self) -> Endpoints:
        return resolve_endpoints(self.config)

    @cached_property
    def user_agent(self) -> str:
        return self.config.get("user_agent") or f"tap-procore/{self.plugin_version}"

    @cached_property
    def redactor(self) -> SecretRedactor:
        redactor = SecretRedactor(self._current_secrets)
        redactor.install()
        return redactor

    def _current_secrets(self) -> list[str]:
        secrets = [self.config.get("client_secret"), self.config.get("refresh_token")]
        if "authenticator" in self.__dict__:
            secrets += [self.authenticator.access_token, self.authenticator.refresh_token]
        return [secret for secret in secrets if isinstance(secret, str) and len(secret) >= 6]

    @property
    def _max_response_bytes(self) -> int:
        return int(self.config.get("max_response_bytes") or DEFAULT_MAX_RESPONSE_BYTES)

    @cached_property
    def http_session(self) -> requests.Session:
        # API requests follow redirects within api_url's origin only.
        return ProcoreSession(
            user_agent=self.user_agent,
            max_response_bytes=self._max_response_bytes,
            follow_redirects=True,
            pool_size=int(self.config.get("max_workers") or 1),
        )

    def _login_session(self) -> requests.Session:
        # A login carries client_secret and the refresh token: it is never forwarded.
        return ProcoreSession(
            user_agent=self.user_agent,
            max_response_bytes=self._max_response_bytes,
            follow_redirects=False,
        )

    @cached_property
    def page_pool(self) -> ThreadPoolExecutor:
        """Threads that fetch the next pages of listings while records are processed."""
        workers = int(self.config.get("max_workers") or 1)
        return ThreadPoolExecutor(max_workers=max(2, workers), thread_name_prefix="procore-page")

    @property
    def _max_rate_limit_wait(self) -> float:
        return float(self.config.get("max_rate_limit_wait", 4 * 3600))

    @cached_property
    def governor(self) -> RateGovernor:
        return RateGovernor(
            max_requests_per_hour=self.config.get("max_requests_per_hour"),
            max_rate_limit_wait=self._max_rate_limit_wait,
        )

    @cached_property
    def transport(self) -> Transport:
        return Transport(
            governor=self.governor,
            max_retries=int(self.config.get("max_retries") or 8),
            max_rate_limit_wait=self._max_rate_limit_wait,
        )

    @cached_property
    def authenticator(self) -> ProcoreAuthenticator:
        _ = self.redactor
        return ProcoreAuthenticator(
            token_url=self.endpoints.token_url,
            client_id=self.config["client_id"],
            client_secret=self.config["client_secret"],
            refresh_token=self.config.get("refresh_token"),
            refresh_token_path=self.config.get("refresh_token_path"),
            transport=self.transport,
            # Its own session: the API session authenticates every request it prepares.
            session=self._login_session(),
            timeout=float(self.config.get("request_timeout") or 300),
        )

    @cached_property
    def report(self) -> RunReport:
        return RunReport(progress_interval=float(self.config.get("progress_interval", 60)))

    @cached_property
    def sweep(self) -> Sweep:
        start = self.config.get("start_date")
        clock = self.transport.procore_clock
        if not clock.known:
            logger.warning(
                "Procore's answers carry no Date header: windows end at this machine's clock"
            )
        overlap = self.config.get("window_overlap_seconds")
        sweep = Sweep(
            t.cast(dict[str, t.Any], self.state),  # the SDK's TypedDict: the same dict
            company_ids=list(self.config["company_ids"]),
            start_date=dates.parse_start_date(start) if start else None,
            now=clock.now(),
            overlap_seconds=float(DEFAULT_WINDOW_OVERLAP_SECONDS if overlap is None else overlap),
            on_progress=self.checkpoint,
        )
        sweep.enrol(
            stream.name
            for stream in self.streams.values()
            if stream.selected or stream.has_selected_descendents
        )
        if sweep.resumed:
            logger.info("Resuming the unfinished sweep up to %s", sweep.upper.isoformat())
        return sweep

    @cached_property
    def feed(self) -> ChangeFeed | None:
        """The change feed of this run (tap_procore/feed.py), when `change_feed` is on."""
        if not self.config.get("change_feed"):
            return None
        overlap = self.config.get("window_overlap_seconds")
        holder = self.state.setdefault("bookmarks", {}).setdefault(HOLDER_STREAM, {})
        return build_feed(
            self,
            holder=holder,
            overlap=dates.seconds(
                float(DEFAULT_WINDOW_OVERLAP_SECONDS if overlap is None else overlap)
            ),
            full_sweep_days=int(
                self.config.get("change_feed_full_sweep_days") or DEFAULT_FULL_SWEEP_DAYS
            ),
            full_sweep_requested=bool(self.config.get("change_feed_full_sweep")),
        )

    def _start_feed(self) -> None:
        """Hooks and triggers before the sweep's upper bound is fixed (a trigger first seen now
        then predates the bookmark this sweep writes), deliveries after it."""
        feed = self.feed
        if feed is None:
            return
        feed.read_hooks()
        sweep = self.sweep
        bookmarks = {}
        for root in feed.roots:
            stream = self.stream(root)
            values = [sweep.bookmark_of(name) for name in stream.coverage_streams()]
            known = [value for value in values if value is not None]
            bookmarks[root] = min(known) if known and len(known) == len(values) else None
        feed.plan(upper=sweep.upper, bookmarks=bookmarks)

    @cached_property
    def scopes(self) -> ScopeGate:
        """Whether each scope is read, and those not read whole (tap_procore/scopes.py)."""
        return ScopeGate(
            sweep=self.sweep,
            report=self.report,
            descendants=self.selected_descendants,
            successes=lambda: self.transport.stats.successes,
            tools=lambda: self.tools,
            feed=self.feed,
            fail_fast=bool(self.config.get("fail_fast")),
            shard=parse_shard(self.config["shard"]) if self.config.get("shard") else None,
        )

    @cached_property
    def budget(self) -> RunBudget:
        minutes = self.config.get("max_run_minutes")
        return RunBudget(
            max_requests=self.config.get("max_requests_per_run"),
            max_minutes=None if minutes is None else float(minutes),
            requests_sent=lambda: self.transport.stats.requests,
        )

    @cached_property
    def http(self) -> Http:
        return Http(
            endpoints=self.endpoints,
            user_agent=self.user_agent,
            session=self.http_session,
            authenticator=self.authenticator,
            pool=self.page_pool,
        )

    def selected_descendants(self, stream_name: str) -> list[str]:
        """The selected streams below `stream_name`, which read its records' children."""
        return [stream.name for stream in self.stream(stream_name).active_descendants()]

    @cached_property
    def deleted_rows(self) -> DeletedRows:
        return DeletedRows()

    @cached_property
    def tools(self) -> ToolRegistry:
        tools_stream = self.stream("project_tools")
        tool_streams = [
            stream
            for stream in self.streams.values()
            if getattr(stream, "tool", None)
            and (stream.selected or stream.has_selected_descendents)
        ]

        def fetch(scope: Scope) -> list[dict[str, t.Any]]:
            context = {"company_id": scope.company_id, "project_id": scope.project_id}
            return list(tools_stream.request_records(context))

        return ToolRegistry(
            fetch, tool_streams=len(tool_streams), list_selected=tools_stream.selected
        )

    @cached_property
    def _parent_id_cache(
        self,
    ) -> dict[tuple[str, Scope], list[tuple[t.Any, dict[str, t.Any]]] | Exception]:
        return {}

    def parent_ids(self, stream_name: str, scope: Scope) -> list[tuple[t.Any, dict[str, t.Any]]]:
        """What every record of `stream_name` gives the streams that read it (ids_from): its
        `child_id_field` and its `child_fields`. Read once per scope (once per company for a
        company-level source) and shared by every stream that needs them (contract ids for
        payments, RFQs and change orders; generic tools; workflow tool types).

        A source that is refused or cannot be read whole raises, for every stream that needs
        it, `ScopeUnavailable` or a `ScopeFailure` naming it: a stream whose ids are not all
        known has not read its scope, and keeps its old bookmark there."""
        source = self.stream(stream_name)
        project_level = "{project_id}" in source.path or any(
            "{project_id}" in value for value in source.query.values()
        )
        if not project_level:
            scope = Scope(scope.company_id)
        key = (stream_name, scope)
        if key not in self._parent_id_cache:
            self._parent_id_cache[key] = self._read_parent_ids(source, scope)
        found = self._parent_id_cache[key]
        if isinstance(found, ScopeUnavailable):
            raise ScopeUnavailable(
                found.status, f"{found.reason} (its ids come from {stream_name})"
            )
        if isinstance(found, Exception):
            raise type(found)(f"its ids come from {stream_name}, which failed: {found}")
        return found

    def _read_parent_ids(
        self, source: ProcoreStream, scope: Scope
    ) -> list[tuple[t.Any, dict[str, t.Any]]] | Exception:
        context: dict[str, t.Any] = {"company_id": scope.company_id}
        if scope.project_id is not None:
            context["project_id"] = scope.project_id
        try:
            records = list(source.request_records(context))
        except (ScopeUnavailable, ScopeFailure) as exc:
            return exc
        id_field, fields = source.child_id_field, source.child_fields
        return [
            (record[id_field], {name: record.get(field) for name, field in fields.items()})
            for record in records
            if record.get(id_field) is not None
        ]

    def forget_scope(self, scope: Scope) -> None:
        """A scope is finished: drop what was cached for it."""
        self.tools.forget(scope)
        for key in [key for key in self._parent_id_cache if key[1] == scope]:
            del self._parent_id_cache[key]

    # --- state checkpoints -------------------------------------------------------------------

    _last_checkpoint: float = 0.0

    def checkpoint(self, *, force: bool = False) -> None:
        """Write STATE if due; the state dict is consistent at every moment it can be called."""
        now = time.monotonic()
        interval = float(self.config.get("state_message_interval", 30))
        if force or now - self._last_checkpoint >= interval:
            self._last_checkpoint = now
            self.state_writer.write_state(self.state)
        # Whatever a finished partition wrote goes out now, not at the next STATE.
        t.cast(FlushAtStateWriter, self.message_writer).flush()
        self.report.maybe_log_progress(self.transport.stats, self.governor.stats)

    def sync_all(self) -> None:  # type: ignore[misc]  # final in the SDK; extended, not replaced
        try:
            # A wrong company id stops the run before any company is extracted.
            t.cast("CompaniesStream", self.streams["companies"]).check_companies()
            self._start_feed()
            super().sync_all()
        except BudgetReached as exc:
            self.stop_at_budget(str(exc))
            return
        # Reached only when every selected stream returned; the sweep knows whether every
        # configured company was walked to the end (it is not when no stream is selected).
        if self.sweep.visited_everything:
            self.complete_sweep()

    def stop_at_budget(self, spent: str) -> None:
        """The run's budget is spent: the sweep so far is saved, and the next run continues it."""
        self.checkpoint(force=True)
        for line in self.report.summary_lines(self.transport.stats, self.governor.stats):
            logger.info(line)
        logger.info(
            "Stopped at the run's budget (%s) in %s; the state is saved and the next run "
            "continues this sweep (up to %s) from there",
            spent,
            self.report.where_now(),
            dates.format_timestamp(self.sweep.upper),
        )
        if self.report.failures:
            raise ScopesFailed(len(self.report.failures))

    def complete_sweep(self) -> None:
        """Every company and project was visited: advance bookmarks and say what happened."""
        incremental: dict[str, str] = {}
        descendants: list[str] = []
        for stream in self.streams.values():
            if not stream.selected:
                continue
            if stream.replication_method == "INCREMENTAL" and stream.replication_key:
                incremental[stream.name] = stream.replication_key
            elif _has_incremental_ancestor(stream) or self.feed is not None:
                # With the feed, a full-table stream's partition may be skipped only once it
                # was read: its bookmark says since when.
                descendants.append(stream.name)
        self.sweep.complete(incremental=incremental, descendants=descendants)
        if self.feed is not None:
            self.feed.complete(self.sweep.upper)
            logger.info(self.feed.summary())
        self.checkpoint(force=True)
        wanted = set(self.config.get("project_ids") or [])
        for line in self.report.summary_lines(
            self.transport.stats,
            self.governor.stats,
            missing_project_ids=wanted - self.report.projects_seen,
            failure_streaks=self.sweep.failure_streaks,
        ):
            logger.info(line)
        if self.report.failures:
            # The state above is valid and holds the failed scopes back; a scheduler must see
            # that this run did not deliver everything.
            raise ScopesFailed(len(self.report.failures))

    # --- command line --------------------------------------------------------------------

    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:
        try:
            super().invoke(*args, **kwargs)
        except ScopesFailed as exc:
            TapProcore.logger.error("tap-procore finished with failures: %s", exc)
            sys.exit(1)
        except ProcoreError as exc:
            # One line for the operator; a traceback would only bury it.
            stop(str(exc))

    def on_termination(self, signum: int) -> None:  # pragma: no cover
        # Not here and now: the main thread may be halfway through a line or a token rotation
        # (tap_procore/stopping.py).
        STOP.request(lambda: self._stop_after_signal(signum))

    def _stop_after_signal(self, signum: int) -> t.NoReturn:  # pragma: no cover
        t.cast(FlushAtStateWriter, self.message_writer).end_after_signal()
        logger.warning("Stopped by signal %s; the next run resumes where this one was", signum)
        # At once: worker threads may be waiting for a rate-limit window or a slow answer, and
        # nothing they could still deliver would be written. A non-zero code, so that the
        # orchestrator does not mistake a partial run for a finished one.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(128 + signum)


class ScopesFailed(ProcoreError):
    """The run went to its end, but some scopes failed (listed in the run summary)."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"{count} stream/scope pairs failed (listed in the run summary above); everything "
            "else was extracted and its state saved, and the next run reads them again"
        )


def _without_child_stream_lines(record: logging.LogRecord) -> bool:
    """The SDK logs one line per parent/child link while loading the streams: 280 lines of
    noise before every run, at any log level."""
    return not str(record.msg).startswith("Added '%s' as child stream")


# On the tap's logger (the SDK's `TapProcore.logger`) before any tap exists: streams are loaded
# inside the SDK's constructor.
logging.getLogger(TapProcore.name).addFilter(_without_child_stream_lines)


def _quiet_sdk_bookkeeping(record: logging.LogRecord) -> bool:
    """Drop the SDK's one line per deselected stream (hundreds in a catalog this size)."""
    return not str(record.msg).startswith("Skipping deselected stream")


def _has_incremental_ancestor(stream: t.Any) -> bool:
    """Whether some ancestor hands this stream only the records changed since its bookmark."""
    parent_type = stream.parent_stream_type
    while parent_type is not None:
        if parent_type.replication_key and not parent_type.children_see_every_record:
            return True
        parent_type = parent_type.parent_stream_type
    return False


def stop(message: str) -> t.NoReturn:
    if not logging.getLogger().handlers and not TapProcore.logger.handlers:
        # Stopped before the SDK set up logging (bad input files): still one formatted line.
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s | %(levelname)-8s | %(name)-30s | %(message)s"
        )
    TapProcore.logger.error("tap-procore stopped: %s", SecretRedactor.scrub_active(message))
    sys.exit(1)


_INPUT_FILE_OPTIONS = {"--config": "config", "--state": "state", "--catalog": "catalog"}


def check_input_files(argv: t.Sequence[str]) -> None:
    """Stop with one line naming the file if a --config/--state/--catalog file cannot be used.

    The SDK reads these while parsing arguments, where an error becomes a traceback that does
    not say which of the three files was wrong."""
    for index, argument in enumerate(argv):
        option, _, inline = argument.partition("=")
        if option not in _INPUT_FILE_OPTIONS:
            continue
        path = inline or (argv[index + 1] if index + 1 < len(argv) else "")
        if not path or path == "ENV":
            continue
        kind = _INPUT_FILE_OPTIONS[option]
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            stop(f"the {kind} file {path} was not found")
        except OSError as exc:
            stop(f"cannot read the {kind} file {path}: {exc.strerror or exc}")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            stop(f"the {kind} file {path} is not UTF-8 text")
        try:
            json.loads(text)
        except ValueError as exc:
            stop(f"the {kind} file {path} is not valid JSON ({exc})")
        except RecursionError:
            stop(f"the {kind} file {path} is nested too deeply to be a {kind} file")


def main() -> None:
    """The `tap-procore` command: the SDK's command line, with unusable input files reported in
    one line that names the file."""
    check_input_files(sys.argv[1:])
    try:
        TapProcore.cli()
    except ProcoreError as exc:
        # --discover and --about build the tap outside `invoke`.
        stop(str(exc))
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        stop(f"cannot read {exc.filename}: {exc.strerror}" if exc.filename else str(exc))
    except (json.JSONDecodeError, simplejson.JSONDecodeError) as exc:
        stop(f"a config, state or catalog file is not valid JSON ({exc})")
    except RecursionError:
        stop("a config, state or catalog file is nested too deeply to read")


if __name__ == "__main__":
    main()

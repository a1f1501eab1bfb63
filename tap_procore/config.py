"""Settings: the public contract, its validation, and the hosts each environment uses.

Validation here runs before the SDK's own JSON-schema check so that a bad setting produces one
line naming the setting, never a list of schema paths or a traceback.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import typing as t
from dataclasses import dataclass
from urllib.parse import urlsplit

from singer_sdk import typing as th

from tap_procore import dates
from tap_procore.errors import ConfigError
from tap_procore.http import DEFAULT_MAX_RESPONSE_BYTES
from tap_procore.redaction import printable_url

# Login and API hosts per environment
# (developers.procore.com/documentation/development-environments).
ENVIRONMENTS: dict[str, tuple[str, str]] = {
    "production": ("https://login.procore.com", "https://api.procore.com"),
    "sandbox": ("https://login-sandbox.procore.com", "https://sandbox.procore.com"),
    "monthly_sandbox": (
        "https://login-sandbox-monthly.procore.com",
        "https://api-monthly.procore.com",
    ),
}

DEFAULT_PAGE_SIZE = 1000
DEFAULT_WINDOW_OVERLAP_SECONDS = 300
DEFAULT_FEED_NAMESPACE = "tap-procore"
DEFAULT_FULL_SWEEP_DAYS = 7

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "client_id",
        th.StringType,
        required=True,
        secret=True,
        description="OAuth client id of the Developer Managed Service Account (or of the app, for "
        "the refresh-token flow).",
    ),
    th.Property(
        "client_secret",
        th.StringType,
        required=True,
        secret=True,
        description="OAuth client secret. Never logged, never written to state.",
    ),
    th.Property(
        "refresh_token",
        th.StringType,
        secret=True,
        description="Only for authorization-code apps: the current refresh token. Procore rotates "
        "it on every use; set refresh_token_path so the newest one survives the run.",
    ),
    th.Property(
        "refresh_token_path",
        th.StringType,
        description="File holding the newest refresh token. Read at start (it wins over "
        "refresh_token) and rewritten atomically with mode 0600 after every rotation.",
    ),
    th.Property(
        "company_ids",
        th.ArrayType(th.IntegerType),
        required=True,
        description="Every Procore company to extract in this run.",
    ),
    th.Property(
        "environment",
        th.StringType(allowed_values=list(ENVIRONMENTS)),
        default="production",
        description="Which Procore hosts to use: production, sandbox (developer sandbox) or "
        "monthly_sandbox.",
    ),
    th.Property(
        "api_url",
        th.StringType,
        description="Override the API base URL (federal zone, proxies, test doubles). Plain http "
        "is refused unless the host is loopback.",
    ),
    th.Property(
        "auth_url",
        th.StringType,
        description="Override the login base URL; the token endpoint is {auth_url}/oauth/token.",
    ),
    th.Property(
        "start_date",
        th.DateTimeType,
        description="Earliest updated_at (or log date) to extract on a first sync: a date or an "
        "ISO 8601 date-time; without an offset it is UTC. Default: all history.",
    ),
    th.Property(
        "project_ids",
        th.ArrayType(th.IntegerType),
        description="Only these projects. Also how to shard one company across parallel jobs.",
    ),
    th.Property(
        "include_inactive_projects",
        th.BooleanType,
        default=False,
        description="Also extract projects whose status is inactive.",
    ),
    th.Property(
        "page_size",
        th.IntegerType,
        default=DEFAULT_PAGE_SIZE,
        description="Records per page; never sent above what an endpoint accepts.",
    ),
    th.Property(
        "user_agent",
        th.StringType,
        description="User-Agent header sent with every request.",
    ),
    th.Property(
        "max_requests_per_hour",
        th.IntegerType,
        description="Client-side cap on requests per company per hour, so parallel jobs can share "
        "one company's budget. Default: pace to Procore's own X-Rate-Limit headers only.",
    ),
    th.Property(
        "max_workers",
        th.IntegerType,
        default=1,
        description="Pages fetched in parallel within a listing when the rate limit allows.",
    ),
    th.Property(
        "date_window_days",
        th.IntegerType,
        default=366,
        description="Days per request for daily-log style endpoints that are read by date.",
    ),
    th.Property(
        "log_lookback_days",
        th.IntegerType,
        default=3,
        description="Daily logs and timecards are edited after their date: each run re-reads this "
        "many days before the last bookmark.",
    ),
    th.Property(
        "request_timeout",
        th.IntegerType,
        default=300,
        description="Seconds one HTTP exchange may take in total (connecting, headers and body) "
        "before it is abandoned and retried.",
    ),
    th.Property(
        "max_response_bytes",
        th.IntegerType,
        default=DEFAULT_MAX_RESPONSE_BYTES,
        description="Largest response body accepted, counted after decompression; a larger one "
        "fails the listing it belongs to (a page of Procore's is a few megabytes at most).",
    ),
    th.Property(
        "window_overlap_seconds",
        th.IntegerType,
        default=DEFAULT_WINDOW_OVERLAP_SECONDS,
        description="Each incremental window starts this many seconds before the bookmark, for "
        "rows Procore commits a little after their updated_at (targets upsert by key, so "
        "re-read rows cost nothing but the read).",
    ),
    th.Property(
        "max_retries",
        th.IntegerType,
        default=8,
        description="Attempts for a request failing with 5xx, timeouts, resets or invalid JSON.",
    ),
    th.Property(
        "max_rate_limit_wait",
        th.IntegerType,
        default=4 * 3600,
        description="Seconds of waiting on Procore's rate limit after which the run stops "
        "instead: the 429/503 waits of one request, or one company's pauses for a spent window "
        "in a row (each at most an hour).",
    ),
    th.Property(
        "state_message_interval",
        th.NumberType,
        default=30,
        description="Minimum seconds between STATE checkpoints during a long sweep (0: after every "
        "project).",
    ),
    th.Property(
        "progress_interval",
        th.NumberType,
        default=60,
        description="Seconds between progress lines in the log.",
    ),
    th.Property(
        "change_feed",
        th.BooleanType,
        default=False,
        description="Read Procore's webhook deliveries as a change log: project partitions of "
        "streams the feed covers are read only when they had events (see "
        "tap-procore-webhooks setup).",
    ),
    th.Property(
        "change_feed_namespace",
        th.StringType,
        default=DEFAULT_FEED_NAMESPACE,
        description="Namespace of the company-level hook whose deliveries the change feed reads.",
    ),
    th.Property(
        "change_feed_full_sweep_days",
        th.IntegerType,
        default=DEFAULT_FULL_SWEEP_DAYS,
        description="With the change feed on, probe every stream in every project (a "
        "reconciliation sweep) when the last full sweep ended this many days ago or more.",
    ),
    th.Property(
        "change_feed_full_sweep",
        th.BooleanType,
        default=False,
        description="Make this run a full reconciliation sweep now (set it for one run, e.g. "
        "TAP_PROCORE_CHANGE_FEED_FULL_SWEEP=true).",
    ),
    th.Property(
        "max_requests_per_run",
        th.IntegerType,
        description="A run's budget of requests: once spent, the run stops at the next page, "
        "writes its state and exits 0, saying what is left; the next run continues exactly "
        "there. A first sync of a large company becomes a series of bounded runs.",
    ),
    th.Property(
        "max_run_minutes",
        th.NumberType,
        description="A run's budget of time, in minutes, ending it like max_requests_per_run.",
    ),
    th.Property(
        "shard",
        th.StringType,
        description="'k/n' (e.g. '2/4'): this job reads shard k of n of the projects, chosen by "
        "a stable hash of the project id; company-level streams are read by shard 1. Run n jobs, "
        "each with its own credentials and state: together they read what one job would.",
    ),
    th.Property(
        "fail_fast",
        th.BooleanType,
        default=False,
        description="Stop the run at the first failure of any stream in any project. By default "
        "a failure stops only that stream in that project (it is read again next run), the "
        "run goes on, and it ends non-zero with the failures listed.",
    ),
).to_dict()


@dataclass(frozen=True)
class Endpoints:
    api_url: str
    token_url: str


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _base_url(setting: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(
            setting, f"must be an absolute https:// URL, got {printable_url(value)!r}"
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError(setting, "plain http:// is only allowed for loopback hosts; use https://")
    return value.rstrip("/")


def resolve_endpoints(config: t.Mapping[str, t.Any]) -> Endpoints:
    environment = config.get("environment") or "production"
    if environment not in ENVIRONMENTS:
        raise ConfigError("environment", f"must be one of {', '.join(ENVIRONMENTS)}")
    auth_default, api_default = ENVIRONMENTS[environment]
    api_url = _base_url("api_url", config["api_url"]) if config.get("api_url") else api_default
    auth_url = _base_url("auth_url", config["auth_url"]) if config.get("auth_url") else auth_default
    return Endpoints(api_url=api_url, token_url=f"{auth_url}/oauth/token")


def _positive_int_list(config: t.Mapping[str, t.Any], name: str, *, required: bool) -> None:
    value = config.get(name)
    if value is None:
        if required:
            raise ConfigError(name, "is required (a list of integer ids)")
        return
    if not isinstance(value, list) or (required and not value):
        raise ConfigError(name, "must be a non-empty list of integer ids")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or item <= 0:
            raise ConfigError(name, f"must contain positive integer ids, found {item!r}")
    if len(set(value)) != len(value):
        raise ConfigError(name, "lists an id more than once")


def _positive_int(config: t.Mapping[str, t.Any], name: str, *, minimum: int = 1) -> None:
    value = config.get(name)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(name, f"must be an integer >= {minimum}, got {value!r}")


# Integer settings and their smallest allowed value.
_INTEGER_MINIMUMS = {
    "page_size": 1,
    "max_requests_per_hour": 1,
    "max_workers": 1,
    "date_window_days": 1,
    "log_lookback_days": 0,
    "request_timeout": 1,
    "max_retries": 1,
    "max_rate_limit_wait": 0,
    "max_response_bytes": 1024,
    "window_overlap_seconds": 0,
    "change_feed_full_sweep_days": 1,
    "max_requests_per_run": 1,
}
_SECONDS = ("state_message_interval", "progress_interval")
_STRINGS = ("client_id", "client_secret", "refresh_token", "refresh_token_path")


def validate_config(config: t.Mapping[str, t.Any]) -> None:
    """Raise ConfigError for the first bad setting, naming it."""
    _credentials(config)
    _positive_int_list(config, "company_ids", required=True)
    _positive_int_list(config, "project_ids", required=False)
    resolve_endpoints(config)
    _start_date(config)
    for name in ("include_inactive_projects", "change_feed", "change_feed_full_sweep", "fail_fast"):
        if config.get(name) not in (None, True, False):
            raise ConfigError(name, "must be true or false")
    namespace = config.get("change_feed_namespace")
    if namespace is not None and (not isinstance(namespace, str) or not namespace.strip()):
        raise ConfigError("change_feed_namespace", "must be a non-empty text")
    for name, minimum in _INTEGER_MINIMUMS.items():
        _positive_int(config, name, minimum=minimum)
    for name in _SECONDS:
        _seconds(config, name)
    if config.get("user_agent") is not None and not isinstance(config.get("user_agent"), str):
        raise ConfigError("user_agent", "must be a string")
    minutes = config.get("max_run_minutes")
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or minutes <= 0
    ):
        raise ConfigError("max_run_minutes", f"must be a number of minutes > 0, got {minutes!r}")
    if config.get("shard") is not None:
        parse_shard(config["shard"])


def parse_shard(value: t.Any) -> tuple[int, int]:
    """(k, n) of a `shard` setting 'k/n', 1 <= k <= n."""
    text = value.strip() if isinstance(value, str) else ""
    first, _, count = text.partition("/")
    if first.isdigit() and count.isdigit() and 1 <= int(first) <= int(count):
        return int(first), int(count)
    raise ConfigError("shard", f"must be 'k/n' with 1 <= k <= n, like '2/4', got {value!r}")


def unknown_settings(config: t.Mapping[str, t.Any], known: t.Iterable[str]) -> list[str]:
    """A line for each setting that is not one of `known` (the tap's settings and the SDK's
    built-in ones), naming the nearest known setting: a misspelt `start_dat` would otherwise be
    ignored in silence. Keys starting with "_" are Meltano's own, never settings."""
    names = sorted(set(known))
    lines = []
    for key in sorted(str(key) for key in config):
        if key in names or key.startswith("_"):
            continue
        nearest = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        hint = f"did you mean '{nearest[0]}'?" if nearest else "see tap-procore --about"
        lines.append(f"Unknown setting '{key}' is ignored; {hint}")
    return lines


def _credentials(config: t.Mapping[str, t.Any]) -> None:
    if not config.get("client_id"):
        raise ConfigError("client_id", "is required")
    if not config.get("client_secret"):
        raise ConfigError("client_secret", "is required")
    for secret in _STRINGS:
        if config.get(secret) is not None and not isinstance(config.get(secret), str):
            raise ConfigError(secret, "must be a string")


def _start_date(config: t.Mapping[str, t.Any]) -> None:
    if config.get("start_date") is None:
        return
    try:
        dates.parse_start_date(config["start_date"])
    except dates.DateError:
        raise ConfigError(
            "start_date",
            f"must be a date or ISO 8601 date-time like 2024-01-01T00:00:00Z, got "
            f"{config['start_date']!r}",
        ) from None


def _seconds(config: t.Mapping[str, t.Any], name: str) -> None:
    value = config.get(name)
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
    ):
        raise ConfigError(name, f"must be a number of seconds >= 0, got {value!r}")


# --- settings from the environment ------------------------------------------------------------
# Meltano hands every setting to a plugin as a TAP_PROCORE_* variable, so integers arrive as
# "30" and lists as JSON text. The SDK's own parser turns a typo into a ValueError traceback;
# this one types each value by the settings schema and names the setting when it cannot.

_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off", ""}


def _json_types(schema: t.Mapping[str, t.Any]) -> set[str]:
    declared = schema.get("type")
    types = {declared} if isinstance(declared, str) else set(declared or [])
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        types |= _json_types(option)
    return types - {"null"}


def _integer_from_text(setting: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if number.is_integer():
        return int(number)
    raise ConfigError(setting, f"must be a whole number, got {text!r}")


def _number_from_text(setting: str, text: str) -> int | float:
    try:
        number = float(text)
    except ValueError:
        raise ConfigError(setting, f"must be a number, got {text!r}") from None
    return int(number) if number.is_integer() else number


def _list_from_text(setting: str, text: str, item_schema: t.Mapping[str, t.Any]) -> list[t.Any]:
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except ValueError:
            raise ConfigError(
                setting, f"must be a JSON list or comma-separated, got {text!r}"
            ) from None
    else:
        items = [part.strip() for part in stripped.split(",") if part.strip()]
    if not isinstance(items, list):
        raise ConfigError(setting, f"must be a list, got {text!r}")
    item_types = _json_types(item_schema)
    if "integer" in item_types:
        return [
            item
            if isinstance(item, int) and not isinstance(item, bool)
            else _integer_from_text(setting, str(item))
            for item in items
        ]
    return items


def setting_from_text(setting: str, text: str, schema: t.Mapping[str, t.Any]) -> t.Any:
    """One setting's value, typed by its schema, from the text of an environment variable."""
    types = _json_types(schema)
    if "array" in types:
        return _list_from_text(setting, text, schema.get("items") or {})
    if "object" in types:
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise ConfigError(setting, f"must be a JSON object, got {text!r}")
        return value
    if "boolean" in types:
        lowered = text.strip().lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE
        raise ConfigError(setting, f"must be true or false, got {text!r}")
    if "integer" in types:
        return _integer_from_text(setting, text)
    if "number" in types:
        return _number_from_text(setting, text)
    return text


def settings_from_environment(
    environ: t.Mapping[str, str], schema: t.Mapping[str, t.Any], prefix: str
) -> dict[str, t.Any]:
    """Every setting given as `<prefix><NAME>` in `environ`, typed by `schema`."""
    settings: dict[str, t.Any] = {}
    for name, property_schema in schema.get("properties", {}).items():
        variable = prefix + name.upper().replace("-", "_")
        if variable in environ:
            try:
                settings[name] = setting_from_text(name, environ[variable], property_schema)
            except ConfigError as exc:
                raise ConfigError(name, f"{exc.problem} (from {variable})") from None
    return settings

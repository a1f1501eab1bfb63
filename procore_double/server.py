"""The Procore double's HTTP server: login, API, request log and control API.

One base URL serves `POST /oauth/token`, the GET API under `/rest/...`, and
the unauthenticated control API under `/_double/...` that tests use to
inspect requests, inject faults, change limits and mutate the tenant.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
import traceback
from collections import Counter, deque
from dataclasses import asdict, dataclass, field, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from . import clock
from .api import JSON_TYPE, ApiError, ApiResult, ApiService, Query, _link_header
from .auth import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    DEFAULT_TOKEN_TTL,
    OAuthError,
    TokenAuthority,
    parse_token_request,
)
from .faults import (
    ALTERING_KINDS,
    MUTATING_KINDS,
    REPLACING_KINDS,
    FaultBoard,
    FaultRule,
    FaultSpecError,
    error_page,
)
from .ratelimit import RateLimiter, RateLimitSettings
from .routes import Route, RouteTable
from .tenant import Tenant, TenantConfig, TenantConfigError
from .tools import TOOLS
from .webhooks import DEFAULT_RETENTION_DAYS, WebhookError, WebhookService

HTML_TYPE = "text/html; charset=utf-8"
CONTROL_PREFIX = "/_double/"
MISSING_COMPANY_HEADER = "Missing Procore-Company-Id header!"
RATE_LIMITED = (
    "You have surpassed the max number of requests for an hour. "
    "Please wait until your limit resets."
)
DEFAULT_REQUEST_LOG_LIMIT = 200_000
AUTH_SETTINGS = ("client_id", "client_secret", "refresh_token", "token_ttl")
RATE_SETTINGS = tuple(f.name for f in fields(RateLimitSettings))


@dataclass
class DoubleConfig:
    """Everything configurable, as one flat JSON object (tenant.json / --config)."""

    tenant: TenantConfig = field(default_factory=TenantConfig)
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    refresh_token: str = DEFAULT_REFRESH_TOKEN
    token_ttl: float = DEFAULT_TOKEN_TTL
    clock_skew_seconds: float = 0.0
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    request_log_limit: int = DEFAULT_REQUEST_LOG_LIMIT
    webhook_retention_days: float = DEFAULT_RETENTION_DAYS

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DoubleConfig:
        data = dict(data or {})
        tenant_names = {f.name for f in fields(TenantConfig)}
        tenant = {k: data.pop(k) for k in list(data) if k in tenant_names}
        rates = {k: data.pop(k) for k in list(data) if k in RATE_SETTINGS}
        config = cls(tenant=TenantConfig.from_dict(tenant), rate_limits=RateLimitSettings(**rates))
        for name in (
            *AUTH_SETTINGS,
            "request_log_limit",
            "clock_skew_seconds",
            "webhook_retention_days",
        ):
            if name in data:
                setattr(config, name, data.pop(name))
        if data:
            raise TenantConfigError(f"unknown settings: {sorted(data)}")
        return config


@dataclass
class Request:
    method: str
    path: str
    query_string: str
    headers: Any  # email.message.Message: case-insensitive .get()
    body: bytes
    host: str | None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    reset: bool = False  # drop the connection instead of answering


def _altered(
    fault: FaultRule, result: ApiResult, body: bytes, headers: list[tuple[str, str]]
) -> tuple[bytes, list[tuple[str, str]]]:
    """A successful JSON answer as one altering fault rule changes it."""
    if fault.kind == "empty_page":
        return result.empty_body or b"[]", headers
    if fault.kind == "wrong_total":
        wrong = str((result.total or 0) + int(fault.option("total_delta", 7)))
        return body, [(k, wrong if k == "Total" else v) for k, v in headers]
    if fault.kind == "truncated_json":
        return body[: max(1, len(body) // 2)], headers
    if fault.kind == "invalid_json":
        return b'{"errors": <html>not json</html>', headers
    if fault.kind == "wrong_shape":
        return b'{"unexpected": "an object where a list belongs"}', headers
    row, name = int(fault.option("row", 0)), str(fault.option("field", "id"))
    return _with_null(body, row, name), headers  # null_key


def _with_null(body: bytes, row: int, name: str) -> bytes:
    """The listing's body with one field of one row set to null (v2 `data` envelopes too)."""
    decoded = json.loads(body)
    rows = decoded.get("data") if isinstance(decoded, dict) else decoded
    if isinstance(rows, list) and 0 <= row < len(rows) and isinstance(rows[row], dict):
        rows[row][name] = None
    return json.dumps(decoded).encode()


def header_count(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def json_response(status: int, payload: Any, headers: list[tuple[str, str]] | None = None):
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, JSON_TYPE, list(headers or []))


class RequestLog:
    """Every non-control request, with running totals for /_double/stats."""

    def __init__(self, limit: int):
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)
        self._next_index = 0
        self._lock = threading.Lock()
        self._reset_counters()

    def _reset_counters(self) -> None:
        self.by_status: Counter[str] = Counter()
        self.by_route: Counter[str] = Counter()
        self.by_company: Counter[str] = Counter()
        self.by_fault: Counter[str] = Counter()

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            entry["index"] = self._next_index
            self._next_index += 1
            self._entries.append(entry)
            self.by_status[str(entry["status"])] += 1
            self.by_route[entry["route"] or "<unmatched>"] += 1
            self.by_company[entry["company_header"] or "<none>"] += 1
            if entry["fault"]:
                self.by_fault[entry["fault"]] += 1

    def since(self, index: int, limit: int | None) -> dict[str, Any]:
        with self._lock:
            entries = [e for e in self._entries if e["index"] >= index]
            if limit is not None:
                entries = entries[:limit]
            return {"requests": entries, "next": self._next_index}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._reset_counters()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self.by_status.values()),
                "by_status": dict(self.by_status),
                "by_route": dict(self.by_route),
                "by_company": dict(self.by_company),
                "by_fault": dict(self.by_fault),
                "next_index": self._next_index,
            }


class DoubleApp:
    """The double's behaviour, independent of the HTTP plumbing."""

    def __init__(self, config: DoubleConfig | None = None, routes: RouteTable | None = None):
        self.config = config or DoubleConfig()
        # One clock per process: the setting of the latest double started in it wins.
        clock.skew_seconds = float(self.config.clock_skew_seconds)
        self.routes = routes or RouteTable.load()
        resources = {r.path: r.resource for r in self.routes.routes}
        resources.update({r.operation_id: r.resource for r in self.routes.routes})
        self.tenant = Tenant(self.config.tenant, resources)
        self.api = ApiService(self.routes, self.tenant)
        self.webhooks = WebhookService(
            self.routes.routes,
            self.routes.write_routes,
            {route.path: route.resource for route in self.routes.routes},
            seed=self.tenant.seed,
            retention_days=self.config.webhook_retention_days,
        )
        self.api.on_change = self.webhooks.record
        self.auth = TokenAuthority(
            self.config.client_id,
            self.config.client_secret,
            self.config.refresh_token,
            self.config.token_ttl,
        )
        self.limiter = RateLimiter(self.config.rate_limits)
        self.faults = FaultBoard()
        self.log = RequestLog(self.config.request_log_limit)
        self.base_url = ""  # set by the server once it is bound

    # ================================================================ dispatch

    def handle(self, request: Request) -> Response:
        if request.path.startswith(CONTROL_PREFIX):
            try:
                return self._control(request)
            except (ApiError, OAuthError) as problem:
                return json_response(problem.status, {"errors": str(problem)})
            except (FaultSpecError, TenantConfigError, ValueError, TypeError, KeyError) as bad:
                return json_response(400, {"errors": f"bad control request: {bad}"})
        started = time.time()
        entry: dict[str, Any] = {
            "time": started,
            "method": request.method,
            "path": request.path,
            "query": Query.parse(request.query_string).as_dict(),
            "company_header": request.headers.get("Procore-Company-Id"),
            "authorization": bool(request.headers.get("Authorization")),
            "route": None,
            "operation_id": None,
            "fault": None,
        }
        try:
            if request.path.startswith("/oauth/"):
                response = self._login(request, entry)
            else:
                response = self._api(request, entry)
        except Exception:  # a bug in the double must not look like a Procore answer
            traceback.print_exc(file=sys.stderr)
            response = json_response(500, {"errors": "procore double internal error (see stderr)"})
            entry["fault"] = "double_bug"
        entry["status"] = 0 if response.reset else response.status
        entry["duration_ms"] = round((time.time() - started) * 1000, 3)
        self.log.add(entry)
        return response

    # =================================================================== login

    def _login(self, request: Request, entry: dict[str, Any]) -> Response:
        entry["route"] = request.path
        fault = self.faults.take(request.path, REPLACING_KINDS)
        if fault is not None:
            entry["fault"] = fault.kind
            replaced = self._replacing_fault(fault, request, [])
            if replaced is not None:
                return replaced
        if request.path == "/oauth/token" and request.method == "POST":
            try:
                fields_ = parse_token_request(
                    request.headers.get("Content-Type") or "",
                    request.body,
                    request.headers.get("Authorization"),
                )
                return json_response(200, self.auth.grant(fields_), [("Cache-Control", "no-store")])
            except OAuthError as problem:
                return json_response(problem.status, problem.body())
        if request.path == "/oauth/token/info" and request.method == "GET":
            info = self.auth.info(request.headers.get("Authorization"))
            if info is None:
                return json_response(401, {"error": "invalid_token"})
            return json_response(200, info)
        return json_response(404, {"errors": f"{request.method} {request.path} is not served"})

    # ===================================================================== API

    def _api(self, request: Request, entry: dict[str, Any]) -> Response:
        company = request.headers.get("Procore-Company-Id")
        decision = self.limiter.hit(company or "<none>")
        rate_headers = decision.headers()
        if not decision.allowed:
            return json_response(429, {"errors": RATE_LIMITED}, rate_headers)
        fault = self.faults.take(request.path, REPLACING_KINDS)
        if fault is not None:
            entry["fault"] = fault.kind
            replaced = self._replacing_fault(fault, request, rate_headers)
            if replaced is not None:
                return replaced
        response, result_route = self._api_answer(request, company, rate_headers, entry)
        if result_route is not None:
            entry["route"] = result_route.path
            entry["operation_id"] = result_route.operation_id
        return response

    def _api_answer(
        self,
        request: Request,
        company: str | None,
        rate_headers: list[tuple[str, str]],
        entry: dict[str, Any],
    ) -> tuple[Response, Route | None]:
        """The answer to an API call that passed the rate limiter and replacing faults."""
        webhook = self.webhooks.match(request.method, request.path)
        if request.method != "GET" and webhook is None:
            return json_response(
                405,
                {"errors": "The Procore double serves GET requests (and webhooks writes) only"},
                rate_headers,
            ), None
        if not self.auth.check(request.headers.get("Authorization")):
            headers = [*rate_headers, ("WWW-Authenticate", 'Bearer error="invalid_token"')]
            return json_response(401, {"errors": "401 Unauthorized"}, headers), None
        if not company:
            return json_response(400, {"errors": MISSING_COMPANY_HEADER}, rate_headers), None
        query = Query.parse(request.query_string)
        if webhook is not None:
            return self._webhooks_answer(request, company, webhook, query, rate_headers)
        matched = self.routes.match(request.path)
        route = matched[0] if matched else None
        try:
            resolved = self.api.resolve(request.path, query, company)
            result = self.api.answer(resolved, self._base_url(request), request.path)
        except ApiError as problem:
            return Response(problem.status, problem.body(), JSON_TYPE, list(rate_headers)), route
        headers = [*rate_headers, *result.headers]
        body = result.body
        if result.content_type == JSON_TYPE:
            body, headers = self._altering_faults(request.path, result, body, headers, entry)
        self._mutating_faults(request.path, result)
        return Response(result.status, body, result.content_type, headers), route

    def _webhooks_answer(
        self,
        request: Request,
        company: str,
        webhook: tuple[str, list[str]],
        query: Query,
        rate_headers: list[tuple[str, str]],
    ) -> tuple[Response, Route | None]:
        operation_id, values = webhook
        route = self.routes.by_operation_id.get(operation_id)
        if company.strip() != values[0]:
            message = f"Procore-Company-Id {company} does not match the company {values[0]}"
            return json_response(403, {"errors": message}, rate_headers), route
        if int(values[0]) not in self.tenant.companies:
            return json_response(404, {"errors": f"Company {values[0]} not found"}, rate_headers), (
                route
            )
        try:
            answer = self.webhooks.answer(operation_id, values, query, request.body)
        except WebhookError as problem:
            return json_response(problem.status, {"errors": problem.message}, rate_headers), route
        headers = [*rate_headers, *answer.headers]
        if answer.paging is not None:
            page, per_page, last_page = answer.paging
            link = _link_header(
                self._base_url(request), request.path, query, page, per_page, last_page
            )
            headers.append(("Link", link))
        if answer.status == 204:
            return Response(204, b"", JSON_TYPE, headers), route
        response = json_response(answer.status, answer.payload, headers)
        if answer.paging is not None:
            # A listing of the webhooks API misbehaves like any other (Total, empty pages).
            listed = ApiResult(
                answer.status,
                response.body,
                headers=headers,
                page=answer.paging[0],
                total=header_count(dict(headers).get("Total")),
                empty_body=b'{"data": []}',
            )
            body, headers = self._altering_faults(request.path, listed, response.body, headers, {})
            response = Response(answer.status, body, JSON_TYPE, headers)
        return response, route

    def _base_url(self, request: Request) -> str:
        return f"http://{request.host}" if request.host else self.base_url

    # ================================================================== faults

    def _replacing_fault(
        self, fault: FaultRule, request: Request, rate_headers: list[tuple[str, str]]
    ) -> Response | None:
        kind = fault.kind
        if kind == "timeout":
            time.sleep(float(fault.option("seconds", 5)))
            return None  # then answer normally, late
        if kind == "connection_reset":
            return Response(0, reset=True)
        if kind == "rate_limit_429":
            retry_after = fault.option("retry_after", 1)
            reset_in = fault.option("reset_in", retry_after if retry_after is not None else 1)
            limit = self.limiter.peek(request.headers.get("Procore-Company-Id") or "<none>").limit
            headers = [
                ("X-Rate-Limit-Limit", str(limit)),
                ("X-Rate-Limit-Remaining", "0"),
                ("X-Rate-Limit-Reset", str(int(time.time() + float(reset_in)) + 1)),
            ]
            if retry_after is not None:
                headers.append(("Retry-After", str(retry_after)))
            return json_response(429, {"errors": RATE_LIMITED}, headers)
        status = int(kind.split("_")[1])  # http_500 -> 500
        headers = list(rate_headers)
        if status == 503:
            headers.append(("Retry-After", str(fault.option("retry_after", 1))))
        return Response(status, error_page(status), HTML_TYPE, headers)

    def _altering_faults(
        self,
        path: str,
        result: ApiResult,
        body: bytes,
        headers: list[tuple[str, str]],
        entry: dict[str, Any],
    ) -> tuple[bytes, list[tuple[str, str]]]:
        fired: set[int] = set()  # each rule at most once per answer

        def is_page(rule: FaultRule) -> bool:
            if rule.id in fired:
                return False
            if rule.kind == "empty_page":
                return result.page is not None and result.page == int(rule.option("page", 2))
            if rule.kind == "wrong_total":
                return result.total is not None and result.page is not None
            return True

        while True:
            fault = self.faults.take(path, ALTERING_KINDS, qualifies=is_page)
            if fault is None:
                return body, headers
            fired.add(fault.id)
            entry["fault"] = fault.kind
            body, headers = _altered(fault, result, body, headers)

    def _mutating_faults(self, path: str, result: ApiResult) -> None:
        """Data that changes right after a page was served: the next pages see it."""
        if result.page is None:
            return
        fired: set[int] = set()  # each rule at most once per answer
        while True:
            fault = self.faults.take(
                path,
                MUTATING_KINDS,
                qualifies=lambda rule: (
                    rule.id not in fired and result.page == int(rule.option("page", 1))
                ),
            )
            if fault is None:
                return
            fired.add(fault.id)
            self.api.mutate(dict(fault.option("mutation", {})))

    # ============================================================ control API

    def _control(self, request: Request) -> Response:  # noqa: C901  # one flat branch per control endpoint
        name = request.path[len(CONTROL_PREFIX) :].strip("/")
        query = Query.parse(request.query_string)
        method = request.method
        payload = _json_body(request.body) if method in ("POST", "PUT", "PATCH") else None
        if name == "health" and method == "GET":
            return json_response(200, {"ok": True, "url": self.base_url})
        if name == "requests" and method == "GET":
            since = int(query.get("since") or 0)
            limit = int(query.get("limit")) if query.get("limit") else None
            return json_response(200, self.log.since(since, limit))
        if name == "requests/clear" and method == "POST":
            self.log.clear()
            return json_response(200, {"cleared": True})
        if name == "stats" and method == "GET":
            return json_response(200, self.log.stats())
        if name == "faults":
            return self._control_faults(method, payload, query)
        if name == "config":
            if method == "POST":
                self._configure(payload or {})
            return json_response(200, self._config_dict())
        if name == "mutate" and method == "POST":
            return json_response(200, self.api.mutate(payload or {}))
        if name == "tenant" and method == "GET":
            return json_response(200, self.tenant.describe())
        if name == "records" and method == "GET":
            path = query.get("path")
            if not path:
                return json_response(400, {"errors": "records needs ?path=<concrete API path>"})
            rest = Query([(k, v) for k, v in query.pairs if k != "path"])
            return json_response(200, self.api.ground_truth(path, rest))
        if name == "webhooks":
            if method == "POST":
                return json_response(200, self.webhooks.control(payload or {}))
            return json_response(200, self.webhooks.describe())
        if name == "routes" and method == "GET":
            return json_response(200, self._routes_summary(query))
        return json_response(404, {"errors": f"unknown control endpoint {method} {request.path}"})

    def _control_faults(self, method: str, payload: Any, query: Query) -> Response:
        if method == "GET":
            return json_response(200, {"faults": self.faults.describe()})
        if method == "DELETE":
            rule_id = query.get("id")
            removed = self.faults.clear(int(rule_id) if rule_id else None)
            return json_response(200, {"removed": removed})
        if method != "POST":
            return json_response(405, {"errors": "use GET, POST or DELETE"})
        specs = payload.get("faults", payload) if isinstance(payload, dict) else payload
        specs = specs if isinstance(specs, list) else [specs]
        actions, rules = [], []
        for spec in specs:
            if not isinstance(spec, dict):
                raise FaultSpecError("each fault must be a JSON object")
            if spec.get("kind") == "revoke_tokens":
                actions.append({"kind": "revoke_tokens", "revoked": self.auth.revoke_all()})
            elif spec.get("kind") == "token_ttl":
                self.auth.token_ttl = float(spec["seconds"])
                actions.append({"kind": "token_ttl", "token_ttl": self.auth.token_ttl})
            else:
                rules.append(spec)
        added = self.faults.add(rules)
        return json_response(200, {"faults": added, "actions": actions})

    def _configure(self, settings: dict[str, Any]) -> None:
        unknown = set(settings) - {"token_ttl", "reset_rate_limits", *RATE_SETTINGS}
        if unknown:
            raise TenantConfigError(f"unknown runtime settings {sorted(unknown)}")
        if "token_ttl" in settings:
            self.auth.token_ttl = float(settings["token_ttl"])
        rates = {k: settings[k] for k in RATE_SETTINGS if k in settings}
        if rates or settings.get("reset_rate_limits"):
            current = asdict(self.limiter.settings)
            current.update(rates)
            self.limiter.reconfigure(RateLimitSettings(**current))

    def _config_dict(self) -> dict[str, Any]:
        return {
            "token_ttl": self.auth.token_ttl,
            "client_id": self.auth.client_id,
            **asdict(self.limiter.settings),
        }

    def _routes_summary(self, query: Query) -> dict[str, Any]:
        tool = query.get("tool")
        routes = [
            route.summary_dict()
            for route in self.routes.routes
            if tool is None or route.tool == tool
        ]
        return {
            "count": len(routes),
            "source": self.routes.source,
            "tools": [{"engine_name": t.engine_name, "title": t.title} for t in TOOLS],
            "routes": routes,
        }


def _json_body(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        raise ApiError(400, "control requests take a JSON body") from None


# ====================================================================== HTTP


class DoubleRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections like with Procore
    server_version = "ProcoreDouble/1.0"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def do_GET(self) -> None:
        self._dispatch()

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header tells Procore's time, which clock_skew_seconds may hold back.
        return super().date_time_string(clock.now_epoch() if timestamp is None else timestamp)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is the record; stderr stays quiet for tests

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        target = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=target.path,
            query_string=target.query,
            headers=self.headers,
            body=body,
            host=self.headers.get("Host"),
        )
        response = self.server.app.handle(request)  # type: ignore[attr-defined]
        if response.reset:
            self._reset_connection()
            return
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. after a timeout fault)

    def _reset_connection(self) -> None:
        # SO_LINGER 0 makes close() send RST: the client sees "connection reset".
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


class DoubleHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], app: DoubleApp):
        super().__init__(address, DoubleRequestHandler)
        self.app = app
        host, port = self.server_address[:2]
        self.url = f"http://{host}:{port}"
        app.base_url = self.url

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that drop connections (timeouts, resets) are expected here.
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


def make_server(config: DoubleConfig | None = None, host: str = "127.0.0.1", port: int = 0):
    return DoubleHTTPServer((host, port), DoubleApp(config))

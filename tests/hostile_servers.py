"""Small misbehaving Procores on loopback, for tests/test_hostile.py.

A `HostileServer` answers a login, one company and that company's trades like Procore does;
each probe replaces one route with a behaviour of a broken or malicious server (a redirect, a
trickle, a loop, a bomb). Handlers write to the socket themselves, so they can misbehave at the
byte level. Every request is recorded for the test to inspect.
"""

from __future__ import annotations

import json
import ssl
import threading
import typing as t
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

COMPANY_ID = 1
TRADES = f"/rest/v1.0/companies/{COMPANY_ID}/trades"
TOKEN = "/oauth/token"
ACCESS_TOKEN = "hostile-access-token-0123456789"


@dataclass
class Exchange:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


Handler = t.Callable[["HostileHandler", Exchange], None]


def trade_rows(count: int = 3, first_id: int = 1) -> list[dict]:
    return [
        {
            "id": first_id + i,
            "name": f"Trade {first_id + i}",
            "active": True,
            "updated_at": "2024-01-02T00:00:00Z",
        }
        for i in range(count)
    ]


def reply(
    handler: HostileHandler,
    status: int,
    body: t.Any = b"",
    headers: t.Iterable[tuple[str, str]] = (),
) -> None:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    handler.send_response(status)
    sent = set()
    for name, value in headers:
        handler.send_header(name, value)
        sent.add(name.lower())
    if "content-type" not in sent:
        handler.send_header("Content-Type", "application/json; charset=utf-8")
    if "content-length" not in sent and "transfer-encoding" not in sent:
        handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def token_ok(handler: HostileHandler, exchange: Exchange) -> None:
    reply(
        handler,
        200,
        {
            "access_token": ACCESS_TOKEN,
            "token_type": "bearer",
            "expires_in": 5400,
            "created_at": 1_700_000_000,
        },
    )


def companies_ok(handler: HostileHandler, exchange: Exchange) -> None:
    reply(handler, 200, [{"id": COMPANY_ID, "name": "Hostile Builders", "is_active": True}])


def trades_ok(handler: HostileHandler, exchange: Exchange) -> None:
    reply(handler, 200, trade_rows())


class HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileHTTPServer

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        target = urlsplit(self.path)
        exchange = Exchange(
            method=self.command,
            path=target.path,
            query={key: values[-1] for key, values in parse_qs(target.query).items()},
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(exchange)
        route = owner.routes.get((self.command, target.path))
        try:
            if route is None:
                reply(self, 404, {"errors": "no such route on this hostile server"})
            else:
                route(self, exchange)
        except (BrokenPipeError, ConnectionResetError, TimeoutError, ssl.SSLError, OSError):
            self.close_connection = True  # the tap hung up, as it should on a bad answer

    do_GET = do_POST = _dispatch

    def log_message(self, format: str, *args: t.Any) -> None:
        pass


class HostileHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: HostileServer) -> None:
        super().__init__(("127.0.0.1", 0), HostileHandler)
        self.owner = owner

    def get_request(self) -> tuple[t.Any, t.Any]:
        sock, address = super().get_request()
        with self.owner.lock:
            self.owner.connections += 1
        if self.owner.tls is not None:
            # The handshake happens in the handler thread, where a failure only drops the client.
            sock = self.owner.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request: t.Any, client_address: t.Any) -> None:
        return  # clients hanging up mid-answer are what these servers provoke


class HostileServer:
    def __init__(
        self,
        routes: dict[tuple[str, str], Handler] | None = None,
        *,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.routes: dict[tuple[str, str], Handler] = {
            ("POST", TOKEN): token_ok,
            ("GET", "/rest/v1.0/companies"): companies_ok,
            ("GET", TRADES): trades_ok,
        }
        self.routes.update(routes or {})
        self.tls = tls
        self.requests: list[Exchange] = []
        self.connections = 0
        self.lock = threading.Lock()
        self._server = HostileHTTPServer(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    def hits(self, path: str, method: str = "GET") -> list[Exchange]:
        with self.lock:
            return [e for e in self.requests if e.path == path and e.method == method]

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


PROJECTS = "/rest/v1.1/projects"


def project_rows(count: int, first_id: int = 101) -> list[dict]:
    return [
        {
            "id": first_id + i,
            "name": f"Project {first_id + i}",
            "active": True,
            "updated_at": "2024-01-02T00:00:00Z",
        }
        for i in range(count)
    ]


def rfis_path(project_id: int | str) -> str:
    return f"/rest/v1.0/projects/{project_id}/rfis"


def rfi_rows(project_id: int, count: int, *, padding: int = 0) -> list[dict]:
    return [
        {
            "id": project_id * 100_000 + i,
            "subject": f"RFI {i} of project {project_id} " + "x" * padding,
            "updated_at": "2024-01-02T00:00:00Z",
        }
        for i in range(count)
    ]


def projects_with_rfis(
    projects: list[dict], rfis_per_project: int, *, padding: int = 0
) -> dict[tuple[str, str], Handler]:
    """Routes for a company with these projects, each with its own RFIs."""
    routes: dict[tuple[str, str], Handler] = {
        ("GET", PROJECTS): lambda handler, exchange: reply(handler, 200, projects)
    }
    for project in projects:
        rows = rfi_rows(int(project["id"]), rfis_per_project, padding=padding)
        routes[("GET", rfis_path(project["id"]))] = lambda handler, exchange, rows=rows: reply(
            handler, 200, rows
        )
    return routes

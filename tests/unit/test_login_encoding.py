"""Token requests work whether the login endpoint takes JSON or form fields."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests

from tap_procore.auth import ProcoreAuthenticator
from tap_procore.pacing import RateGovernor
from tap_procore.transport import Transport


def login_server(accepts: str) -> tuple[ThreadingHTTPServer, list[str]]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
            kind = "json" if self.headers["Content-Type"].startswith("application/json") else "form"
            seen.append(kind)
            if kind == "json":
                fields = json.loads(raw)
            else:
                fields = {key: values[0] for key, values in parse_qs(raw).items()}
            ok = kind == accepts and fields.get("client_secret") == "s3cret-value"
            body = (
                {"access_token": "tok-123456", "expires_in": 5400}
                if ok
                else {"error": "invalid_request"}
            )
            payload = json.dumps(body).encode()
            self.send_response(200 if ok else 400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


@pytest.mark.parametrize("accepts", ["json", "form"])
def test_login_falls_back_to_the_other_encoding_and_keeps_it(accepts):
    server, seen = login_server(accepts)
    session = requests.Session()
    try:
        auth = ProcoreAuthenticator(
            token_url=f"http://127.0.0.1:{server.server_port}/oauth/token",
            client_id="id",
            client_secret="s3cret-value",
            transport=Transport(governor=RateGovernor(), max_retries=2, max_rate_limit_wait=10),
            session=session,
            timeout=5,
        )
        auth.update_access_token()
        assert auth.access_token == "tok-123456"
        auth.invalidate()
        auth.update_access_token()
    finally:
        session.close()
        server.shutdown()
        server.server_close()
    expected_first = ["json"] if accepts == "json" else ["json", "form"]
    assert seen[: len(expected_first)] == expected_first
    assert seen[-1] == accepts  # the working encoding is kept for the next token

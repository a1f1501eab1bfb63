"""The double answered in this process through requests-mock: no socket, no thread, no server.

For fast unit tests of code that talks HTTP with `requests`: every request to `double.url` made
while the double is active goes straight to `DoubleApp.handle`, with the headers, status and
body the HTTP server would send (a ``Date`` from the double's clock included), and a
connection-reset fault raises `requests.ConnectionError`. Tests inspect and steer it through
`double.app` (its request log, tenant, faults and mutations) rather than the control API.
Needs requests-mock (a test dependency).

    from procore_double.in_process import in_process_double

    with in_process_double(companies=1, big_lists=[]) as double:
        requests.get(f"{double.url}/_double/health").json()  # {"ok": true, ...}
        double.app.log.stats()
"""

from __future__ import annotations

import email.utils
import typing as t
from dataclasses import dataclass
from email.message import Message
from urllib.parse import parse_qsl, urlsplit

import requests
import requests_mock

from . import clock
from .server import DoubleApp, DoubleConfig, Request

#: Where the in-process double answers: a loopback address (the tap accepts plain http only
#: there) on a port nothing listens on, so that a request that escapes the mock fails loudly.
URL = "http://127.0.0.1:9"


def _headers(prepared: requests.PreparedRequest) -> Message:
    # The served double reads headers from an email.message.Message (case-insensitive).
    message = Message()
    for name, value in prepared.headers.items():
        message[name] = value
    return message


def _body(prepared: requests.PreparedRequest) -> bytes:
    body = prepared.body
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


@dataclass(frozen=True)
class Exchange:
    """One request to the double and its answer, as the client saw them."""

    request: requests.PreparedRequest
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.request.url or "").path

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (the last value of a repeated name)."""
        return dict(parse_qsl(urlsplit(self.request.url or "").query, keep_blank_values=True))


class InProcessDouble:
    """A DoubleApp behind a requests-mock adapter; use as a context manager."""

    def __init__(self, config: dict[str, t.Any] | None = None, **settings: t.Any) -> None:
        self.app = DoubleApp(DoubleConfig.from_dict({**(config or {}), **settings}))
        self.url = URL
        self.app.base_url = URL
        #: Every request answered (control requests excepted), in order.
        self.exchanges: list[Exchange] = []
        self._mocker = requests_mock.Mocker()
        self._mocker.add_matcher(self._answer)

    def _answer(self, prepared: requests.PreparedRequest) -> requests.Response | None:
        target = urlsplit(prepared.url or "")
        if f"{target.scheme}://{target.netloc}" != URL:
            return None  # not ours: requests-mock reports it as unmatched
        response = self.app.handle(
            Request(
                method=prepared.method or "GET",
                path=target.path,
                query_string=target.query,
                headers=_headers(prepared),
                body=_body(prepared),
                host=target.netloc,
            )
        )
        if response.reset:
            raise requests.ConnectionError("Connection reset by peer (in-process double)")
        headers = {name: value for name, value in response.headers}
        headers["Content-Type"] = response.content_type
        headers["Date"] = email.utils.formatdate(clock.now_epoch(), usegmt=True)
        if not target.path.startswith("/_double/"):
            self.exchanges.append(Exchange(prepared, response.status, headers, response.body))
        answer: requests.Response = requests_mock.create_response(
            prepared, status_code=response.status, content=response.body, headers=headers
        )
        return answer

    def __enter__(self) -> InProcessDouble:
        self._mocker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._mocker.stop()


def in_process_double(config: dict[str, t.Any] | None = None, **settings: t.Any) -> InProcessDouble:
    """A double answered in this process (see the module docstring)."""
    return InProcessDouble(config, **settings)

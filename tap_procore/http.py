"""The HTTP layer under every request, API and login alike.

`requests` alone trusts the server too much for a job that runs unattended against whatever
answers at the configured address:

* its timeout applies to each socket read, so a status line or body trickling a byte at a time
  never times out: here every exchange has a total deadline (connect, headers and body);
* it reads any body whole, however large, also after decompression: here bodies are read in
  chunks and cut at `max_response_bytes` (decompressed size);
* it follows redirects to any host (a login would POST client_secret there): here a login is
  never forwarded and API requests follow only redirects within the same origin;
* its connection errors name neither the host nor what went wrong: `describe_failure` does,
  and says whether a retry can help (an unknown host or a certificate that fails verification
  will fail the same way in two minutes).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
import typing as t
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from tap_procore.errors import UnreadableAnswer
from tap_procore.redaction import printable_url

DEFAULT_MAX_RESPONSE_BYTES = 128 * 2**20
CHUNK_BYTES = 64 * 1024
MAX_REDIRECTS = 5
# How often the watchdog tries again to hang up an expired request still connecting.
_RECHECK_SECONDS = 0.25


class DeadlineExceeded(requests.exceptions.Timeout):
    """The whole exchange (connect, headers, body) took longer than the request timeout."""


class ResponseTooLarge(UnreadableAnswer):
    """A body beyond `max_response_bytes`: the same request would only send it again."""


# --- the total deadline ------------------------------------------------------------------------


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.connections: list[t.Any] = []
        self.expired = False


def _hang_up(connection: t.Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    with contextlib.suppress(OSError):
        # The plain socket's shutdown, also under TLS: it wakes a read blocked in another
        # thread without touching the TLS object that read is using.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class DeadlineWatch:
    """One thread that hangs up the connections of requests past their total deadline.

    A request registers its deadline for the calling thread; the connection pool attaches
    each connection it hands to that thread. Hanging up makes the blocked read fail at once,
    whatever the server keeps trickling.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._active: set[_Deadline] = set()
        self._local = threading.local()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def limit(self, seconds: float | None) -> t.Iterator[_Deadline | None]:
        if seconds is None:
            yield None
            return
        deadline = _Deadline(seconds)
        previous = getattr(self._local, "deadline", None)
        self._local.deadline = deadline
        with self._condition:
            self._active.add(deadline)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="procore-deadlines", daemon=True
                )
                self._thread.start()
            self._condition.notify()
        try:
            yield deadline
        finally:
            with self._condition:
                self._active.discard(deadline)
            self._local.deadline = previous

    def attach(self, connection: t.Any) -> None:
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            return
        with self._condition:
            deadline.connections.append(connection)
            if deadline.expired:
                _hang_up(connection)

    def _watch(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                wait: float | None = None
                for deadline in self._active:
                    if deadline.at <= now:
                        deadline.expired = True
                        for connection in deadline.connections:
                            _hang_up(connection)
                        # Still registered: its connection may not have had a socket yet.
                        wait = _RECHECK_SECONDS if wait is None else min(wait, _RECHECK_SECONDS)
                    else:
                        until = deadline.at - now
                        wait = until if wait is None else min(wait, until)
                self._condition.wait(wait)


WATCH = DeadlineWatch()


class _WatchedPool:
    def _get_conn(self, timeout: float | None = None) -> t.Any:
        # A mixin: urllib3's pool class is next in the MRO (_WatchedHTTPPool, _WatchedHTTPSPool).
        connection = super()._get_conn(timeout)  # type: ignore[misc]
        WATCH.attach(connection)
        return connection


class _WatchedHTTPPool(_WatchedPool, HTTPConnectionPool):
    pass


class _WatchedHTTPSPool(_WatchedPool, HTTPSConnectionPool):
    pass


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """An adapter whose connections (direct or through a proxy) can be hung up on."""

    def init_poolmanager(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: t.Any) -> t.Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


# --- the session -----------------------------------------------------------------------------


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"https": 443, "http": 80}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def host_of(url: str) -> str:
    """`host:port` of a URL, for messages (never its userinfo)."""
    return urlsplit(printable_url(url)).netloc or printable_url(url)


def _total_seconds(timeout: t.Any) -> float | None:
    if isinstance(timeout, (int, float)):
        return float(timeout)
    if isinstance(timeout, tuple):
        parts = [float(part) for part in timeout if part is not None]
        return sum(parts) if parts else None
    return None


class ProcoreSession(requests.Session):
    """A requests session with a total deadline, a body size cap and origin-bound redirects."""

    def __init__(
        self,
        *,
        user_agent: str,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        follow_redirects: bool,
        pool_size: int = 4,
    ) -> None:
        super().__init__()
        adapter = WatchedAdapter(pool_connections=4, pool_maxsize=max(4, pool_size))
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        self.verify = True  # TLS verification is never switched off
        self.headers["User-Agent"] = user_agent
        self.max_response_bytes = max_response_bytes
        self.follow_redirects = follow_redirects

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        # requests itself never follows (nor reads the body of) a redirect; send() decides.
        return None

    def send(self, request: requests.PreparedRequest, **kwargs: t.Any) -> requests.Response:
        kwargs.pop("stream", None)  # bodies are always read here, within the cap
        allow_redirects = kwargs.pop("allow_redirects", True) and self.follow_redirects
        total = _total_seconds(kwargs.get("timeout"))
        response = self._exchange(request, total, kwargs)
        history: list[requests.Response] = []
        while allow_redirects and response.is_redirect and len(history) < MAX_REDIRECTS:
            target = urljoin(response.url or str(request.url), response.headers["location"])
            if origin(target) != origin(str(request.url)):
                break  # left for the caller to report: never followed to another origin
            history.append(response)
            request = request.copy()
            request.prepare_url(target, None)
            response = self._exchange(request, total, kwargs)
        response.history = history
        return response

    def _exchange(
        self, request: requests.PreparedRequest, total: float | None, kwargs: dict[str, t.Any]
    ) -> requests.Response:
        with WATCH.limit(total) as deadline:
            try:
                response = super().send(request, stream=True, allow_redirects=False, **kwargs)
                self._read_body(response)
            except (
                requests.RequestException,
                OSError,
                http.client.HTTPException,
                urllib3.exceptions.HTTPError,
            ) as exc:
                if deadline is not None and deadline.expired:
                    host = host_of(str(request.url))
                    msg = f"timed out: no complete answer from {host} within {total:g}s"
                    raise DeadlineExceeded(msg, request=request) from exc
                raise
        return response

    def _read_body(self, response: requests.Response) -> None:
        limit = self.max_response_bytes
        where = f"{host_of(response.url)}{urlsplit(response.url).path}"
        too_large = (
            f"{where} sent more than {limit} bytes (max_response_bytes); raise "
            "max_response_bytes if Procore really answers this much in one page"
        )
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            response.close()
            raise ResponseTooLarge(too_large)
        chunks: list[bytes] = []
        size = 0
        # iter_content decompresses chunk by chunk, so the cap holds for the decoded size.
        for chunk in response.iter_content(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                response.close()
                raise ResponseTooLarge(too_large)
            chunks.append(chunk)
        response._content = b"".join(chunks)
        response.close()  # the body is read: give the connection back to the pool


# --- what went wrong -------------------------------------------------------------------------


def _causes(exc: BaseException) -> t.Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)


_E = t.TypeVar("_E", bound=BaseException)


@t.overload
def _first(exc: BaseException, kind: type[_E]) -> _E | None: ...


@t.overload
def _first(exc: BaseException, kind: tuple[type[BaseException], ...]) -> BaseException | None: ...


def _first(
    exc: BaseException, kind: type[BaseException] | tuple[type[BaseException], ...]
) -> BaseException | None:
    """The first exception of `kind` in the chain of causes and contexts of `exc`."""
    return next((cause for cause in _causes(exc) if isinstance(cause, kind)), None)


# Failures that need no detail beyond the host, in the order they are looked for; every one of
# them may pass, so the request is tried again.
_PLAIN_FAILURES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    (
        (requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError),
        "connecting to {host} timed out",
    ),
    (
        (
            requests.exceptions.Timeout,
            TimeoutError,
            socket.timeout,
            urllib3.exceptions.ReadTimeoutError,
        ),
        "timed out waiting for {host}",
    ),
    ((requests.exceptions.ContentDecodingError,), "{host} sent a body that does not decompress"),
    (
        (
            ConnectionResetError,
            ConnectionAbortedError,
            BrokenPipeError,
            http.client.RemoteDisconnected,
            http.client.IncompleteRead,
            urllib3.exceptions.ProtocolError,
            requests.exceptions.ChunkedEncodingError,
        ),
        "connection to {host} closed before a complete answer",
    ),
)


def describe_failure(exc: BaseException, url: str) -> tuple[str, bool]:
    """One line naming the host and what failed, and whether trying again may help."""
    failed_url = getattr(getattr(exc, "request", None), "url", None) or url
    host = host_of(failed_url)
    described = _described_in_detail(exc, host, urlsplit(failed_url).hostname or host)
    if described is not None:
        return described
    for kinds, text in _PLAIN_FAILURES:
        if _first(exc, kinds) is not None:
            return text.format(host=host), True
    return f"{type(exc).__name__} talking to {host}", True


def _described_in_detail(exc: BaseException, host: str, hostname: str) -> tuple[str, bool] | None:
    if (verify := _first(exc, ssl.SSLCertVerificationError)) is not None:
        detail = getattr(verify, "verify_message", None) or getattr(verify, "reason", None)
        return (
            f"TLS verification failed for {host} ({detail or verify}); the tap never turns "
            "verification off: check api_url/auth_url, or trust the proxy's CA with "
            "REQUESTS_CA_BUNDLE",
            False,
        )
    if (deadline := _first(exc, DeadlineExceeded)) is not None:
        return str(deadline), True
    if (dns := _first(exc, socket.gaierror)) is not None:
        # EAI_AGAIN is the resolver itself failing for a moment; every other answer is final.
        temporary = dns.errno == socket.EAI_AGAIN
        return f"cannot resolve {hostname} (DNS: {dns.strerror or dns})", temporary
    if _first(exc, ConnectionRefusedError) is not None:
        return f"connection to {host} refused", True
    if (tls := _first(exc, ssl.SSLError)) is not None:
        return f"TLS handshake with {host} failed ({getattr(tls, 'reason', None) or tls})", True
    return None

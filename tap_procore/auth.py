"""OAuth for Procore: client credentials (service accounts) and rotating refresh tokens.

Procore access tokens live 5,400 s. Client-credentials tokens are simply requested again before
they expire. Refresh tokens rotate: every refresh returns a new one and kills the old one, so the
newest must be used for the rest of the run and, when `refresh_token_path` is set, written back
atomically (mode 0600) as soon as an answer carries it (whatever else the answer lacks), so the
next run can still log in. Jobs that share the file (shards through Meltano's `inherit_from`)
take turns: a lock file beside it is held from reading the file to writing the new token, and a
refresh refused with `invalid_grant` is tried once more if the file changed meanwhile. A signal
waits for a rotation to be saved (tap_procore/stopping.py).

An access token is checked as it arrives: one that cannot be sent in an `Authorization` header
(a line break from a token broker reading a file, characters outside ASCII) stops the run with
one line that says what is wrong with it, never the token.

Nothing here logs a secret: token bodies are never logged, and error bodies are reduced to the
OAuth `error` code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import math
import os
import tempfile
import threading
import typing as t
from pathlib import Path
from urllib.parse import urljoin

import requests
from singer_sdk.authenticators import OAuthAuthenticator

from tap_procore.errors import ConfigError, FatalAPIError
from tap_procore.http import origin
from tap_procore.redaction import SecretRedactor, printable_url
from tap_procore.retries import TransientError, is_transient_status
from tap_procore.stopping import STOP
from tap_procore.transport import Transport

logger = logging.getLogger("tap-procore")

# Refresh this long before expiry, but never more than a fifth of the token's life (tests and
# some proxies issue tokens that live only seconds).
EXPIRY_MARGIN_SECONDS = 300.0
# Procore's tokens live 5,400 s; a lifetime that is not a positive number is taken as that (a
# token that dies earlier is renewed after its first 401), and none is trusted beyond a day.
DEFAULT_TOKEN_LIFETIME = 5400.0
LONGEST_TOKEN_LIFETIME = 86400.0


def token_lifetime(value: t.Any) -> float:
    """Seconds an access token may be used, from the token endpoint's `expires_in`."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return DEFAULT_TOKEN_LIFETIME
    try:
        seconds = float(value)
    except (ValueError, OverflowError):  # text, or an integer of 400 digits
        return DEFAULT_TOKEN_LIFETIME
    if math.isnan(seconds) or seconds <= 0:
        return DEFAULT_TOKEN_LIFETIME
    return min(seconds, LONGEST_TOKEN_LIFETIME)


def unsendable(token: str) -> str | None:
    """What keeps an access token out of an `Authorization: Bearer` header, or None.

    OAuth tokens are printable ASCII without spaces (RFC 6749 VSCHAR, RFC 6750 b64token);
    anything else is either refused by the HTTP library (line breaks, characters outside
    Latin-1) or reaches Procore as a different token."""
    if not token:
        return "is empty"
    if "\r" in token or "\n" in token:
        return "holds a line break (CR/LF)"
    if any(character.isspace() for character in token):
        return "holds a space or tab"
    if not token.isascii():
        return "holds characters outside printable ASCII"
    if not token.isprintable():
        return "holds control characters"
    return None


def read_refresh_token_file(path: Path) -> str | None:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError("refresh_token_path", f"cannot read {path}: {exc.strerror}") from None
    return token or None


def _real_file(path: Path) -> Path:
    # A symlink (to a mounted volume, a secrets store) is written through, not replaced.
    return Path(os.path.realpath(path))


def check_refresh_token_file_replaceable(path: Path) -> None:
    """Before the first refresh: the newest token can be saved, or no refresh happens at all.

    Procore invalidates the old refresh token when it issues a new one, so a token that cannot
    be saved means a person must authorise the app again. Trying a file in the folder is the
    only test that holds for root, read-only mounts and full disks alike.
    """
    folder = _real_file(path).parent
    try:
        fd, probe = tempfile.mkstemp(prefix=".tap-procore-write-test.", dir=folder)
    except OSError as exc:
        raise ConfigError(
            "refresh_token_path",
            f"the tap cannot write in {folder} ({exc.strerror}), so it could not save the new "
            "refresh token Procore issues on every login (and invalidates the old one); make "
            f"{folder} writable or point refresh_token_path to a writable place; nothing was "
            "sent to Procore",
        ) from None
    os.close(fd)
    Path(probe).unlink(missing_ok=True)


def write_refresh_token_file(path: Path, token: str) -> None:
    """Replace the file (or a symlink's target) atomically, readable only by its owner.

    The new token goes to a temporary file first: if anything fails, the old file is intact.
    """
    path = _real_file(path)
    directory = path.parent
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def refresh_token_file_lock(path: Path) -> t.Iterator[None]:
    """Held from reading the token file to writing the rotated token: jobs sharing the file
    (shards) would otherwise refresh with the same token, and Procore accepts it only once.
    The lock is a file of its own beside the token file, which is replaced on every write."""
    real = _real_file(path)
    lock_path = real.with_name(real.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise ConfigError(
            "refresh_token_path", f"cannot open the lock file {lock_path} ({exc.strerror or exc})"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


class RefreshRefused(FatalAPIError):
    """The token endpoint refused the grant; `code` is its OAuth error code."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


def _oauth_error_code(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no error code"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        # Redact before cutting: a secret cut in half no longer matches the log filter.
        return SecretRedactor.scrub_active(body["error"])[:80]
    return "no error code"


class ProcoreAuthenticator(OAuthAuthenticator):
    """One authenticator per run, shared by every stream (and every worker thread)."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        transport: Transport,
        session: requests.Session,
        timeout: float,
        refresh_token: str | None = None,
        refresh_token_path: str | None = None,
    ) -> None:
        super().__init__(
            auth_endpoint=token_url,
            client_id=client_id,
            client_secret=client_secret,
            default_expiration=5400,
        )
        self._transport = transport
        self._token_session = session
        self._timeout = timeout
        self._lock = threading.RLock()
        self._encoding = "json"
        self._token_path = Path(refresh_token_path).expanduser() if refresh_token_path else None
        stored = read_refresh_token_file(self._token_path) if self._token_path else None
        # The file is newer than the config: the config still holds the token of the first login.
        self.refresh_token = stored or refresh_token
        self.uses_refresh_token = bool(refresh_token or refresh_token_path)
        if self.uses_refresh_token and not self.refresh_token:
            raise ConfigError(
                "refresh_token_path",
                f"{self._token_path} is missing or empty and no refresh_token is set",
            )
        if self.uses_refresh_token and self._token_path is not None:
            check_refresh_token_file_replaceable(self._token_path)

    @property
    def oauth_request_body(self) -> dict[str, t.Any]:
        if self.uses_refresh_token:
            return {
                "grant_type": "refresh_token",
                "refresh_token": self.refresh_token,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            }
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }

    def is_token_valid(self) -> bool:
        if self.access_token is None or self.last_refreshed is None:
            return False
        lifetime = token_lifetime(self.expires_in)
        margin = min(EXPIRY_MARGIN_SECONDS, lifetime / 5)
        age = (dt.datetime.now(dt.timezone.utc) - self.last_refreshed).total_seconds()
        return age < lifetime - margin

    def invalidate(self) -> None:
        """Forget the current access token so the next request fetches a new one."""
        with self._lock:
            self.access_token = None
            self.last_refreshed = None

    def authenticate_request(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        with self._lock:
            if not self.is_token_valid():
                self.update_access_token()
            token = self.access_token
        request.headers["Authorization"] = f"Bearer {token}"
        return request

    def _post(self, encoding: str) -> requests.Response:
        body = self.oauth_request_payload
        response = self._token_session.post(
            self.auth_endpoint,
            json=body if encoding == "json" else None,
            data=None if encoding == "json" else body,
            timeout=self._timeout,
            allow_redirects=False,
        )
        self._transport.observe(response)
        if 300 <= response.status_code < 400:
            scheme, host, port = origin(
                urljoin(self.auth_endpoint, response.headers.get("Location", ""))
            )
            raise FatalAPIError(
                f"Procore login at {printable_url(self.auth_endpoint)} answered "
                f"{response.status_code}, a "
                f"redirect to {scheme}://{host}:{port}; not followed, since a login carries "
                "client_secret: set auth_url to the login host itself"
            )
        return response

    def _post_token_request(self) -> dict[str, t.Any]:
        """The body of a successful answer of the token endpoint (every other answer raises)."""
        # Procore's API description declares a JSON body, its guides show form fields; both
        # are accepted. The other encoding is tried once if the first is refused as malformed,
        # and kept for the rest of the run if it works.
        response = self._post(self._encoding)
        if response.status_code in (400, 401, 415):
            other = "form" if self._encoding == "json" else "json"
            retry = self._post(other)
            if retry.status_code == 200 or retry.status_code >= 500:
                self._encoding, response = other, retry
        if is_transient_status(response.status_code) or response.status_code == 429:
            raise TransientError(f"token endpoint answered {response.status_code}", response)
        if response.status_code in (400, 401, 403):
            grant = "refresh token" if self.uses_refresh_token else "client credentials"
            code = _oauth_error_code(response)
            msg = (
                f"Procore refused the {grant} ({response.status_code} {code}) at "
                f"{printable_url(self.auth_endpoint)}"
            )
            if self.uses_refresh_token:
                msg += "; the refresh token may have been used already (they rotate on every use)"
            raise RefreshRefused(msg, code)
        if response.status_code != 200:
            msg = f"token endpoint answered {response.status_code}"
            raise FatalAPIError(f"Procore login failed: {msg}")
        try:
            body = response.json()
        except (ValueError, RecursionError):
            raise TransientError("token endpoint sent a body that is not JSON", response) from None
        if isinstance(body, dict):
            # Before anything else is judged: the old refresh token is dead already.
            self._keep_rotated_refresh_token(body.get("refresh_token"))
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise TransientError("token endpoint sent no access_token", response)
        problem = unsendable(body["access_token"])
        if problem is not None:
            raise FatalAPIError(
                f"the token endpoint at {printable_url(self.auth_endpoint)} answered with an "
                f"access_token that cannot be sent in an Authorization header: it {problem} "
                "(the token is not shown); something between the tap and Procore's login (a "
                "proxy, a token broker) alters it: check auth_url"
            )
        return body

    def _keep_rotated_refresh_token(self, rotated: t.Any) -> None:
        if not self.uses_refresh_token or not isinstance(rotated, str) or not rotated:
            return
        if rotated == self.refresh_token:
            return
        # Saved before use: if the run dies after this point, the file still logs in.
        if self._token_path is not None:
            self._save_refresh_token(rotated)
        self.refresh_token = rotated

    @contextlib.contextmanager
    def _rotation(self) -> t.Iterator[None]:
        """What a refresh-token login holds: no signal cuts it, and no other job sharing the
        token file refreshes meanwhile."""
        if not self.uses_refresh_token:
            yield
            return
        if self._token_path is None:
            with STOP.protect():
                yield
            return
        # The lock first: a signal while another job holds it stops this one at once.
        with refresh_token_file_lock(self._token_path), STOP.protect():
            yield

    def _token_in_file(self) -> str | None:
        return read_refresh_token_file(self._token_path) if self._token_path else None

    def update_access_token(self) -> None:
        """Ask for a new access token. Failures that may pass raise TransientError, which the
        stream request that needed the token retries (tap_procore/retries.py)."""
        with self._lock, self._rotation():
            # Another job sharing the file may have rotated the token since this one read it.
            in_file = self._token_in_file()
            if in_file:
                self.refresh_token = in_file
            requested_at = dt.datetime.now(dt.timezone.utc)
            try:
                body = self._post_token_request()
            except RefreshRefused as refused:
                # A job that does not take the lock (an older version, a person) wrote the file
                # while this login was on its way: its token is the one to use.
                newer = self._token_in_file()
                if refused.code != "invalid_grant" or not newer or newer == in_file:
                    raise
                self.refresh_token = newer
                body = self._post_token_request()
            self.access_token = body["access_token"]
            self.expires_in = int(token_lifetime(body.get("expires_in")))
            self.last_refreshed = requested_at
            logger.info("Obtained a Procore access token valid for %ss", self.expires_in)

    def _save_refresh_token(self, token: str) -> None:
        assert self._token_path is not None
        try:
            write_refresh_token_file(self._token_path, token)
        except OSError as exc:
            target = _real_file(self._token_path)
            raise FatalAPIError(
                f"Procore issued a new refresh token but it could not be saved to {target} "
                f"({exc.strerror or exc}); the file still holds the previous token, which "
                "Procore has now invalidated: fix the file's folder, then authorise the app "
                "again to get a new refresh token"
            ) from None

    def handle_error(self, *, content: str, status_code: int | None) -> None:
        # The SDK's default logs the response body; ours may echo request fields.
        logger.error("Procore login failed with status %s", status_code)

    def __repr__(self) -> str:  # never show tokens in debug output
        return f"ProcoreAuthenticator(token_url={printable_url(self.auth_endpoint)!r})"

"""OAuth for Procore: client credentials (service accounts) and rotating refresh tokens.

Procore access tokens live 5,400 s. Client-credentials tokens are simply requested again before
they expire. Refresh tokens rotate: every refresh returns a new one and kills the old one, so the
newest must be used for the rest of the run and, when `refresh_token_path` is set, written back
atomically (mode 0600) before it is used, so the next run can still log in.

Nothing here logs a secret: token bodies are never logged, and error bodies are reduced to the
OAuth `error` code.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import threading
import typing as t
from pathlib import Path

import requests
from singer_sdk.authenticators import OAuthAuthenticator

from tap_procore.errors import ConfigError, FatalAPIError
from tap_procore.transport import TransientError, Transport

logger = logging.getLogger("tap-procore")

# Refresh this long before expiry, but never more than a fifth of the token's life (tests and
# some proxies issue tokens that live only seconds).
EXPIRY_MARGIN_SECONDS = 300.0


def read_refresh_token_file(path: Path) -> str | None:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError("refresh_token_path", f"cannot read {path}: {exc.strerror}") from None
    return token or None


def write_refresh_token_file(path: Path, token: str) -> None:
    """Replace the file atomically, readable only by its owner."""
    directory = path.parent if str(path.parent) else Path()
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


def _oauth_error_code(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no error code"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"][:80]
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

    @property
    def oauth_request_body(self) -> dict:
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
        lifetime = float(self.expires_in or 5400)
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
        if encoding == "json":
            return self._token_session.post(self.auth_endpoint, json=body, timeout=self._timeout)
        return self._token_session.post(self.auth_endpoint, data=body, timeout=self._timeout)

    def _post_token_request(self) -> requests.Response:
        # Procore's API description declares a JSON body, its guides show form fields; both
        # are accepted. The other encoding is tried once if the first is refused as malformed,
        # and kept for the rest of the run if it works.
        response = self._post(self._encoding)
        if response.status_code in (400, 401, 415):
            other = "form" if self._encoding == "json" else "json"
            retry = self._post(other)
            if retry.status_code == 200 or retry.status_code >= 500:
                self._encoding, response = other, retry
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise TransientError(f"token endpoint answered {response.status_code}", response)
        if response.status_code in (400, 401, 403):
            grant = "refresh token" if self.uses_refresh_token else "client credentials"
            msg = (
                f"Procore refused the {grant} ({response.status_code} "
                f"{_oauth_error_code(response)}) at {self.auth_endpoint}"
            )
            if self.uses_refresh_token:
                msg += "; the refresh token may have been used already (they rotate on every use)"
            raise FatalAPIError(msg)
        if response.status_code != 200:
            msg = f"token endpoint answered {response.status_code}"
            raise FatalAPIError(f"Procore login failed: {msg}")
        try:
            body = response.json()
        except ValueError:
            raise TransientError("token endpoint sent a body that is not JSON", response) from None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise TransientError("token endpoint sent no access_token", response)
        response.token_body = body  # type: ignore[attr-defined]
        return response

    def update_access_token(self) -> None:
        with self._lock:
            requested_at = dt.datetime.now(dt.timezone.utc)
            response = self._transport.send(
                self._post_token_request, company="login", describe="POST /oauth/token"
            )
            body: dict[str, t.Any] = response.token_body  # type: ignore[attr-defined]
            rotated = body.get("refresh_token")
            if self.uses_refresh_token and isinstance(rotated, str) and rotated:
                # Persist before use: if the run dies after this point the file still logs in.
                if self._token_path is not None:
                    write_refresh_token_file(self._token_path, rotated)
                self.refresh_token = rotated
            self.access_token = body["access_token"]
            try:
                self.expires_in = int(body.get("expires_in") or 5400)
            except (TypeError, ValueError):
                self.expires_in = 5400
            self.last_refreshed = requested_at
            logger.info("Obtained a Procore access token valid for %ss", self.expires_in)

    def handle_error(self, *, content: str, status_code: int | None) -> None:
        # The SDK's default logs the response body; ours may echo request fields.
        logger.error("Procore login failed with status %s", status_code)

    def __repr__(self) -> str:  # never show tokens in debug output
        return f"ProcoreAuthenticator(token_url={self.auth_endpoint!r})"


"""Procore's OAuth token endpoint, as far as a data-extraction tap sees it.

`client_credentials` issues an access token (notes §3.1); `refresh_token`
issues a new access token *and* a new refresh token, invalidating the old
one (Procore rotates refresh tokens, notes §3.2).  Issued tokens are random
per server instance, so a token from one double never works on another.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

DEFAULT_CLIENT_ID = "double-client-id"
DEFAULT_CLIENT_SECRET = "double-client-secret"
DEFAULT_REFRESH_TOKEN = "double-refresh-token-0"
DEFAULT_TOKEN_TTL = 5400  # seconds; Procore's access tokens live 1.5 h


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def parse_token_request(
    content_type: str, body: bytes, authorization: str | None
) -> dict[str, str]:
    """Form-encoded, multipart (`curl -F`) or JSON bodies; HTTP Basic client credentials."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    fields: dict[str, str] = {}
    if media_type == "application/json":
        try:
            decoded = json.loads(body or b"{}")
        except ValueError:
            raise OAuthError(400, "invalid_request", "body is not valid JSON") from None
        if not isinstance(decoded, dict):
            raise OAuthError(400, "invalid_request", "body must be a JSON object")
        fields = {str(k): str(v) for k, v in decoded.items() if v is not None}
    elif media_type == "multipart/form-data":
        envelope = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
        message = BytesParser(policy=HTTP).parsebytes(envelope)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                fields[str(name)] = part.get_payload(decode=True).decode("utf-8")
    else:
        fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    if authorization and authorization.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(authorization[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            raise OAuthError(401, "invalid_client", "malformed Basic credentials") from None
        fields.setdefault("client_id", user)
        fields.setdefault("client_secret", password)
    return fields


class TokenAuthority:
    def __init__(
        self,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        refresh_token: str = DEFAULT_REFRESH_TOKEN,
        token_ttl: float = DEFAULT_TOKEN_TTL,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl = token_ttl
        self._refresh_token = refresh_token
        self._tokens: dict[str, float] = {}  # access token -> expiry (epoch seconds)
        self._lock = threading.Lock()
        self.issued = 0

    def grant(self, fields: dict[str, str]) -> dict[str, Any]:
        grant_type = fields.get("grant_type")
        if grant_type not in ("client_credentials", "refresh_token"):
            raise OAuthError(
                400,
                "unsupported_grant_type",
                f"grant_type {grant_type!r} is not supported by the double",
            )
        self._check_client(fields)
        with self._lock:
            if grant_type == "refresh_token":
                if not secrets.compare_digest(fields.get("refresh_token", ""), self._refresh_token):
                    raise OAuthError(
                        401,
                        "invalid_grant",
                        "The refresh token is invalid, expired or already used.",
                    )
                self._refresh_token = secrets.token_urlsafe(24)
                answer = self._issue()
                answer["refresh_token"] = self._refresh_token
                return answer
            return self._issue()

    def _check_client(self, fields: dict[str, str]) -> None:
        if not (
            secrets.compare_digest(fields.get("client_id", ""), self.client_id)
            and secrets.compare_digest(fields.get("client_secret", ""), self.client_secret)
        ):
            raise OAuthError(401, "invalid_client", "Client authentication failed.")

    def _issue(self) -> dict[str, Any]:
        now = time.time()
        self._purge(now)
        token = secrets.token_urlsafe(32)
        self._tokens[token] = now + self.token_ttl
        self.issued += 1
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": int(self.token_ttl)
            if float(self.token_ttl).is_integer()
            else self.token_ttl,
            "created_at": int(now),
        }

    def _purge(self, now: float) -> None:
        expired = [token for token, expiry in self._tokens.items() if expiry <= now]
        for token in expired:
            del self._tokens[token]

    def check(self, authorization: str | None) -> bool:
        if not authorization or not authorization.lower().startswith("bearer "):
            return False
        token = authorization[7:].strip()
        with self._lock:
            expiry = self._tokens.get(token)
        return expiry is not None and expiry > time.time()

    def info(self, authorization: str | None) -> dict[str, Any] | None:
        """GET /oauth/token/info for a valid bearer token."""
        if not self.check(authorization):
            return None
        token = (authorization or "")[7:].strip()
        with self._lock:
            expiry = self._tokens.get(token, 0.0)
        return {
            "resource_owner_id": None,
            "scopes": [],
            "expires_in_seconds": max(0, int(expiry - time.time())),
            "application": {"uid": self.client_id},
            "created_at": int(expiry - self.token_ttl),
        }

    def revoke_all(self) -> int:
        with self._lock:
            count = len(self._tokens)
            self._tokens.clear()
            return count

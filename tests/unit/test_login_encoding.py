"""Token requests work whether the login endpoint takes JSON or form fields."""

from __future__ import annotations

import json
import typing as t
from urllib.parse import parse_qs

import pytest
import requests
import requests_mock

from tap_procore.auth import ProcoreAuthenticator
from tap_procore.pacing import RateGovernor
from tap_procore.transport import Transport

TOKEN_URL = "https://login.example.com/oauth/token"


def login_endpoint(accepts: str, seen: list[str]):
    """A login that takes only `accepts` ("json" or "form") and records what it was sent."""

    def answer(request: requests.PreparedRequest, context: t.Any) -> dict:
        kind = "json" if request.headers["Content-Type"].startswith("application/json") else "form"
        seen.append(kind)
        raw = request.body.decode() if isinstance(request.body, bytes) else request.body
        if kind == "json":
            fields = json.loads(raw)
        else:
            fields = {key: values[0] for key, values in parse_qs(raw).items()}
        ok = kind == accepts and fields.get("client_secret") == "s3cret-value"
        context.status_code = 200 if ok else 400
        return (
            {"access_token": "tok-123456", "expires_in": 5400}
            if ok
            else {"error": "invalid_request"}
        )

    return answer


@pytest.mark.parametrize("accepts", ["json", "form"])
def test_login_falls_back_to_the_other_encoding_and_keeps_it(accepts):
    seen: list[str] = []
    with requests_mock.Mocker() as mock, requests.Session() as session:
        mock.post(TOKEN_URL, json=login_endpoint(accepts, seen))
        auth = ProcoreAuthenticator(
            token_url=TOKEN_URL,
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
    expected_first = ["json"] if accepts == "json" else ["json", "form"]
    assert seen[: len(expected_first)] == expected_first
    assert seen[-1] == accepts  # the working encoding is kept for the next token

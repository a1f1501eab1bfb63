"""What an answer from Procore means: retry, skip the scope, stop, or a page of records.

`AnswerJudge.judge` runs inside the retry loop (tap_procore/reading.py) for every attempt:

* 401 -> renew the token and retry; 429 (and 503 with Retry-After) -> wait as Procore says;
  5xx, 408, a body that is not JSON or not the endpoint's shape -> retry with backoff;
* 403/404 -> `ScopeUnavailable`: this project's (or company's) tool is skipped, the run goes on;
* any other 4xx, JSON nested too deeply -> a `ScopeFailure`: this scope fails, the run goes on;
* a redirect that was not followed -> one fatal line (api_url is wrong for every request);
* otherwise a `Page`: its records (v2 ``data`` envelopes unwrapped, one-object endpoints as one
  record, NUL characters and unpaired UTF-16 surrogates in text replaced) and what Procore said
  about the listing (``Total``, ``Per-Page``, ``Link``, the next cursor).
"""

from __future__ import annotations

import json
import logging
import re
import typing as t
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import msgspec
import requests

from tap_procore.conform import without_lone_surrogates, without_nul
from tap_procore.errors import FatalAPIError, RequestRefused, ScopeUnavailable, UnreadableAnswer
from tap_procore.http import MAX_REDIRECTS, origin
from tap_procore.redaction import SecretRedactor
from tap_procore.retries import (
    RateLimited,
    TokenRejected,
    TransientError,
    is_transient_status,
    rate_limit_wait,
)

if t.TYPE_CHECKING:
    from tap_procore.transport import Transport

logger = logging.getLogger("tap-procore")

_JSON_DECODER = msgspec.json.Decoder()
_COUNT = re.compile(r"\s*([0-9]{1,18})\s*")
# A high or low surrogate as a JSON escape; most are halves of a pair, which decode fine.
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


class TooDeep(ValueError):
    """JSON nested deeper than Python can walk: no retry makes it shallower."""


def decode_json(content: bytes) -> t.Any:
    try:
        try:
            return _JSON_DECODER.decode(content)
        except msgspec.DecodeError:
            # msgspec refuses integers beyond 64 bits; the standard library does not.
            return json.loads(content)
    except RecursionError:
        raise TooDeep("JSON nested too deeply to read") from None


def why_not_json(content: bytes) -> str:
    """Why a body does not decode, for a person: text that is not UTF-8 is not the same
    fault as a page cut short or an HTML error page."""
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            f"response body is not UTF-8 text: byte 0x{content[exc.start]:02x} at byte offset "
            f"{exc.start} of {len(content)} ({exc.reason})"
        )
    return "response body is not valid JSON"


def short(text: str | None, limit: int = 200) -> str:
    # Redact before cutting: a secret cut in half no longer matches the log filter.
    collapsed = " ".join(SecretRedactor.scrub_active(text or "").split())
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1] + "…"


def body_summary(response: requests.Response) -> str:
    content_type = response.headers.get("Content-Type", "")
    if "html" in content_type:
        return short(response.reason) or "HTML error page"
    try:
        body = decode_json(response.content)
    except ValueError:
        return short(response.text)
    if isinstance(body, dict):
        for key in ("errors", "error", "message"):
            if body.get(key):
                return short(str(body[key]))
    return short(str(body))


def header_count(value: str | None) -> int | None:
    """A count header (Total, Per-Page) or page number: ASCII digits only (``²`` is not 2)."""
    match = _COUNT.fullmatch(value or "")
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Page:
    """One page of a listing, as Procore answered it."""

    records: list[dict[str, t.Any]]
    #: The ``Total`` header: rows in the whole listing, as of this answer.
    total: int | None = None
    #: The ``Per-Page`` header.
    per_page: int | None = None
    #: A ``Link`` header came (Procore omits ``rel="next"`` on the last page, not the header).
    link: bool = False
    #: ``Link`` had ``rel="next"``.
    next_link: bool = False
    #: Where a cursor-paged listing goes on (None: it ends here).
    next_cursor: str | None = None


def page_of(
    response: requests.Response, records: list[dict[str, t.Any]], next_cursor: str | None = None
) -> Page:
    """A page of `records`, with what the answer's headers say about the listing."""
    headers = response.headers
    return Page(
        records=records,
        total=header_count(headers.get("Total")),
        per_page=header_count(headers.get("Per-Page")),
        link=bool(headers.get("Link")),
        next_link="next" in response.links,
        next_cursor=next_cursor,
    )


@dataclass(frozen=True)
class AnswerShape:
    """What a stream's answers look like."""

    name: str
    is_v2: bool
    response_kind: str
    cursor_param: str | None
    #: The stream's own way to find records in a body, tried first (`records_in_body`).
    records_in_body: t.Callable[[t.Any], list[dict[str, t.Any]] | None] | None = None


class AnswerJudge:
    """Judges every answer to one stream's requests."""

    def __init__(
        self,
        shape: AnswerShape,
        transport: Transport,
        *,
        warn_about_text: t.Callable[[], bool] = lambda: True,
    ) -> None:
        self.shape = shape
        self._transport = transport
        self._warn_about_text = warn_about_text
        self._warned_repairs: set[str] = set()

    def judge(self, response: requests.Response) -> Page:
        """The page an answer holds, or the exception that says what to do instead."""
        self._transport.observe(response)
        refusal = self._refusal(response)
        if refusal is not None:
            raise refusal
        body = self._body(response)
        records = self._records_in(body)
        if records is None:
            # Inside the retry loop: a proxy's odd answer may pass, and if not, one line.
            msg = f"{self.shape.name}: expected a JSON list, got {type(body).__name__}"
            raise TransientError(msg, response)
        cursor = self._next_cursor(response, body) if self.shape.cursor_param else None
        return page_of(response, records, cursor)

    def _next_cursor(self, response: requests.Response, body: t.Any) -> str | None:
        """Where a cursor-paged listing goes on: the next link's cursor, else the body's."""
        link = response.links.get("next", {}).get("url")
        if link:
            found = parse_qs(urlsplit(link).query).get(str(self.shape.cursor_param))
            if found:
                return found[0]
        if isinstance(body, dict):
            for holder in (body, body.get("meta"), body.get("pagination")):
                if isinstance(holder, dict) and holder.get("next_cursor") not in (None, ""):
                    return str(holder["next_cursor"])
        return None

    def _where(self, response: requests.Response) -> str:
        return f"{self.shape.name}: GET {urlsplit(response.url).path}"

    def _refusal(self, response: requests.Response) -> Exception | None:
        """The exception an answer that carries no records raises, or None for a 2xx."""
        status = response.status_code
        if status == 401:
            return TokenRejected("HTTP 401", response)
        if status == 429 or (status == 503 and response.headers.get("Retry-After")):
            wait, reason = rate_limit_wait(response, self._transport.clock())
            return RateLimited(reason, response, wait)
        if is_transient_status(status):
            return TransientError(f"HTTP {status} {short(response.reason)}", response)
        if 300 <= status < 400:
            return FatalAPIError(self._redirect_refused(response))
        if status in (403, 404):
            return ScopeUnavailable(status, body_summary(response))
        if status >= 400:
            summary = body_summary(response)
            return RequestRefused(
                f"{self._where(response)} was refused with HTTP {status}: {summary}"
            )
        return None

    def _body(self, response: requests.Response) -> t.Any:
        content = response.content
        try:
            body = decode_json(content)
        except TooDeep as exc:
            raise UnreadableAnswer(f"{self._where(response)}: {exc}") from None
        except ValueError:
            raise TransientError(why_not_json(content), response) from None
        # Rare: only such pages pay for a walk over every text.
        if b"\\u0000" in content:
            body = without_nul(body)
            self._repaired_text("text with NUL characters")
        if _ESCAPED_SURROGATE.search(content):
            body = without_lone_surrogates(body)
            self._repaired_text("text with unpaired UTF-16 surrogates (half an emoji)")
        return body

    def _repaired_text(self, what: str) -> None:
        """Once per stream, and only in a run that writes records (a plan writes none)."""
        if what in self._warned_repairs or not self._warn_about_text():
            return
        self._warned_repairs.add(what)
        logger.warning("%s: %s; they are sent as U+FFFD", self.shape.name, what)

    def _redirect_refused(self, response: requests.Response) -> str:
        where = self._where(response)
        location = response.headers.get("Location")
        if not location:
            return f"{where} answered HTTP {response.status_code}, a redirect without a target"
        scheme, host, port = origin(urljoin(response.url, location))
        return (
            f"{where} was redirected (HTTP {response.status_code}) to {scheme}://{host}:{port}; "
            "not followed: redirects are followed only within api_url's origin (at most "
            f"{MAX_REDIRECTS}), so rows only ever come from api_url; set api_url to the address "
            "that answers"
        )

    def _records_in(self, body: t.Any) -> list[dict[str, t.Any]] | None:
        """The records of a decoded body, or None when it is not the shape the endpoint has."""
        if self.shape.records_in_body is not None:
            found = self.shape.records_in_body(body)
            if found is not None:
                return found
        # v2 wraps everything in {"data": ...}; a few v1 lists do too (budget changes).
        enveloped = self.shape.is_v2 or self.shape.response_kind == "list"
        if isinstance(body, dict) and "data" in body and enveloped:
            body = body["data"]
        if self.shape.response_kind == "object":
            if isinstance(body, dict):
                return [body]
            if body is None:
                return []
        if isinstance(body, list):
            return [item for item in body if isinstance(item, dict)]
        return None

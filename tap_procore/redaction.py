"""Keeps secrets out of every log line, whichever library writes it.

The tap never formats a secret into a message itself; this filter is the second line of
defence for text that comes from elsewhere (an exception string, an HTTP library's debug log,
an error body that echoes a request). A secret is looked for in every form it may be printed
in: as is, without the whitespace around it, escaped as Python shows a str or bytes value, as
JSON, and URL-encoded. URLs lose their userinfo (`https://user:password@proxy/`).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import typing as t
from urllib.parse import quote, quote_plus

MASK = "[redacted]"
# Shorter text could be an ordinary word.
SHORTEST_SECRET = 6
# `user:password@` after a scheme's `//`: up to the last @ before the path (a password may hold
# an @ of its own), never across whitespace or quotes.
_USERINFO = re.compile(r"(?<=//)[^/?#\s'\"]*@")


def printable_url(url: str) -> str:
    """`url` (or every URL in a text) without userinfo: a proxy's password set in api_url or
    auth_url, or a webhook receiver's, must never reach a log line or the terminal."""
    return _USERINFO.sub("", url)


@functools.lru_cache(maxsize=64)
def printed_forms(secret: str) -> tuple[str, ...]:
    """The ways `secret` may appear in a line, longest first."""
    forms = {
        secret,
        secret.strip(),
        repr(secret)[1:-1],
        repr(secret.encode("utf-8", "backslashreplace"))[2:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
    }
    return tuple(
        sorted((form for form in forms if len(form) >= SHORTEST_SECRET), key=len, reverse=True)
    )


class SecretRedactor(logging.Filter):
    _active: t.ClassVar[SecretRedactor | None] = None

    def __init__(self, secrets: t.Callable[[], t.Iterable[str]]) -> None:
        super().__init__()
        self._secrets = secrets

    def scrub(self, text: str) -> str:
        text = printable_url(text)
        for secret in self._secrets():
            if not secret:
                continue
            for form in printed_forms(secret):
                if form in text:
                    text = text.replace(form, MASK)
        return text

    @classmethod
    def scrub_active(cls, text: str) -> str:
        return cls._active.scrub(text) if cls._active is not None else printable_url(text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            if self.scrub(str(exc)) != str(exc):
                record.exc_info = None
                record.exc_text = None
                record.msg = f"{record.msg} ({type(exc).__name__}: details redacted)"
        return True

    def install(self) -> None:
        """Attach to every handler that exists now, and to the root logger for later ones."""
        SecretRedactor._active = self
        root = logging.getLogger()
        root.addFilter(self)
        seen: set[int] = set()
        for logger in [root, *logging.Logger.manager.loggerDict.values()]:
            for handler in getattr(logger, "handlers", []):
                if id(handler) not in seen:
                    seen.add(id(handler))
                    handler.addFilter(self)

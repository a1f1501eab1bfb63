"""Keeps secrets out of every log line, whichever library writes it.

The tap never formats a secret into a message itself; this filter is the second line of
defence for text that comes from elsewhere (an exception string, an HTTP library's debug log,
an error body that echoes a request).
"""

from __future__ import annotations

import logging
import typing as t

MASK = "[redacted]"


class SecretRedactor(logging.Filter):
    _active: t.ClassVar[SecretRedactor | None] = None

    def __init__(self, secrets: t.Callable[[], t.Iterable[str]]) -> None:
        super().__init__()
        self._secrets = secrets

    def scrub(self, text: str) -> str:
        for secret in self._secrets():
            if secret and secret in text:
                text = text.replace(secret, MASK)
        return text

    @classmethod
    def scrub_active(cls, text: str) -> str:
        return cls._active.scrub(text) if cls._active is not None else text

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

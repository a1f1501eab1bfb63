"""What the streams of one run share: the run context a stream holds instead of the tap.

`TapProcore` is the one implementation (tap_procore/tap.py); a stream sees only what is listed
here, so that the services a stream depends on are named in one place, and the stream modules
never import the tap.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

if t.TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from tap_procore.auth import ProcoreAuthenticator
    from tap_procore.budget import RunBudget
    from tap_procore.config import Endpoints
    from tap_procore.deletes import DeletedRows
    from tap_procore.feed import ChangeFeed
    from tap_procore.report import RunReport
    from tap_procore.scopes import ScopeGate
    from tap_procore.sweep import Scope, Sweep
    from tap_procore.tools import ToolRegistry
    from tap_procore.transport import Transport


@dataclass(frozen=True)
class Http:
    """Where requests go and how: Procore's addresses, the session, the login, and the threads
    that fetch the next pages of a listing."""

    endpoints: Endpoints
    user_agent: str
    session: requests.Session
    authenticator: ProcoreAuthenticator
    pool: ThreadPoolExecutor


class RunContext(t.Protocol):
    """The services of a run, as the streams use them."""

    #: Requests: addresses, session, login, read-ahead threads.
    @property
    def http(self) -> Http: ...

    #: The requests and minutes the run may still spend (tap_procore/budget.py).
    @property
    def budget(self) -> RunBudget: ...

    #: Counts, Procore's clock and the rate governor every request shares.
    @property
    def transport(self) -> Transport: ...

    #: Bookmarks, windows and the run's position (tap_procore/sweep.py).
    @property
    def sweep(self) -> Sweep: ...

    #: The change feed, when it is on (tap_procore/feed.py).
    @property
    def feed(self) -> ChangeFeed | None: ...

    #: Whether a scope is read, and what happened to those that were not (tap_procore/scopes.py).
    @property
    def scopes(self) -> ScopeGate: ...

    #: Which tools are on in a project (tap_procore/tools.py).
    @property
    def tools(self) -> ToolRegistry: ...

    #: Counts and the summary (tap_procore/report.py).
    @property
    def report(self) -> RunReport: ...

    #: Deleted records seen in recycle bins (tap_procore/deletes.py).
    @property
    def deleted_rows(self) -> DeletedRows: ...

    #: False in a run that only plans: nothing is written, nothing warns about how it would be.
    writes_records: bool

    def parent_ids(self, stream_name: str, scope: Scope) -> list[tuple[t.Any, dict[str, t.Any]]]:
        """The ids (and fields) the records of `stream_name` give the streams that read them."""
        ...

    def stream(self, name: str) -> t.Any:
        """Another stream of the run."""
        ...

    def forget_scope(self, scope: Scope) -> None:
        """A scope is finished: drop what was cached for it."""
        ...

    def checkpoint(self, *, force: bool = False) -> None:
        """Write STATE if due."""
        ...

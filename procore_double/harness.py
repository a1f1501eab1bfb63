"""Starting the double (in this process or as a subprocess) and talking to its control API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from .server import DoubleApp, DoubleConfig, DoubleHTTPServer

REPO_ROOT = Path(__file__).resolve().parents[1]
URL_PREFIX = "PROCORE_DOUBLE_URL="
STARTUP_TIMEOUT = 60.0


class ControlError(RuntimeError):
    def __init__(self, status: int, payload: Any):
        super().__init__(f"control API answered {status}: {payload}")
        self.status = status
        self.payload = payload


class DoubleControl:
    """A thin client for the `/_double/` control API (standard library only)."""

    def __init__(self, url: str, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, name: str, payload: Any = None, **query: Any) -> Any:
        target = f"{self.url}/_double/{name}"
        if query:
            target += "?" + urlencode({k: v for k, v in query.items() if v is not None}, doseq=True)
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = Request(
            target, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urlopen(request, timeout=self.timeout) as answer:
                return json.loads(answer.read() or b"null")
        except HTTPError as error:
            with error:
                raise ControlError(error.code, json.loads(error.read() or b"null")) from None

    # -------------------------------------------------------------- shortcuts

    def health(self) -> dict[str, Any]:
        return self.call("GET", "health")

    def requests(self, since: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        return self.call("GET", "requests", since=since, limit=limit)["requests"]

    def clear_requests(self) -> None:
        self.call("POST", "requests/clear", {})

    def stats(self) -> dict[str, Any]:
        return self.call("GET", "stats")

    def add_faults(self, *rules: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "faults", {"faults": list(rules)})

    def faults(self) -> list[dict[str, Any]]:
        return self.call("GET", "faults")["faults"]

    def clear_faults(self) -> int:
        return self.call("DELETE", "faults")["removed"]

    def configure(self, **settings: Any) -> dict[str, Any]:
        return self.call("POST", "config", settings)

    def mutate(self, action: str, **payload: Any) -> dict[str, Any]:
        return self.call("POST", "mutate", {"action": action, **payload})

    def tenant(self) -> dict[str, Any]:
        return self.call("GET", "tenant")

    def records(self, path: str, **query: Any) -> dict[str, Any]:
        return self.call("GET", "records", path=path, **query)

    def routes(self, tool: str | None = None) -> dict[str, Any]:
        return self.call("GET", "routes", tool=tool)


class RunningDouble:
    """A double serving from a background thread of this process."""

    def __init__(self, server: DoubleHTTPServer):
        self.server = server
        self.app: DoubleApp = server.app
        self.url = server.url
        self.control = DoubleControl(self.url)
        self._thread = threading.Thread(
            target=server.serve_forever,
            name="procore-double",
            kwargs={"poll_interval": 0.1},
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self.server.shutdown()
            self._thread.join()
        self.server.server_close()

    def __enter__(self) -> RunningDouble:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_double(
    config: DoubleConfig | dict[str, Any] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    **settings: Any,
) -> RunningDouble:
    """Serve the double from a thread of this process.

    `config` is a DoubleConfig or the flat settings dict of a tenant.json;
    keyword settings are merged into it (e.g. `start_double(seed=7, token_ttl=4)`).
    """
    if not isinstance(config, DoubleConfig):
        config = DoubleConfig.from_dict({**(config or {}), **settings})
    elif settings:
        raise TypeError("pass settings either as a DoubleConfig or as keywords, not both")
    return RunningDouble(DoubleHTTPServer((host, port), DoubleApp(config)))


class DoubleProcess:
    """A double running as `python -m procore_double` in a child process."""

    def __init__(self, process: subprocess.Popen[str], url: str, config_file: str | None):
        self.process = process
        self.url = url
        self.control = DoubleControl(url)
        self._config_file = config_file

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self.process.stdout is not None:
            self.process.stdout.close()
        if self._config_file:
            Path(self._config_file).unlink(missing_ok=True)
            self._config_file = None

    def __enter__(self) -> DoubleProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def spawn_double(
    config: dict[str, Any] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    python: str = sys.executable,
    startup_timeout: float = STARTUP_TIMEOUT,
    **settings: Any,
) -> DoubleProcess:
    """Start the double as a subprocess (its own GIL) and wait for its URL."""
    merged = {**(config or {}), **settings}
    DoubleConfig.from_dict(dict(merged))  # fail fast, in the caller, on bad settings
    command = [python, "-m", "procore_double", "--host", host, "--port", str(port)]
    config_file = None
    if merged:
        handle, config_file = tempfile.mkstemp(prefix="procore-double-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(merged, out)
        command += ["--config", config_file]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True, encoding="utf-8"
    )
    url = _read_url(process, startup_timeout)
    if url is None:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
        if config_file:
            Path(config_file).unlink(missing_ok=True)
        raise RuntimeError(f"procore double did not start (exit code {process.returncode})")
    return DoubleProcess(process, url, config_file)


def _read_url(process: subprocess.Popen[str], timeout: float) -> str | None:
    found: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(URL_PREFIX):
                found.append(line[len(URL_PREFIX) :].strip())
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    while reader.is_alive() and time.monotonic() < deadline and process.poll() is None:
        reader.join(0.05)
    return found[0] if found else None

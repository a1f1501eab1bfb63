"""python -m procore_double: serve the double until SIGTERM/SIGINT.

Prints exactly one line, `PROCORE_DOUBLE_URL=http://<host>:<port>`, once it
accepts connections (use --port 0 to let the OS pick a free port).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from .harness import URL_PREFIX
from .server import DoubleConfig, make_server
from .tenant import TenantConfigError


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m procore_double", description="Serve the fake Procore API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--config", type=Path, help="tenant.json: flat JSON object of settings")
    parser.add_argument("--seed", type=int, help="tenant seed (overrides the config file)")
    parser.add_argument("--companies", type=int)
    parser.add_argument("--projects-per-company", type=int)
    parser.add_argument("--records-per-list", type=int)
    parser.add_argument("--token-ttl", type=float)
    parser.add_argument("--hourly-limit", type=int, help="requests per company per hour (3600)")
    parser.add_argument("--spike-limit", type=int, help="requests per company per 10 s (1000)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings: dict[str, Any] = {}
    if args.config:
        settings = json.loads(args.config.read_text(encoding="utf-8"))
    for name in (
        "seed",
        "companies",
        "projects_per_company",
        "records_per_list",
        "token_ttl",
        "hourly_limit",
        "spike_limit",
    ):
        value = getattr(args, name)
        if value is not None:
            settings[name] = value
    try:
        config = DoubleConfig.from_dict(settings)
        server = make_server(config, args.host, args.port)
    except TenantConfigError as problem:
        print(f"procore double: {problem}", file=sys.stderr)
        return 2

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"{URL_PREFIX}{server.url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

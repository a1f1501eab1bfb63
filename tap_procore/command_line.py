"""What the tap's helper commands (`tap-procore-plan`, `tap-procore-webhooks`) share: the
`--config`/`--catalog` options a tap run takes, read into a tap built as a run would build it."""

from __future__ import annotations

import argparse
import json
import typing as t
from pathlib import Path

from tap_procore import version
from tap_procore.tap import TapProcore, check_input_files


def add_tap_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s v{version()}", help="print the version"
    )
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        help="config file, or ENV to read TAP_PROCORE_* variables (repeatable)",
    )
    parser.add_argument("--catalog", type=Path, help="catalog with the streams to sync selected")


def check_tap_files(args: argparse.Namespace) -> None:
    """Bad files stop with one line naming them, as for a run."""
    check_input_files(
        [
            *(f"--config={path}" for path in args.config),
            *([f"--catalog={args.catalog}"] if args.catalog else []),
        ]
    )


def tap_from_args(args: argparse.Namespace) -> TapProcore:
    """The tap as a run with these options would build it (settings validated, no mapper)."""
    config: dict[str, t.Any] = {}
    from_env = False
    for value in args.config:
        if value == "ENV":
            from_env = True
        else:
            config.update(json.loads(Path(value).read_text()))
    catalog = json.loads(args.catalog.read_text()) if args.catalog else None
    tap = TapProcore(
        config=config,
        catalog=catalog,
        parse_env_config=from_env,
        validate_config=True,
        setup_mapper=False,
    )
    tap.writes_records = False
    return tap

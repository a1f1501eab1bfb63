#!/usr/bin/env python3
"""How long `tap-procore --discover` takes, Python start-up included (Meltano runs it before
every `meltano run` whose catalog is not cached). Timing belongs here, not in the tests: a busy
machine is slow without anything being wrong.

    python -m benchmarks.bench_discovery [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def discover_once() -> tuple[float, int]:
    """Seconds one discovery took, and the streams it found."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "tap_procore.tap", "--discover"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    return seconds, len(json.loads(result.stdout)["streams"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="discoveries to time (default 5)")
    args = parser.parse_args()
    timings = []
    streams = 0
    for _ in range(max(args.runs, 1)):
        seconds, streams = discover_once()
        timings.append(seconds)
    print(
        f"--discover: {streams} streams; median {statistics.median(timings):.2f} s, "
        f"fastest {min(timings):.2f} s, slowest {max(timings):.2f} s over {len(timings)} runs "
        "(Python start-up included)"
    )


if __name__ == "__main__":
    main()

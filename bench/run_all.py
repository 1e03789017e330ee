"""`make bench`: every benchmark, one after the other, each writing its section of
docs/performance.md. `--quick` runs the small variants (minutes instead of ~15 minutes).

Benchmarks are never part of `make test`: speed goals live here, measured against baselines
run in the same process, not in timed tests.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def plan(quick: bool) -> list[list[str]]:
    return [
        ["bench_factcheck.py", "--write", *(["--mb", "0.5"] if quick else [])],
        ["bench_pcgd.py", *(["--no-national"] if quick else [])],
        ["bench_analytics.py", *(["--small"] if quick else [])],
        ["bench_report.py"],
        *([["bench_report_db.py"]] if (HERE / "bench_report_db.py").exists() else []),
        ["bench_surge.py", *(["--quick"] if quick else [])],
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", help="run only the benchmark whose file name contains this")
    args = ap.parse_args()
    failed = []
    for cmd in plan(args.quick):
        if args.only and args.only not in cmd[0]:
            continue
        start = time.perf_counter()
        print(f"=== {' '.join(cmd)}", flush=True)
        rc = subprocess.call([sys.executable, str(HERE / cmd[0]), *cmd[1:]])
        print(f"=== {cmd[0]}: exit {rc} in {time.perf_counter() - start:.0f} s", flush=True)
        if rc:
            failed.append(cmd[0])
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

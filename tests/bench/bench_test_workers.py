"""Benchmark of ``make test``'s suites on one process vs two pytest-xdist workers (prints wall times; never a test).

Runs the same pytest selections twice, side by side in one call: first in one process (``TEST_WORKERS=0``, as
``make test`` ran before issue 33), then on two workers with the distribution ``make test`` uses now, and prints
both wall times and their ratio per suite and in all. By default it times the unit tests (assignments included)
and the smoke runs; ``python tests/bench/bench_test_workers.py nbval site`` adds the notebook regression and the
site checks (each one again several minutes). Times depend on what else the machine runs: run it on an otherwise
idle one, and read the ratio rather than the seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly"]
NOTEBOOKS = sorted(str(p) for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
SUITES = {  # name: (pytest arguments, the distribution make test gives it)
    "unit": (["tests", "-m", "not smoke and not values and not site"], "loadgroup"),
    "smoke": (["tests", "-m", "smoke"], "load"),
    "nbval": (["--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout", "1200",
               "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", *NOTEBOOKS], "loadfile"),
    "site": (["tests/test_site.py", "tests/test_slides.py", "-m", "site"], "loadfile"),
}


def timed(arguments: list[str], environment: dict) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(PYTEST + arguments, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, done.returncode


def main(extra: list[str]) -> None:
    chosen = ["unit", "smoke"] + [name for name in extra if name in SUITES and name not in ("unit", "smoke")]
    rows = []
    with tempfile.TemporaryDirectory() as values:
        environment = dict(os.environ, HELPERS_VALUES_DIR=values)
        for name in chosen:
            arguments, distribution = SUITES[name]
            serial, serial_status = timed(arguments, environment)
            parallel, parallel_status = timed(["-n", "2", "--dist", distribution, *arguments], environment)
            rows.append((name, serial, parallel))
            print(f"  {name:6s} one process {serial:7.1f} s (exit {serial_status})   two workers {parallel:7.1f} s "
                  f"(exit {parallel_status})   ratio {serial / parallel:4.2f}", flush=True)
    serial, parallel = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"\n{'in all':8s} one process {serial:7.1f} s   two workers {parallel:7.1f} s   "
          f"speed-up {serial / parallel:4.2f}×  ({os.cpu_count()} cores; suites: {', '.join(chosen)})")


if __name__ == "__main__":
    main(sys.argv[1:])

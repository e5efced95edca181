"""Benchmark: ``make exercises`` one run after another vs side by side on a Dask LocalCluster (prints; never a test).

A representative subset of exercise runs (cheap ones by their recorded times: notebook 01's exercises 1 and 2 and
notebook 04's exercise 2; three runs of about 20 s to 1½ min, one of them retraining the small cone VAE), each
submitted as ``make exercises`` submits it (:func:`helpers.exercises.run_tasks`: an empty weight cache per run),
into temporary folders, twice in one process:

* **serial**: one worker, each run's kernel with every core (as the old loop ran them);
* **local cluster**: a worker per core, one kernel thread each (``make exercises``' default on this machine).

It prints both wall times (cluster start-up included), the ratio, and what the recorded run times predict
(:func:`helpers.run_cost.expected_wall`: the serial sum against the longest-first schedule on the workers). On 2
cores the side-by-side runs each get half the threads, so the gain is below the predicted one; the load of other
jobs on the machine moves both numbers (the load average is printed before and after). ``python
tests/bench/bench_fanout.py 01_cone_distortion:1 04_tsne_mnist_interpolation:2`` picks other exercises.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from helpers import fanout  # noqa: E402
from helpers.exercises import longest_first, plan_exercises, recorded_seconds  # noqa: E402
from helpers.report import human_duration  # noqa: E402
from helpers.run_cost import expected_wall  # noqa: E402

SUBSET = ["01_cone_distortion:1", "01_cone_distortion:2", "04_tsne_mnist_interpolation:2"]


def timed(tasks: list, workers: int, threads: int) -> tuple[float, list]:
    """Wall time of all ``tasks`` on a fresh local cluster of ``workers`` × ``threads``, and the outcomes."""
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as folder:
        start = time.perf_counter()
        outcomes = fanout.run_tasks(tasks, Path(folder), force=True, workers=workers, threads=threads,
                                    emit=lambda line: print(f"    {line}", flush=True))
        return time.perf_counter() - start, outcomes


def main(wanted: list[str]) -> int:
    os.environ.pop("HELPERS_SHIP_WEIGHTS", None)  # never write shipped weights or tables from a benchmark
    plan = plan_exercises(wanted or SUBSET)
    tasks = longest_first(plan)  # as make exercises submits them
    recorded = [s for stem, exercise in plan for s in recorded_seconds(stem, exercise)]
    cores = os.cpu_count() or 1
    workers = min(cores, len(tasks))
    print(f"{len(tasks)} runs: {', '.join(t.name for t in tasks)}; {cores} cores; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    print("  serial (1 worker, every core per run):", flush=True)
    serial, first = timed(tasks, 1, cores)
    print(f"  local cluster ({workers} workers × 1 run, {max(1, cores // workers)} thread(s) each):", flush=True)
    side, second = timed(tasks, workers, max(1, cores // workers))
    failed = [o.describe() for o in first + second if o.status == "failed"]
    known = [s for s in recorded if s is not None]
    print(f"\n{'':28s} {'wall time':>10s}")
    print(f"{'serial':28s} {human_duration(serial):>10s}")
    print(f"{'local cluster':28s} {human_duration(side):>10s}")
    print(f"serial / local cluster: {serial / side:.2f}× measured side by side in one run; the recorded times "
          f"predict {expected_wall(known, 1) / expected_wall(known, workers):.2f}× "
          f"({human_duration(expected_wall(known, 1))} vs {human_duration(expected_wall(known, workers))} on "
          f"{workers} workers with the recorded threads each)")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if failed:
        print("failed runs:\n  " + "\n  ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Benchmark of the default notebook runs (prints wall times; never a test).

Executes every notebook in ``notebooks/`` with papermill as ``make run`` does — kernel
``vae-notebooks``, working directory ``notebooks/``, default parameters, shipped weights, plotly
figures stored as JSON (``PLOTLY_RENDERER=plotly_mimetype``) — into a temporary folder, one after
the other, and prints each notebook's wall time (kernel start and TensorFlow import included, about
6–8 s each), the total, and whether the targets of issue 12 are met: at most 60 s per notebook and
3 min for all of them on a 2-core machine. Times depend on what else the machine runs; run it on an
otherwise idle one. ``python tests/bench/bench_default_runs.py 02 03`` runs only the notebooks whose
names start with those prefixes.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "vae-notebooks"
PER_NOTEBOOK_TARGET_S, TOTAL_TARGET_S = 60.0, 180.0


def run_notebook(path: Path, out_dir: Path) -> float:
    """Wall time of one papermill run of ``path`` with its default parameters."""
    import papermill

    start = time.perf_counter()
    papermill.execute_notebook(str(path), str(out_dir / path.name), kernel_name=KERNEL, cwd=str(NOTEBOOKS),
                               progress_bar=False, log_output=False)
    return time.perf_counter() - start


def main(prefixes: list[str]) -> None:
    os.environ.setdefault("PLOTLY_RENDERER", "plotly_mimetype")  # as make run; the kernel inherits it
    os.environ.pop("HELPERS_SHIP_WEIGHTS", None)  # never write shipped weights or tables from a benchmark
    notebooks = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")
                       if not prefixes or p.name.startswith(tuple(prefixes)))
    times = {}
    with tempfile.TemporaryDirectory() as out_dir:
        for path in notebooks:
            times[path.stem] = run_notebook(path, Path(out_dir))
            print(f"  {path.stem:32s} {times[path.stem]:6.1f} s", flush=True)
    total = sum(times.values())
    print(f"\n{'notebook':32s} {'wall time':>9s}  ≤ {PER_NOTEBOOK_TARGET_S:.0f} s")
    for name, seconds in times.items():
        print(f"{name:32s} {seconds:7.1f} s  {'met' if seconds <= PER_NOTEBOOK_TARGET_S else 'NOT met'}")
    subset = f" (only {', '.join(prefixes)})" if prefixes else ""
    print(f"{'total':32s} {total:7.1f} s  ≤ {TOTAL_TARGET_S:.0f} s in all: "
          f"{'met' if total <= TOTAL_TARGET_S else 'NOT met'}{subset}")


if __name__ == "__main__":
    main(sys.argv[1:])

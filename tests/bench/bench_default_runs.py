"""Benchmark of the default notebook runs (prints wall times; never a test).

Executes every notebook in ``notebooks/`` with papermill as ``make run`` does — kernel
``vae-notebooks``, working directory ``notebooks/``, default parameters, shipped weights, plotly
figures stored as JSON (``PLOTLY_RENDERER=plotly_mimetype``) — into a temporary folder, one after
the other, and prints each notebook's wall time (kernel start and TensorFlow import included, about
6–8 s each). Then it builds the offline site from the executed notebooks, as ``make run`` does, and prints
the build time, the site's size and the share of it that is plotly.js (shipped once), and whether the
targets of issue 12 are met: at most 60 s per notebook, 3 min for the notebooks and the site together
(``make run`` in all) on a 2-core machine, and a site of at most 8 MB. Times depend on what else the
machine runs; run it on an otherwise idle one. ``python tests/bench/bench_default_runs.py 02 03`` runs only
the notebooks whose names start with those prefixes.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "vae-notebooks"
PER_NOTEBOOK_TARGET_S, TOTAL_TARGET_S, SITE_TARGET_BYTES = 60.0, 180.0, 8_000_000


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
        site_seconds, site_bytes, plotly_bytes = build_site(Path(out_dir), [Path(out_dir) / p.name for p in notebooks])
    total = sum(times.values())
    print(f"\n{'notebook':32s} {'wall time':>9s}  ≤ {PER_NOTEBOOK_TARGET_S:.0f} s")
    for name, seconds in times.items():
        print(f"{name:32s} {seconds:7.1f} s  {'met' if seconds <= PER_NOTEBOOK_TARGET_S else 'NOT met'}")
    subset = f" (only {', '.join(prefixes)})" if prefixes else ""
    print(f"{'site build':32s} {site_seconds:7.1f} s")
    everything = total + site_seconds
    print(f"{'total (make run)':32s} {everything:7.1f} s  ≤ {TOTAL_TARGET_S:.0f} s in all: "
          f"{'met' if everything <= TOTAL_TARGET_S else 'NOT met'}{subset}")
    print(f"site: {site_bytes / 1e6:.2f} MB, of which plotly.js (one shared copy) {plotly_bytes / 1e6:.2f} MB "
          f"({plotly_bytes / site_bytes:.0%}); ≤ {SITE_TARGET_BYTES / 1e6:.0f} MB: "
          f"{'met' if site_bytes <= SITE_TARGET_BYTES else 'NOT met'}{subset}")


def build_site(folder: Path, executed: list[Path]) -> tuple[float, int, int]:
    """Build the site from the executed notebooks into ``folder/html``: (seconds, total bytes, plotly.js bytes)."""
    from helpers.site import build_site as build

    start = time.perf_counter()
    build(folder / "html", executed)
    seconds = time.perf_counter() - start
    files = [f for f in (folder / "html").rglob("*") if f.is_file()]
    return (seconds, sum(f.stat().st_size for f in files),
            sum(f.stat().st_size for f in files if f.name.startswith("plotly")))


if __name__ == "__main__":
    main(sys.argv[1:])

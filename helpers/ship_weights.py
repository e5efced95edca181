"""``make weights``: retrain every shipped weight file and recompute the shipped results, as papermill runs on Dask.

    python -m helpers.ship_weights [--dry-run] [--workers N] [--scheduler ADDRESS] [--output build/weights]

Five runs, each with ``HELPERS_SHIP_WEIGHTS=1`` (:func:`helpers.locations.shipping`: what they train and recompute is
written to ``data/weights`` and ``data/results``) and ``force_retrain``: every study notebook with the flags that
recompute its shipped tables (:data:`RECOMPUTE`), and study 2 once more with the original study's configuration and
loss (its reference weights). They are submitted together through :mod:`helpers.fanout` (a local cluster sized to
the machine, or the cluster at ``$HELPERS_DASK_SCHEDULER``), so they run side by side: on enough cores the whole takes
about as long as the longest run (:func:`helpers.run_cost.makespan`; ``--dry-run`` prints the estimate from the
shipped models' recorded training times). ``make weights`` then re-stores the notebooks (``make store``).

Side by side is safe because no two runs write the same file: each run trains its own model families
(:data:`FAMILIES`, checked by the tests against each other: the two study-2 runs train the fast and the original
configuration respectively) and recomputes its own study's tables; the one file they share, each weight folder's
``manifest.json``, is updated under a lock (:func:`helpers.training.folder_lock`). Every run is rerun each time
(``--resume`` keeps those that finished in ``--output``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.locations import REPO_ROOT, SHIPPED_WEIGHTS_DIR

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
OUTPUT_DIR = REPO_ROOT / "build" / "weights"
#: The flags that recompute each study's shipped tables (study 1 ships none).
RECOMPUTE = {"02_gaussian_heatmaps": {"recompute_sweep": True, "recompute_seeds": True},
             "03_t_distribution": {"recompute_repeats": True},
             "04_tsne_mnist_interpolation": {"recompute_bounds": True, "recompute_levers": True}}
#: The extra run: study 2 with the original study's network and loss (its shipped reference weights).
ORIGINAL = ("02_gaussian_heatmaps_original_config", "02_gaussian_heatmaps",
            {"config": "original", "vae_loss": "original", "beta": 1.0, "epochs": 40})
#: The shipped weight families (file-name prefixes in ``data/weights``) each run trains: disjoint, so that runs side
#: by side never write the same weight file.
FAMILIES = {"01_cone_distortion": ("cone_vae",),
            "02_gaussian_heatmaps": ("heatmap_vae_fast", "heatmap_ae_fast"),
            "02_gaussian_heatmaps_original_config": ("heatmap_vae_original_originalloss", "heatmap_ae_original"),
            "03_t_distribution": ("t_heatmap_vae_lean", "t_heatmap_ae_lean"),
            "04_tsne_mnist_interpolation": ("shapes_colouring", "mnist_ae", "mnist_ae_2d", "mnist_ae_2d_linear",
                                            "mnist_ae_linear", "mnist_judge", "mnist_vae", "mnist_vae_2d")}


def weight_tasks(notebooks_dir: Path = NOTEBOOKS_DIR) -> list:
    """The five :class:`helpers.fanout.Task` of ``make weights``: the same notebooks, parameters and environment as
    the serial loop it replaces (``force_retrain``, the recompute flags, ``HELPERS_SHIP_WEIGHTS=1``)."""
    from helpers.fanout import Task

    ship = {"HELPERS_SHIP_WEIGHTS": "1"}
    tasks = [Task(notebook, {"force_retrain": True, **RECOMPUTE.get(notebook.stem, {})}, notebook.stem, env=ship)
             for notebook in sorted(Path(notebooks_dir).glob("[0-9]*.ipynb"))]
    name, stem, parameters = ORIGINAL
    return [*tasks, Task(Path(notebooks_dir) / f"{stem}.ipynb", {**parameters, "force_retrain": True}, name,
                         env=ship)]


def recorded_seconds(name: str, folder: Path = SHIPPED_WEIGHTS_DIR) -> float:
    """The recorded training time of every shipped weight file run ``name`` trains (the sum over its families'
    ``.history.json``): a lower bound of the run (its analysis, and models it trains into the local cache, come on
    top)."""
    import json

    total = 0.0
    for family in FAMILIES.get(name, ()):
        for path in Path(folder).glob(f"{family}-*.history.json"):
            total += float(json.loads(path.read_text()).get("train_seconds", 0.0))
    return total


def main(argv: list[str] | None = None) -> int:
    from helpers import fanout
    from helpers.report import human_duration
    from helpers.run_cost import makespan

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR, help="the executed notebooks (build/weights)")
    parser.add_argument("--resume", action="store_true", help="keep the runs that finished in --output")
    parser.add_argument("--scheduler", help=f"a Dask scheduler address (default: ${fanout.SCHEDULER_VARIABLE}, "
                                            "else a local cluster)")
    parser.add_argument("--workers", type=int, help="local cluster: at most this many runs at once")
    parser.add_argument("--threads", type=int, help="kernel threads per run")
    parser.add_argument("--dry-run", action="store_true", help="list the runs and the estimate; run nothing")
    args = parser.parse_args(argv)
    tasks = weight_tasks()
    if args.dry_run:
        seconds = [recorded_seconds(task.name) for task in tasks]
        workers, threads = fanout.local_cluster_size(len(tasks), workers=args.workers)
        for task, recorded in zip(tasks, seconds, strict=True):
            parameters = " ".join(f"-p {k} {v}" for k, v in task.parameters.items())
            print(f"  {task.name}: HELPERS_SHIP_WEIGHTS=1 papermill {parameters} {Path(task.notebook).name} "
                  f"(shipped models' recorded training: {human_duration(recorded)})")
        print(f"{len(tasks)} runs; recorded training alone: serial sum {human_duration(sum(seconds))}, longest run "
              f"{human_duration(max(seconds))}; on {workers} worker(s) × {args.threads or threads} thread(s) at least "
              f"{human_duration(makespan(seconds, workers))} (analysis and locally cached models come on top)")
        return 0
    tasks.sort(key=lambda task: -recorded_seconds(task.name))  # the longest first: it must not start last
    try:
        outcomes = fanout.run_tasks(tasks, args.output, force=not args.resume, scheduler=args.scheduler,
                                    workers=args.workers, threads=args.threads,
                                    emit=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        print("interrupted: weights already written stay (each is written atomically); rerun to finish",
              file=sys.stderr)
        return 130
    fanout.report_failures(outcomes)
    return fanout.exit_status(outcomes)


if __name__ == "__main__":
    sys.exit(main())

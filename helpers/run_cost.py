"""What notebook runs will cost, estimated from recorded run times, before they start (``make sweep``, ``make
exercises DRY=1`` and a notebook's retraining notice print it).

The rule (:func:`estimate_seconds`): a run that trains nothing takes as long as the recorded runs of its notebook that
trained nothing (``make exercises`` records them in ``data/results/exercises/``; else the default run's time in
``build/run_times.json`` from ``make run``). A run that retrains adds, for each model it retrains (its parameters
match no shipped setting, exactly as the notebook's retraining notice decides), that model's recorded training time
scaled by :func:`training_scale`:

    time ∝ epochs × steps per epoch × cost of a step,  steps per epoch = ⌈images / batch⌉,
    cost of a step ∝ batch ** BATCH_EXPONENT (0.8: a smaller batch is cheaper per step, but not in proportion, as a
    step has a fixed overhead; measured on study 4's MNIST AE on 2 loaded cores, a step of batch 8 cost 0.07 to
    0.14 of a step of batch 128, an exponent of 0.7 to 0.95),

each factor taken relative to the shipped setting the run is closest to (so halving the batch doubles the steps
and multiplies the time by 2 ** 0.2 ≈ 1.15; batch 8 instead of 128 by about 1.7; doubling the epochs doubles it).
Weights cached in ``data/cache`` and early stopping make it an upper bound. Many runs on a few workers:
:func:`makespan` (longest first, each to the first free worker); :func:`cost_notice` says it in words, and says
plainly when it exceeds an hour.

    python -m helpers.run_cost [--workers 1 2 4 8 16]

prints, from the recorded times, what ``make exercises`` and ``make weights`` take one after another and on N
workers side by side (the numbers in the README).
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from helpers.locations import REPO_ROOT, RESULTS_DIR

RUN_TIMES = REPO_ROOT / "build" / "run_times.json"
EXERCISE_RECORDS = RESULTS_DIR / "exercises"
#: Parameters that multiply a model's training time in proportion: epochs, and images per epoch.
EPOCHS = ("epochs", "max_epochs", "shapes_epochs", "judge_epochs")
IMAGES = ("n_points", "n_train", "shapes_train", "train_subset")
PROPORTIONAL = EPOCHS + IMAGES
#: Batch-size parameters: fewer images per step means more steps (:func:`steps_per_epoch`), each a little cheaper.
BATCHES = ("batch_size", "shapes_batch_size")
#: The cost of one optimiser step grows as batch ** BATCH_EXPONENT (the rule's one assumption; see the docstring).
BATCH_EXPONENT = 0.8
#: What an image-count parameter of 0 ("all") means: studies 2 and 3 train on 9,500 images.
ALL_IMAGES = {"train_subset": 9_500}
HOUR = 3600.0


def steps_per_epoch(images: int, batch: int) -> int:
    """Optimiser steps in one epoch: ⌈images / batch⌉."""
    return max(1, math.ceil(int(images) / max(1, int(batch))))


def expected_wall(seconds: Sequence[float], workers: int) -> float:
    """Wall time of independent runs of these lengths on ``workers`` (longest first, each to the first free worker:
    :func:`makespan`); one worker gives the serial sum, enough workers the longest run."""
    return makespan(seconds, workers)


def _images(name: str, value) -> float | None:
    value = ALL_IMAGES.get(name) if value == 0 else value
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value else None


def training_scale(shipped: Mapping, values: Mapping) -> tuple[float, list[str]]:
    """(factor, reasons): how much longer than the shipped setting ``shipped`` a model trained with ``values`` takes,
    by the rule in the module docstring: the epochs ratio × the images ratio × (steps × per-step cost) ratio of the
    batch size. Parameters the setting does not name, or that are not numbers, change nothing."""
    factor, reasons = 1.0, []
    images = None
    for name in PROPORTIONAL:
        if name not in shipped or name not in values:
            continue
        old, new = ((_images(name, shipped[name]), _images(name, values[name])) if name in IMAGES
                    else (shipped[name], values[name]))
        if name in IMAGES:
            images = new or images
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and v for v in (old, new)) or old == new:
            continue
        factor *= float(new) / float(old)
        reasons.append(f"{name} {values[name]} instead of {shipped[name]}")
    for name in BATCHES:
        if name not in shipped or name not in values or shipped[name] == values[name]:
            continue
        old, new = int(shipped[name]), int(values[name])
        count = images or 10_000.0
        ratio = ((steps_per_epoch(count, new) * new ** BATCH_EXPONENT)
                 / (steps_per_epoch(count, old) * old ** BATCH_EXPONENT))
        factor *= ratio
        reasons.append(f"{name} {new} instead of {old}: {steps_per_epoch(count, new) / steps_per_epoch(count, old):.3g}"
                       f"× the steps, each {(new / old) ** BATCH_EXPONENT:.2g}× the cost")
    return factor, reasons


def closest_setting(family, values: Mapping) -> Mapping:
    """The shipped setting of ``family`` that ``values`` differs from in the fewest parameters."""
    def differences(setting: Mapping) -> int:
        return sum(values.get(name) not in (allowed if isinstance(allowed, tuple) else (allowed,))
                   for name, allowed in setting.items())

    return min(family.shipped, key=differences)


def recorded_runs(stem: str, folder: Path = EXERCISE_RECORDS) -> list[tuple[dict, float]]:
    """(parameters, seconds) of every run ``make exercises`` recorded for notebook ``stem``."""
    path = Path(folder) / f"{stem}.json"
    if not path.exists():
        return []
    return [(run["parameters"], float(run["seconds"])) for record in json.loads(path.read_text()).values()
            for run in record["runs"]]


def recorded_cores(stem: str, folder: Path = EXERCISE_RECORDS) -> int:
    """The cores of the machine that recorded notebook ``stem``'s exercise runs (2 when none is recorded)."""
    path = Path(folder) / f"{stem}.json"
    cores = [record.get("cpus") for record in json.loads(path.read_text()).values()] if path.exists() else []
    return max([c for c in cores if c] or [2])


def analysis_seconds(stem: str, retrains, defaults: Mapping, exercises_dir: Path = EXERCISE_RECORDS,
                     run_times: Path = RUN_TIMES) -> float | None:
    """A run's time when it trains nothing: the median recorded exercise run that trains nothing, else the default
    run's time in ``build/run_times.json`` (``make run``), else None."""
    import numpy as np

    plain = [seconds for parameters, seconds in recorded_runs(stem, exercises_dir)
             if not _retrained(retrains, {**defaults, **parameters})]
    if plain:
        return float(np.median(plain))
    if Path(run_times).exists():
        times = json.loads(Path(run_times).read_text())
        if stem in times:
            return float(times[stem])
    return None


def _retrained(retrains, values: Mapping) -> list:
    return [family for family in retrains if values.get("force_retrain") or family.changed(values)]


def training_seconds(family, values: Mapping, folder: Path | None = None) -> float | None:
    """The shipped model's recorded training time (the median of its shipped weights' ``.history.json``), scaled by
    :func:`training_scale` from the closest shipped setting; None when nothing is recorded."""
    from helpers.retraining import shipped_training_seconds

    seconds = shipped_training_seconds(family.weights, folder)
    if seconds is None:
        return None
    return seconds * training_scale(closest_setting(family, values), values)[0]


def estimate_seconds(stem: str, module, defaults: Mapping, run: Mapping, trains: bool = True) -> float | None:
    """The expected wall time of one run, by this rule: the time of a recorded run of the notebook that trains
    nothing (:func:`analysis_seconds`), plus, for each model this combination retrains (its parameters match no
    shipped setting, as the notebook's retraining notice decides), that model's recorded training time scaled by
    epochs and image counts (:func:`training_seconds`). Cached weights in ``data/cache`` make it an upper bound;
    early stopping too. ``trains=False``: a run that waits for another run training the same models
    (:func:`shared_training`) and loads them from the cache. None when nothing was recorded."""
    values = {**defaults, **run}
    retrains = getattr(module, "RETRAINS", ()) if module else ()
    base = analysis_seconds(stem, retrains, defaults)
    if base is None:
        return None
    trained = [training_seconds(family, values) for family in _retrained(retrains, values)] if trains else []
    return base + sum(t for t in trained if t is not None)


def makespan(seconds: Sequence[float], slots: int) -> float:
    """Wall time of runs of these lengths on ``slots`` workers, longest first, each to the first free worker."""
    free = [0.0] * max(1, slots)
    for length in sorted(seconds, reverse=True):
        heapq.heapreplace(free, free[0] + length)
    return max(free)


def cost_notice(estimates: Sequence[float | None], slots: int, threads: int, recorded_cores: int = 2,
                chains: Sequence[float] | None = None) -> str:
    """What the sweep will cost, in words: runs, workers, the estimate per run and for the whole sweep on these
    workers, and plainly whether it exceeds an hour. The recorded times were measured with ``recorded_cores``
    cores per run; a worker with fewer kernel threads can be up to that ratio slower, so the upper end scales by
    it. ``chains``: the lengths of the runs that must run one after another (:func:`shared_training`), if any:
    the wall time is their makespan."""
    from helpers.report import human_duration

    known = [s for s in estimates if s is not None]
    head = f"{len(estimates)} runs on {slots} worker(s), {threads} kernel thread(s) each"
    if not known:
        return f"{head}: no recorded run time for this notebook, so no estimate (make exercises records some)."
    filled = [s if s is not None else max(known) for s in estimates]
    low = makespan(chains if chains else filled, slots)
    slower = max(1.0, recorded_cores / threads)
    high = low * slower
    per_run = f"{human_duration(min(known))}" + (f" to {human_duration(max(known))}" if max(known) > min(known)
                                                     else "")
    text = f"{head}; expected {per_run} per run (recorded on {recorded_cores} cores), so about {human_duration(low)}"
    if slower > 1:
        text += f", up to {human_duration(high)} with {threads} thread(s) per run"
    if high > HOUR:
        text += f".\nThis sweep is expected to take MORE THAN AN HOUR (up to {high / HOUR:.1f} h)"
    return text + "."


def training_key(retrains, values: Mapping) -> tuple:
    """What a run with ``values`` trains: ``((weights, its parameters' values), ...)`` of each model it retrains;
    empty when it trains nothing, or when ``force_retrain`` makes it train whatever ran before."""
    if values.get("force_retrain"):
        return ()
    return tuple((family.weights, tuple(repr(values[name]) for name in family.parameters))
                 for family in _retrained(retrains, values))


def shared_training(retrains, defaults: Mapping, runs: Sequence[Mapping]) -> list[int | None]:
    """For each run, the index of the first earlier run that trains exactly the same models with the same settings
    (run it after that one, and it loads them from the weight cache), else None."""
    first: dict[tuple, int] = {}
    shared = []
    for index, run in enumerate(runs):
        key = training_key(retrains, {**defaults, **run})
        shared.append(first.get(key) if key else None)
        first.setdefault(key, index)
    return shared


def exercise_seconds(folder: Path = EXERCISE_RECORDS) -> dict[str, float]:
    """``{run name: seconds}`` of every exercise run recorded in ``folder`` (``make exercises``)."""
    seconds = {}
    for path in sorted(Path(folder).glob("*.json")):
        for number, record in json.loads(path.read_text()).items():
            for index, run in enumerate(record["runs"]):
                suffix = f"-{index + 1}" if len(record["runs"]) > 1 else ""
                seconds[f"{path.stem}-exercise-{number}{suffix}"] = float(run["seconds"])
    return seconds


def wall_table(seconds: Sequence[float], workers: Sequence[int]) -> list[tuple[int, float]]:
    """(workers, expected wall seconds) for each worker count."""
    return [(n, expected_wall(seconds, n)) for n in workers]


def main(argv: list[str] | None = None) -> int:
    from helpers.report import human_duration
    from helpers.ship_weights import recorded_seconds, weight_tasks

    parser = argparse.ArgumentParser(description="what make exercises and make weights take, serially and side by "
                                                 "side on N workers, from the recorded run times")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    args = parser.parse_args(argv)
    jobs = {"make exercises (recorded run times, data/results/exercises)": list(exercise_seconds().values()),
            "make weights (shipped models' recorded training, data/weights; a lower bound)":
                [recorded_seconds(task.name) for task in weight_tasks()]}
    for title, seconds in jobs.items():
        print(f"{title}: {len(seconds)} runs, serial sum {human_duration(sum(seconds))}, longest run "
              f"{human_duration(max(seconds))}")
        for workers, wall in wall_table(seconds, args.workers):
            print(f"  {workers:>3} worker(s): about {human_duration(wall)}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())

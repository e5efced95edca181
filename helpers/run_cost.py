"""What notebook runs will cost, estimated from recorded run times, before they start (``make sweep`` prints it).

The rule (:func:`estimate_seconds`): a run that trains nothing takes as long as the recorded runs of its notebook that
trained nothing (``make exercises`` records them in ``data/results/exercises/``; else the default run's time in
``build/run_times.json`` from ``make run``). A run that retrains adds, for each model it retrains (its parameters
match no shipped setting, exactly as the notebook's retraining notice decides), that model's recorded training time,
scaled by the epochs and image counts that differ from the shipped setting. Weights cached in ``data/cache`` and early
stopping make it an upper bound. Many runs on a few workers: :func:`makespan` (longest first, each to the first free
worker); :func:`cost_notice` says it in words, and says plainly when it exceeds an hour.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from helpers.locations import REPO_ROOT, RESULTS_DIR

RUN_TIMES = REPO_ROOT / "build" / "run_times.json"
EXERCISE_RECORDS = RESULTS_DIR / "exercises"
#: Parameters that multiply a model's training time in proportion (epochs, images): the estimate scales by them.
PROPORTIONAL = ("epochs", "max_epochs", "shapes_epochs", "judge_epochs", "n_points", "n_train", "shapes_train")
HOUR = 3600.0




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


def training_seconds(family, values: Mapping) -> float | None:
    """The shipped model's recorded training time, scaled by every epochs- or image-count parameter of the family
    (:data:`PROPORTIONAL`) that differs from the shipped setting; None when nothing is recorded."""
    from helpers.retraining import shipped_training_seconds

    seconds = shipped_training_seconds(family.weights)
    if seconds is None:
        return None
    shipped = family.shipped[0]
    for name in PROPORTIONAL:
        if name in shipped and isinstance(shipped[name], int | float) and shipped[name]:
            seconds *= float(values[name]) / float(shipped[name])
    return seconds


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

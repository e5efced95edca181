"""``make exercises`` and ``make weights`` on the Dask runner (``helpers.fanout``), without running them.

The exercises become one task each, with an empty weight cache, and their records keep the format the notebooks'
solutions read; ``make weights`` builds the same five runs as the serial loop it replaced (parameters and
``HELPERS_SHIP_WEIGHTS``), no two of which train the same shipped weight family; and runs recording into one weight
folder at the same moment keep every manifest entry.
"""

import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import exercises, fanout, ship_weights
from helpers.locations import SHIPPED_WEIGHTS_DIR
from helpers.report import VALUES_MIME

ROOT = Path(__file__).resolve().parent.parent


def test_every_exercise_run_is_a_task_with_an_empty_weight_cache():
    plan = exercises.plan_exercises(["04_tsne_mnist_interpolation:1", "01_cone_distortion"])
    assert [(stem, e.number) for stem, e in plan] == [("04_tsne_mnist_interpolation", 1)] + [
        ("01_cone_distortion", n) for n in (1, 2, 3, 4)]
    tasks = exercises.run_tasks(*plan[0])
    assert [t.name for t in tasks] == ["04_tsne_mnist_interpolation-exercise-1-1",
                                       "04_tsne_mnist_interpolation-exercise-1-2"]
    assert [t.parameters for t in tasks] == [{"perplexity": 5}, {"perplexity": 100}]
    assert all(t.fresh_cache and t.cwd == ROOT / "notebooks" for t in tasks)
    every = [t for stem, e in exercises.plan_exercises() for t in exercises.run_tasks(stem, e)]
    assert len({t.name for t in every}) == len(every)  # fanout refuses shared names; none here
    with pytest.raises(KeyError):
        exercises.plan_exercises(["01_cone_distortion:9"])  # checked before anything runs


def test_a_record_is_built_from_the_runs_results_in_the_old_format(tmp_path):
    stem, exercise = exercises.plan_exercises(["04_tsne_mnist_interpolation:1"])[0]
    for index, task in enumerate(exercises.run_tasks(stem, exercise)):
        output = {"output_type": "display_data", "data": {VALUES_MIME: {"tsne": {"run": index}}}, "metadata": {}}
        fanout.notebook_path(tmp_path, task.name).write_text(json.dumps({"cells": [{"outputs": [output]}]}))
        assert exercises.collect_record(stem, exercise, tmp_path) is None  # until every run has its result
        fanout.result_path(tmp_path, task.name).write_text(json.dumps(
            {"seconds": 12.34 + index, "finished": 1000.0, "threads": 1, "parameters": task.parameters}))
    record = exercises.collect_record(stem, exercise, tmp_path)
    assert record["runs"] == [{"parameters": {"perplexity": 5}, "seconds": 12.3, "values": {"tsne": {"run": 0}}},
                              {"parameters": {"perplexity": 100}, "seconds": 13.3, "values": {"tsne": {"run": 1}}}]
    assert {"title", "runs", "cpus", "machine"} <= set(record) and record["threads"] == 1
    assert exercises.collect_record(stem, exercise, tmp_path, since=2000.0) is None  # an earlier call's results
    exercises.save_record(stem, 1, record, tmp_path / "records")
    listed = exercises.Exercises(stem, records_dir=tmp_path / "records")
    assert "took 26 s on" in listed.header(1) and ", 1 thread(s) per run)" in listed.header(1)


def test_the_dry_run_lists_every_run_and_the_expected_wall_time():
    out = subprocess.run([sys.executable, "-m", "helpers.exercises", "--dry-run", "--workers", "2",
                          "--only", "01_cone_distortion"], cwd=ROOT, capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == [f"01_cone_distortion-exercise-{n}" for n in (1, 2, 3, 4)]
    assert "4 runs; recorded serial sum" in lines[-1] and "on 2 worker(s)" in lines[-1]


def test_make_weights_builds_the_five_runs_of_the_old_loop():
    tasks = {t.name: t for t in ship_weights.weight_tasks()}
    assert list(tasks) == ["01_cone_distortion", "02_gaussian_heatmaps", "03_t_distribution",
                           "04_tsne_mnist_interpolation", "02_gaussian_heatmaps_original_config"]
    assert tasks["02_gaussian_heatmaps"].parameters == {"force_retrain": True, "recompute_sweep": True,
                                                        "recompute_seeds": True}
    assert tasks["03_t_distribution"].parameters == {"force_retrain": True, "recompute_repeats": True}
    assert tasks["04_tsne_mnist_interpolation"].parameters == {"force_retrain": True, "recompute_bounds": True,
                                                               "recompute_levers": True}
    assert tasks["01_cone_distortion"].parameters == {"force_retrain": True}
    original = tasks["02_gaussian_heatmaps_original_config"]
    assert original.notebook.name == "02_gaussian_heatmaps.ipynb"
    assert original.parameters == {"config": "original", "vae_loss": "original", "beta": 1.0, "epochs": 40,
                                   "force_retrain": True}
    assert all(dict(t.env) == {"HELPERS_SHIP_WEIGHTS": "1"} and not t.fresh_cache for t in tasks.values())


def test_no_two_weight_runs_train_the_same_shipped_file():
    """Every shipped weight file belongs to the families of exactly one run, so runs side by side never write it
    twice (the original-configuration run trains only the original configuration's models)."""
    owners: dict[str, list[str]] = {}
    for path in SHIPPED_WEIGHTS_DIR.glob("*.weights.h5"):
        family = path.name.rsplit("-", 1)[0]
        owners[path.name] = [run for run, families in ship_weights.FAMILIES.items() if family in families]
    assert owners and all(len(runs) == 1 for runs in owners.values()), owners
    assert set(ship_weights.FAMILIES) == {t.name for t in ship_weights.weight_tasks()}
    for path in SHIPPED_WEIGHTS_DIR.glob("heatmap_*original*.history.json"):  # trained with the extra run's epochs
        assert json.loads(path.read_text())["settings"]["epochs"] == ship_weights.ORIGINAL[2]["epochs"]


def _record_many(folder: str, worker: int) -> None:
    from helpers.training import record_in_manifest

    for index in range(20):
        record_in_manifest(Path(folder), f"w{worker}-{index}.weights.h5", {"worker": worker})


def test_runs_recording_in_one_folder_at_once_keep_every_manifest_entry(tmp_path):
    import helpers.training  # noqa: F401  (imported before the fork, as on a worker)

    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_record_many, args=(str(tmp_path), worker)) for worker in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert all(process.exitcode == 0 for process in processes)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert len(manifest) == 4 * 20
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]  # no lock file left behind


def test_the_longest_recorded_run_is_submitted_first():
    plan = exercises.plan_exercises(["01_cone_distortion:1", "04_tsne_mnist_interpolation:2", "01_cone_distortion:2"])
    assert [t.name for t in exercises.longest_first(plan)] == [
        "04_tsne_mnist_interpolation-exercise-2", "01_cone_distortion-exercise-2", "01_cone_distortion-exercise-1"]

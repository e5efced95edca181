"""helpers.fanout and helpers.sweep: papermill runs on a Dask LocalCluster, resume, failures, atomic results, grids.

The runs execute ``tests/fanout/toy.ipynb`` (parameters ``x`` and ``fail``; it records ``toy`` = x, x², x / 2 and
raises when ``fail``), a few seconds each."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from helpers import fanout, run_cost, sweep

TOY = Path(__file__).resolve().parent / "fanout" / "toy.ipynb"
GAUSSIAN = sweep.NOTEBOOKS_DIR / "02_gaussian_heatmaps.ipynb"


def toy_tasks(*parameter_sets: dict) -> list[fanout.Task]:
    return [fanout.Task(TOY, p, fanout.run_name(p)) for p in parameter_sets]


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """One sweep of three good runs and a failing one on a 2-worker LocalCluster, then a second call."""
    output = tmp_path_factory.mktemp("sweep") / "runs"
    tasks = toy_tasks({"x": 1}, {"x": 2}, {"x": 3}, {"x": 4, "fail": True})
    tasks[2] = fanout.Task(TOY, {"x": 3}, "x=3", after="x=1")  # e.g. it would train the model x=1 trains
    lines: list[str] = []
    first = fanout.run_tasks(tasks, output, workers=2, heartbeat=5, emit=lines.append)
    again: list[str] = []
    second = fanout.run_tasks(tasks[:3], output, workers=2, emit=again.append)
    return {"output": output, "tasks": tasks, "first": first, "lines": lines, "second": second, "again": again}


def test_every_good_run_finishes_and_the_table_has_one_row_per_run_and_value(swept):
    assert [o.status for o in swept["first"]] == ["done", "done", "done", "failed"]
    results = fanout.load_results(swept["output"])
    assert sorted(r["name"] for r in results) == ["x=1", "x=2", "x=3"]
    table = sweep.tidy_table(results, ["x"])
    assert len(table) == 3 * 3  # three runs × three numbers (the text label is not a number)
    assert set(table["value"]) == {"toy/x", "toy/square", "toy/nested/half"}
    for _, row in table.iterrows():
        x = row["x"]
        expected = {"toy/x": x, "toy/square": x * x, "toy/nested/half": x / 2}[row["value"]]
        assert row["number"] == pytest.approx(expected) and row["run"] == f"x={x}"
    record = json.loads((swept["output"] / "x=2.json").read_text())
    assert record["parameters"] == {"x": 2} and record["seconds"] > 0
    assert (swept["output"] / "x=2.ipynb").is_file()


def test_a_failed_run_is_reported_with_its_parameters_and_the_cells_error(swept):
    failed = swept["first"][3]
    assert failed.status == "failed"
    assert "ValueError: asked to fail at x=4" in failed.error
    assert "fail=True" in failed.describe() and "x=4" in failed.describe()
    assert fanout.exit_status(swept["first"]) == 1
    assert any("asked to fail at x=4" in line and "failed" in line for line in swept["lines"])
    assert not fanout.finished(swept["output"], failed.task.name)
    assert fanout.failed_path(swept["output"], failed.task.name).is_file()  # the partial notebook, for reading


def test_a_run_after_another_starts_when_that_one_has_finished(swept):
    first, then = (json.loads((swept["output"] / f"x={x}.json").read_text()) for x in (1, 3))
    assert then["started"] >= first["finished"] - 0.5  # papermill's own start-up is inside "seconds"


def test_progress_lines_count_done_running_failed_and_time(swept):
    last = swept["lines"][-1]
    assert "3 done · 0 running · 0 queued · 1 failed (of 4)" in last
    assert last.lstrip().startswith("[") and " s]" in last


def test_a_second_call_resumes_and_runs_nothing(swept):
    assert [o.status for o in swept["second"]] == ["skipped"] * 3
    assert fanout.exit_status(swept["second"]) == 0
    assert not any("runs on" in line for line in swept["again"])  # no cluster was even started


def test_no_stray_temporary_files_after_the_runs(swept):
    visible = sorted(p.name for p in swept["output"].iterdir() if not p.name.startswith("."))
    hidden = [p.name for p in swept["output"].iterdir() if p.name.startswith(".")]
    assert hidden == []
    assert visible == ["x=1.ipynb", "x=1.json", "x=2.ipynb", "x=2.json", "x=3.ipynb", "x=3.json",
                       "x=4__fail=True.failed.ipynb"]


def test_a_run_interrupted_while_its_record_is_written_leaves_no_record(tmp_path, monkeypatch):
    task = toy_tasks({"x": 5})[0]
    scratch = tmp_path / ".x=5.attempt.run"
    scratch.mkdir()
    partial = fanout.partial_path(scratch, task.name)
    partial.write_text("{}")
    real_replace = os.replace

    def interrupted(source, target):
        if str(target).endswith(".json"):
            raise KeyboardInterrupt  # Ctrl-C between the temporary file and the rename
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fanout.publish(task, tmp_path, partial, {"toy": {"x": 5}}, 1.0, 1)
    assert not fanout.finished(tmp_path, task.name)
    assert fanout.load_results(tmp_path) == []
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".json"] == []
    assert fanout.pending_tasks([task], tmp_path)[0] == [task]  # it runs again next time


def test_a_run_stopped_during_papermill_publishes_nothing(tmp_path, monkeypatch):
    task = toy_tasks({"x": 6})[0]

    class Stopped:
        """papermill has written part of the notebook when Ctrl-C (or the worker's end) arrives."""

        def __init__(self, command, **_):
            Path(command[command.index(str(TOY)) + 1]).write_text("{\"cells\": []}")
            self.killed = False

        def communicate(self):
            raise KeyboardInterrupt

        def kill(self):
            self.killed = True

        def wait(self):
            return -9

    monkeypatch.setattr(fanout.subprocess, "Popen", Stopped)
    with pytest.raises(KeyboardInterrupt):
        fanout.execute_task(task, tmp_path)
    assert not fanout.finished(tmp_path, task.name)
    assert not fanout.notebook_path(tmp_path, task.name).exists()
    assert fanout.load_results(tmp_path) == []
    assert list(tmp_path.iterdir()) == []  # the attempt's scratch folder (with the partial notebook) is gone


def test_given_a_scheduler_address_the_runs_go_to_that_cluster(tmp_path, monkeypatch):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        monkeypatch.setenv(fanout.SCHEDULER_VARIABLE, cluster.scheduler_address)
        lines: list[str] = []
        outcomes = fanout.run_notebooks([(TOY, {"x": 7}, "seven")], tmp_path, emit=lines.append)
    assert [o.status for o in outcomes] == ["done"]
    assert any(f"the cluster at {cluster.scheduler_address}" in line for line in lines)
    assert fanout.load_results(tmp_path)[0]["values"]["toy"]["square"] == 49


def test_run_names_are_readable_stable_and_short():
    assert fanout.run_name({"beta": 0.1, "seed": 19}) == "beta=0.1__seed=19"
    assert fanout.run_name({}) == "defaults"
    assert fanout.run_name({"plane_hidden_layers": [512, 256]}) == "plane_hidden_layers=512,256"
    long = {f"parameter_{i}": i for i in range(20)}
    name = fanout.run_name(long)
    assert len(name) <= fanout.MAX_NAME and name == fanout.run_name(dict(long))
    assert name != fanout.run_name({**long, "parameter_19": 99})


def test_the_local_cluster_never_oversubscribes_the_cores():
    for cores in (1, 2, 3, 16):
        for tasks in (1, 2, 5, 40):
            workers, threads = fanout.local_cluster_size(tasks, cores=cores)
            assert 1 <= workers <= min(cores, tasks) and workers * threads <= cores
    assert fanout.local_cluster_size(1, cores=16) == (1, 16)
    chained = [fanout.Task(TOY, {}, "a"), fanout.Task(TOY, {}, "b", after="a"), fanout.Task(TOY, {}, "c")]
    assert fanout.parallel_runs(chained) == 2 and fanout.parallel_runs(chained[1:]) == 2
    env = fanout.thread_environment(2)
    assert env["OMP_NUM_THREADS"] == env["TF_NUM_INTRAOP_THREADS"] == "2"


def test_a_scheduler_address_comes_from_the_option_or_the_environment(monkeypatch):
    monkeypatch.delenv(fanout.SCHEDULER_VARIABLE, raising=False)
    assert fanout.scheduler_address() is None
    monkeypatch.setenv(fanout.SCHEDULER_VARIABLE, "tcp://10.0.0.1:8786")
    assert fanout.scheduler_address() == "tcp://10.0.0.1:8786"
    assert fanout.scheduler_address("tcp://other:8786") == "tcp://other:8786"


# ---------------------------------------------------------------------------------------------
# helpers.sweep: grids, validation, cost (no run)
# ---------------------------------------------------------------------------------------------


def test_grid_values_take_the_types_of_the_notebooks_defaults():
    defaults = sweep.notebook_defaults(GAUSSIAN)
    grid = sweep.parse_grid("beta=0.1,1,4 seed=19,20 config=lean force_retrain=false", defaults)
    assert grid == {"beta": [0.1, 1.0, 4.0], "seed": [19, 20], "config": ["lean"], "force_retrain": [False]}
    assert all(type(b) is float for b in grid["beta"]) and all(type(s) is int for s in grid["seed"])
    assert len(sweep.combinations(grid)) == 6
    with pytest.raises(ValueError, match="seed: 'x' is not a int"):
        sweep.parse_grid("seed=x", defaults)
    with pytest.raises(ValueError, match="unknown parameters \\['bta'\\]"):
        sweep.parse_grid("bta=1", defaults)


def test_a_yaml_grid_sweeps_lists_and_fixes_scalars(tmp_path):
    path = tmp_path / "grid.yaml"
    path.write_text("beta: [0.5, 2]\nepochs: 3\n")
    grid = sweep.parse_grid(str(path), sweep.notebook_defaults(GAUSSIAN))
    assert grid == {"beta": [0.5, 2.0], "epochs": [3]}


def test_every_bad_combination_is_refused_with_the_notebooks_own_message():
    with pytest.raises(ValueError) as refused:
        sweep.plan(GAUSSIAN, "beta=0.1,-1,200 seed=19")
    message = str(refused.value)
    assert "2 combination(s) refused" in message
    assert "beta=-1.0__seed=19" in message and "beta=200.0__seed=19" in message
    assert "beta: must be a number in [0.0, 100.0], got -1.0" in message  # helpers.validation's words
    grid, runs, module, _ = sweep.plan(GAUSSIAN, "beta=0.1,1 seed=19")
    assert len(runs) == 2 and module.PARAMETERS is not None


def test_the_cost_estimate_counts_retraining_and_says_when_it_exceeds_an_hour():
    module = sweep.study_rules(GAUSSIAN)
    defaults = {name: value for name, (_, value) in sweep.notebook_defaults(GAUSSIAN).items()}
    shipped = run_cost.estimate_seconds(GAUSSIAN.stem, module, defaults, {"slice_points": 40})
    retrained = run_cost.estimate_seconds(GAUSSIAN.stem, module, defaults, {"beta": 1.0})
    longer = run_cost.estimate_seconds(GAUSSIAN.stem, module, defaults, {"beta": 1.0, "epochs": 40})
    assert shipped is not None and retrained > shipped and longer > retrained
    assert "MORE THAN AN HOUR" in run_cost.cost_notice([retrained] * 20, slots=2, threads=1)
    assert "MORE THAN AN HOUR" not in run_cost.cost_notice([shipped], slots=1, threads=2)
    assert run_cost.makespan([3, 3, 2, 2], slots=2) == 5
    runs = [{"beta": 1.0, "slice_points": 20}, {"beta": 1.0, "slice_points": 40}, {"slice_points": 40},
            {"beta": 2.0}]
    assert run_cost.shared_training(module.RETRAINS, defaults, runs) == [None, 0, None, None]


def test_the_table_flattens_nested_records_and_the_figure_is_drawn(tmp_path):
    results = [{"name": fanout.run_name({"beta": b, "seed": s}), "parameters": {"beta": b, "seed": s},
                "values": {"errors": {"VAE": {"mean": b + s / 100}}, "rate": [b, 2 * b], "ok": True}}
               for b in (0.1, 1.0) for s in (19, 20)]
    table = sweep.tidy_table(results, ["beta", "seed"])
    assert set(table["value"]) == {"errors/VAE/mean", "rate/0", "rate/1"}
    assert len(table) == 4 * 3
    assert sweep.chosen_values(table, ["rate"]) == ["rate/0", "rate/1"]
    with pytest.raises(KeyError, match="no recorded value"):
        sweep.chosen_values(table, ["nothing"])
    png = sweep.plot_sweep(table, ["beta", "seed"], sweep.chosen_values(table, None), tmp_path / "figure.png")
    assert png.read_bytes()[:4] == b"\x89PNG"

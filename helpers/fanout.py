"""Many independent papermill runs of notebooks, fanned out on Dask (``dask.distributed``).

A :class:`Task` is one papermill run: a notebook, its parameters and the name its outputs take. :func:`run_tasks`
runs a list of them and returns one :class:`Outcome` each:

* **Where.** By default on a ``LocalCluster`` sized to this machine (:func:`local_cluster_size`: workers × threads
  ≤ cores, one run at a time per worker, separate processes). Given a scheduler address (the ``scheduler``
  argument, ``--scheduler`` of the commands built on it, or the environment variable ``HELPERS_DASK_SCHEDULER``),
  it submits to that cluster instead; its workers need this repository and its environment (``make setup``).
* **Threads.** Each run's Jupyter kernel gets ``OMP_NUM_THREADS``, ``TF_NUM_INTRAOP_THREADS`` and friends
  (:func:`thread_environment`), so that the runs side by side do not oversubscribe the cores.
* **Outputs.** A run writes ``NAME.ipynb`` (the executed notebook) and ``NAME.json`` (its parameters, wall time and
  every value it recorded through :func:`helpers.report.record`) into the output folder. Papermill writes the
  notebook into a hidden scratch folder of the attempt (``.NAME.*.run/``, removed afterwards) and it is renamed
  into place only after a successful run; ``NAME.json`` is written last, atomically
  (:func:`helpers.results.atomic_write_text`). Ctrl-C or a killed worker leaves no half-written result: at most a
  hidden scratch folder (a worker killed outright cannot remove its own), which is never read as one.
* **Resume.** A task whose ``NAME.json`` exists is skipped unless ``force=True``.
* **Failures.** A failed run keeps its partial notebook as ``NAME.failed.ipynb`` and is reported with its parameters
  and the failing cell's error (``ename: evalue``); the other runs go on. :func:`exit_status` is non-zero when any
  run failed.
* **Progress.** One plain line per finished run and a heartbeat: done / running / queued / failed and the elapsed
  time (fine in headless logs and CI).

long: its four parts (names and files, one run on a worker, the cluster, many runs with progress) share one set of
file conventions, and each is short; split, they would import each other's private names.

``helpers.sweep`` (``make sweep``) is built on it; ``helpers.exercises`` can submit its runs as tasks too
(``fresh_cache=True`` gives a run an empty weight cache, so that retraining is timed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpers.results import atomic_write_text

KERNEL = "vae-notebooks"
SCHEDULER_VARIABLE = "HELPERS_DASK_SCHEDULER"
#: Variables that size the thread pools of TensorFlow, BLAS/OpenMP and numexpr in a run's kernel.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS", "TF_NUM_INTRAOP_THREADS")
#: What every run's kernel gets unless the environment already says otherwise (as ``make run`` sets them).
RUN_DEFAULTS = {"PLOTLY_RENDERER": "plotly_mimetype", "TF_ENABLE_ONEDNN_OPTS": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
                "KERAS_BACKEND": "tensorflow", "PYTHONWARNINGS": "ignore::DeprecationWarning",
                "HELPERS_PROGRESS": "compact"}
MAX_NAME = 80


@dataclass(frozen=True)
class Task:
    """One papermill run: ``notebook`` with ``parameters``, its outputs named ``name`` (see :func:`run_name`).

    ``cwd`` is the kernel's working folder (default: the notebook's folder, as ``make run`` does); ``env`` adds
    environment variables to the kernel's; ``fresh_cache`` gives the run an empty weight cache
    (``HELPERS_CACHE_DIR``), so that a run that retrains is timed retraining (``make exercises``). ``after`` names
    another task of the same call that must finish first, e.g. the run that trains the model this one would train
    too: started afterwards, it loads that model from the weight cache instead of training it a second time."""

    notebook: Path
    parameters: Mapping
    name: str
    cwd: Path | None = None
    env: Mapping = field(default_factory=dict)
    fresh_cache: bool = False
    after: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of a task: ``status`` is ``"done"``, ``"skipped"`` (resumed: its result exists) or ``"failed"``
    (``error`` says why: the failing cell's ``ename: evalue``, or what stopped the run)."""

    task: Task
    status: str
    seconds: float = 0.0
    error: str | None = None

    def describe(self) -> str:
        """``NAME (beta=0.1, seed=19): failed after 12 s — ValueError: …``."""
        from helpers.report import human_duration

        parameters = ", ".join(f"{key}={value!r}" for key, value in self.task.parameters.items()) or "defaults"
        text = f"{self.task.name} ({parameters}): {self.status}"
        if self.status != "skipped":
            text += f" after {human_duration(self.seconds)}"
        return text + (f" — {self.error}" if self.error else "")


# ---------------------------------------------------------------------------------------------
# Names and files
# ---------------------------------------------------------------------------------------------


def _token(value) -> str:
    text = (value if isinstance(value, str) else str(value) if isinstance(value, int | float)
            else json.dumps(value, separators=(",", ":")))
    return re.sub(r"[^A-Za-z0-9._,+-]+", "_", text).strip("_") or "_"


def run_name(parameters: Mapping, max_length: int = MAX_NAME) -> str:
    """A readable, stable file name for a parameter set, in the given order: ``beta=0.1__seed=19``; ``defaults`` for
    none. A name longer than ``max_length`` is cut and ends in a short hash of the whole set, so that it stays
    unique."""
    name = "__".join(f"{_token(key)}={_token(value)}" for key, value in parameters.items()) or "defaults"
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(json.dumps(dict(parameters), sort_keys=True, default=str).encode()).hexdigest()[:10]
    return f"{name[:max_length - 12]}__{digest}"


def result_path(output_dir: Path, name: str) -> Path:
    """The run's record (parameters, seconds, values): its presence means the run finished."""
    return Path(output_dir) / f"{name}.json"


def notebook_path(output_dir: Path, name: str) -> Path:
    """The run's executed notebook."""
    return Path(output_dir) / f"{name}.ipynb"


def partial_path(scratch: Path, name: str) -> Path:
    """Where papermill writes while the run is going: inside the attempt's own hidden scratch folder (so that a
    retried attempt never shares it with an orphaned one), renamed into place only after success."""
    return Path(scratch) / f"{name}.partial.ipynb"


def failed_path(output_dir: Path, name: str) -> Path:
    """The partial notebook of a failed run, kept to read the error in context."""
    return Path(output_dir) / f"{name}.failed.ipynb"


def finished(output_dir: Path, name: str) -> bool:
    """Whether the run ``name`` has a result in ``output_dir`` (what resume checks)."""
    return result_path(output_dir, name).is_file()


def load_results(output_dir: Path, names: Iterable[str] | None = None) -> list[dict]:
    """The records of the finished runs in ``output_dir`` (all of them, or those ``names``), sorted by name. Hidden
    temporary files are never read."""
    output_dir = Path(output_dir)
    paths = (sorted(p for p in output_dir.glob("*.json") if not p.name.startswith(".")) if names is None
             else [result_path(output_dir, n) for n in names if finished(output_dir, n)])
    return [json.loads(path.read_text()) for path in sorted(paths)]


# ---------------------------------------------------------------------------------------------
# One run (executes on a worker)
# ---------------------------------------------------------------------------------------------


def thread_environment(threads: int) -> dict[str, str]:
    """Environment variables that limit a kernel's TensorFlow, BLAS and OpenMP pools to ``threads`` threads
    (TensorFlow's inter-op pool to 1 or 2: it runs independent ops side by side, on top of the intra-op pool)."""
    threads = max(1, int(threads))
    return {**{name: str(threads) for name in THREAD_VARIABLES}, "TF_NUM_INTEROP_THREADS": str(min(threads, 2))}


def run_environment(task: Task, threads: int, values_dir: Path, cache_dir: Path | None) -> dict[str, str]:
    """The environment of a run's papermill process (and so of its kernel): this process's, the run defaults (where
    unset), the thread limits, where the values are recorded, and the task's own variables."""
    env = {**RUN_DEFAULTS, **os.environ, **thread_environment(threads), "HELPERS_VALUES_DIR": str(values_dir)}
    if cache_dir is not None:
        env["HELPERS_CACHE_DIR"] = str(cache_dir)
    return {**env, **{str(k): str(v) for k, v in task.env.items()}}


def papermill_command(task: Task, output: Path, kernel: str = KERNEL, timeout: float | None = None) -> list[str]:
    """The papermill command line of one run (parameters as YAML, so lists and booleans keep their types)."""
    import yaml

    notebook = Path(task.notebook).resolve()
    command = [sys.executable, "-m", "papermill", str(notebook), str(output), "-k", kernel,
               "--cwd", str(Path(task.cwd or notebook.parent).resolve()), "--log-level", "ERROR",
               "--no-progress-bar", "-y", yaml.safe_dump(dict(task.parameters), default_flow_style=True)]
    if timeout:
        command += ["--execution-timeout", str(int(timeout))]
    return command


def cell_error(notebook: Path) -> str | None:
    """``ename: evalue`` of the first error output in an executed notebook (papermill keeps the failing cell's
    error there), with the cell's number; None when there is none or the file cannot be read."""
    try:
        cells = json.loads(Path(notebook).read_text()).get("cells", [])
    except (OSError, ValueError):
        return None
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                count = cell.get("execution_count")
                where = f"cell [{count}]" if count else f"cell {index}"
                return f"{output.get('ename')}: {output.get('evalue')} (in {where})"
    return None


def read_values(values_dir: Path) -> dict:
    """``{key: values}`` of every record a run wrote to ``HELPERS_VALUES_DIR`` (hidden temporary files ignored)."""
    return {path.stem: json.loads(path.read_text())
            for path in sorted(Path(values_dir).glob("*.json")) if not path.name.startswith(".")}


def publish(task: Task, output_dir: Path, partial: Path, values: dict, seconds: float, threads: int) -> None:
    """Move a successful run's notebook into place, then write its record atomically (the record comes last: its
    presence means the run finished)."""
    finished_at = time.time()
    record = {"name": task.name, "notebook": Path(task.notebook).stem, "parameters": dict(task.parameters),
              "seconds": round(seconds, 1), "started": round(finished_at - seconds, 3),
              "finished": round(finished_at, 3), "threads": threads, "host": socket.gethostname(),
              "machine": platform.processor() or platform.machine(), "values": values}
    os.replace(partial, notebook_path(output_dir, task.name))
    failed_path(output_dir, task.name).unlink(missing_ok=True)
    atomic_write_text(result_path(output_dir, task.name), json.dumps(record, indent=1, sort_keys=True) + "\n")


def execute_task(task: Task, output_dir: str | Path, threads: int = 1, kernel: str = KERNEL,
                 timeout: float | None = None) -> Outcome:
    """Run one task with papermill in a child process and publish its outputs; a failed run returns a "failed"
    :class:`Outcome` (it does not raise). Runs on a Dask worker, or anywhere."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{task.name[:40]}.", suffix=".run", dir=output_dir))
    partial = partial_path(scratch, task.name)
    cache_dir = scratch / "cache" if task.fresh_cache else None
    start = time.perf_counter()
    try:
        env = run_environment(task, threads, scratch / "values", cache_dir)
        (scratch / "values").mkdir()
        process = subprocess.Popen(papermill_command(task, partial, kernel, timeout), env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            _, stderr = process.communicate()
        except BaseException:  # Ctrl-C, or the worker is stopping: stop the run too, publish nothing
            process.kill()
            process.wait()
            raise
        seconds = time.perf_counter() - start
        if process.returncode != 0:
            error = cell_error(partial) or _last_line(stderr) or f"papermill exited with {process.returncode}"
            if partial.exists():
                os.replace(partial, failed_path(output_dir, task.name))
            return Outcome(task, "failed", seconds, error)
        publish(task, output_dir, partial, read_values(scratch / "values"), seconds, threads)
        return Outcome(task, "done", seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _last_line(text: str) -> str:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


# ---------------------------------------------------------------------------------------------
# The cluster
# ---------------------------------------------------------------------------------------------


def local_cluster_size(tasks: int, cores: int | None = None, workers: int | None = None) -> tuple[int, int]:
    """(workers, kernel threads per run) for a local cluster: one run at a time per worker, at most one worker per
    task, and workers × threads ≤ cores (the cores are shared out when there are fewer tasks than cores)."""
    cores = max(1, cores or os.cpu_count() or 1)
    workers = max(1, min(workers or cores, cores, max(tasks, 1)))
    return workers, max(1, cores // workers)


def scheduler_address(scheduler: str | None = None) -> str | None:
    """The scheduler to submit to: ``scheduler`` if given, else ``$HELPERS_DASK_SCHEDULER``, else None (local)."""
    return scheduler or os.environ.get(SCHEDULER_VARIABLE) or None


@dataclass(frozen=True)
class Cluster:
    """A connected Dask client, how many runs it takes at once (``slots``) and the kernel threads per run."""

    client: object
    slots: int
    threads: int
    where: str


@contextlib.contextmanager
def connect(tasks: int, scheduler: str | None = None, workers: int | None = None, threads: int | None = None,
            processes: bool = True) -> Iterator[Cluster]:
    """A :class:`Cluster`: the one at ``scheduler_address(scheduler)``, or a ``LocalCluster`` sized by
    :func:`local_cluster_size` (closed on exit). On a remote cluster each run's kernel gets ``threads`` threads
    (default 1): the client cannot see how many cores the workers' hosts have."""
    from distributed import Client, LocalCluster

    address = scheduler_address(scheduler)
    if address:
        with Client(address) as client:
            nthreads = client.nthreads()
            yield Cluster(client, max(1, sum(nthreads.values())), threads or 1,
                          f"the cluster at {address} ({len(nthreads)} workers)")
        return
    n_workers, kernel_threads = local_cluster_size(tasks, workers=workers)
    kernel_threads = threads or kernel_threads
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield Cluster(client, n_workers, kernel_threads,
                      f"a local cluster ({n_workers} worker(s) × 1 run, {kernel_threads} kernel thread(s) each)")


# ---------------------------------------------------------------------------------------------
# Many runs
# ---------------------------------------------------------------------------------------------


class Progress:
    """Plain progress lines: done / running / queued / failed of the total, and the elapsed time."""

    def __init__(self, total: int, slots: int, emit: Callable[[str], None] = print):
        self.total, self.slots, self.emit = total, max(1, slots), emit
        self.done = self.failed = 0
        self.start = time.monotonic()

    def line(self, blocked: int = 0) -> str:
        """``blocked``: runs still waiting for another run (``Task.after``), counted as queued."""
        from helpers.report import human_duration

        left = self.total - self.done - self.failed
        running = min(left - blocked, self.slots)
        return (f"[{human_duration(time.monotonic() - self.start):>10}] {self.done} done · {running} running · "
                f"{left - running} queued · {self.failed} failed (of {self.total})")

    def finished(self, outcome: Outcome, blocked: int = 0) -> None:
        if outcome.status == "failed":
            self.failed += 1
        else:
            self.done += 1
        self.emit(f"{self.line(blocked)}  {outcome.describe()}")

    def heartbeat(self, blocked: int = 0) -> None:
        self.emit(self.line(blocked))


def parallel_runs(tasks: Sequence[Task]) -> int:
    """How many of ``tasks`` can run at once: those that wait for another of them (``after``) run after it."""
    names = {task.name for task in tasks}
    return len({task.after if task.after in names else task.name for task in tasks})


def pending_tasks(tasks: Iterable[Task], output_dir: Path, force: bool = False) -> tuple[list[Task], list[Outcome]]:
    """(tasks to run, "skipped" outcomes of those already finished); names must be unique."""
    tasks = list(tasks)
    names = [task.name for task in tasks]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"two tasks share an output name: {duplicates}")
    todo = [t for t in tasks if force or not finished(output_dir, t.name)]
    return todo, [Outcome(t, "skipped") for t in tasks if t not in todo]


def run_tasks(tasks: Iterable[Task], output_dir: Path, *, force: bool = False, scheduler: str | None = None,
              workers: int | None = None, threads: int | None = None, processes: bool = True, kernel: str = KERNEL,
              timeout: float | None = None, heartbeat: float = 30.0, emit: Callable[[str], None] = print,
              on_start: Callable[[Cluster, list[Task]], None] | None = None) -> list[Outcome]:
    """Run every task (skipping finished ones unless ``force``) on Dask; one :class:`Outcome` per task, in the
    tasks' order. A failed run does not stop the others; a worker that dies is reported as the failure of its run.
    ``on_start(cluster, tasks_to_run)`` is called once connected, before the first submission (e.g. to print what
    the runs will cost on this cluster). Ctrl-C cancels what is left, closes the cluster and raises
    ``KeyboardInterrupt``."""
    from distributed import wait

    tasks = list(tasks)
    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    todo, skipped = pending_tasks(tasks, output_dir, force)
    if skipped:
        emit(f"{len(skipped)} of {len(tasks)} runs already finished in {output_dir} (skipped; force to rerun)")
    outcomes = {o.task.name: o for o in skipped}
    if todo:
        with connect(parallel_runs(todo), scheduler, workers, threads, processes) as cluster:
            emit(f"{len(todo)} runs on {cluster.where}")
            if on_start is not None:
                on_start(cluster, todo)
            progress = Progress(len(todo), cluster.slots, emit)
            futures, by_name = {}, {}
            for task in sorted(todo, key=lambda t: t.after in {u.name for u in todo}):  # upstream runs first
                upstream = by_name.get(task.after)
                future = cluster.client.submit(_execute_after, task, str(output_dir), cluster.threads, kernel,
                                               timeout, upstream, key=f"papermill-{task.name}-{time.time_ns()}",
                                               pure=False)
                futures[future], by_name[task.name] = task, future
            waiting = set(futures)

            def blocked() -> int:
                return sum(by_name.get(futures[f].after) in waiting for f in waiting)

            try:
                while waiting:
                    try:
                        finished_now, waiting = wait(waiting, timeout=heartbeat, return_when="FIRST_COMPLETED")
                    except TimeoutError:  # distributed's TimeoutError is the builtin one
                        progress.heartbeat(blocked())
                        continue
                    for future in finished_now:
                        outcome = _outcome(future, futures[future])
                        outcomes[outcome.task.name] = outcome
                        progress.finished(outcome, blocked())
            except BaseException:
                cluster.client.cancel(list(waiting), force=True)
                emit(f"stopped: {len(waiting)} runs cancelled; finished runs are kept, the rest resume next time")
                raise
    return [outcomes[task.name] for task in tasks]


def run_notebooks(runs: Iterable[tuple[Path, Mapping, str]], output_dir: Path, **options) -> list[Outcome]:
    """:func:`run_tasks` for plain ``(notebook, parameters, output name)`` triples (what ``make exercises`` and
    ``make weights`` have); ``options`` as for :func:`run_tasks`."""
    return run_tasks([Task(Path(notebook), dict(parameters), name) for notebook, parameters, name in runs],
                     output_dir, **options)


def _execute_after(task: Task, output_dir: str, threads: int, kernel: str, timeout: float | None,
                   _upstream: Outcome | None) -> Outcome:
    """:func:`execute_task` once the upstream run (a Dask dependency, whatever its outcome) has finished."""
    return execute_task(task, output_dir, threads, kernel, timeout)


def _outcome(future, task: Task) -> Outcome:
    try:
        return future.result()
    except Exception as error:  # the worker died (KilledWorker) or the task raised outside papermill
        return Outcome(task, "failed", 0.0, f"{type(error).__name__}: {error}")


def exit_status(outcomes: Iterable[Outcome]) -> int:
    """0 when no run failed, else 1."""
    return int(any(outcome.status == "failed" for outcome in outcomes))


def report_failures(outcomes: Iterable[Outcome], emit: Callable[[str], None] = print) -> None:
    """One paragraph per failed run: its parameters and its error, and where its partial notebook is."""
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        emit(f"{len(failed)} run(s) failed:")
        for outcome in failed:
            emit(f"  {outcome.describe()}")

"""Exercises whose headers, worked solutions and self-checks come from recorded runs, so they cannot drift.

    python -m helpers.exercises [--only STEM[:N] ...] [--records DIR] [--workers N] [--dry-run]   (make exercises)

``notebooks/exercises.yaml`` lists each notebook's exercises: a title, one or more papermill parameter sets
(``runs``), what a run retrains, and the numbers a student may check. ``make exercises`` submits every run (each
with an empty weight cache, so that retraining is timed) as one papermill run to :mod:`helpers.fanout` (a Dask
``LocalCluster`` sized to the machine, or the cluster at ``$HELPERS_DASK_SCHEDULER``), so the runs go side by side;
then it records, per exercise whose runs all finished, each run's measured wall time and every value its takeaways
and tables recorded (:data:`helpers.report.VALUES_MIME`) in ``data/results/exercises/STEM.json`` (``--records``
elsewhere), written atomically. In the notebook, :class:`Exercises` renders

* the header: number, title, the papermill command built from the parameters, and the recorded run time;
* the worked solution, folded behind a toggle: a template whose fields read the recorded run
  (``{run[KEY][ROW][COLUMN]:.2f}``; ``runs[i]`` for an exercise with several runs) and this notebook's own values
  (``{here[KEY][...]}``), filled in the way :func:`helpers.report.show_takeaway` fills a takeaway;
* :meth:`Exercises.check`: whether a student's number is within the stated tolerance of the recorded answer.

long: the exercises file, the runs that record it and the rendering of those records share one record format and one
set of run names; split, each part would import the others' private conventions.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import string
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from helpers.locations import REPO_ROOT, RESULTS_DIR
from helpers.report import human_duration, lookup, notebook_records, recorded_here
from helpers.results import atomic_write_text
from helpers.verdicts import Verdict, against_seed_change

EXERCISES_FILE = REPO_ROOT / "notebooks" / "exercises.yaml"
RECORDS_DIR = RESULTS_DIR / "exercises"
KERNEL = "vae-notebooks"


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook, as ``notebooks/exercises.yaml`` states it."""

    number: int
    title: str
    runs: tuple[dict, ...]
    retrains: str | None = None
    answers: dict | None = None


def load_exercises(stem: str, path: Path = EXERCISES_FILE) -> list[Exercise]:
    """The exercises of notebook ``stem``, numbered from 1; a clear error for an unknown notebook or entry."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if stem not in data:
        raise KeyError(f"{path.name} has no exercises for notebook {stem!r}; it has: {sorted(data)}")
    allowed = {"title", "runs", "retrains", "answers"}
    exercises = []
    for number, entry in enumerate(data[stem], start=1):
        unknown = set(entry) - allowed
        if unknown or not entry.get("runs"):
            raise ValueError(f"{path.name}, {stem} exercise {number}: needs `runs`; allowed keys {sorted(allowed)}, "
                             f"got unknown {sorted(unknown)}")
        exercises.append(Exercise(number, entry["title"], tuple(entry["runs"]), entry.get("retrains"),
                                  entry.get("answers")))
    return exercises


def output_name(stem: str, exercise: Exercise, run: int) -> str:
    """The executed notebook's file name for one run of an exercise."""
    suffix = "" if len(exercise.runs) == 1 else f"-{run + 1}"
    return f"{stem}-exercise-{exercise.number}{suffix}.ipynb"


def papermill_command(stem: str, exercise: Exercise, run: int = 0) -> str:
    """The shell command that runs one parameter set, from the repository root, into ``build/``."""
    options = " ".join(f"-p {name} {value}" for name, value in exercise.runs[run].items())
    return (f".venv/bin/papermill -k {KERNEL} --cwd notebooks {options} \\\n"
            f"    notebooks/{stem}.ipynb build/{output_name(stem, exercise, run)}")


def record_path(stem: str, folder: Path = RECORDS_DIR) -> Path:
    return Path(folder) / f"{stem}.json"


def load_records(stem: str, folder: Path = RECORDS_DIR) -> dict:
    """``{str(number): record}`` for notebook ``stem``; empty when nothing was recorded yet."""
    path = record_path(stem, folder)
    return json.loads(path.read_text()) if path.exists() else {}


def run_tasks(stem: str, exercise: Exercise) -> list:
    """One :class:`helpers.fanout.Task` per run of ``exercise``, each with an empty weight cache (``fresh_cache``), so
    that a run that retrains is timed retraining, not a cache hit. Named after :func:`output_name`."""
    from helpers.fanout import Task

    return [Task(REPO_ROOT / "notebooks" / f"{stem}.ipynb", dict(parameters),
                 output_name(stem, exercise, index).removesuffix(".ipynb"), cwd=REPO_ROOT / "notebooks",
                 fresh_cache=True)
            for index, parameters in enumerate(exercise.runs)]


def collect_record(stem: str, exercise: Exercise, output_dir: Path, since: float | None = None) -> dict | None:
    """The record of ``exercise`` from its finished runs in ``output_dir`` (:mod:`helpers.fanout` wrote each run's
    ``NAME.ipynb`` and ``NAME.json``): ``{"title", "runs": [{parameters, seconds, values}], "cpus", "machine",
    "threads"}``; the values are read from the executed notebook's outputs. None when a run has no result, or (with
    ``since``, a ``time.time()``) a result older than that: a run of an earlier call."""
    from helpers import fanout

    runs, threads = [], []
    for task in run_tasks(stem, exercise):
        if not fanout.finished(output_dir, task.name):
            return None
        result = json.loads(fanout.result_path(output_dir, task.name).read_text())
        if since is not None and result["finished"] < since:
            return None
        notebook = json.loads(fanout.notebook_path(output_dir, task.name).read_text())
        runs.append({"parameters": dict(task.parameters), "seconds": round(float(result["seconds"]), 1),
                     "values": notebook_records(notebook)})
        threads.append(int(result.get("threads") or 0))
    return {"title": exercise.title, "runs": runs, "cpus": os.cpu_count(),
            "machine": platform.processor() or platform.machine(), "threads": min(threads)}


def save_record(stem: str, number: int, record: dict, folder: Path = RECORDS_DIR) -> None:
    """Merge one exercise's record into ``STEM.json`` (atomically, so a stopped run leaves the old file)."""
    records = load_records(stem, folder)
    records[str(number)] = record
    atomic_write_text(record_path(stem, folder), json.dumps(records, indent=1, sort_keys=True) + "\n")


# ---------------------------------------------------------------------------------------------
# In the notebook
# ---------------------------------------------------------------------------------------------


def template_fields(template: str) -> list[str]:
    """The field names of a format template, e.g. ``run[errors][VAE][mean]`` (for the drift test)."""
    return [field for _, field, _, _ in string.Formatter().parse(template) if field]


def resolve(field: str, namespace: dict):
    """The value that a format field such as ``run[errors][VAE][mean]`` names in ``namespace``; a KeyError that
    says which part is missing otherwise."""
    name, _, rest = field.partition("[")
    try:
        return lookup(namespace, [name, *(rest.rstrip("]").split("][") if rest else [])])
    except KeyError as error:
        raise KeyError(f"{field}: {error.args[0]}") from None


class RecordFormatter(string.Formatter):
    """``str.format`` whose fields are paths into recorded values (:func:`resolve`): keys are always strings, even
    ``[20]``, except as indices into a list."""

    def get_field(self, field_name, args, kwargs):
        return resolve(field_name, kwargs), field_name


class Exercises:
    """A notebook's exercises, rendered from ``exercises.yaml`` and the recorded runs."""

    def __init__(self, stem: str, yaml_path: Path = EXERCISES_FILE, records_dir: Path = RECORDS_DIR):
        self.stem = stem
        self.exercises = {e.number: e for e in load_exercises(stem, yaml_path)}
        self.records = load_records(stem, records_dir)

    def exercise(self, number: int) -> Exercise:
        if number not in self.exercises:
            raise KeyError(f"{self.stem} has exercises {sorted(self.exercises)}, not {number}")
        return self.exercises[number]

    def record(self, number: int) -> dict | None:
        return self.records.get(str(number))

    def header(self, number: int) -> str:
        """Markdown: the title, what the run retrains, its measured time and the command(s)."""
        exercise, record = self.exercise(number), self.record(number)
        cost = f"retrains {exercise.retrains}" if exercise.retrains else "shipped weights"
        if record:
            seconds = sum(run["seconds"] for run in record["runs"])
            cost += f"; the recorded run took {human_duration(seconds)} on {record['cpus']} cores"
            if record.get("threads") and record["threads"] < record["cpus"]:  # side by side with other runs
                cost += f", {record['threads']} thread(s) per run"
        else:
            cost += "; not yet recorded (`make exercises`)"
        commands = "\n".join(papermill_command(self.stem, exercise, i) for i in range(len(exercise.runs)))
        return f"**Exercise {number} — {exercise.title}** ({cost}).\n\n```bash\n{commands}\n```"

    def show_exercise(self, number: int) -> None:
        """Display the header of exercise ``number``."""
        from IPython.display import Markdown, display

        display(Markdown(self.header(number)))

    def namespace(self, number: int, here: dict | None = None) -> dict:
        record = self.record(number)
        if record is None:
            raise LookupError(f"exercise {number} of {self.stem} has no recorded run: run `make exercises`")
        runs = [run["values"] for run in record["runs"]]
        return {"run": runs[0], "runs": runs, "here": recorded_here() if here is None else here}

    def solution(self, number: int, template: str, here: dict | None = None, fields: dict | None = None) -> str:
        """The worked solution: ``template`` filled from the recorded run (``run``/``runs``), this notebook
        (``here``) and any other named ``fields`` (e.g. a :class:`helpers.verdicts.Verdict` computed from both,
        which renders as its words)."""
        return RecordFormatter().vformat(template, (), {**self.namespace(number, here), **(fields or {})})

    def runs(self, number: int) -> list[dict] | None:
        """The recorded values of each run of exercise ``number`` (None before ``make exercises`` recorded it)."""
        record = self.record(number)
        return None if record is None else [run["values"] for run in record["runs"]]

    def show_solution(self, number: int, template: str, **fields) -> None:
        """Display the worked solution folded: a ``<details>`` block opens on a click, in the pages and in
        JupyterLab."""
        from IPython.display import Markdown, display

        try:
            body = (self.solution(number, template, fields=fields) if self.record(number)
                    else "*No recorded run yet: `make exercises` records one.*")
        except KeyError as missing:  # a value of *this* run that its parameters skipped; the record is complete
            if not str(missing).strip("'\"").startswith("here["):
                raise
            body = (f"*This run did not compute a value the solution compares with ({missing}): read the solution in "
                    "the notebook run with its default parameters.*")
        display(Markdown(f"<details class=\"solution\">\n<summary>Solution to exercise {number}</summary>\n\n"
                         f"{body}\n\n</details>"))

    def answer(self, number: int, name: str) -> tuple[float, float, str]:
        """(recorded value, relative tolerance, reason) of answer ``name`` of exercise ``number``."""
        answers = self.exercise(number).answers or {}
        if name not in answers:
            raise KeyError(f"exercise {number} of {self.stem} checks {sorted(answers) or 'no answers'}, not {name!r}")
        spec = answers[name]
        return float(resolve(spec["value"], self.namespace(number, here={}))), float(spec["tolerance"]), spec["why"]

    def check(self, number: int, name: str, value: float) -> bool:
        """Print whether ``value`` is within the tolerance of the recorded answer ``name``; returns it."""
        expected, tolerance, why = self.answer(number, name)
        right = abs(value - expected) <= tolerance * abs(expected)
        verdict = "Right" if right else "Not yet"
        print(f"{verdict}: the recorded run gives {expected:.4g}; answers within {tolerance:.0%} count ({why}).")
        return right


@functools.cache
def for_notebook(stem: str) -> Exercises:
    """The exercises of notebook ``stem``, read once per process."""
    return Exercises(stem)


INTRO = """\
Each exercise reruns this notebook with other parameters. Run its command from the repository root (it writes
into `build/`; `mkdir -p build` on a fresh clone) and open the result in JupyterLab (`make lab`) next to this
notebook, or edit the cell tagged `parameters` here and run all cells. The time in each header was measured by
`make exercises` on a {cpus}-core machine; a run that retrains caches its weights in `data/cache/`, so running it
again is as fast as with shipped weights. Try an exercise before you open its solution: the solution's numbers
come from the recorded run. Where an exercise asks for a number, `check("{stem}", EXERCISE, NAME, YOUR_NUMBER)`
says whether it is right."""


def show_exercises_intro(stem: str) -> None:
    """Display how to run the exercises of notebook ``stem`` and check an answer."""
    from IPython.display import Markdown, display

    cpus = {record["cpus"] for record in for_notebook(stem).records.values()} or {2}
    display(Markdown(INTRO.format(stem=stem, cpus="/".join(map(str, sorted(cpus))))))


def show_exercise(stem: str, number: int) -> None:
    """Display the header of exercise ``number`` of notebook ``stem`` (:meth:`Exercises.header`)."""
    for_notebook(stem).show_exercise(number)


def show_solution(stem: str, number: int, template: str, **fields) -> None:
    """Display the folded worked solution of exercise ``number`` (:meth:`Exercises.solution`); ``fields`` are extra
    template fields, such as verdicts on the recorded numbers."""
    for_notebook(stem).show_solution(number, template, **fields)


def attributable(stem: str, number: int, reseeded: int, paths: dict[str, tuple[str, ...]]) -> dict:
    """For each named value (a path into the recorded values): whether exercise ``number``'s change of setting moved
    it by more than exercise ``reseeded`` (the same notebook at another seed) moved it, compared with this run
    (:func:`helpers.verdicts.against_seed_change`). A value missing from a record (a run whose parameters skipped it)
    gives a verdict that says so instead of failing."""
    changed, noise = recorded_runs(stem, number), recorded_runs(stem, reseeded)
    verdicts = {}
    for name, path in paths.items():
        try:
            verdicts[name] = against_seed_change(lookup(changed[0], path), lookup(recorded_here(), path),
                                                 lookup(noise[0], path))
        except (KeyError, TypeError):  # no record (TypeError: None), or a value this run did not compute
            verdicts[name] = Verdict(False, "not compared in this run", "", {})
    return verdicts


def sides_of_one_flipped(run: dict | None, here: dict, paths) -> str:
    """How many of the ratios at ``paths`` lie on the other side of 1 in ``run`` than ``here`` ("none", "one of
    them", "both", or "k of n"); "not compared in this run" when a value is missing."""
    paths = list(paths)
    try:
        flips = sum((lookup(run, p) < 1) != (lookup(here, p) < 1) for p in paths)
    except (KeyError, TypeError):
        return "not compared in this run"
    if len(paths) == 2:
        return ("neither", "one of them", "both")[flips]
    return f"{flips} of {len(paths)}"


def recorded_runs(stem: str, number: int) -> list[dict] | None:
    """The values each recorded run of exercise ``number`` of ``stem`` recorded (:meth:`Exercises.runs`): what a
    verdict in a solution is computed from."""
    return for_notebook(stem).runs(number)


def check(stem: str, number: int, name: str, value: float) -> bool:
    """Say whether ``value`` answers question ``name`` of exercise ``number`` of ``stem`` (:meth:`Exercises.check`)."""
    return for_notebook(stem).check(number, name, value)


def plan_exercises(only: list[str] | None = None, path: Path = EXERCISES_FILE) -> list[tuple[str, Exercise]]:
    """(stem, exercise) of every exercise ``only`` names (``STEM`` for all of a notebook's, ``STEM:N`` for one),
    default all; every stem and number is checked before the first (slow) run."""
    import yaml

    wanted = [item.partition(":") for item in only or list(yaml.safe_load(Path(path).read_text("utf-8")))]
    plan = []
    for stem, _, number in wanted:
        listed = Exercises(stem, path)
        plan += [(stem, listed.exercise(int(n))) for n in ([number] if number else listed.exercises)]
    return plan


def recorded_seconds(stem: str, exercise: Exercise, folder: Path = RECORDS_DIR) -> list[float | None]:
    """Each run's recorded seconds (None where nothing is recorded for these parameters)."""
    record = load_records(stem, folder).get(str(exercise.number)) or {}
    by_parameters = [(run["parameters"], run["seconds"]) for run in record.get("runs", [])]
    return [next((seconds for recorded, seconds in by_parameters if recorded == dict(parameters)), None)
            for parameters in exercise.runs]


def longest_first(plan: list[tuple[str, Exercise]], folder: Path = RECORDS_DIR) -> list:
    """The tasks of every exercise in ``plan``, the longest recorded run first (unrecorded ones before all): Dask
    starts them in this order, so the longest run does not start last (longest-first scheduling,
    :func:`helpers.run_cost.makespan`)."""
    pairs = [(task, seconds) for stem, exercise in plan
             for task, seconds in zip(run_tasks(stem, exercise), recorded_seconds(stem, exercise, folder), strict=True)]
    return [task for task, seconds in sorted(pairs, key=lambda pair: -(pair[1] if pair[1] is not None else 1e18))]


def describe_plan(plan: list[tuple[str, Exercise]], workers: int, threads: int, folder: Path = RECORDS_DIR) -> str:
    """The dry run: every run (its output name and recorded time) and the expected wall time on ``workers``
    (:func:`helpers.run_cost.makespan`) against the serial sum."""
    from helpers.run_cost import makespan, recorded_cores

    lines, seconds = [], []
    for stem, exercise in plan:
        for task, recorded in zip(run_tasks(stem, exercise), recorded_seconds(stem, exercise, folder), strict=True):
            parameters = " ".join(f"{k}={v}" for k, v in task.parameters.items())
            lines.append(f"  {task.name}  ({parameters}): "
                         + (f"recorded {human_duration(recorded)}" if recorded is not None else "not recorded"))
            seconds.append(recorded)
    known = [s for s in seconds if s is not None]
    cores = max((recorded_cores(stem, folder) for stem, _ in plan), default=2)
    total = (f"{len(seconds)} runs; recorded serial sum {human_duration(sum(known))}, longest run "
             f"{human_duration(max(known, default=0))}; on {workers} worker(s) × {threads} thread(s) about "
             f"{human_duration(makespan(known, workers))} (longest first)")
    if threads < cores:
        total += f"; recorded with {cores} cores per run, so with {threads} thread(s) each expect longer"
    return "\n".join([*lines, total])


def main(argv: list[str] | None = None) -> int:
    from helpers import fanout

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", metavar="STEM[:N]",
                        help="a notebook's exercises, or one of them (repeatable); default: all")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "build" / "exercises",
                        help="the executed notebooks and each run's result (default: build/exercises)")
    parser.add_argument("--records", type=Path, default=RECORDS_DIR,
                        help="where STEM.json records go (default: data/results/exercises; another folder to "
                             "measure without touching the shipped records)")
    parser.add_argument("--resume", action="store_true", help="keep runs that already finished in --output "
                                                               "(default: every run is measured again)")
    parser.add_argument("--scheduler", help=f"a Dask scheduler address (default: ${fanout.SCHEDULER_VARIABLE}, "
                                            "else a local cluster)")
    parser.add_argument("--workers", type=int, help="local cluster: at most this many runs at once (1: one after "
                                                    "another, each with every core)")
    parser.add_argument("--threads", type=int, help="kernel threads per run")
    parser.add_argument("--dry-run", action="store_true", help="list the runs and the expected wall time; run "
                                                               "nothing")
    args = parser.parse_args(argv)
    plan = plan_exercises(args.only)
    tasks = longest_first(plan)
    if args.dry_run:
        workers, threads = fanout.local_cluster_size(len(tasks), workers=args.workers)
        print(describe_plan(plan, workers, args.threads or threads, args.records))
        return 0
    since = None if args.resume else time.time()
    try:
        outcomes = fanout.run_tasks(tasks, args.output, force=not args.resume, scheduler=args.scheduler,
                                    workers=args.workers, threads=args.threads,
                                    emit=lambda line: print(line, flush=True))
    except KeyboardInterrupt:  # exercises whose runs all finished are still recorded
        outcomes = None
        print("interrupted: recording the exercises whose runs all finished", file=sys.stderr)
    args.records.mkdir(parents=True, exist_ok=True)
    for stem, exercise in plan:
        record = collect_record(stem, exercise, args.output.resolve(), since)
        if record is not None:
            save_record(stem, exercise.number, record, args.records)
            print(f"== {stem} exercise {exercise.number} ({exercise.title}): "
                  f"{human_duration(sum(run['seconds'] for run in record['runs']))} -> "
                  f"{record_path(stem, args.records)}", flush=True)
    if outcomes is None:
        return 130
    fanout.report_failures(outcomes)
    return fanout.exit_status(outcomes)


if __name__ == "__main__":
    os.environ.setdefault("PLOTLY_RENDERER", "plotly_mimetype")  # figures stored as in `make run` (each run's kernel)
    sys.exit(main())

"""Sweep a notebook's parameters: every combination as one papermill run on Dask, then one tidy table and a figure.

    python -m helpers.sweep 02_gaussian_heatmaps --grid "beta=0.1,1,4 seed=19,20,21" [--show KEY,...]
    make sweep NB=02_gaussian_heatmaps GRID="beta=0.1,1,4 seed=19,20,21" [SHOW=...] [FORCE=1] [SCHEDULER=ADDRESS]

``GRID`` is ``name=v1,v2,... name=...`` (a name with one value is a fixed parameter) or a YAML file mapping each
name to a list of values (swept) or to one value (fixed). Values are read with the types of the notebook's own
defaults (papermill's inferred parameters), so ``beta=1`` is the float 1.0 and ``config=lean`` a string.

Before anything runs, every combination (the notebook's defaults, overridden) is checked with the notebook's own
rules (``helpers.studies.<study>.parameters.PARAMETERS`` and :func:`helpers.validation.validate`, as its validation
cell does); a bad combination stops the sweep with the notebook's message. Then it prints what the sweep will cost
on the cluster (:mod:`helpers.run_cost`, which states its rule) and runs the combinations with
:func:`helpers.fanout.run_tasks` (resume, failures and progress as described there). Everything lands in
``build/sweeps/<NB>/<GRID>/``:

* ``runs/NAME.ipynb`` and ``runs/NAME.json``: each run's executed notebook and recorded values;
* ``values.csv``: one row per run and recorded number: the swept and fixed parameters as columns, ``run``,
  ``value`` (the record's key and the path inside it, joined by ``/``, e.g. ``heatmap_errors/VAE, mean z/mean``)
  and ``number``;
* ``figure.png``: the chosen numbers (``--show``: record keys or paths, prefixes allowed; by default the first four
  that change by more than 1 % across the runs) against the first swept parameter other than ``seed``; with
  ``seed`` swept, each point is the mean over the seeds with a bar of ± one standard deviation.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import itertools
import math
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from helpers import fanout
from helpers.run_cost import cost_notice, estimate_seconds, recorded_cores, shared_training
from helpers.locations import REPO_ROOT

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
SWEEPS_DIR = REPO_ROOT / "build" / "sweeps"
#: A value "changes across the runs" (and is drawn by default) when its range exceeds this share of its mean size.
CHANGED = 0.01
MAX_PANELS = 12


# ---------------------------------------------------------------------------------------------
# The notebook and its parameters
# ---------------------------------------------------------------------------------------------


def find_notebook(name: str | Path) -> Path:
    """``02_gaussian_heatmaps``, ``02_gaussian_heatmaps.ipynb`` or a path → the notebook file."""
    path = Path(name)
    for candidate in (path, NOTEBOOKS_DIR / path, NOTEBOOKS_DIR / f"{path.name}.ipynb", path.with_suffix(".ipynb")):
        if candidate.suffix == ".ipynb" and candidate.is_file():
            return candidate.resolve()
    known = sorted(p.stem for p in NOTEBOOKS_DIR.glob("[0-9]*.ipynb"))
    raise FileNotFoundError(f"no notebook {name!r}; the notebooks are: {known}")


def notebook_defaults(notebook: Path) -> dict[str, tuple[str, object]]:
    """``{name: (inferred type name, default value)}`` of the notebook's parameters cell (papermill's inference)."""
    import papermill

    defaults = {}
    for name, spec in papermill.inspect_notebook(str(notebook)).items():
        try:
            value = ast.literal_eval(spec["default"])
        except (ValueError, SyntaxError):
            value = spec["default"]
        defaults[name] = (spec["inferred_type_name"], value)
    return defaults


def study_rules(notebook: Path):
    """The notebook's parameter rules (``helpers.studies.<study>.parameters``, the module its validation cell
    imports), or None for a notebook without one."""
    text = Path(notebook).read_text(encoding="utf-8")
    match = re.search(r"from helpers\.studies\.(\w+) import parameters", text)
    if not match:
        return None
    return importlib.import_module(f"helpers.studies.{match.group(1)}.parameters")


# ---------------------------------------------------------------------------------------------
# The grid
# ---------------------------------------------------------------------------------------------


def _split_values(text: str) -> list[str]:
    """Split at commas outside brackets: ``[1,2],[3]`` → ``["[1,2]", "[3]"]``."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char in "[{(" and 1 or (-1 if char in "]})" else 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def parse_value(name: str, text, type_name: str):
    """One value for parameter ``name`` with the type of its default (``int``, ``float``, ``bool``, ``str``,
    ``list``...); a ValueError naming the parameter when it does not read as one."""
    if not isinstance(text, str):  # from YAML: already typed; ints where floats are expected become floats
        return float(text) if type_name == "float" and isinstance(text, int) and not isinstance(text, bool) else text
    text = text.strip()
    try:
        if type_name == "int":
            return int(text)
        if type_name == "float":
            return float(text)
        if type_name == "bool":
            lowered = text.lower()
            if lowered not in ("true", "false", "1", "0"):
                raise ValueError
            return lowered in ("true", "1")
        if type_name == "str":
            return text[1:-1] if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"" else text
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise ValueError(f"{name}: {text!r} is not a {type_name} (the type of its default)") from None


def parse_grid(spec: str | Path, defaults: Mapping[str, tuple[str, object]]) -> dict[str, list]:
    """``{name: [values]}`` from ``"beta=0.1,1,4 seed=19,20,21"`` or a YAML file (``name: [values]`` or ``name:
    value``), each value typed like the notebook's default. Unknown names and unreadable values are errors."""
    import yaml

    path = Path(str(spec))
    if str(spec).endswith((".yaml", ".yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: expected a mapping of parameter names to values")
        items = {name: value if _is_sweep(value, defaults.get(name, ("", None))[0]) else [value]
                 for name, value in raw.items()}
    else:
        items = {}
        for word in str(spec).split():
            name, equals, values = word.partition("=")
            if not equals or not values:
                raise ValueError(f"grid entry {word!r}: write name=value1,value2,...")
            items[name] = _split_values(values)
    unknown = sorted(set(items) - set(defaults))
    if unknown:
        raise ValueError(f"unknown parameters {unknown}; the notebook's parameters are: {sorted(defaults)}")
    if not items:
        raise ValueError("an empty grid: give at least one name=value1,value2,...")
    return {name: [parse_value(name, v, defaults[name][0]) for v in values] for name, values in items.items()}


def _is_sweep(value, type_name: str) -> bool:
    """A YAML list is a list of values, except for a list-typed parameter, where only a list of lists is."""
    if not isinstance(value, list):
        return False
    return type_name != "list" or all(isinstance(item, list) for item in value)


def combinations(grid: Mapping[str, Sequence]) -> list[dict]:
    """Every combination of the grid's values (the product, in the grid's order)."""
    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]


def invalid_combinations(rules, defaults: Mapping[str, tuple[str, object]], runs: Sequence[Mapping]
                         ) -> list[tuple[dict, str]]:
    """(combination, the notebook's own error message) for every combination its rules refuse, checked as its
    validation cell checks them: the defaults overridden by the combination."""
    from helpers.validation import validate

    bad = []
    for run in runs:
        try:
            validate(rules, {**{name: value for name, (_, value) in defaults.items()}, **run})
        except ValueError as error:
            bad.append((dict(run), str(error)))
    return bad


def describe_invalid(bad: Sequence[tuple[dict, str]]) -> str:
    """The refusal: each bad combination and the notebook's message."""
    lines = [f"{len(bad)} combination(s) refused by the notebook's own rules (nothing was run):"]
    for run, message in bad:
        lines.append(f"  {fanout.run_name(run, max_length=10_000)}: " + message.replace("\n", "\n    "))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The table and the figure
# ---------------------------------------------------------------------------------------------


def flatten(values, prefix: str = "") -> dict[str, float]:
    """``{"key/path/to/leaf": number}`` of every number in a nested record (bools and text are skipped; list items
    are numbered)."""
    items = (values.items() if isinstance(values, Mapping)
             else enumerate(values) if isinstance(values, list) else None)
    if items is None:
        is_number = isinstance(values, int | float) and not isinstance(values, bool)
        return {prefix: float(values)} if is_number and math.isfinite(values) else {}
    flat = {}
    for key, item in items:
        flat.update(flatten(item, f"{prefix}/{key}" if prefix else str(key)))
    return flat


def tidy_table(results: Sequence[Mapping], parameters: Sequence[str]):
    """One row per run and recorded number: the ``parameters`` columns, ``run``, ``value`` and ``number``."""
    import pandas as pd

    rows = [{**{name: result["parameters"].get(name) for name in parameters}, "run": result["name"],
             "value": path, "number": number}
            for result in results for path, number in flatten(result["values"]).items()]
    return pd.DataFrame(rows, columns=[*parameters, "run", "value", "number"])


def chosen_values(table, show: Sequence[str] | None, limit: int = 4) -> list[str]:
    """The value paths to draw: those named in ``show`` (exact paths, or key prefixes: every path below), else the
    first ``limit`` (in the order the notebook records them) whose range across the runs exceeds 1 % of their mean
    size, else the ``limit`` that change most."""
    paths = list(dict.fromkeys(table["value"]))
    if show:
        chosen = [p for wanted in show for p in paths if p == wanted or p.startswith(wanted.rstrip("/") + "/")]
        missing = [w for w in show if not any(p == w or p.startswith(w.rstrip("/") + "/") for p in paths)]
        if missing:
            raise KeyError(f"no recorded value {missing}; some recorded values: {paths[:12]}")
        return list(dict.fromkeys(chosen))
    numbers = table.groupby("value", sort=False)["number"]
    relative = ((numbers.max() - numbers.min()) / numbers.agg(lambda s: s.abs().mean()).clip(lower=1e-300)).fillna(0)
    changing = [p for p in paths if relative[p] > CHANGED]
    return (changing or sorted(paths, key=lambda p: -relative[p]))[:limit]


def plot_sweep(table, swept: Sequence[str], show: Sequence[str], path: Path) -> Path:
    """A PNG with one panel per value in ``show``: the number against the first swept parameter other than
    ``seed`` (``seed`` itself when it is the only one), one line per combination of the other swept parameters;
    with ``seed`` swept, the mean over seeds ± one standard deviation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    others = [name for name in swept if name != "seed"]
    x_name = others[0] if others else swept[0]
    over_seeds = "seed" in swept and x_name != "seed"
    groups = [name for name in swept if name not in (x_name, "seed")]
    columns = min(len(show), 2)
    rows = math.ceil(len(show) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 3.6 * rows), squeeze=False)
    x_values = list(dict.fromkeys(table[x_name].map(_hashable)))
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in x_values)
    for ax, value in zip(axes.flat, show, strict=False):
        part = table[table["value"] == value].copy()
        part["_x"] = part[x_name].map(_hashable)
        for label, group in (part.groupby(groups, sort=False) if groups else [((), part)]):
            stats = group.groupby("_x", sort=False)["number"].agg(["mean", "std", "count"]).reindex(x_values)
            xs = list(stats.index) if numeric else list(range(len(x_values)))
            name = ", ".join(f"{g}={v}" for g, v in zip(groups, label if isinstance(label, tuple) else (label,),
                                                         strict=True))
            if over_seeds:
                ax.errorbar(xs, stats["mean"], yerr=stats["std"].fillna(0), marker="o", capsize=3,
                            linestyle="-" if numeric else "none", label=name or None)
            else:
                ax.plot(xs, stats["mean"], marker="o", linestyle="-" if numeric else "none", label=name or None)
        if numeric and min(x_values) > 0 and max(x_values) / min(x_values) >= 20:
            ax.set_xscale("log")
        if not numeric:
            ax.set_xticks(range(len(x_values)), [str(v) for v in x_values])
        ax.set_xlabel(x_name)
        ax.set_title(value, fontsize=9)
        ax.grid(alpha=0.3)
        if groups:
            ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(show):]:
        ax.set_visible(False)
    seeds = table["seed"].nunique() if "seed" in table else 0
    fig.suptitle(f"mean ± s.d. over {seeds} seeds" if over_seeds else "one run per point", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def sweep_folder(stem: str, spec: str) -> Path:
    """``build/sweeps/<NB>/<grid>``: the YAML file's name, or the grid text as a file name."""
    label = Path(spec).stem if str(spec).endswith((".yaml", ".yml")) else fanout.run_name(
        dict(word.partition("=")[::2] for word in str(spec).split()))
    return SWEEPS_DIR / stem / label


def plan(notebook: Path, spec: str) -> tuple[dict, list[dict], object, dict]:
    """(grid, combinations, the study's parameters module, defaults); raises ValueError listing every combination
    the notebook's rules refuse."""
    defaults = notebook_defaults(notebook)
    grid = parse_grid(spec, defaults)
    runs = combinations(grid)
    module = study_rules(notebook)
    if module is not None:
        bad = invalid_combinations(module.PARAMETERS, defaults, runs)
        if bad:
            raise ValueError(describe_invalid(bad))
    return grid, runs, module, defaults


def main(argv: list[str] | None = None) -> int:
    from helpers.results import atomic_write_text

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="e.g. 02_gaussian_heatmaps")
    parser.add_argument("--grid", required=True, help='"name=v1,v2 name=v" or a YAML file')
    parser.add_argument("--show", default="", help="record keys or value paths to draw, separated by commas (a comma "
                                                   "followed by a space belongs to the name, as in 'VAE, mean z')")
    parser.add_argument("--output", type=Path, help="default: build/sweeps/<NB>/<grid>")
    parser.add_argument("--force", action="store_true", help="rerun finished runs too")
    parser.add_argument("--scheduler", help=f"a Dask scheduler address (default: ${fanout.SCHEDULER_VARIABLE}, "
                                            "else a local cluster)")
    parser.add_argument("--workers", type=int, help="local cluster: at most this many workers")
    parser.add_argument("--threads", type=int, help="kernel threads per run")
    parser.add_argument("--dry-run", action="store_true", help="validate and print the cost on a local cluster; run "
                                                               "nothing")
    args = parser.parse_args(argv)

    notebook = find_notebook(args.notebook)
    try:
        grid, runs, module, defaults = plan(notebook, args.grid)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    output = args.output or sweep_folder(notebook.stem, args.grid)
    swept = [name for name, values in grid.items() if len(values) > 1] or list(grid)
    values = {name: value for name, (_, value) in defaults.items()}
    names = [fanout.run_name(run) for run in runs]
    shared = shared_training(getattr(module, "RETRAINS", ()), values, runs)  # same model: train once, then load it
    tasks = [fanout.Task(notebook, run, name, after=None if first is None else names[first])
             for run, name, first in zip(runs, names, shared, strict=True)]

    def announce(cluster: fanout.Cluster, todo: list[fanout.Task]) -> None:
        waits = {t.name for t in todo if t.after in {u.name for u in todo}}
        estimates = [estimate_seconds(notebook.stem, module, values, task.parameters, trains=task.name not in waits)
                     for task in todo]
        chains: dict[str, float] = {}
        for task, seconds in zip(todo, estimates, strict=True):  # a run that waits adds to its upstream's chain
            key = task.after if task.name in waits else task.name
            chains[key] = chains.get(key, 0.0) + (seconds or 0.0)
        if waits:
            print(f"{len(waits)} run(s) wait for another that trains the same model, and load it from the cache",
                  flush=True)
        print(f"== {notebook.stem}: {len(runs)} combinations, {len(todo)} to run; "
              + cost_notice(estimates, cluster.slots, cluster.threads, recorded_cores(notebook.stem),
                            list(chains.values()) if None not in estimates else None), flush=True)

    print(f"== {notebook.stem}: outputs in {output}", flush=True)
    if args.dry_run:
        todo, _ = fanout.pending_tasks(tasks, output / "runs", args.force)
        workers, threads = fanout.local_cluster_size(fanout.parallel_runs(todo), workers=args.workers)
        announce(fanout.Cluster(None, workers, args.threads or threads, "a local cluster"), todo)
        return 0
    try:
        outcomes = fanout.run_tasks(tasks, output / "runs", force=args.force, scheduler=args.scheduler,
                                    workers=args.workers, threads=args.threads, on_start=announce,
                                    emit=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        print("interrupted: the same command resumes (finished runs are skipped)", file=sys.stderr)
        return 130
    results = fanout.load_results(output / "runs", [task.name for task in tasks])
    status = fanout.exit_status(outcomes)
    fanout.report_failures(outcomes)
    if not results:
        print("no finished run: no table, no figure", file=sys.stderr)
        return status or 1
    table = tidy_table(results, list(grid))
    atomic_write_text(output / "values.csv", table.to_csv(index=False))
    show = chosen_values(table, [s.strip() for s in re.split(r",(?! )", args.show) if s.strip()])
    if len(show) > MAX_PANELS:
        print(f"drawing the first {MAX_PANELS} of {len(show)} values (the table has them all)")
        show = show[:MAX_PANELS]
    plot_sweep(table, swept, show, output / "figure.png")
    print(f"{len(results)} runs, {len(table)} rows: {output / 'values.csv'}\nfigure of {show}: {output / 'figure.png'}")
    return status


if __name__ == "__main__":
    sys.exit(main())

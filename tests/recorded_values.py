"""Numbers recorded by the notebooks (``helpers.report``), and their comparison with tolerances.

A record is ``{key: values}``; nested values flatten to paths ``key/row/column``. Every path must
match a rule in ``tests/tolerances.yaml`` (first match wins), which states the tolerance and the
measured spread that justifies it. Strings and booleans compare exactly; numbers with
``math.isclose(computed, stored, rel_tol=rel, abs_tol=abs)``.
"""

from __future__ import annotations

import fnmatch
import json
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from helpers.report import notebook_records

ROOT = Path(__file__).resolve().parent.parent
TOLERANCES = ROOT / "tests" / "tolerances.yaml"


def flatten(values, prefix: str) -> dict:
    """``{"a": {"b": 1}}`` under prefix ``k`` → ``{"k/a/b": 1}``; lists index by position."""
    if isinstance(values, dict):
        items = values.items()
    elif isinstance(values, list):
        items = enumerate(values)
    else:
        return {prefix: values}
    flat = {}
    for key, item in items:
        flat.update(flatten(item, f"{prefix}/{key}"))
    return flat


def stored_records(notebook: Path) -> dict:
    """``{key: values}`` of every record in a stored notebook's outputs."""
    try:
        return notebook_records(json.loads(notebook.read_text()))
    except ValueError as error:  # a key recorded twice
        raise AssertionError(f"{notebook.name}: {error}") from None


def folder_records(folder: Path) -> dict:
    """``{key: values}`` written by ``helpers.report.record`` into ``$HELPERS_VALUES_DIR``."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}


@dataclass(frozen=True)
class Tolerance:
    match: str
    abs: float
    rel: float
    why: str

    def accepts(self, computed, stored) -> bool:
        numeric = (int, float)
        if isinstance(stored, bool) or isinstance(computed, bool) or not (
                isinstance(stored, numeric) and isinstance(computed, numeric)):
            return computed == stored
        return math.isclose(computed, stored, rel_tol=self.rel, abs_tol=self.abs)


def load_tolerances(path: Path = TOLERANCES) -> list[Tolerance]:
    return [Tolerance(**rule) for rule in yaml.safe_load(path.read_text())]


def rule_for(path: str, rules: list[Tolerance]) -> Tolerance | None:
    return next((rule for rule in rules if fnmatch.fnmatchcase(path, rule.match)), None)


def differences(stored: dict, computed: dict, rules: list[Tolerance]) -> list[str]:
    """Every way ``computed`` records differ from ``stored`` beyond the tolerances (empty: they agree)."""
    return flat_differences(flat_records(stored), flat_records(computed), rules)


def flat_records(records: dict) -> dict:
    """``{key: values}`` → ``{"key/row/column": number}`` for every number of every record."""
    return {p: v for key, values in records.items() for p, v in flatten(values, key).items()}


def flat_differences(flat_stored: dict, flat_computed: dict, rules: list[Tolerance]) -> list[str]:
    """:func:`differences` on flattened records."""
    problems = [f"{p}: stored but not computed" for p in sorted(set(flat_stored) - set(flat_computed))]
    problems += [f"{p}: computed but not stored" for p in sorted(set(flat_computed) - set(flat_stored))]
    for path in sorted(set(flat_stored) & set(flat_computed)):
        rule = rule_for(path, rules)
        if rule is None:
            problems.append(f"{path}: no tolerance rule in tests/tolerances.yaml")
        elif not rule.accepts(flat_computed[path], flat_stored[path]):
            problems.append(f"{path}: computed {flat_computed[path]!r}, stored {flat_stored[path]!r} "
                            f"(abs {rule.abs}, rel {rule.rel}: {rule.why})")
    return problems


def spread_report(stored: dict, runs: dict[str, dict], rules: list[Tolerance]) -> list[str]:
    """Per tolerance rule: the largest |computed − stored| seen over ``runs`` and the tolerance it gets."""
    flat_stored = flat_records(stored)
    worst: dict[str, tuple[float, str]] = {}
    for name, computed in runs.items():
        for path, value in flat_records(computed).items():
            rule, reference = rule_for(path, rules), flat_stored.get(path)
            if rule and isinstance(value, int | float) and isinstance(reference, int | float):
                gap = abs(value - reference)
                if gap >= worst.get(rule.match, (-1.0, ""))[0]:
                    worst[rule.match] = (gap, f"{path} in {name}")
    return [f"{rule.match}: max deviation {worst[rule.match][0]:.3g} ({worst[rule.match][1]}); "
            f"tolerance abs {rule.abs}, rel {rule.rel}" for rule in rules if rule.match in worst]


if __name__ == "__main__":
    # python tests/recorded_values.py save FOLDER OUT.json   (keep one run's records, e.g. tests/portability/)
    # python tests/recorded_values.py spread RUN.json [...]  (largest deviation per tolerance rule)
    import sys

    command, *arguments = sys.argv[1:]
    if command == "save":
        Path(arguments[1]).write_text(json.dumps(folder_records(Path(arguments[0])), indent=1, sort_keys=True) + "\n")
    elif command == "spread":
        stored = {}
        for notebook in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
            stored.update(stored_records(notebook))
        runs = {Path(a).stem: json.loads(Path(a).read_text()) for a in arguments}
        print("\n".join(spread_report(stored, runs, load_tolerances())))

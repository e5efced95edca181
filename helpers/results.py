"""Recorded results: tables that take minutes to compute, kept as JSON with the settings that produced them.

A notebook shows a recorded table only when its own parameters give exactly the recorded settings, and
recomputes it when asked (a ``recompute_…`` flag); ``make weights`` writes the shipped copies in
``data/results``. Every write goes to a temporary file in the same folder and is renamed into place, so a
run that stops half-way never leaves a half-written file behind."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; these files are shared artefacts
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_table(table: pd.DataFrame, settings: dict, path: Path) -> None:
    """Write ``{"settings": settings, "rows": [one object per row]}`` to ``path``, atomically (JSON). The index is
    not kept: put what identifies a row in a column."""
    record = {"settings": settings, "rows": json.loads(table.to_json(orient="records"))}
    atomic_write_text(Path(path), json.dumps(record, indent=1) + "\n")


def load_table(settings: dict, path: Path) -> pd.DataFrame | None:
    """The table recorded at ``path`` if it was computed with exactly these ``settings`` (compared as JSON, so
    tuples and lists match), else None — also when there is no file."""
    path = Path(path)
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    if record.get("settings") != json.loads(json.dumps(settings)):
        return None
    return pd.DataFrame(record["rows"])


def recorded_or_computed(paths: Path | tuple[Path, ...], settings: dict, compute: Callable, *, recompute: bool,
                         flag: str, cost: str):
    """Tables too slow for a default run, one idea written once: with ``recompute``, ``compute()``'s (saved to ``paths``
    under ``make weights``, i.e. when :func:`helpers.locations.shipping`); otherwise the tables recorded at ``paths``
    for exactly these ``settings`` (:func:`load_table`). Where one is missing, it says which ``flag`` recomputes it
    and what that ``cost``s, and gives None in its place. ``paths`` is one path (one table) or a tuple of paths, and
    then ``compute`` returns a tuple of tables in the same order."""
    from helpers.locations import shipping

    single = isinstance(paths, str | Path)
    paths = (Path(paths),) if single else tuple(Path(p) for p in paths)
    if recompute:
        tables = (compute(),) if single else tuple(compute())
        if shipping():
            for table, path in zip(tables, paths, strict=True):
                save_table(table, settings, path)
    else:
        tables = tuple(load_table(settings, path) for path in paths)
        if any(table is None for table in tables):
            print(f"No recorded table in {', '.join(p.name for p in paths)} for these parameters: run with {flag}=True "
                  f"({cost}), or with the defaults to see the shipped one.")
    return tables[0] if single else tables

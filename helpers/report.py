"""Takeaways and tables whose numbers are computed, shown and recorded in one step.

Every number a notebook states, in a table or in prose, goes through one of two functions:

* :func:`show_table` displays a ``DataFrame`` as an HTML table (number format stated once);
* :func:`show_takeaway` renders Markdown from a template whose fields are filled from the values,
  e.g. ``show_takeaway("lengths", "The line is {decoded:.2f} long.", decoded=2.21)``.

Both attach the raw values to the same display output under the MIME type :data:`VALUES_MIME`
(JupyterLab and nbconvert show the Markdown/HTML and ignore it). ``tests/test_recorded_values.py``
reads them from the stored notebooks and from a fresh execution and compares the two **with
tolerances** (``tests/tolerances.yaml``), instead of comparing rounded text. During that fresh
execution (``make nbval``) the environment variable ``HELPERS_VALUES_DIR`` is set, and each record
is also written there, atomically, as ``KEY.json``.

Keys are unique across the whole collection (the test checks it), so one folder holds a full run.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.results import atomic_write_text
from helpers.verdicts import Verdict

VALUES_MIME = "application/vnd.vae-notebooks.values+json"


def to_plain(value):
    """Numbers, arrays, Series and DataFrames as JSON-ready floats, ints, strings, lists and dicts.

    A DataFrame becomes ``{row: {column: value}}``; NaN becomes ``None``.
    """
    if isinstance(value, Verdict):
        return to_plain(value.plain())
    if isinstance(value, pd.DataFrame):
        return {str(row): to_plain(dict(series)) for row, series in value.iterrows()}
    if isinstance(value, pd.Series):
        return to_plain(value.to_dict())
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, np.ndarray | list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    raise TypeError(f"cannot record a value of type {type(value).__name__}: {value!r}")


_RECORDED: dict[str, object] = {}
_CLAIMS: dict[str, Verdict] = {}


def recorded_here() -> dict:
    """Every value recorded so far in this process (this notebook's run), ``{key: plain values}``."""
    return dict(_RECORDED)


def record(key: str, values) -> dict:
    """Write ``values`` to ``$HELPERS_VALUES_DIR/KEY.json`` (atomically) if that variable is set.

    Returns the display-bundle entry ``{VALUES_MIME: {key: plain values}}``.
    """
    plain = to_plain(values)
    _RECORDED[key] = plain
    folder = os.environ.get("HELPERS_VALUES_DIR")
    if folder:
        atomic_write_text(Path(folder) / f"{key}.json", json.dumps(plain))
    return {VALUES_MIME: {key: plain}}


def human_duration(seconds: float) -> str:
    """``41 s`` or ``4 min 07 s``."""
    seconds = round(seconds)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


def notebook_records(notebook: dict) -> dict:
    """``{key: values}`` of every record in a notebook's outputs (the notebook's JSON, as a dict); a key recorded
    twice is an error."""
    records = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            for key, values in output.get("data", {}).get(VALUES_MIME, {}).items():
                if key in records:
                    raise ValueError(f"key {key!r} recorded twice")
                records[key] = values
    return records


def lookup(values, path) -> object:
    """``values[path[0]][path[1]]…`` through recorded values (a part indexes a list as a number); a KeyError that
    names the missing part otherwise."""
    for part in path:
        try:
            values = values[int(part)] if isinstance(values, list) else values[part]
        except (KeyError, IndexError, TypeError, ValueError):
            known = list(values)[:12] if isinstance(values, dict | list) else values
            raise KeyError(f"no {part!r} (the record has: {known})") from None
    return values


def recorded_value(recorded: dict, path: tuple[str, ...]) -> float:
    """The value at ``path`` (``(KEY, ROW, COLUMN)``, as many parts as the record nests) of the values a notebook
    recorded (:func:`recorded_here`); NaN when a part is missing, e.g. a section the run skipped."""
    try:
        value = lookup(recorded, path)
    except KeyError:
        return math.nan
    return math.nan if value is None else value


def key_figures(recorded: dict, rows: dict[str, dict[str, tuple[str, ...]]]) -> pd.DataFrame:
    """A closing note's table: ``rows`` maps each figure's label to ``{column: path}`` (:func:`recorded_value`), so
    that the table is read from what the notebook already computed and recorded, never re-plumbed by hand."""
    return pd.DataFrame({label: {column: recorded_value(recorded, path) for column, path in columns.items()}
                         for label, columns in rows.items()}).T


def _display(bundle: dict) -> None:
    from IPython.display import display

    display(bundle, raw=True)


def show_takeaway(key: str, template: str, **values) -> None:
    """Render ``template.format(**values)`` as Markdown and record the numeric ``values`` under ``key``.

    Templates use Python's format syntax: ``{error:.3f}``, ``{share:.0%}``. String values (e.g. a list of
    numbers already formatted) are shown but not recorded: record their numbers in a table. Returns nothing,
    so that a call that ends a cell shows the text once.

    A :class:`helpers.verdicts.Verdict` among the values renders as its words and is recorded with its rule and
    numbers; it is also a *claim* of this notebook, ``KEY/NAME``, listed by :func:`show_claims`.
    """
    text = template.format(**values)
    numbers = {name: value for name, value in values.items() if not isinstance(value, str)}
    _CLAIMS.update({f"{key}/{name}": value for name, value in values.items() if isinstance(value, Verdict)})
    _display({"text/markdown": text, "text/plain": text, **record(key, numbers)})


def claims_here() -> dict[str, Verdict]:
    """Every claim (a verdict rendered by :func:`show_takeaway`) made so far in this process, by id."""
    return dict(_CLAIMS)


def claims_table(claims: dict[str, Verdict]) -> pd.DataFrame:
    """One row per claim (its id): the rule that decided it, the numbers it rests on, whether it holds, and the
    words it rendered."""
    def numbers(verdict: Verdict) -> str:
        return ", ".join(f"{name} {value:.3g}" if isinstance(value, float) else f"{name} {value}"
                         for name, value in verdict.numbers.items())

    return pd.DataFrame([{"rule": v.rule, "numbers": numbers(v), "holds": "yes" if v.holds else "no",
                          "words": v.words} for v in claims.values()],
                        index=list(claims), columns=["rule", "numbers", "holds", "words"])


def show_claims(key: str) -> None:
    """Display the table of this notebook's claims (:func:`claims_table`): the audit trail of every comparative word
    on the page. What is recorded is each claim's rule, whether it holds and its words (compared exactly by the value
    tests); the numbers behind a claim are recorded, with their tolerances, by the takeaway that made it."""
    table = claims_table(claims_here())
    caption = "Every comparative statement above, the rule that decided it, the numbers it rests on, and its words"
    text = f"{caption}\n{table.to_string()}"
    _display({"text/html": table_html(table, caption=caption, wrap=True), "text/plain": text,
              **record(key, table.drop(columns="numbers"))})


def table_html(frame: pd.DataFrame, digits: int = 2, caption: str | None = None, wrap: bool = False) -> str:
    """A DataFrame as a compact HTML table: ``digits`` decimals, NaN shown as a dash; ``wrap``: a table of text
    whose cells wrap (class ``wrap`` in the site's CSS) instead of scrolling sideways."""
    styler = frame.style.format(precision=digits, na_rep="–", thousands=",")
    if caption:
        styler = styler.set_caption(caption)
    if wrap:
        styler = styler.set_table_attributes('class="wrap"')
    return styler.to_html()


def show_table(key: str, frame: pd.DataFrame, digits: int = 2, caption: str | None = None, wrap: bool = False) -> None:
    """Display ``frame`` as an HTML table (text for terminals) and record its values under ``key``.

    Returns nothing, so that a call that ends a cell shows the table once."""
    text = frame.to_string(float_format=lambda v: f"{v:.{digits}f}")
    if caption:
        text = f"{caption}\n{text}"
    _display({"text/html": table_html(frame, digits, caption, wrap), "text/plain": text, **record(key, frame)})


def show_source(*functions) -> None:
    """Show the real source of ``functions`` (read with :func:`inspect.getsource`, never a pasted copy) as one
    Python code block, so that the formula a notebook teaches is the one the project runs."""
    import inspect
    import textwrap

    code = "\n\n".join(textwrap.dedent(inspect.getsource(function)).rstrip() for function in functions)
    _display({"text/markdown": f"```python\n{code}\n```", "text/plain": code})

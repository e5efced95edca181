"""Which parameters retrain a model, and the notice a notebook prints before a run that will retrain.

Light (no TensorFlow): a notebook's validation cell uses it before anything heavy loads. Each study's
``parameters.RETRAINS`` lists its model families, each as a :class:`Retrains`: the parameters that feed the family's
cache key and the settings its shipped weights were trained with. A run whose values match none of those settings
(or that sets ``force_retrain``) trains the model, unless an earlier run cached the same settings in
``data/cache/``; :func:`retraining_notice` says so up front, naming each model and the time its shipped weights took
to train (recorded in their ``.history.json``, never typed) and, where epochs, images or batch size differ from the
shipped setting, the estimate scaled from it (:mod:`helpers.run_cost`), saying plainly when it exceeds an hour.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.locations import SHIPPED_WEIGHTS_DIR


@dataclass(frozen=True)
class Retrains:
    """Model family ``model`` (its shipped weight files are named ``weights``): the weights load only when the
    parameters have one of the ``shipped`` settings (``{parameter: value or tuple of values}``; all settings
    name the same parameters)."""

    model: str
    weights: str
    shipped: tuple[Mapping[str, object], ...]

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(self.shipped[0])

    def changed(self, values: Mapping) -> list[str]:
        """The parameters whose value matches no shipped setting's, fewest first; empty when one matches."""
        def differs(setting: Mapping) -> list[str]:
            return [name for name, allowed in setting.items()
                    if values[name] not in (allowed if isinstance(allowed, tuple) else (allowed,))]

        return min((differs(setting) for setting in self.shipped), key=len)


def shipped_training_seconds(weights: str, folder: Path | None = None) -> float | None:
    """The median recorded training time (seconds) of the shipped weights named ``weights``
    (``NAME-KEY.history.json`` in ``folder``, the shipped weights by default), or None if none is shipped."""
    seconds = []
    for path in sorted(Path(folder or SHIPPED_WEIGHTS_DIR).glob(f"{weights}-*.history.json")):
        with contextlib.suppress(ValueError, KeyError, TypeError):
            seconds.append(float(json.loads(path.read_text())["train_seconds"]))
    return float(np.median(seconds)) if seconds else None


def expected_time(weights: str, folder: Path | None = None) -> str:
    """``the shipped one took 3.3 min to train``, or that no shipped model records a time."""
    seconds = shipped_training_seconds(weights, folder)
    return ("no shipped model of this family records a training time" if seconds is None
            else f"the shipped one took {seconds / 60:.1f} min to train")


def _minutes(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def retraining_notice(retrains: Sequence[Retrains], values: Mapping, folder: Path | None = None) -> str | None:
    """Markdown-free text naming every model this run will train and why, or None when all load shipped weights.

    Each model quotes its shipped weights' recorded training time and, where this run's epochs, images or batch size
    differ from the shipped setting, the estimate scaled by :func:`helpers.run_cost.training_scale` (the rule that
    ``make sweep`` uses too). With several models, or past half an hour, a last line gives the total: past half an
    hour it calls it a long run, past an hour it says MORE THAN AN HOUR."""
    from helpers.run_cost import HOUR, closest_setting, training_scale

    force = bool(values.get("force_retrain"))
    lines, total, known = [], 0.0, True
    for family in retrains:
        changed = family.changed(values)
        if force or changed:
            why = "force_retrain = True" if force else ", ".join(f"{name} = {values[name]!r}" for name in changed)
            line = f"  {family.model} ({why}): {expected_time(family.weights, folder)}"
            seconds = shipped_training_seconds(family.weights, folder)
            if seconds is None:
                known = False
            else:
                scale, reasons = training_scale(closest_setting(family, values), values)
                if reasons:
                    line += f"; with these settings expect about {_minutes(seconds * scale)} ({'; '.join(reasons)})"
                total += seconds * scale
            lines.append(line)
    if not lines:
        return None
    cached = "" if force else " unless an earlier run cached these settings in data/cache/"
    text = "This run trains, before its analysis starts" + cached + ":\n" + "\n".join(lines)
    if total > HOUR:
        text += (f"\nIn all about {_minutes(total)} of training{'' if known else ' and more'}: MORE THAN AN HOUR on "
                 "this machine (the shipped models' times, measured on 2 cores, scaled as above).")
    elif len(lines) > 1 or total > HOUR / 2:
        text += f"\nIn all about {_minutes(total)} of training{'' if known else ' and more'}"
        text += ": a long run (the rule behind the estimate: helpers/run_cost.py)." if total > HOUR / 2 else "."
    return text


def announce_retraining(retrains: Sequence[Retrains], values: Mapping) -> None:
    """Print :func:`retraining_notice` when this run will train something."""
    notice = retraining_notice(retrains, values)
    if notice:
        print(notice, flush=True)

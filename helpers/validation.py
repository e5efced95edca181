"""Declarative checks of notebook parameters.

Each notebook declares a ``{name: rule}`` mapping and calls :func:`validate` once,
right after its parameters cell. Every rule knows what it allows, so an error names
the parameter, the value received and the allowed values, before any data or
training work starts. All problems are collected and reported together.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass


@dataclass(frozen=True)
class Integer:
    """An integer (not a bool, not a float) in ``[low, high]``."""

    low: int
    high: int

    def problem(self, value) -> str | None:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            return f"must be an integer in [{self.low}, {self.high}], got {value!r}"
        if not self.low <= value <= self.high:
            return f"must be in [{self.low}, {self.high}], got {value!r}"
        return None


@dataclass(frozen=True)
class Real:
    """A finite real number with ``low <(=) value <= high``."""

    low: float
    high: float
    low_inclusive: bool = True

    def problem(self, value) -> str | None:
        left = "[" if self.low_inclusive else "("
        allowed = f"a number in {left}{self.low}, {self.high}]"
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return f"must be {allowed}, got {value!r}"
        too_low = value < self.low if self.low_inclusive else value <= self.low
        if too_low or value > self.high or value != value:
            return f"must be {allowed}, got {value!r}"
        return None


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of values (e.g. optimizer or activation names)."""

    options: tuple

    def problem(self, value) -> str | None:
        if value not in self.options:
            return f"must be one of {list(self.options)}, got {value!r}"
        return None


@dataclass(frozen=True)
class Flag:
    """A bool."""

    def problem(self, value) -> str | None:
        if not isinstance(value, bool):
            return f"must be True or False, got {value!r}"
        return None


SEED = Integer(0, 2**31 - 1)
ACTIVATIONS = Choice(("softplus", "relu", "elu", "tanh", "sigmoid", "gelu", "selu"))
OPTIMIZERS = Choice(("rmsprop", "adam", "sgd", "adamw"))


def validate(rules: dict, **values) -> None:
    """Check every value against its rule; raise one ``ValueError`` listing all problems.

    Unknown or missing names are problems too, so a typo in a ``papermill -p`` call
    cannot pass silently.
    """
    problems = []
    for name in sorted(set(values) - set(rules)):
        problems.append(f"{name}: unknown parameter; known: {sorted(rules)}")
    for name, rule in rules.items():
        if name not in values:
            problems.append(f"{name}: missing")
            continue
        message = rule.problem(values[name])
        if message:
            problems.append(f"{name}: {message}")
    if problems:
        raise ValueError("invalid parameters:\n  " + "\n  ".join(problems))

"""Declarative checks of notebook parameters.

Each study declares its :class:`Rules` — a ``{name: rule}`` mapping plus a tuple of
:class:`Constraint` s over several parameters — and each notebook calls :func:`validate`
once, right after its parameters cell. Every rule knows what it allows, so an error names
the parameter, the value received and the allowed values, before any data or training
work starts. Parameters that are each valid can still be invalid together (a subset too
small for the sample grid drawn from it, more images per strip than points on the path);
constraints catch those, and name every parameter involved. All problems are collected
and reported together.

This module imports nothing but the standard library, so a notebook can validate before
any heavy import.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping
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
class Subset:
    """A subset size: 0 (keep everything) or an integer in ``[low, high]``."""

    low: int
    high: int

    def problem(self, value) -> str | None:
        allowed = f"0 (all) or an integer in [{self.low}, {self.high}]"
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            return f"must be {allowed}, got {value!r}"
        if value != 0 and not self.low <= value <= self.high:
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


@dataclass(frozen=True)
class Widths:
    """Layer widths: a list (or tuple) of at most ``max_layers`` integers, each in ``[low, high]``; empty means
    no layer."""

    low: int
    high: int
    max_layers: int

    def problem(self, value) -> str | None:
        allowed = f"a list of at most {self.max_layers} integers in [{self.low}, {self.high}]"
        if not isinstance(value, (list, tuple)) or len(value) > self.max_layers:
            return f"must be {allowed}, got {value!r}"
        if any(Integer(self.low, self.high).problem(width) for width in value):
            return f"must be {allowed}, got {value!r}"
        return None


SEED = Integer(0, 2**31 - 1)
ACTIVATIONS = Choice(("softplus", "relu", "elu", "tanh", "sigmoid", "gelu", "selu"))
OPTIMIZERS = Choice(("rmsprop", "adam", "sgd", "adamw"))


@dataclass(frozen=True)
class Constraint:
    """A named check over several parameters that are each valid on their own.

    ``check`` is called with the parameters' values as keywords (only once every one of them
    has passed its own rule) and returns ``None`` when they fit together, else a sentence saying
    what is allowed. The reported problem starts with every parameter and its value, so the
    message always names them all.
    """

    name: str
    parameters: tuple[str, ...]
    check: Callable[..., str | None]

    def problem(self, values: Mapping) -> str | None:
        message = self.check(**{name: values[name] for name in self.parameters})
        if message is None:
            return None
        given = ", ".join(f"{name}={values[name]!r}" for name in self.parameters)
        return f"{given} ({self.name}): {message}"



def at_most(name: str, smaller: str, larger: str, why: str) -> Constraint:
    """The constraint ``smaller <= larger`` between two parameters, named ``name``. Its message says ``why``
    the limit exists and gives both ways out: lower ``smaller`` or raise ``larger``."""

    def check(**values) -> str | None:
        small, large = values[smaller], values[larger]
        if small <= large:
            return None
        return f"{why}: use {smaller} <= {large} or {larger} >= {small}"

    return Constraint(name, (larger, smaller), check)


def within_subset(name: str, subset: str, count: str, why: str) -> Constraint:
    """The constraint ``count <= subset`` where ``subset`` 0 means "all" (a :class:`Subset` parameter), named
    ``name``. Its message says ``why`` and gives both ways out: raise ``subset`` (or 0) or lower ``count``."""

    def check(**values) -> str | None:
        kept, needed = values[subset], values[count]
        if kept and kept < needed:
            return f"{why}: use {subset} >= {needed} or 0 (all), or {count} <= {kept}"
        return None

    return Constraint(name, (subset, count), check)

class Rules(Mapping):
    """The rules of one study: a read-only mapping ``name → rule`` plus combination ``constraints``.

    Combine the rules of several studies with ``Rules.merge(a, b)`` or ``a | b`` (constraints
    are kept); a name may appear in both only with the same rule.
    """

    def __init__(self, rules: Mapping | None = None, constraints: Iterable[Constraint] = ()):
        self._rules = dict(rules or {})
        self.constraints = tuple(dict.fromkeys(constraints))  # order kept, duplicates dropped
        for constraint in self.constraints:
            unknown = [name for name in constraint.parameters if name not in self._rules]
            if unknown:
                raise ValueError(f"constraint {constraint.name!r} names parameters without a rule: {unknown}")

    def __getitem__(self, name):
        return self._rules[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __repr__(self) -> str:
        return f"Rules({self._rules!r}, constraints={[c.name for c in self.constraints]!r})"

    @staticmethod
    def merge(*parts: Mapping) -> Rules:
        """One ``Rules`` holding every part's rules and constraints (plain dicts count as rules
        without constraints)."""
        rules: dict = {}
        constraints: list = []
        for part in parts:
            for name, rule in part.items():
                if name in rules and rules[name] != rule:
                    raise ValueError(f"{name}: two different rules ({rules[name]!r} and {rule!r})")
                rules[name] = rule
            constraints.extend(getattr(part, "constraints", ()))
        return Rules(rules, constraints)

    def __or__(self, other: Mapping) -> Rules:
        if not isinstance(other, Mapping):
            return NotImplemented
        return Rules.merge(self, other)

    def __ror__(self, other: Mapping) -> Rules:
        if not isinstance(other, Mapping):
            return NotImplemented
        return Rules.merge(other, self)

    def problems(self, values: Mapping) -> list[str]:
        """Every problem with ``values`` (which may hold other names too: they are ignored):
        missing names, single-parameter rules, then the constraints over parameters that passed."""
        problems, passed = [], set()
        for name, rule in self._rules.items():
            if name not in values:
                problems.append(f"{name}: missing")
                continue
            message = rule.problem(values[name])
            if message:
                problems.append(f"{name}: {message}")
            else:
                passed.add(name)
        for constraint in self.constraints:
            if passed.issuperset(constraint.parameters):
                message = constraint.problem(values)
                if message:
                    problems.append(message)
        return problems


def validate(rules: Mapping, values: Mapping | None = None, /, **keywords) -> None:
    """Check parameters against ``rules``; raise one ``ValueError`` listing all problems.

    ``validate(rules, globals())``: exactly the names in ``rules`` are checked (other names in
    ``values`` are ignored; a missing one is a problem). The older keyword form
    ``validate(rules, name=value, ...)`` also reports names that ``rules`` does not know, so a
    typo cannot pass silently. Single-parameter rules are checked first; a constraint runs only
    when all of its parameters passed theirs. ``rules`` may be a :class:`Rules` or a plain dict
    (no constraints).
    """
    if values is not None and keywords:
        raise TypeError("pass the values either as one mapping or as keywords, not both")
    rules = rules if isinstance(rules, Rules) else Rules(rules)
    problems = []
    if values is None:
        values = keywords
        problems += [f"{name}: unknown parameter; known: {sorted(rules)}" for name in sorted(set(values) - set(rules))]
    problems += rules.problems(values)
    if problems:
        raise ValueError("invalid parameters:\n  " + "\n  ".join(problems))

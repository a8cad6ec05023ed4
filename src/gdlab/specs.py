"""Spec strings → objects (layer L4): one parser for the command line and the web API.

    NAME                            adam
    NAME:VALUE,KEY=VALUE,...        adam:0.01,beta1=0.9   mlp:32,16,activation=relu
    KEY=[V,V,...]                   multistep:milestones=[300,600]

Names and parameters come from `gdlab.catalog`; keys may be aliases (lr → learning_rate,
gamma → decay_rate, …); bare values fill the entry's positional parameter.  Values are read by
the parameter's kind (float, int, bool, list of ints, choice) and checked by the object itself.
Every failure is a ValueError that quotes the spec and says what is allowed:

>>> optimizer("adam:lr=0.01,b1=0.8").hyperparams["beta1"]
0.8
>>> schedule("exponential:gamma=0.5", learning_rate=0.1, steps=100)(2)
0.025
>>> optimizer("adam:0.01,beta1=1.2")
Traceback (most recent call last):
...
ValueError: 'adam:0.01,beta1=1.2': beta1 must be in [0, 1), got 1.2
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gdlab import catalog, schedules
from gdlab.base import Transform
from gdlab.problems import Problem, expression

MAX_LENGTH = 1000
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


@dataclass(frozen=True)
class Spec:
    """A spec split into its name, its bare values and its key=value pairs (all still text)."""

    text: str
    name: str
    positional: tuple[str, ...] = ()
    keywords: tuple[tuple[str, str], ...] = ()

    def error(self, message: str) -> ValueError:
        return ValueError(f"{self.text!r}: {message}")


def split(text: str) -> Spec:
    """Split "name:a,b,key=value,key=[1,2]" without interpreting the values."""
    if not isinstance(text, str):
        raise ValueError(f"a spec must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"a spec must be at most {MAX_LENGTH} characters, got {len(text)}")
    name, _, rest = text.strip().partition(":")
    name = name.strip()
    if not _NAME.match(name):
        raise ValueError(f"{text!r}: a spec starts with a name such as 'adam', got {name!r}")
    positional: list[str] = []
    keywords: list[tuple[str, str]] = []
    for item in _items(text, rest):
        key, equals, value = item.partition("=")
        if not equals:
            if keywords:
                raise ValueError(f"{text!r}: the bare value {item!r} must come before key=value")
            positional.append(item)
        elif not _NAME.match(key.strip()) or not value.strip():
            raise ValueError(f"{text!r}: expected key=value, got {item!r}")
        else:
            keywords.append((key.strip(), value.strip()))
    return Spec(text, name, tuple(positional), tuple(keywords))


def _items(text: str, rest: str) -> list[str]:
    """Split on the commas outside brackets."""
    items, depth, current = [], 0, ""
    for character in rest:
        depth += {"[": 1, "]": -1}.get(character, 0)
        if depth < 0 or depth > 1:
            raise ValueError(f"{text!r}: unbalanced or nested brackets")
        if character == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += character
    if depth:
        raise ValueError(f"{text!r}: a '[' is not closed")
    items.append(current.strip())
    if rest.strip() and not all(items):
        raise ValueError(f"{text!r}: empty item between commas")
    return [item for item in items if item]


# ---------------------------------------------------------------- values


def _convert(spec: Spec, parameter: catalog.Parameter, raw: str) -> Any:
    """Read one value by its parameter's kind; the error names the parameter and the text."""
    kind, name = parameter.kind, parameter.name
    if kind == "bool":
        if raw.lower() not in _TRUE + _FALSE:
            raise spec.error(f"{name} must be true or false, got {raw!r}")
        return raw.lower() in _TRUE
    if kind == "choice":
        if raw not in parameter.choices:
            raise spec.error(f"{name} must be one of {', '.join(parameter.choices)}, got {raw!r}")
        return raw
    if kind == "ints":
        inner = raw[1:-1] if raw.startswith("[") and raw.endswith("]") else raw
        parts = [part.strip() for part in inner.split(",")] if inner.strip() else []
        return tuple(_integer(spec, name, part) for part in parts)
    if kind == "int":
        return _integer(spec, name, raw)
    return _number(spec, name, raw)


def _number(spec: Spec, name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise spec.error(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise spec.error(f"{name} must be finite, got {raw!r}")
    return value


def _integer(spec: Spec, name: str, raw: str) -> int:
    value = _number(spec, name, raw)
    if value != int(value):
        raise spec.error(f"{name} must be an integer, got {raw!r}")
    return int(value)


def values(spec: Spec, entry: catalog.Entry) -> dict[str, Any]:
    """The spec's values under their canonical names, converted; unknown keys listed."""
    found: dict[str, Any] = {}
    pairs = list(spec.keywords)
    if spec.positional:
        if entry.positional is None:
            raise spec.error(f"{entry.name} takes only key=value, got {spec.positional[0]!r}")
        kind = entry.parameter(entry.positional).kind
        if kind != "ints" and len(spec.positional) > 1:
            raise spec.error(f"{entry.name} takes one bare value, got {len(spec.positional)}")
        pairs.insert(0, (entry.positional, ",".join(spec.positional)))
    names = {parameter.name for parameter in entry.parameters}
    for key, raw in pairs:
        name = entry.aliases.get(key, key)
        if name not in names:
            raise spec.error(f"{entry.name} has no parameter {key!r}; {_valid(entry)}")
        if name in found:
            raise spec.error(f"{name} is given twice")
        found[name] = _convert(spec, entry.parameter(name), raw)
    return found


def _named(entry: catalog.Entry, parameters: Any) -> str:
    """Parameter names with their first alias: "learning_rate (lr), beta1 (b1)"."""
    shorts: dict[str, str] = {}
    for key, name in entry.aliases.items():
        shorts.setdefault(name, key)
    return ", ".join(
        f"{p.name} ({shorts[p.name]})" if p.name in shorts else p.name for p in parameters
    )


def _valid(entry: catalog.Entry) -> str:
    return f"valid: {_named(entry, entry.parameters) or 'none'}"


def _build(spec: Spec, entry: catalog.Entry, found: Mapping[str, Any]) -> Any:
    missing = [p for p in entry.parameters if p.required and p.name not in found]
    if missing:
        raise spec.error(f"{entry.name} needs {_named(entry, missing)}")
    try:
        return entry.build(**found)
    except (TypeError, ValueError) as error:
        raise spec.error(str(error)) from None


# ---------------------------------------------------------------- objects


def optimizer(
    text: str,
    *,
    learning_rate: float | None = None,
    schedule: str | None = None,
    steps: int | None = None,
) -> Transform:
    """An optimizer from "adam:lr=0.01,beta1=0.9".

    `learning_rate` is used when the spec gives none; `schedule` (a schedule spec) then starts
    from that rate and runs over `steps` updates: optimizer("sgd:0.1", schedule="cosine").
    """
    spec = split(text)
    entry = _entry(spec, catalog.optimizer_entry)
    found = values(spec, entry)
    if "learning_rate" not in found and learning_rate is not None:
        found["learning_rate"] = learning_rate
    if schedule is not None:
        rate = found.get("learning_rate")
        if rate is None:
            raise spec.error(f"a schedule needs a learning rate to start from; {_valid(entry)}")
        found["learning_rate"] = _schedule(schedule, learning_rate=rate, steps=steps)
    built: Transform = _build(spec, entry, found)
    return built


def optimizer_list(texts: Sequence[str]) -> list[str]:
    """Optimizer specs from options that may each hold several, comma-separated:
    "sgd,adam:lr=0.1,beta1=0.8,rmsprop" → ["sgd", "adam:lr=0.1,beta1=0.8", "rmsprop"].

    An item that starts with a name and has no '=' starts a new spec; anything else (key=value,
    a bare number) continues the spec before it.
    """
    found: list[str] = []
    for text in texts:
        for item in (part.strip() for part in text.split(",")):
            head = item.partition(":")[0].strip()
            if _NAME.match(head) or not found:
                found.append(item)
            else:
                found[-1] = f"{found[-1]},{item}"
    for text in found:
        optimizer_name(text)
    return found


def optimizer_values(text: str) -> dict[str, Any]:
    """The hyper-parameters an optimizer spec sets, by canonical name (checked, not built)."""
    spec = split(text)
    return values(spec, _entry(spec, catalog.optimizer_entry))


def optimizer_name(text: str) -> str:
    """The catalog name of an optimizer spec (checked)."""
    spec = split(text)
    return _entry(spec, catalog.optimizer_entry).name


def schedule(
    text: str, *, learning_rate: float | None = None, steps: int | None = None
) -> schedules.Schedule:
    """A schedule from "exponential:gamma=0.95"; the learning rate and the run's number of
    updates fill its rate and length when the spec leaves them out.  `warmup=N` adds a linear
    warm-up of N updates (the schedule then runs over the remaining steps)."""
    spec = split(text)
    warmup = next((raw for key, raw in spec.keywords if key == "warmup"), None)
    if warmup is not None:
        spec = Spec(spec.text, spec.name, spec.positional, _without(spec.keywords, "warmup"))
    entry = _entry(spec, catalog.schedule_entry)
    found = values(spec, entry)
    warmup_steps = None if warmup is None else _integer(spec, "warmup", warmup)
    if entry.rate not in found and learning_rate is not None:
        found[entry.rate] = learning_rate
    if entry.length is not None and entry.length not in found and steps is not None:
        found[entry.length] = max(1, steps - (warmup_steps or 0))
    built: schedules.Schedule = _build(spec, entry, found)
    if warmup_steps is None:
        return built
    try:
        return schedules.warmup(built, warmup_steps)
    except (TypeError, ValueError) as error:
        raise spec.error(str(error)) from None


def _schedule(text: str, *, learning_rate: float, steps: int | None) -> schedules.Schedule:
    return schedule(text, learning_rate=learning_rate, steps=steps)


def _without(pairs: tuple[tuple[str, str], ...], key: str) -> tuple[tuple[str, str], ...]:
    return tuple(pair for pair in pairs if pair[0] != key)


def problem(text: str) -> Problem:
    """A built-in problem from "rosenbrock" or "quadratic:condition=100,dim=5"."""
    spec = split(text)
    entry = _entry(spec, catalog.problem_entry)
    built: Problem = _build(spec, entry, values(spec, entry))
    return built


def model(text: str) -> Any:
    """A model from "linear", "poly:2", "logistic", "softmax", "mlp:32,16,activation=relu"."""
    spec = split(text)
    entry = _entry(spec, catalog.model_entry)
    return _build(spec, entry, values(spec, entry))


def target(text: str) -> Problem:
    """A problem spec when the text starts with a problem's name, else an expression.

    A lone word that is no problem's name is an error (a typo, not f(x) = word).
    """
    if not isinstance(text, str):
        raise ValueError(f"a target must be text, got {type(text).__name__}")
    head = text.strip().partition(":")[0].strip()
    if head in catalog.PROBLEMS:
        return problem(text)
    if _NAME.match(text.strip()) or ":" in text:
        raise ValueError(
            f"unknown problem {head!r}; choose one of {', '.join(catalog.PROBLEMS)}, "
            "or write an expression such as 'x**2 + 10*y**2'"
        )
    return expression(text)


def _entry(spec: Spec, lookup: Any) -> Any:
    try:
        return lookup(spec.name)
    except ValueError as error:
        raise spec.error(str(error)) from None

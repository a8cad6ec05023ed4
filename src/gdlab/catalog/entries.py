"""The catalog's vocabulary (layer L4): `Parameter` and the entries that name buildable things.

An entry knows its name, factory, one-line summary, parameters (read from the factory's
signature) and the short names a spec may use; `build(**values)` makes the object, and an
unknown parameter is a ValueError that lists the valid ones.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from gdlab import data
from gdlab.problems import models

SYMBOLS = MappingProxyType(
    {
        "learning_rate": "α",
        "beta": "β",
        "beta1": "β1",
        "beta2": "β2",
        "rho": "ρ",
        "eps": "ε",
        "momentum": "μ",
        "weight_decay": "λ",
        "decay_rate": "γ",
        "gamma": "γ",
    }
)
KINDS = ("float", "int", "bool", "ints", "choice")


@dataclass(frozen=True)
class Parameter:
    """One parameter as a form, a slider or a spec shows it: default, kind, range and symbol.

    kind is "float", "int", "bool", "ints" (a tuple of integers) or "choice" (one of `choices`);
    low/high/log are the range a slider offers (the objects' own checks are the contract).
    """

    name: str
    default: Any
    kind: str = "float"
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[str, ...] = ()
    required: bool = False

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.name, self.name)


# Slider ranges of the optimizers' hyper-parameters: (low, high, log scale).
RANGES: Mapping[str, tuple[float, float, bool]] = MappingProxyType(
    {
        "learning_rate": (1e-5, 10.0, True),
        "beta": (0.0, 0.999, False),
        "beta1": (0.0, 0.999, False),
        "beta2": (0.0, 0.9999, False),
        "rho": (0.0, 0.999, False),
        "eps": (1e-12, 1.0, True),
        "momentum": (0.0, 0.999, False),
        "dampening": (0.0, 1.0, False),
        "weight_decay": (0.0, 1.0, False),
        "lr_decay": (0.0, 1.0, False),
        "initial_accumulator": (0.0, 10.0, False),
        "momentum_decay": (0.0, 0.1, False),
    }
)
# Short names a spec may use for a parameter of that name (entries add their own).
ALIASES = MappingProxyType(
    {"lr": "learning_rate", "b1": "beta1", "b2": "beta2", "epsilon": "eps", "wd": "weight_decay"}
)
CHOICES = MappingProxyType(
    {
        "anneal": ("cos", "linear"),
        "threshold_mode": ("rel", "abs"),
        "loss": models.LOSSES,
        "activation": models.ACTIVATIONS,
        "output": models.OUTPUTS,
    }
)
_ANNOTATION_KINDS = {
    "float": "float",
    "float | None": "float",
    "int": "int",
    "int | None": "int",
    "bool": "bool",
    "tuple[int, ...]": "ints",
    "str": "choice",
}


@dataclass(frozen=True, kw_only=True)
class Entry:
    """A named thing a spec can build: factory, one-line summary, parameters, spec aliases.

    `positional` names the parameter that bare values in a spec fill ("mlp:32,16" → hidden).
    """

    name: str
    factory: Callable[..., Any]
    summary: str
    parameters: tuple[Parameter, ...]
    aliases: Mapping[str, str] = field(default_factory=lambda: ALIASES)
    positional: str | None = None

    def parameter(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.name == name)

    def build(self, **values: Any) -> Any:
        """The object with these parameters; an unknown name → ValueError listing the valid."""
        unknown = sorted(set(values) - {parameter.name for parameter in self.parameters})
        if unknown:
            valid = ", ".join(parameter.name for parameter in self.parameters) or "none"
            raise ValueError(f"{self.name} has no parameter {', '.join(unknown)}; it takes {valid}")
        return self.factory(**values)


def summary_of(factory: Callable[..., Any]) -> str:
    return (inspect.getdoc(factory) or "").splitlines()[0]


def parameters_of(factory: Callable[..., Any], choices: Mapping[str, tuple[str, ...]]) -> tuple:
    """Parameters read from a signature (annotations as strings), with their choices."""
    found = []
    for name, parameter in inspect.signature(factory).parameters.items():
        required = parameter.default is inspect.Parameter.empty
        default = None if required else parameter.default
        kind = _ANNOTATION_KINDS.get(str(parameter.annotation), "float")
        low, high, log = RANGES.get(name, (None, None, False)) if kind == "float" else (None,) * 3
        options = tuple(choices.get(name, CHOICES.get(name, ()))) if kind == "choice" else ()
        found.append(Parameter(name, default, kind, low, high, bool(log), options, required))
    return tuple(found)


def unknown(what: str, name: str, valid: Iterable[str]) -> ValueError:
    return ValueError(f"unknown {what} {name!r}; choose one of {', '.join(valid)}")


def lookup(what: str, table: Mapping[str, Any], name: str, names: Mapping[str, str]) -> Any:
    if name not in names:
        raise unknown(what, name, dict.fromkeys(names.values()))
    return table[names[name]]


@dataclass(frozen=True, kw_only=True)
class OptimizerEntry(Entry):
    """A named optimizer (`build(**hyperparams) -> Transform`); "adam:0.01" sets the rate."""

    positional: str | None = "learning_rate"


@dataclass(frozen=True, kw_only=True)
class ScheduleEntry(Entry):
    """A named schedule with its spec conveniences.

    short: the spec name ("exponential" for exponential_decay); rate: the parameter that takes
    the learning rate when a spec leaves it out; length: the one that takes the run's number of
    updates; needs_metric: it reads a metric (reduce-on-plateau), so only `fit` can drive it.
    """

    short: str
    rate: str
    length: str | None = None
    needs_metric: bool = False


@dataclass(frozen=True, kw_only=True)
class ProblemEntry(Entry):
    """A named test function; `summary` says what it demonstrates."""


@dataclass(frozen=True, kw_only=True)
class ModelEntry(Entry):
    """A model `gd.fit` trains, by its spec name ("poly:2", "mlp:32,16")."""


@dataclass(frozen=True)
class DatasetEntry:
    """A data set `gdlab fit` and `gd.data.load` know by name; source: seed|synthetic|bundled."""

    name: str
    summary: str
    source: str

    def load(self, **options: Any) -> data.Dataset:
        return data.load(self.name, **options)


@dataclass(frozen=True)
class DemoEntry:
    """A seed article's demonstration (`gdlab demo NAME`)."""

    name: str
    summary: str

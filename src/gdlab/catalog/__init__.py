"""Names → objects, in one place (layer L4): optimizers, schedules, problems, models, data sets
and demos, each with the parameters a form, a spec string or a slider needs, and the learning
rates that suit each optimizer on each built-in problem.

The command line and the web API read this package to know what exists (`as_dict()` is the
whole catalog as JSON-ready data); `gdlab.specs` parses "adam:lr=0.01,beta1=0.9" against it.

>>> optimizer("adam", learning_rate=0.01).hyperparams["beta1"]
0.9
>>> entry = schedule_entry("exponential")
>>> entry.name, entry.rate, entry.aliases["gamma"]
('exponential_decay', 'init_value', 'decay_rate')
>>> suggested_learning_rate("adam", "rosenbrock")
0.5

The modules: `entries` (Parameter and the entry types), `registry` (the tables and lookups),
`rates` (the tuned learning rates).
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from gdlab.catalog.entries import (
    ALIASES,
    RANGES,
    SYMBOLS,
    DatasetEntry,
    DemoEntry,
    Entry,
    ModelEntry,
    OptimizerEntry,
    Parameter,
    ProblemEntry,
    ScheduleEntry,
)
from gdlab.catalog.rates import (
    DEFAULT_PROBLEM,
    DEFAULT_STEPS,
    SUGGESTED_LEARNING_RATES,
    TUNING_GRID,
    suggested_learning_rate,
)
from gdlab.catalog.registry import (
    DATASETS,
    DEMOS,
    MODELS,
    OPTIMIZERS,
    PROBLEMS,
    SCHEDULE_NAMES,
    SCHEDULES,
    dataset_entry,
    demo_entry,
    model_entry,
    optimizer,
    optimizer_entry,
    problem,
    problem_entry,
    schedule_entry,
)

GROUPS = ("optimizers", "problems", "schedules", "models", "datasets", "demos")


def _parameters(entry: Entry) -> list[dict[str, Any]]:
    shorts: dict[str, str] = {}
    for key, name in entry.aliases.items():
        shorts.setdefault(name, key)
    return [
        {
            **asdict(p),
            "default": _plain(p.default),
            "choices": list(p.choices),
            "symbol": p.symbol,
            "alias": shorts.get(p.name),
        }
        for p in entry.parameters
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return list(value) if isinstance(value, tuple) else value


def _problem(entry: ProblemEntry) -> dict[str, Any]:
    built = entry.build()
    return {
        "name": entry.name,
        "summary": entry.summary,
        "dim": built.dim,
        "minimum": _plain(built.minimum),
        "start": list(built.start),
        "window": [list(pair) for pair in built.window],
        "parameters": _parameters(entry),
        "learning_rates": dict(SUGGESTED_LEARNING_RATES.get(entry.name, {})),
    }


def describe(group: str) -> list[dict[str, Any]]:
    """One group of the catalog as JSON-ready rows (see GROUPS)."""
    if group == "optimizers":
        return [
            {"name": e.name, "summary": e.summary, "parameters": _parameters(e)}
            for e in OPTIMIZERS.values()
        ]
    if group == "problems":
        return [_problem(entry) for entry in PROBLEMS.values()]
    if group == "schedules":
        return [
            {"name": e.short, "function": e.name, "summary": e.summary, "rate": e.rate,
             "length": e.length, "needs_metric": e.needs_metric, "parameters": _parameters(e)}
            for e in SCHEDULES.values()
        ]  # fmt: skip
    if group == "models":
        return [
            {"name": e.name, "summary": e.summary, "positional": e.positional,
             "parameters": _parameters(e)}
            for e in MODELS.values()
        ]  # fmt: skip
    if group == "datasets":
        return [asdict(entry) for entry in DATASETS.values()]
    if group == "demos":
        return [asdict(entry) for entry in DEMOS.values()]
    raise ValueError(f"unknown catalog group {group!r}; choose one of {', '.join(GROUPS)}")


def as_dict() -> dict[str, list[dict[str, Any]]]:
    """The whole catalog, JSON-ready: {group: rows} for every group in GROUPS."""
    return {group: describe(group) for group in GROUPS}


__all__ = [
    "ALIASES",
    "DATASETS",
    "DEFAULT_PROBLEM",
    "DEFAULT_STEPS",
    "DEMOS",
    "GROUPS",
    "MODELS",
    "OPTIMIZERS",
    "PROBLEMS",
    "RANGES",
    "SCHEDULES",
    "SCHEDULE_NAMES",
    "SUGGESTED_LEARNING_RATES",
    "SYMBOLS",
    "TUNING_GRID",
    "DatasetEntry",
    "DemoEntry",
    "Entry",
    "ModelEntry",
    "OptimizerEntry",
    "Parameter",
    "ProblemEntry",
    "ScheduleEntry",
    "as_dict",
    "dataset_entry",
    "demo_entry",
    "describe",
    "model_entry",
    "optimizer",
    "optimizer_entry",
    "problem",
    "problem_entry",
    "schedule_entry",
    "suggested_learning_rate",
]

"""The registries (layer L4): every optimizer, schedule, problem, model, data set and demo by
name, and the lookups that turn a name into its entry (an unknown name lists the valid ones).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from gdlab import data, demos, optimizers, problems, schedules
from gdlab.base import Transform
from gdlab.catalog.entries import (
    DatasetEntry,
    DemoEntry,
    ModelEntry,
    OptimizerEntry,
    Parameter,
    ProblemEntry,
    ScheduleEntry,
    lookup,
    parameters_of,
    summary_of,
    unknown,
)
from gdlab.problems import functions, models

# ---------------------------------------------------------------- optimizers


def _optimizer(factory: Callable[..., Transform]) -> OptimizerEntry:
    return OptimizerEntry(
        name=factory.__name__,
        factory=factory,
        summary=summary_of(factory),
        parameters=parameters_of(factory, {}),
    )


OPTIMIZERS: Mapping[str, OptimizerEntry] = MappingProxyType(
    {
        factory.__name__: _optimizer(factory)
        for factory in (
            optimizers.sgd, optimizers.momentum, optimizers.adagrad, optimizers.rmsprop,
            optimizers.adadelta, optimizers.adam, optimizers.adamw, optimizers.adamax,
            optimizers.nadam, optimizers.radam, optimizers.lion,
        )
    }
)  # fmt: skip


def optimizer_entry(name: str) -> OptimizerEntry:
    """The catalog entry of an optimizer; an unknown name lists the valid ones."""
    result: OptimizerEntry = lookup("optimizer", OPTIMIZERS, name, {n: n for n in OPTIMIZERS})
    return result


def optimizer(name: str, **hyperparams: Any) -> Transform:
    """Build a named optimizer: optimizer("adam", learning_rate=0.01)."""
    built: Transform = optimizer_entry(name).build(**hyperparams)
    return built


# ---------------------------------------------------------------- schedules


_MODES = {"cyclic": ("triangular", "triangular2", "exp_range"), "reduce_on_plateau": ("min", "max")}


def _schedule(
    factory: type, short: str, rate: str, length: str | None = None, **aliases: str
) -> ScheduleEntry:
    parameters = tuple(
        replace(p, kind="float", log=True) if p.name == rate else p
        for p in parameters_of(factory, {"mode": _MODES.get(factory.__name__, ())})
    )
    shared = {"lr": rate, "end": "end_value", "min": "end_value"}
    return ScheduleEntry(
        name=factory.__name__,
        factory=factory,
        summary=summary_of(factory),
        parameters=parameters,
        aliases=MappingProxyType({**shared, **aliases}),
        short=short,
        rate=rate,
        length=length,
        needs_metric=factory is schedules.reduce_on_plateau,
    )


SCHEDULES: Mapping[str, ScheduleEntry] = MappingProxyType(
    {
        entry.name: entry
        for entry in (
            _schedule(schedules.constant, "constant", "value"),
            _schedule(
                schedules.exponential_decay, "exponential", "init_value",
                gamma="decay_rate", every="transition_steps",
            ),
            _schedule(
                schedules.inverse_time_decay, "inverse_time", "init_value",
                k="decay_rate", every="transition_steps",
            ),
            _schedule(schedules.inverse_sqrt_decay, "inverse_sqrt", "init_value"),
            _schedule(schedules.step_decay, "step", "init_value", every="step_size"),
            _schedule(schedules.multistep, "multistep", "init_value", at="milestones"),
            _schedule(schedules.polynomial, "polynomial", "init_value", "total_steps"),
            _schedule(schedules.cosine, "cosine", "init_value", "total_steps"),
            _schedule(
                schedules.cosine_restarts, "restarts", "init_value",
                period="first_period", mult="period_mult",
            ),
            _schedule(
                schedules.one_cycle, "onecycle", "max_value", "total_steps",
                max="max_value", pct="pct_start",
            ),
            _schedule(
                schedules.cyclic, "cyclic", "max_value",
                base="base_value", max="max_value", up="step_size_up", down="step_size_down",
            ),
            _schedule(schedules.reduce_on_plateau, "plateau", "learning_rate"),
        )
    }
)  # fmt: skip
SCHEDULE_NAMES: Mapping[str, str] = MappingProxyType(
    {**{e.short: e.name for e in SCHEDULES.values()}, **{name: name for name in SCHEDULES}}
)


def schedule_entry(name: str) -> ScheduleEntry:
    """A schedule by public name (exponential_decay) or short name (exponential)."""
    if name not in SCHEDULE_NAMES:
        raise unknown("schedule", name, (entry.short for entry in SCHEDULES.values()))
    return SCHEDULES[SCHEDULE_NAMES[name]]


# ---------------------------------------------------------------- problems and models


def _problem(name: str) -> ProblemEntry:
    factory = getattr(functions, name)
    parameters = tuple(
        Parameter(key, p.default, "int" if isinstance(p.default, int) else "float")
        for key, p in inspect.signature(factory).parameters.items()
    )
    summary = problems.get(name).description
    return ProblemEntry(name=name, factory=factory, summary=summary, parameters=parameters)


PROBLEMS: Mapping[str, ProblemEntry] = MappingProxyType(
    {name: _problem(name) for name in problems.names()}
)


def problem_entry(name: str) -> ProblemEntry:
    """A test function's entry; an unknown name lists the valid ones."""
    result: ProblemEntry = lookup("problem", PROBLEMS, name, {n: n for n in PROBLEMS})
    return result


def problem(name: str, **params: Any) -> problems.Problem:
    """A built-in problem by name: problem("quadratic", condition=100)."""
    built: problems.Problem = problem_entry(name).build(**params)
    return built


def _model(name: str, factory: type, positional: str | None = None) -> ModelEntry:
    return ModelEntry(
        name=name,
        factory=factory,
        summary=summary_of(factory),
        parameters=parameters_of(factory, {}),
        positional=positional,
    )


MODELS: Mapping[str, ModelEntry] = MappingProxyType(
    {
        "linear": _model("linear", models.LinearRegression),
        "poly": _model("poly", models.PolynomialRegression, "degree"),
        "logistic": _model("logistic", models.LogisticRegression),
        "softmax": _model("softmax", models.SoftmaxRegression, "n_classes"),
        "mlp": _model("mlp", models.MLP, "hidden"),
    }
)
MODEL_NAMES = MappingProxyType({**{n: n for n in MODELS}, "polynomial": "poly"})


def model_entry(name: str) -> ModelEntry:
    """A model's entry by spec name; an unknown name lists the valid ones."""
    result: ModelEntry = lookup("model", MODELS, name, MODEL_NAMES)
    return result


# ---------------------------------------------------------------- data sets and demos


def _dataset(name: str) -> DatasetEntry:
    if name in data.BUNDLED:
        return DatasetEntry(name, f"scikit-learn's bundled {name} data set", "bundled")
    seed = name.startswith("seed")
    maker = getattr(data, name if seed else f"make_{name}")
    return DatasetEntry(name, summary_of(maker), "seed" if seed else "synthetic")


DATASETS: Mapping[str, DatasetEntry] = MappingProxyType({n: _dataset(n) for n in data.names()})


def dataset_entry(name: str) -> DatasetEntry:
    """A data set's entry; an unknown name lists the valid ones."""
    result: DatasetEntry = lookup("data set", DATASETS, name, {n: n for n in DATASETS})
    return result


def _demo(name: str) -> DemoEntry:
    return DemoEntry(name, summary_of(getattr(demos, name.replace("-", "_"))))


DEMOS: Mapping[str, DemoEntry] = MappingProxyType({n: _demo(n) for n in demos.names()})


def demo_entry(name: str) -> DemoEntry:
    """A seed demo's entry; an unknown name lists the valid ones."""
    result: DemoEntry = lookup("demo", DEMOS, name, {n: n for n in DEMOS})
    return result

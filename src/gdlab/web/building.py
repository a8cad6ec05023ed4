"""Request models → library objects, through the catalog only (layer L5).

parse → object: a problem (a built-in by name, or an expression through the safe parser), an
optimizer with its hyper-parameters, a schedule whose rate is the optimizer's learning rate.
Every refusal is an `InputError` at the place in the request it comes from, carrying the
library's own message.  Expressions are parsed once per app and kept in a small LRU cache:
parsing (SymPy) is the one slow step, and the page asks for the same text many times
(`gdlab.web.caches`).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from gdlab import catalog
from gdlab.base import Transform
from gdlab.problems import Problem, expression
from gdlab.web import limits
from gdlab.web.caches import Cache
from gdlab.web.errors import InputError, Location, library_error
from gdlab.web.models import OptimizerSpec, ProblemSpec, ScheduleSpec
from gdlab.web.responses import ProblemInfo

LIBRARY_ERRORS = (ValueError, TypeError, OverflowError, ArithmeticError, RecursionError)


ExpressionCache = Cache[Problem]


# ---------------------------------------------------------------- problems


def problem(
    spec: ProblemSpec, cache: ExpressionCache, loc: Location = ("body", "problem")
) -> Problem:
    """The Problem a ProblemSpec names, with its window replaced when the spec gives one."""
    window = None if spec.window is None else tuple(tuple(pair) for pair in spec.window)
    if spec.expression is not None:
        return _expression(spec.expression, window, cache, (*loc, "expression"))
    assert spec.name is not None  # the model allows exactly one source
    built = _named(spec.name, spec.params, loc)
    if window is None:
        return built
    return replace(built, window=_window(window, built.dim, (*loc, "window")))


def _named(name: str, params: dict[str, float], loc: Location) -> Problem:
    try:
        entry = catalog.problem_entry(name)
    except ValueError as error:
        raise library_error((*loc, "name"), error) from None
    values = _coerce(entry, params, (*loc, "params"))
    dim = values.get("dim", 2)
    if not 1 <= dim <= limits.MAX_DIM:
        message = f"dim must be in [1, {limits.MAX_DIM}], got {dim}"
        raise InputError((*loc, "params", "dim"), message)
    try:
        built: Problem = entry.build(**values)
    except LIBRARY_ERRORS as error:
        raise library_error((*loc, "params"), error) from None
    return built


def _expression(
    text: str, window: tuple[Any, ...] | None, cache: ExpressionCache, loc: Location
) -> Problem:
    key = (text, window)
    found = cache.get(key)
    if found is not None:
        return found
    try:
        built = expression(text, window=window)
    except LIBRARY_ERRORS as error:
        raise library_error(loc, error) from None
    if built.dim > limits.MAX_DIM:
        raise InputError(loc, f"an expression may use at most {limits.MAX_DIM} variables")
    cache.put(key, built)
    return built


def _window(window: tuple[Any, ...], dim: int, loc: Location) -> tuple[tuple[float, float], ...]:
    if len(window) != dim:
        raise InputError(loc, f"window must give {dim} (low, high) pairs, got {len(window)}")
    for low, high in window:
        if not low < high:
            raise InputError(loc, f"window needs low < high, got ({low:g}, {high:g})")
    return tuple((float(low), float(high)) for low, high in window)


def start_point(problem: Problem, start: list[float] | None, loc: Location) -> list[float]:
    """x0: the given point, checked against the problem's dimension, or the problem's own."""
    if start is None:
        return list(problem.start)
    if len(start) != problem.dim:
        names = ", ".join(problem.variables)
        raise InputError(
            loc,
            f"start must have {problem.dim} numbers ({names}) for {problem.name}, got {len(start)}",
        )
    return list(start)


def describe(problem: Problem, optimizers: tuple[str, ...] = ()) -> ProblemInfo:
    """What the page needs to know about a problem."""
    text = problem.params.get("text")
    return ProblemInfo(
        name=problem.name,
        dim=problem.dim,
        variables=list(problem.variables),
        window=[list(pair) for pair in problem.window],
        start=list(problem.start),
        minima=[list(point) for point in problem.minima],
        minimum=problem.minimum if math.isfinite(problem.minimum) else None,
        description=problem.description,
        expression=None if text is None else str(problem.params.get("expression", text)),
        gradient=None if text is None else str(problem.params.get("gradient", "")),
        suggested_learning_rates={
            name: catalog.suggested_learning_rate(name, problem.name) for name in optimizers
        },
    )


# ---------------------------------------------------------------- optimizers and schedules


def optimizer(
    spec: OptimizerSpec,
    problem_name: str,
    schedule: ScheduleSpec | None,
    steps: int,
    loc: Location,
) -> tuple[Transform, dict[str, Any]]:
    """The optimizer a spec names, and all its hyper-parameters (defaults included; the
    learning rate is the base rate, before any schedule)."""
    try:
        entry = catalog.optimizer_entry(spec.name)
    except ValueError as error:
        raise library_error((*loc, "name"), error) from None
    values = _coerce(entry, dict(spec.hyperparams), (*loc, "hyperparams"))
    if "learning_rate" not in values:
        values["learning_rate"] = catalog.suggested_learning_rate(entry.name, problem_name)
    rate = values["learning_rate"]
    if schedule is not None:
        values["learning_rate"] = build_schedule(schedule, rate, steps, ("body", "schedule"))
    try:
        built = entry.build(**values)
    except LIBRARY_ERRORS as error:
        raise library_error((*loc, "hyperparams"), error) from None
    return built, {**built.hyperparams, "learning_rate": rate}


def build_schedule(spec: ScheduleSpec, learning_rate: Any, steps: int, loc: Location) -> Any:
    """The schedule a spec names, its rate set to `learning_rate` and its length to `steps`."""
    try:
        entry = catalog.schedule_entry(spec.name)
    except ValueError as error:
        raise library_error((*loc, "name"), error) from None
    if entry.needs_metric:
        raise InputError(
            (*loc, "name"), f"{entry.name} reads a metric each epoch; it drives fits, not runs"
        )
    values = _coerce(entry, dict(spec.params), (*loc, "params"))
    values.setdefault(entry.rate, learning_rate)
    if entry.length is not None:
        values.setdefault(entry.length, max(steps, 1))
    try:
        return entry.build(**values)
    except LIBRARY_ERRORS as error:
        raise library_error((*loc, "params"), error) from None


def _coerce(entry: catalog.Entry, values: dict[str, Any], loc: Location) -> dict[str, Any]:
    """Values of the kinds the entry's parameters declare (JSON has one kind of number)."""
    known = {parameter.name: parameter for parameter in entry.parameters}
    out: dict[str, Any] = {}
    for name, value in values.items():
        parameter = known.get(entry.aliases.get(name, name))
        if parameter is None:
            valid = ", ".join(known) or "none"
            raise InputError(
                (*loc, name), f"{entry.name} has no parameter {name}; it takes {valid}"
            )
        out[parameter.name] = _kind(parameter, value, (*loc, name))
    return out


def _kind(parameter: catalog.Parameter, value: Any, loc: Location) -> Any:
    kind, name = parameter.kind, parameter.name
    if kind == "bool":
        if not isinstance(value, bool):
            raise InputError(loc, f"{name} must be true or false, got {value!r}")
        return value
    if kind == "ints":
        if not isinstance(value, list):
            raise InputError(loc, f"{name} must be a list of integers, got {value!r}")
        return tuple(value)
    if isinstance(value, (bool, list)) or (kind != "choice" and isinstance(value, str)):
        raise InputError(loc, f"{name} must be a number, got {value!r}")
    if kind == "int":
        if not float(value).is_integer():
            raise InputError(loc, f"{name} must be an integer, got {value!r}")
        return int(value)
    if kind == "choice":
        if value not in parameter.choices:
            allowed = ", ".join(parameter.choices)
            raise InputError(loc, f"{name} must be one of {allowed}, got {value!r}")
        return value
    return float(value)

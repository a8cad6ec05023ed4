"""How each command shows its results: the files it writes, its table, its JSON document."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from gdlab import plots
from gdlab.cli.output import Output, number
from gdlab.history import Result, write_text_atomic
from gdlab.problems import Problem


def _json(path: Path, document: Mapping[str, Any]) -> Path:
    import json

    from gdlab.cli.output import plain

    write_text_atomic(path, json.dumps(plain(dict(document)), indent=1) + "\n")
    return path


def _point(x: Any) -> str:
    return "(" + ", ".join(number(float(v), 5) for v in np.ravel(x)[:4]) + ")"


# ---------------------------------------------------------------- minimize


def minimize(
    output: Output, problem: Problem, label: str, result: Result, plot: Path | None
) -> dict[str, Path]:
    files = {}
    if plot is not None and result.history.x is not None:
        name = label.partition("(")[0]
        figure = plots.contour(problem, {name: result.history.x}, names={name: name})
        files["plot"] = plots.save(figure, plot)
    gap = result.fun - problem.minimum if math.isfinite(problem.minimum) else None
    output.table(
        f"{problem.name}: {label}",
        ("status", "updates", "f(x)", "f(x) − f*", "x"),
        [(result.status, result.nit, number(result.fun, 6), number(gap, 3), _point(result.x))],
    )
    output.note(result.message)
    output.files(files)
    return files


# ---------------------------------------------------------------- compare


def comparison(output: Output, comparison: Any, out: Path) -> dict[str, Path]:
    problem = comparison.problem
    legend = {run.label: f"{run.label} (α={run.result.history.learning_rate[0]:.3g})"
              for run in comparison.runs}  # fmt: skip
    paths = {legend[run.label]: run.result.history.x for run in comparison.runs}
    names = {legend[run.label]: run.name for run in comparison.runs}
    histories = {legend[run.label]: run.result.history for run in comparison.runs}
    files = {"loss": plots.save(
        plots.loss_curves(histories, names=names, minimum=problem.minimum,
                          title=f"{problem.name}: loss per update, same start, same budget"),
        out / "loss.png",
    )}  # fmt: skip
    if problem.dim >= 1:
        files["paths"] = plots.save(plots.contour(problem, paths, names=names), out / "paths.png")
    files["json"] = _json(out / "compare.json", comparison.to_dict())
    files["csv"] = out / "compare.csv"
    write_text_atomic(files["csv"], comparison.to_csv())
    rows = [
        (run.label, number(run.result.history.learning_rate[0], 3), number(run.result.fun, 4),
         number(run.result.fun - problem.minimum, 3) if math.isfinite(problem.minimum) else "—",
         "—" if run.steps_to_tolerance is None else run.steps_to_tolerance,
         run.result.status, f"{run.seconds * 1000:.1f}")
        for run in sorted(comparison.runs, key=_rank)
    ]  # fmt: skip
    title = (f"{problem.name}: {comparison.steps} updates from {_point(comparison.start)}, "
             f"tolerance f − f* ≤ {comparison.tolerance:g}")  # fmt: skip
    columns = ("optimizer", "α", "final f(x)", "f − f*", "steps to tol.", "status", "ms")
    output.table(title, columns, rows)
    output.files(files)
    return files


def _rank(run: Any) -> tuple[int, float]:
    return (run.result.status == "diverged", run.result.fun)


# ---------------------------------------------------------------- sweep, lr-find, schedules


def sweep(output: Output, result: Any, out: Path) -> dict[str, Path]:
    files = {"plot": plots.save(plots.sensitivity(result), out / "sensitivity.png")}
    files["csv"] = out / "sweep.csv"
    write_text_atomic(files["csv"], result.to_csv())
    files["json"] = _json(out / "sweep.json", result.to_dict())
    summary = result.summary("median")
    best = result.best()
    rows = []
    for index, name in enumerate(result.optimizers):
        diverged = int((result.status[index] == "diverged").any(axis=1).sum())
        rate = best[name]
        value = None if rate is None else float(np.min(summary[index]))
        rows.append((name, number(rate, 3), number(value, 4), f"{diverged}/{len(summary[index])}"))
    columns = ("optimizer", "best α", "median final f(x)", "rates that diverged")
    output.table(f"{result.problem.name}: {result.steps} updates per run", columns, rows)
    output.files(files)
    return files


def lr_find(output: Output, result: Any, plot: Path | None) -> dict[str, Path]:
    files = {}
    if plot is not None:
        files["plot"] = plots.save(plots.lr_find(result), plot)
    rows = [(name, number(rate, 3)) for name, rate in result.suggestions.items()]
    output.table("learning-rate range test: suggestions", ("rule", "learning rate"), rows)
    output.note(f"{len(result.learning_rates)} steps; {result.message}")
    output.files(files)
    return files


def schedules(output: Output, curves: Mapping[str, Any], steps: int, plot: Path | None) -> dict:
    files = {}
    if plot is not None:
        files["plot"] = plots.save(plots.schedules(curves, steps), plot)
    rows = []
    for label, values in curves.items():
        rates = np.asarray(values(np.arange(steps)), dtype=float)
        rows.append((label, number(rates[0]), number(rates[steps // 2]), number(rates[-1]),
                     number(rates.min()), number(rates.max())))  # fmt: skip
    columns = ("schedule", "α_0", f"α_{steps // 2}", f"α_{steps - 1}", "min", "max")
    output.table(f"learning-rate schedules over {steps} updates", columns, rows)
    output.files(files)
    return files


# ---------------------------------------------------------------- fit and demos


def fitted(output: Output, fitted: Any, out: Path) -> dict[str, Path]:
    result, dataset = fitted.result, fitted.dataset
    title = f"{dataset.name}: {type(fitted.model).__name__}"
    name = fitted.optimizer.name
    files = {"loss": plots.save(
        plots.loss_curves({name: result.history}, names={name: name}, per="epoch",
                          title=f"{title}, {name}: loss per epoch"),
        out / "loss.png",
    )}  # fmt: skip
    predicted = np.asarray(fitted.model.predict(result.x, fitted.X))
    figure = plots.data_vs_prediction(
        dataset.X, dataset.y, predicted.reshape(dataset.y.shape), task=dataset.task, title=title
    )
    files["prediction"] = plots.save(figure, out / "prediction.png")
    files["params"] = _json(out / "params.json", fitted.to_dict())
    files["history"] = out / "history.csv"
    write_text_atomic(files["history"], result.history.to_csv(level="epoch"))
    rows = [(name, number(value, 5)) for name, value in fitted.metrics.items()]
    rows += [("final loss", number(result.fun, 5)), ("updates", result.nit),
             ("status", result.status), ("seconds", f"{fitted.seconds:.3f}")]  # fmt: skip
    output.table(f"{title} — {fitted.optimizer!r}", ("metric", "value"), rows)
    output.note(result.message)
    output.files(files)
    return files


def demo(output: Output, name: str, payload: dict[str, Any], plot: Path | None) -> dict:
    from gdlab import demo_figures

    files = {}
    if plot is not None:
        files["plot"] = plots.save(demo_figures.figure(name, payload), plot)
    rows = [(key, _summary(value)) for key, value in payload.items()]
    output.table(f"demo {name}", ("result", "value"), rows)
    output.files(files)
    return files


def _summary(value: Any) -> str:
    if isinstance(value, float):
        return number(value, 6)
    if isinstance(value, (list, tuple)) and len(value) <= 4:
        return "[" + ", ".join(_summary(item) for item in value) + "]"
    if isinstance(value, (list, tuple)):
        return f"{len(value)} values"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_summary(v)}" for k, v in list(value.items())[:4]) + (
            ", …" if len(value) > 4 else ""
        )
    return str(value)

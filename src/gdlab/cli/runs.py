"""Commands that run optimizers on a problem: minimize, compare, animate, lr-find."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from gdlab import catalog, experiments, lrfind, specs
from gdlab.base import Transform
from gdlab.cli import present
from gdlab.cli.app import app
from gdlab.cli.output import (
    DEFAULT_OUT,
    JsonOption,
    OptimizersOption,
    OutOption,
    Output,
    QuietOption,
    StartOption,
    StepsOption,
    finish,
    out_dir,
    point,
    reading,
)
from gdlab.loop import minimize as run_minimize
from gdlab.problems import Problem
from gdlab.tracking import writer

Target = Annotated[str, typer.Argument(help="A problem ('rosenbrock', 'quadratic:condition=100') "
                                            "or an expression ('x**2 + 10*y**2').")]  # fmt: skip
Param = Annotated[
    list[str] | None,
    typer.Option("--set", "-p", help="A hyper-parameter KEY=VALUE (repeatable), e.g. beta1=0.8."),
]
Schedule = Annotated[str | None, typer.Option("--schedule", help="e.g. 'exponential:gamma=0.99'.")]


def _spec(optimizer: str, lr: float | None, params: list[str] | None) -> str:
    """The optimizer spec with --lr and --set folded in (a duplicate is reported by specs)."""
    extra = ([f"lr={lr!r}"] if lr is not None else []) + list(params or [])
    return optimizer + (("," if ":" in optimizer else ":") + ",".join(extra) if extra else "")


def runs_for(problem: Problem, texts: list[str] | None) -> dict[str, Transform]:
    """label → optimizer for each spec (default: every optimizer at its tuned rate)."""
    chosen = specs.optimizer_list(texts) if texts else list(catalog.OPTIMIZERS)
    runs: dict[str, Transform] = {}
    for text in chosen:
        name = specs.optimizer_name(text)
        rate = catalog.suggested_learning_rate(name, problem.name)
        label = text if text not in runs else f"{text} #{len(runs) + 1}"
        runs[label] = specs.optimizer(text, learning_rate=rate)
    return runs


@app.command()
def minimize(
    target: Target,
    optimizer: Annotated[
        str, typer.Option("--optimizer", "-O", help="An optimizer spec.")
    ] = "adam",
    lr: Annotated[
        float | None, typer.Option("--lr", help="Learning rate (default: tuned).")
    ] = None,
    params: Param = None,
    start: StartOption = None,
    steps: StepsOption = catalog.DEFAULT_STEPS,
    schedule: Schedule = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the path (PNG/SVG).")] = None,
    history: Annotated[Path | None, typer.Option(help="Write every step (.csv/.jsonl).")] = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Minimize a problem or an expression with one optimizer; exit 1 if it diverges."""
    output = Output(json_output=json_output, quiet=quiet)
    with reading():
        problem = specs.target(target)
        text = _spec(optimizer, lr, params)
        rate = catalog.suggested_learning_rate(specs.optimizer_name(text), problem.name)
        transform = specs.optimizer(text, learning_rate=rate, schedule=schedule, steps=steps)
        x0 = experiments.start_point(problem, point(start))
        record = writer(history) if history else None
    with record or nullcontext():
        result = run_minimize(problem, x0, optimizer=transform, steps=steps, callback=record)
    files = present.minimize(output, problem, repr(transform), result, plot)
    output.document({"problem": problem.name, "optimizer": experiments.plain_hyperparams(transform),
                     **result.to_dict(), "files": files})  # fmt: skip
    finish(["run"] if result.status == "diverged" else [], output)


@app.command()
def compare(
    problem: Annotated[str, typer.Argument(help="A problem or expression.")] = "rosenbrock",
    optimizers: OptimizersOption = None,
    steps: StepsOption = catalog.DEFAULT_STEPS,
    start: StartOption = None,
    tolerance: Annotated[float, typer.Option(min=0.0, help="Tolerance on f − f*.")] = 1e-6,
    out: OutOption = DEFAULT_OUT,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Compare optimizers fairly: same start, same budget, judged by f(x); writes paths.png,
    loss.png, compare.json and compare.csv.  With no arguments: every optimizer on Rosenbrock."""
    output = Output(json_output=json_output, quiet=quiet)
    with reading():
        target = specs.target(problem)
        runs = runs_for(target, optimizers)
        x0 = point(start)
    with output.progress(len(runs), "comparing") as advance:
        result = experiments.compare(
            target, runs, start=x0, steps=steps, tolerance=tolerance, progress=advance
        )
    files = present.comparison(output, result, out_dir(out))
    output.document({**result.to_dict(), "files": files})
    finish([run.label for run in result.diverged], output)


@app.command()
def animate(
    problem: Annotated[str, typer.Argument(help="A 2-D problem or expression.")] = "rosenbrock",
    optimizers: OptimizersOption = None,
    steps: StepsOption = 300,
    start: StartOption = None,
    frames: Annotated[int, typer.Option(min=2, max=600, help="Frames in the GIF.")] = 60,
    fps: Annotated[int, typer.Option(min=1, max=50, help="Frames per second.")] = 15,
    out: Annotated[Path, typer.Option("--out", "-o", help="The GIF.")] = DEFAULT_OUT / "paths.gif",
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Animate the optimizers' paths step by step over the contour (a GIF)."""
    from gdlab import plots

    output = Output(json_output=json_output, quiet=quiet)
    with reading():
        target = specs.target(problem)
        runs = runs_for(target, optimizers or ["sgd", "momentum", "rmsprop", "adam"])
        x0 = point(start)
        out_dir(out.parent)
    result = experiments.compare(target, runs, start=x0, steps=steps)
    paths = {
        run.label: run.result.history.x for run in result.runs if run.result.history.x is not None
    }
    names = {run.label: run.name for run in result.runs}
    with reading():
        gif = plots.animate(target, paths, out, names=names, frames=frames, fps=fps)
    output.note(f"wrote {gif}")
    output.document({**result.to_dict(), "files": {"gif": gif}})
    finish([run.label for run in result.diverged], output)


@app.command("lr-find")
def lr_find(
    target: Target,
    optimizer: Annotated[str, typer.Option("--optimizer", "-O", help="Spec, no lr.")] = "sgd",
    params: Param = None,
    start: StartOption = None,
    low: Annotated[float, typer.Option("--min-lr", help="Smallest α.")] = 1e-6,
    high: Annotated[float, typer.Option("--max-lr", help="Largest α.")] = 10.0,
    steps: StepsOption = 100,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the plot (PNG/SVG).")] = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """The learning-rate range test: grow α exponentially, smooth the loss with the
    bias-corrected EWA, stop when it blows up, and suggest rates."""
    output = Output(json_output=json_output, quiet=quiet)
    with reading():
        problem = specs.target(target)
        text = _spec(optimizer, None, params)
        if "learning_rate" in specs.optimizer_values(text):
            raise ValueError(f"lr-find chooses the learning rate; remove it from {text!r}")
        result = lrfind.lr_find(
            problem, lambda rate: specs.optimizer(text, learning_rate=rate),
            start=point(start), low=low, high=high, steps=steps,
        )  # fmt: skip
    files = present.lr_find(output, result, plot)
    output.document({"problem": problem.name, "optimizer": text, **result.to_dict(),
                     "files": files})  # fmt: skip

"""Commands that study settings rather than one run: list, sweep, schedule."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from gdlab import catalog, specs, sweeps
from gdlab.cli import present
from gdlab.cli.app import app
from gdlab.cli.output import (
    DEFAULT_OUT,
    JsonOption,
    OptimizersOption,
    OutOption,
    Output,
    QuietOption,
    StepsOption,
    out_dir,
    reading,
)

COLUMNS = {
    "optimizers": ("name", "hyper-parameters (default)", "summary"),
    "problems": ("name", "dim", "f*", "summary"),
    "schedules": ("name", "function", "parameters", "summary"),
    "models": ("name", "parameters", "summary"),
    "datasets": ("name", "source", "summary"),
    "demos": ("name", "summary"),
}


def _parameters(row: dict) -> str:
    return ", ".join(
        f"{p['name']}={p['default']}" if p["default"] is not None else p["name"]
        for p in row["parameters"]
    )


def _cells(group: str, row: dict) -> tuple:
    if group == "optimizers":
        return row["name"], _parameters(row), row["summary"]
    if group == "problems":
        return row["name"], row["dim"], row["minimum"], row["summary"]
    if group == "schedules":
        return row["name"], row["function"], _parameters(row), row["summary"]
    if group == "models":
        return row["name"], _parameters(row), row["summary"]
    if group == "datasets":
        return row["name"], row["source"], row["summary"]
    return row["name"], row["summary"]


@app.command("list")
def list_(
    what: Annotated[
        str | None, typer.Argument(help=f"One of: {', '.join(catalog.GROUPS)} (default: all).")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """List what gdlab knows: optimizers, problems, schedules, models, data sets, demos."""
    output = Output(json_output=json_output)
    with reading():
        groups = [what] if what else list(catalog.GROUPS)
        document = {group: catalog.describe(group) for group in groups}
    for group, rows in document.items():
        output.table(group, COLUMNS[group], [_cells(group, row) for row in rows])
    output.document(document)


@app.command()
def sweep(
    problem: Annotated[str, typer.Argument(help="A problem or expression.")] = "rosenbrock",
    optimizers: OptimizersOption = None,
    lr: Annotated[str, typer.Option("--lr", help="'low:high:count' (log grid) or 'a,b,c'.")] = (
        "1e-4:1:25"
    ),
    seeds: Annotated[int, typer.Option(min=1, help="Starts per rate: the problem's + jitter.")] = 1,
    steps: StepsOption = catalog.DEFAULT_STEPS,
    out: OutOption = DEFAULT_OUT,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Sweep a log grid of learning rates for each optimizer — each optimizer's grid in ONE
    vectorised pass — and write sensitivity.png, sweep.csv and sweep.json.  Diverged runs are
    data here, not failures: the exit code is 0."""
    output = Output(json_output=json_output, quiet=quiet)
    with reading():
        target = specs.target(problem)
        names = specs.optimizer_list(optimizers) if optimizers else list(catalog.OPTIMIZERS)
        rates = sweeps.log_grid(lr)
    with output.progress(len(names), "sweeping") as advance:
        result = sweeps.sweep(target, names, rates, steps=steps, seeds=seeds, progress=advance)
    files = present.sweep(output, result, out_dir(out))
    output.document({**result.to_dict(), "files": files})


@app.command()
def schedule(
    schedules: Annotated[list[str], typer.Argument(help="Specs, e.g. 'exponential:gamma=0.99'.")],
    steps: StepsOption = catalog.DEFAULT_STEPS,
    lr: Annotated[float, typer.Option("--lr", help="α₀, the rate the schedules start from.")] = 0.1,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the plot (PNG/SVG).")] = None,
    json_output: JsonOption = False,
) -> None:
    """Draw and compare learning-rate schedules (α_t for t = 0 … steps − 1)."""
    output = Output(json_output=json_output)
    with reading():
        curves = {text: specs.schedule(text, learning_rate=lr, steps=steps) for text in schedules}
        files = present.schedules(output, curves, steps, plot)
    t = np.arange(steps)
    output.document({
        "steps": steps,
        "schedules": [{"spec": text, "values": curve(t)} for text, curve in curves.items()],
        "files": files,
    })  # fmt: skip

"""Commands that train models: fit, and the seed articles' demos."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gdlab import catalog, demos, distributed, fitting, specs
from gdlab.cli import present
from gdlab.cli.app import app
from gdlab.cli.output import (
    DEFAULT_OUT,
    JsonOption,
    OutOption,
    Output,
    QuietOption,
    finish,
    out_dir,
    reading,
)


@app.command()
def fit(
    data: Annotated[
        str,
        typer.Argument(help="A data set name (see 'gdlab list datasets') or a CSV/Parquet file."),
    ],
    target: Annotated[str | None, typer.Option(help="The target column of a file.")] = None,
    task: Annotated[str, typer.Option(help="regression | classification (files).")] = (
        "regression"
    ),
    model: Annotated[str, typer.Option(help="linear | poly:2 | logistic | softmax | mlp:32,16")] = (
        "linear"
    ),
    optimizer: Annotated[str, typer.Option("--optimizer", "-O", help="An optimizer spec.")] = (
        "sgd:lr=0.05"
    ),
    batch_size: Annotated[
        int | None, typer.Option(min=1, help="Samples per update (default: 32, at most n).")
    ] = None,
    full_batch: Annotated[bool, typer.Option(help="One update per epoch on all the data.")] = False,
    epochs: Annotated[int, typer.Option(min=1)] = 100,
    schedule: Annotated[str | None, typer.Option(help="Per update, e.g. 'cosine'.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the start and the batch order.")] = 0,
    standardize: Annotated[bool, typer.Option(help="Standardise the features.")] = True,
    scheduler: Annotated[
        str | None, typer.Option(help="Fit on the Dask scheduler at this address.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Fit on a local Dask cluster of N processes.")
    ] = None,
    checkpoint: Annotated[
        Path | None, typer.Option(help="Save the run to this file every N epochs and at the end.")
    ] = None,
    checkpoint_every: Annotated[int, typer.Option(min=1, help="N, for --checkpoint.")] = 1,
    resume: Annotated[
        Path | None, typer.Option(help="Resume from this checkpoint (same data and options).")
    ] = None,
    out: OutOption = DEFAULT_OUT,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Fit a model to data with gradient descent; print metrics, write the loss curve, the
    prediction plot and the fitted parameters.  Exit 1 if training diverges."""
    output = Output(json_output=json_output, quiet=quiet)
    with reading():
        dataset = fitting.load_data(data, target=target, task=task)
        learner = fitting.model_for(model, dataset)
        size = None if full_batch else min(batch_size or 32, dataset.n_samples)
        updates = epochs * -(-dataset.n_samples // (size or dataset.n_samples))
        transform = specs.optimizer(optimizer, schedule=schedule, steps=updates)
        with distributed.cluster_client(scheduler, workers) as client:  # None: in this process
            fitted = fitting.fit_dataset(
                dataset, learner, transform, batch_size=size, epochs=epochs, seed=seed,
                standardize=standardize, client=client, checkpoint=checkpoint,
                checkpoint_every=checkpoint_every, resume_from=resume,
            )  # fmt: skip
    files = present.fitted(output, fitted, out_dir(out))
    output.document({**fitted.to_dict(), "files": files})
    finish(["fit"] if fitted.result.status == "diverged" else [], output)


@app.command()
def demo(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(catalog.DEMOS)}.")],
    plot: Annotated[Path | None, typer.Option("--plot", help="Write its figure (PNG/SVG).")] = None,
    json_output: JsonOption = False,
) -> None:
    """Reproduce a seed article's demonstration, number for number."""
    output = Output(json_output=json_output)
    with reading():
        catalog.demo_entry(name)
    payload = demos.run(name)
    files = present.demo(output, name, payload, plot)
    output.document({**payload, "files": files} if files else payload)

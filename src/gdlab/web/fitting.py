"""The data tab: batch, stochastic and mini-batch descent on the seeds' data (layer L5).

Seed 002 fits y = 2x on four points with θ₀ = 0; seed 000 fits w1·x² + w2·x + w3 from
(1, 0, −1); the synthetic sets add noise.  Each batch size is one `gd.fit` run with the same
optimizer, epochs and shuffle seed:

    batch_size = null → batch GD (one update per epoch);  1 → stochastic;  k → mini-batch
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from gdlab import catalog
from gdlab.batching import steps_per_epoch
from gdlab.data import Dataset
from gdlab.training import FitStep, fit
from gdlab.web import building, limits
from gdlab.web.building import LIBRARY_ERRORS
from gdlab.web.errors import InputError, library_error
from gdlab.web.models import DataSpec, FitRequest
from gdlab.web.responses import DataInfo, FitResponse, FitRun, LossGrid, Status
from gdlab.web.runs import cpu_clock, finite, numbers

GRID = 41  # loss-surface points per axis


@dataclass(frozen=True)
class Setup:
    """A data set with the model the page fits to it, how to plot it and where to start."""

    dataset: Dataset
    model: Any
    x: np.ndarray
    parameters: tuple[str, ...]
    powers: tuple[int, ...]
    truth: list[float] | None
    start: Any


def _options(spec: DataSpec) -> dict[str, Any]:
    chosen = {"n_samples": spec.n_samples, "noise": spec.noise, "seed": spec.seed}
    return {key: value for key, value in chosen.items() if value is not None}


def _load(spec: DataSpec) -> Dataset:
    """The data set; the synthetic ones have one input x (a line or a parabola in x)."""
    options = _options(spec)
    if spec.name == "linear":
        options["n_features"] = 1
    dataset: Dataset = catalog.dataset_entry(spec.name).load(**options)
    return dataset


def setup(spec: DataSpec) -> Setup:
    """The data set a spec names, with its model (seed 002: half MSE, no intercept, θ₀ = 0)."""
    if spec.name.startswith("seed") and _options(spec):
        raise InputError(("body", "data"), f"{spec.name} is the seed's data and takes no options")
    try:
        dataset = _load(spec)
    except LIBRARY_ERRORS as error:
        raise library_error(("body", "data"), error) from None
    truth = dataset.truth or {}
    if spec.name == "seed002":
        model = catalog.model_entry("linear").build(loss="half_mse", fit_intercept=False)
        coef = [float(v) for v in truth.get("coef", [])]
        return Setup(dataset, model, dataset.X[:, 1], ("θ0", "θ1"), (0, 1), coef or None, 0.0)
    if spec.name == "linear":
        model = catalog.model_entry("linear").build()
        known = [float(truth["coef"][0]), float(truth["intercept"])] if truth else None
        return Setup(dataset, model, dataset.X[:, 0], ("w", "b"), (1, 0), known, 0.0)
    model = catalog.model_entry("poly").build(degree=2)
    known = [*map(float, truth["coef"]), float(truth["intercept"])] if truth else None
    start = [1.0, 0.0, -1.0] if spec.name == "seed000" else 0.0
    return Setup(dataset, model, dataset.X[:, 0], ("w1", "w2", "w3"), (2, 1, 0), known, start)


def _label(batch_size: int | None, n: int) -> str:
    if batch_size is None or batch_size == n:
        return "batch GD" if batch_size is None else f"batch GD (b = {n})"
    return "stochastic GD" if batch_size == 1 else f"mini-batch GD (b = {batch_size})"


def _check_budget(request: FitRequest, n: int) -> None:
    for index, size in enumerate(request.batch_sizes):
        loc = ("body", "batch_sizes", index)
        if size is not None and size > n:
            raise InputError(loc, f"batch size {size} is larger than the {n} samples")
        updates = request.epochs * steps_per_epoch(n, size)
        if updates > limits.MAX_UPDATES:
            raise InputError(
                loc,
                f"{request.epochs} epochs at batch size {size or n} make {updates} updates; "
                f"at most {limits.MAX_UPDATES}: ask for fewer epochs or a larger batch",
            )


def _stride(rows: int) -> int:
    return max(1, math.ceil(rows / limits.MAX_ROWS))


def _run(setup: Setup, request: FitRequest, size: int | None, deadline: float) -> FitRun:
    optimizer, _ = building.optimizer(request.optimizer, "data", None, 0, ("body", "optimizer"))
    out_of_time = []

    def watch(step: FitStep) -> bool:
        if cpu_clock() > deadline:
            out_of_time.append(step.step)
            return True
        return False

    data = setup.dataset
    result = fit(setup.model, data.X, data.y, optimizer=optimizer, batch_size=size,
                 epochs=request.epochs, seed=request.seed, start=setup.start, full_loss=True,
                 record_path=True, callback=watch)  # fmt: skip
    history = result.history
    final = np.asarray(result.x, dtype=np.float64)[None]
    path = final if history.x is None else np.concatenate([history.x, final])
    stride = _stride(len(history))
    kept = sorted({*range(0, len(history), stride), len(history) - 1} - {-1})
    message = result.message
    if out_of_time:
        message = f"stopped at update {out_of_time[0]}: the request's budget of CPU time ran out"
    return FitRun(
        label=_label(size, data.n_samples),
        batch_size=size,
        updates_per_epoch=steps_per_epoch(data.n_samples, size),
        status=cast(Status, result.status),
        diverged=result.status == "diverged",
        message=message,
        nit=result.nit,
        x=np.asarray(result.x, dtype=np.float64).tolist(),
        fun=finite(float(result.fun)),
        stride=stride,
        update=[*kept, len(history)],
        path=path[[*kept, len(history)]].tolist() if history.x is not None else path.tolist(),
        loss=[*numbers(history.loss[kept]), finite(float(result.fun))],
        epoch_update=[] if history.epoch_step is None else history.epoch_step.tolist(),
        epoch_loss=[] if history.epoch_full_loss is None else numbers(history.epoch_full_loss),
    )


def loss_grid(setup: Setup, runs: list[FitRun]) -> LossGrid | None:
    """The loss on all the data over a box around the paths and the truth (two parameters)."""
    if len(setup.parameters) != 2:
        return None
    steady = [p for run in runs if not run.diverged for p in run.path]
    points = steady + [run.path[0] for run in runs if run.path] + [setup.truth or [0.0, 0.0]]
    box = np.asarray(points, dtype=np.float64)
    box = box[np.isfinite(box).all(axis=1)]
    low, high = box.min(axis=0), box.max(axis=0)
    margin = np.maximum((high - low) * 0.15, 0.5)
    axes = [np.linspace(a, b, GRID) for a, b in zip(low - margin, high + margin, strict=True)]
    data, model = setup.dataset, setup.model
    z = [
        [float(model.value_and_grad(np.array([u, v]), data.X, data.y)[0]) for u in axes[0]]
        for v in axes[1]
    ]
    return LossGrid(x=axes[0].tolist(), y=axes[1].tolist(), z=[numbers(row) for row in z])


def fit_all(request: FitRequest, budget: float) -> FitResponse:
    began, deadline = time.monotonic(), cpu_clock() + budget
    chosen = setup(request.data)
    data = chosen.dataset
    _check_budget(request, data.n_samples)
    with np.errstate(all="ignore"):
        runs = [_run(chosen, request, size, deadline) for size in request.batch_sizes]
        surface = loss_grid(chosen, runs)
    start = chosen.model.init(data.n_features, start=chosen.start)
    info = DataInfo(
        name=data.name,
        description=data.description,
        x=chosen.x.tolist(),
        y=np.asarray(data.y, dtype=np.float64).tolist(),
        parameters=list(chosen.parameters),
        powers=list(chosen.powers),
        truth=chosen.truth,
        start=np.asarray(start, dtype=np.float64).tolist(),
    )
    elapsed = (time.monotonic() - began) * 1e3
    return FitResponse(data=info, runs=runs, surface=surface, elapsed_ms=elapsed)

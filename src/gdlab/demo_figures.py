"""The seeds' demonstrations, drawn (layer L5): one matplotlib Figure per demo, never shown.

    payload = gdlab.demos.run("seed-002")
    figure("seed-002", payload).savefig("seed-002.png")      # or figure("seed-002")

Figures are built with `matplotlib.figure.Figure` (no pyplot, no global state, any backend);
they read only the demo's JSON-ready payload (and, for seed 000, the seed's data).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from gdlab import data, demos
from gdlab.problems.models import PolynomialRegression

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def figure(name: str, payload: dict[str, Any] | None = None) -> Figure:
    """The figure of demo `name`, drawn from `payload` (computed with demos.run when None)."""
    if name not in _FIGURES:
        raise ValueError(f"unknown demo {name!r}; valid names: {', '.join(demos.names())}")
    return _FIGURES[name](demos.run(name) if payload is None else payload)


def _new(rows: int, columns: int, size: tuple[float, float]) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.subplots(rows, columns, squeeze=False)


# ---------------------------------------------------------------- seed 000


def seed_000(payload: dict[str, Any]) -> Figure:
    """f(x) = x² with the two GD paths; the epoch loss; the seed's data vs prediction scatter."""
    fig, axes = _new(1, 3, (14, 4.2))
    parabola, loss, scatter = axes[0]
    grid = np.linspace(-1.2, 1.2, 200)
    parabola.plot(grid, grid**2, color="0.6")
    for run in payload["parabola"]:
        path = np.asarray(run["path"])
        label = f"x₀ = {run['start']:g}: f′ = {run['derivative']:g} → {run['direction']}"
        parabola.plot(path, path**2, "o-", markersize=3, label=label)
    parabola.set(title="GD on f(x) = x², α = 0.1", xlabel="x", ylabel="f(x)")
    parabola.legend(fontsize=8)
    epochs = np.arange(len(payload["epoch_loss"]))
    loss.semilogy(epochs, payload["epoch_loss"])
    loss.axhline(1e-4, color="0.5", linestyle=":", label="stop: loss < 1e-4")
    loss.set(title=f"per-sample SGD: {payload['epochs']} epochs", xlabel="epoch",
             ylabel="epoch loss")  # fmt: skip
    loss.legend(fontsize=8)
    ds = data.seed000()
    prediction = PolynomialRegression(2).predict(np.asarray(payload["weights"]), ds.X)
    scatter.scatter(ds.X[:, 0], ds.y, color="red", s=10, label="y = 2x² + 3x + 4")
    scatter.scatter(ds.X[:, 0], prediction, s=10, label="prediction")
    w1, w2, w3 = payload["weights"]
    scatter.set(title=f"ŷ = {w1:.5f}x² + {w2:.5f}x + {w3:.5f}", xlabel="x", ylabel="y")
    scatter.legend(fontsize=8)
    return fig


# ---------------------------------------------------------------- seed 002


def seed_002(payload: dict[str, Any]) -> Figure:
    """The loss on all the data after each iteration of BGD, SGD and MBGD."""
    fig, axes = _new(1, 1, (7, 4.5))
    ax = axes[0, 0]
    labels = {"bgd": "batch (BGD)", "sgd": "stochastic (SGD)", "mbgd": "mini-batch 2 (MBGD)"}
    for key, label in labels.items():
        history = payload[key]["loss_history"]
        theta = ", ".join(f"{value:.4f}" for value in payload[key]["theta"])
        ax.semilogy(np.arange(1, len(history) + 1), history, label=f"{label}: θ = ({theta})")
    ax.set(title="seed 002: α = 0.01, θ₀ = 0, loss (1/2m)Σ(Xθ − y)²", xlabel="iteration",
           ylabel="loss on all the data")  # fmt: skip
    ax.legend(fontsize=8)
    return fig


# ---------------------------------------------------------------- seed 001


def seed_001(payload: dict[str, Any]) -> Figure:
    """Nine panels: (a) batch sizes ×2, (b) EWA, (c) optimizers ×2, (d) decay ×2, (e), (f)."""
    fig, axes = _new(3, 3, (16, 13))
    _batch_sizes(axes[0, 0], axes[0, 1], payload["batch_sizes"])
    _ewa(axes[0, 2], payload["ewa"])
    for ax, (name, table) in zip(
        axes[1, :2], payload["optimizers"]["problems"].items(), strict=True
    ):
        _optimizers(ax, name, table, payload["optimizers"]["tolerance"])
    _decay(axes[1, 2], axes[2, 0], payload["decay"])
    _escape(axes[2, 1], payload["escape"])
    _learning_rates(axes[2, 2], payload["learning_rate"])
    return fig


def _batch_sizes(by_epoch: Axes, by_time: Axes, part: dict[str, Any]) -> None:
    for run in part["runs"]:
        label = f"b = {run['batch_size']}"
        by_epoch.semilogy(np.arange(len(run["loss"])), run["loss"], label=label)
        by_time.loglog(run["time"][1:], run["loss"][1:], ".-", label=label)
    by_epoch.set(title="(a) loss vs epochs", xlabel="epoch", ylabel="loss on all the data")
    by_time.set(title="(a) loss vs wall time (after each epoch)", xlabel="seconds",
                ylabel="loss on all the data")  # fmt: skip
    by_epoch.legend(fontsize=7)


def _ewa(ax: Axes, part: dict[str, Any]) -> None:
    ax.plot(part["series"], ".", color="0.7", markersize=3, label="noisy series")
    for (beta, entry), color in zip(part["betas"].items(), ("C0", "C1", "C2"), strict=True):
        ax.plot(entry["corrected"], color=color, label=f"β = {beta}, bias-corrected")
        ax.plot(entry["biased"], color=color, linestyle="--", label=f"β = {beta}, raw")
    ax.set(title="(b) exponentially weighted averages", xlabel="t", ylabel="value")
    ax.legend(fontsize=7)


def _optimizers(ax: Axes, name: str, table: dict[str, Any], tolerance: float) -> None:
    for key, entry in table.items():
        steps = "—" if entry["steps"] is None else entry["steps"]
        label = f"{key} (α = {entry['learning_rate']:g}): {steps} steps"
        ax.semilogy(entry["loss"]["step"], np.maximum(entry["loss"]["value"], 1e-12), label=label)
    ax.axhline(tolerance, color="0.5", linestyle=":")
    ax.set(title=f"(c) {name}: steps to f ≤ {tolerance:g}", xlabel="step", ylabel="f(x)")
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0)
    ax.legend(fontsize=7)


def _decay(schedules: Axes, losses: Axes, part: dict[str, Any]) -> None:
    for name, entry in part["schedules"].items():
        epochs = np.arange(1, len(entry["loss"]) + 1)
        schedules.plot(epochs - 1, entry["learning_rate"], label=name)
        excess = np.maximum(np.asarray(entry["loss"]) - part["optimum"], 1e-12)
        losses.semilogy(epochs, excess, label=f"{name}: {entry['excess_loss']:.2g}")
    schedules.set(title="(d) learning rate per epoch", xlabel="epoch", ylabel="α")
    losses.set(title="(d) loss above the least-squares optimum", xlabel="epoch",
               ylabel="excess loss")  # fmt: skip
    schedules.legend(fontsize=7)
    losses.legend(fontsize=7)


def _escape(ax: Axes, part: dict[str, Any]) -> None:
    keys = ("gd", "momentum", "heavy_ball", "adam")
    width = 0.2
    for offset, key in enumerate(keys):
        positions = np.arange(len(part)) + (offset - 1.5) * width
        steps = [entry[key]["steps"] or entry["budget"] for entry in part.values()]
        bars = ax.bar(positions, steps, width, label=key)
        ax.bar_label(bars, fontsize=6)
    ax.set_xticks(np.arange(len(part)), list(part))
    ax.set_yscale("log")
    ax.set(title="(e) steps to escape (same α per problem)", ylabel="steps")
    ax.legend(fontsize=7)


def _learning_rates(ax: Axes, part: dict[str, Any]) -> None:
    for key in ("too_large", "good", "too_small"):
        entry = part[key]
        label = f"α = {entry['learning_rate']:g}: {entry['status']} after {entry['updates']}"
        ax.semilogy(entry["loss"]["step"], entry["loss"]["value"], label=label)
    ax.set(title=f"(f) batch GD on seed 002 (stable for α < {part['stable_below']:.3f})",
           xlabel="update", ylabel="loss")  # fmt: skip
    ax.legend(fontsize=7)


_FIGURES: dict[str, Callable[[dict[str, Any]], Figure]] = {
    "seed-000": seed_000,
    "seed-001": seed_001,
    "seed-002": seed_002,
}

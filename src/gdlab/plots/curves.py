"""Figures of curves: loss histories, schedules, the EWA, batch-size noise, learning-rate
sensitivity, the learning-rate range test, and data against a model's predictions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gdlab.averages import ewa
from gdlab.history import History
from gdlab.plots.palette import figure, series, style, styles


def _gap_axis(ax: Axes, values: Sequence[np.ndarray], minimum: float) -> str:
    """Log y for positive curves (f − f* when f* is known), symlog otherwise; the y label."""
    finite = np.concatenate([v[np.isfinite(v)] for v in values] or [np.zeros(1)])
    if finite.size and (finite > 0).all():
        ax.set_yscale("log")
    elif finite.size:
        ax.set_yscale("symlog", linthresh=max(1e-6, float(np.abs(finite).max()) * 1e-6))
    return "f(x) − f*" if math.isfinite(minimum) else "f(x)"


def loss_curves(
    histories: Mapping[str, History],
    *,
    names: Mapping[str, str] | None = None,
    minimum: float = math.nan,
    per: str = "step",
    title: str | None = None,
) -> Figure:
    """Loss against the update (per="step") or the epoch (per="epoch"), log y.

    With a known minimum f* the curve is f − f* (floored at 10⁻³⁰⁰ so that it stays on a log
    axis); `names` maps a label to its optimizer for the colour.
    """
    if per not in ("step", "epoch"):
        raise ValueError(f"per must be 'step' or 'epoch', got {per!r}")
    looks = styles({label: (names or {}).get(label, label) for label in histories})
    fig = figure(7.5, 4.8)
    ax = fig.add_subplot()
    curves = {}
    for label, history in histories.items():
        if per == "epoch":
            if history.epoch is None or history.epoch_loss is None:
                raise ValueError(f"{label}: per='epoch' needs a history from fit")
            x, y = history.epoch, history.epoch_loss
        else:
            x, y = history.step, history.loss
        y = y - minimum if math.isfinite(minimum) else y
        curves[label] = (x, np.maximum(y, 1e-300) if math.isfinite(minimum) else y)
    ylabel = _gap_axis(ax, [y for _, y in curves.values()], minimum)
    for label, (x, y) in curves.items():
        ax.plot(x, y, label=label, linewidth=1.6, **looks[label])
    if ax.get_yscale() == "log":
        low, high = ax.get_ylim()
        ax.set_ylim(max(low, high * 1e-18), high)
    ax.set_xlabel("update" if per == "step" else "epoch")
    ax.set_ylabel(ylabel if per == "step" else "epoch loss (mean of its batch losses)")
    ax.grid(True, which="major", alpha=0.3)
    ax.set_title(title or f"loss per {per}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return fig


def schedules(curves: Mapping[str, Callable[[Any], Any]], steps: int) -> Figure:
    """Each schedule's learning rate α_t for t = 0 … steps − 1 (log y when it spans > 100×)."""
    fig = figure(7.5, 4.5)
    ax = fig.add_subplot()
    t = np.arange(steps)
    values = {label: np.asarray(schedule(t), dtype=float) for label, schedule in curves.items()}
    for index, (label, rate) in enumerate(values.items()):
        ax.plot(t, rate, label=label, linewidth=1.8, **series(index))
    high = max(float(v.max()) for v in values.values())
    low = min(float(v.min()) for v in values.values())
    if low > 0 and high / low > 100:
        ax.set_yscale("log")
    ax.set_xlabel("update t")
    ax.set_ylabel("learning rate α_t")
    ax.set_title("learning-rate schedules")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    return fig


def noisy_series(count: int = 200, *, seed: int = 0) -> np.ndarray:
    """A seeded noisy series to average: 10 + 5·sin(2πt/100) + N(0, 2²)."""
    t = np.arange(count)
    return 10 + 5 * np.sin(2 * np.pi * t / 100) + np.random.default_rng(seed).normal(0, 2, count)


def ewa_figure(
    values: np.ndarray | None = None, betas: Sequence[float] = (0.5, 0.9, 0.98), *, seed: int = 0
) -> Figure:
    """Seed 001 §3–4: EWAs of a noisy series for several β, and what bias correction changes."""
    values = noisy_series(seed=seed) if values is None else np.asarray(values, dtype=float)
    t = np.arange(1, len(values) + 1)
    fig = figure(12.0, 4.6)
    left, right = fig.subplots(1, 2)
    colours = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
    for ax in (left, right):
        ax.plot(t, values, ".", color="#999999", markersize=3, label="values")
    for beta, colour in zip(betas, colours, strict=False):
        left.plot(t, ewa(beta).series(values), color=colour, label=f"β = {beta}")
        right.plot(t, ewa(beta).series(values), color=colour, label=f"β = {beta}, corrected")
        right.plot(t, ewa(beta, debias=False).series(values), color=colour, linestyle="--",
                   label=f"β = {beta}, raw")  # fmt: skip
    left.set_title("v_t = β·v_{t−1} + (1 − β)·x_t  (≈ mean of the last 1/(1 − β) values)")
    right.set_title("bias correction v_t / (1 − β^t): the early steps")
    right.set_xlim(0, min(len(values), 60))
    for ax in (left, right):
        ax.set_xlabel("t")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
    return fig


def batch_noise(histories: Mapping[str, History], *, title: str | None = None) -> Figure:
    """Batch losses against epochs for several batch sizes (fit histories): the noise of small
    batches (thin) around their epoch losses (thick)."""
    fig = figure(7.5, 4.8)
    ax = fig.add_subplot()
    for index, (label, history) in enumerate(histories.items()):
        if history.epoch is None or history.epoch_step is None or history.epoch_loss is None:
            raise ValueError(f"{label}: batch_noise needs histories from fit")
        look = series(index)
        ends = np.concatenate([[0], history.epoch_step])
        epochs = np.interp(history.step, ends, np.arange(len(ends)))
        ax.plot(epochs, history.loss, color=look["color"], alpha=0.35, linewidth=0.7)
        ax.plot(history.epoch, history.epoch_loss, color=look["color"], linewidth=2, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title or "batch size and gradient noise")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
    return fig


def sensitivity(sweep: Any) -> Figure:
    """Final f − f* (or f) against the learning rate, one line per optimizer: the median over
    seeds with the min–max band; diverged runs as crosses on the top edge."""
    fig = figure(7.5, 4.8)
    ax = fig.add_subplot()
    minimum = sweep.problem.minimum
    offset = minimum if math.isfinite(minimum) else 0.0
    rates = sweep.learning_rates
    finals = np.where(sweep.status == "diverged", np.nan, sweep.final_loss - offset)
    shown = finals[np.isfinite(finals)]
    top = float(shown.max()) * 10 if shown.size and shown.max() > 0 else 1.0
    for index, name in enumerate(sweep.optimizers):
        look = style(name.partition(":")[0], index)
        runs = finals[index]
        with np.errstate(all="ignore"):
            median = np.nanmedian(np.where(np.isnan(runs), np.inf, runs), axis=1)
        median[~np.isfinite(median)] = np.nan
        ax.plot(rates, median, marker="o", markersize=3, label=name, **look)
        if runs.shape[1] > 1:
            low = np.where(np.isnan(runs), np.inf, runs).min(axis=1)
            high = np.where(np.isnan(runs), -np.inf, runs).max(axis=1)
            shown_band = np.isfinite(low) & np.isfinite(high)
            ax.fill_between(rates, np.where(shown_band, low, np.nan),
                            np.where(shown_band, high, np.nan), color=look["color"],
                            alpha=0.15)  # fmt: skip
        failed = (sweep.status[index] == "diverged").any(axis=1)
        ax.plot(rates[failed], np.full(failed.sum(), top * 1.6**index), "x", color=look["color"])
    ax.set_xscale("log")
    ax.set_ylabel(
        _gap_axis(ax, [shown, np.array([top])], minimum) + f" after {sweep.steps} updates"
    )
    ax.set_xlabel("learning rate α")
    ax.set_title(f"{sweep.problem.name}: sensitivity to the learning rate (× = diverged)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return fig


def lr_find(result: Any, *, title: str | None = None) -> Figure:
    """The range test: raw and smoothed loss against the learning rate (log x), suggestions."""
    fig = figure(7.5, 4.8)
    ax = fig.add_subplot()
    ax.plot(result.learning_rates, result.losses, color="#999999", linewidth=0.8, label="loss")
    ax.plot(result.learning_rates, result.smoothed, color="#0072B2", linewidth=2,
            label="smoothed (bias-corrected EWA)")  # fmt: skip
    marks = {"steepest": "#D55E00", "valley": "#009E73", "minimum/10": "#CC79A7"}
    for name, rate in result.suggestions.items():
        ax.axvline(rate, color=marks.get(name, "#000000"), linestyle="--",
                   label=f"{name}: {rate:.3g}")  # fmt: skip
    ax.set_xscale("log")
    if (result.losses > 0).all():
        ax.set_yscale("log")
    ax.set_xlabel("learning rate α (growing each update)")
    ax.set_ylabel("loss")
    ax.set_title(title or "learning-rate range test")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
    return fig


def data_vs_prediction(
    X: np.ndarray, y: np.ndarray, predicted: np.ndarray, *, task: str = "regression",
    curve: tuple[np.ndarray, np.ndarray] | None = None, title: str | None = None,
) -> Figure:  # fmt: skip
    """One feature: the data and the fitted curve (`curve` = (x, ŷ) on a grid, seed 000's
    scatter); more features: ŷ against y with the identity line; classification: the first
    two features coloured by label, misclassified points circled."""
    fig = figure(6.5, 5.0)
    ax = fig.add_subplot()
    X = np.asarray(X, dtype=float).reshape(len(y), -1)
    if task == "classification" and X.shape[1] >= 2:
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="viridis", s=14)
        wrong = predicted != y
        ax.scatter(X[wrong, 0], X[wrong, 1], facecolors="none", edgecolors="#D55E00", s=60,
                   label=f"misclassified ({int(wrong.sum())})")  # fmt: skip
        ax.set_xlabel("feature 1")
        ax.set_ylabel("feature 2")
    elif X.shape[1] == 1:
        ax.plot(X[:, 0], y, ".", color="#555555", label="data")
        grid_x, grid_y = curve if curve is not None else (X[:, 0], predicted)
        order = np.argsort(grid_x)
        ax.plot(grid_x[order], grid_y[order], color="#D55E00", linewidth=2, label="prediction")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    else:
        ax.plot(y, predicted, ".", color="#0072B2", label="samples")
        low, high = float(min(y.min(), predicted.min())), float(max(y.max(), predicted.max()))
        ax.plot([low, high], [low, high], color="#555555", linestyle="--", label="ŷ = y")
        ax.set_xlabel("y")
        ax.set_ylabel("prediction ŷ")
    ax.set_title(title or "data and prediction")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
    return fig

"""Figures of a problem's landscape: contour with paths, 3-D surface, optimizer internals.

A 2-D problem is drawn over its window; a 1-D problem as the curve f(x) with the paths on it;
a problem with more variables as the slice through its minimum (or start) over x1 and x2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from gdlab.plots.palette import BACKGROUND, MINIMUM, START, figure, quantile_levels, styles
from gdlab.problems import Problem

Paths = Mapping[str, np.ndarray]


def grid(problem: Problem, resolution: int = 240) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, Y, f) over the window of x1, x2 (other coordinates held at the minimum or start)."""
    (x_low, x_high), (y_low, y_high) = problem.window[0], problem.window[1]
    xs, ys = np.linspace(x_low, x_high, resolution), np.linspace(y_low, y_high, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    anchor = np.array(problem.minima[0] if problem.minima else problem.start, dtype=float)
    points = np.broadcast_to(anchor, (*grid_x.shape, problem.dim)).copy()
    points[..., 0], points[..., 1] = grid_x, grid_y
    with np.errstate(all="ignore"):
        values = np.asarray(problem.value(points), dtype=float)
    return grid_x, grid_y, values


def _names(paths: Paths, names: Mapping[str, str] | None) -> dict[str, str]:
    return {label: (names or {}).get(label, label) for label in paths}


def draw_contour(ax: Axes, problem: Problem) -> None:
    """The filled, lined contour of a 2-D landscape (quantile levels) and its known minima."""
    grid_x, grid_y, values = grid(problem)
    levels = quantile_levels(values)
    ax.contourf(grid_x, grid_y, values, levels=levels, cmap=BACKGROUND, alpha=0.55, extend="max")
    ax.contour(grid_x, grid_y, values, levels=levels, colors="#555555", linewidths=0.4)
    for minimum in problem.minima:
        ax.plot(minimum[0], minimum[1], linestyle="none", zorder=5, **MINIMUM)
    ax.set_xlim(*problem.window[0])
    ax.set_ylim(*problem.window[1])
    ax.set_xlabel(problem.variables[0])
    ax.set_ylabel(problem.variables[1])


def draw_paths(ax: Axes, paths: Paths, names: Mapping[str, str] | None = None) -> None:
    """Each path as a line with its end marked; the first path's start as a white circle."""
    looks = styles(_names(paths, names))
    for label, path in paths.items():
        path = np.asarray(path, dtype=float)
        look = looks[label]
        ax.plot(path[:, 0], path[:, 1], linewidth=1.6, label=label, zorder=3, **look)
        ax.plot(
            path[-1, 0], path[-1, 1], marker="X", markersize=9, markeredgecolor="white",
            color=look["color"], linestyle="none", zorder=4,
        )  # fmt: skip
    if paths:
        first = np.asarray(next(iter(paths.values())), dtype=float)
        ax.plot(first[0, 0], first[0, 1], linestyle="none", zorder=6, label="start", **START)


def contour(
    problem: Problem,
    paths: Paths | None = None,
    *,
    names: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Contour with paths: label → (steps + 1, n) trajectory; `names` maps a label to its
    optimizer (for its colour).  Start circle, end crosses, known minima as stars."""
    paths = dict(paths or {})
    fig = figure(7.5, 6.0)
    ax = fig.add_subplot()
    if problem.dim == 1:
        _curve(ax, problem, paths, names)
    else:
        draw_contour(ax, problem)
        draw_paths(ax, paths, names)
    ax.set_title(title or f"{problem.name}: paths from the same start")
    if paths:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return fig


def _curve(ax: Axes, problem: Problem, paths: Paths, names: Mapping[str, str] | None) -> None:
    low, high = problem.window[0]
    xs = np.linspace(low, high, 400)
    ax.plot(xs, problem.value(xs[:, None]), color="#555555", linewidth=1.2)
    looks = styles(_names(paths, names))
    for label, path in paths.items():
        path = np.asarray(path, dtype=float)[:, 0]
        with np.errstate(all="ignore"):
            values = problem.value(path[:, None])
        ax.plot(path, values, marker=".", markersize=4, label=label, **looks[label])
    for minimum in problem.minima:
        ax.plot(minimum[0], problem.minimum, linestyle="none", zorder=5, **MINIMUM)
    ax.set_xlim(low, high)
    ax.set_xlabel(problem.variables[0])
    ax.set_ylabel("f")


def surface(problem: Problem, paths: Paths | None = None, **kwargs: Any) -> Figure:
    """The 3-D surface f(x1, x2) (clipped at its 95th percentile) with the paths lifted onto it."""
    if problem.dim < 2:
        raise ValueError(f"a surface needs 2 or more variables, {problem.name} has {problem.dim}")
    grid_x, grid_y, values = grid(problem, 120)
    top = float(np.quantile(values[np.isfinite(values)], 0.95))
    fig = figure(7.5, 6.0)
    ax: Any = fig.add_subplot(projection="3d")
    ax.plot_surface(grid_x, grid_y, np.minimum(values, top), cmap="viridis", alpha=0.7, lw=0)
    looks = styles(_names(paths or {}, kwargs.get("names")))
    for label, path in (paths or {}).items():
        path = np.asarray(path, dtype=float)
        with np.errstate(all="ignore"):
            height = np.minimum(problem.value(path), top)
        ax.plot(path[:, 0], path[:, 1], height, label=label, linewidth=1.8, **looks[label])
    ax.set_xlabel(problem.variables[0])
    ax.set_ylabel(problem.variables[1])
    ax.set_zlabel("f")
    ax.set_title(kwargs.get("title") or f"{problem.name}: surface")
    if paths:
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    return fig


def internals(problem: Problem, run: Any, *, learning_rate: float, every: int = 0) -> Figure:
    """Overlay of an optimizer's internals along its path (`experiments.Internals`).

    Left: the path, the momentum vector as arrows and the per-coordinate step size
    α/(√ŝ + ε) as ellipses (semi-axes proportional to the step in x1 and x2).
    Right: the same quantities against the step count.
    """
    fig = figure(12.0, 5.2)
    left, right = fig.subplots(1, 2, width_ratios=(1.15, 1.0))
    path = np.asarray(run.path, dtype=float)
    draw_contour(left, problem)
    draw_paths(left, {run.name: path})
    count = len(path) - 1
    every = every or max(1, count // 12)
    chosen = np.arange(0, count, every)
    span = min(high - low for low, high in problem.window[:2])
    if run.momentum is not None:
        arrows = -run.momentum[chosen, :2]  # the step goes against the averaged gradient
        length = np.abs(arrows).max() or 1.0
        left.quiver(
            path[chosen, 0], path[chosen, 1], arrows[:, 0], arrows[:, 1], color="#0072B2",
            angles="xy", scale_units="xy", scale=length / (0.12 * span), width=0.004,
            label="−momentum (where it pushes)", zorder=5,
        )  # fmt: skip
    if run.step_scale is not None:
        steps = learning_rate * run.step_scale[chosen, :2]
        size = 0.08 * span / (np.nanmax(steps) or 1.0)
        for (x, y), (width, height) in zip(path[chosen, :2], steps * size, strict=True):
            left.add_patch(Ellipse((x, y), 2 * width, 2 * height, fill=False, color="#D55E00"))
        left.plot([], [], color="#D55E00", label="step size α/(√ŝ+ε) per coordinate")
    left.legend(loc="upper left", fontsize=8, frameon=True)
    left.set_title(f"{run.name} on {problem.name}: internals along the path")
    _internals_curves(right, run, learning_rate, problem.variables)
    return fig


def _internals_curves(ax: Axes, run: Any, learning_rate: float, variables: tuple) -> None:
    steps = np.arange(len(run.path) - 1)
    for i, name in enumerate(variables[:2]):
        line = "-" if i == 0 else "--"
        if run.momentum is not None:
            ax.plot(steps, np.abs(run.momentum[:, i]), color="#0072B2", linestyle=line,
                    label=f"|momentum| in {name}")  # fmt: skip
        if run.step_scale is not None:
            ax.plot(steps, learning_rate * run.step_scale[:, i], color="#D55E00", linestyle=line,
                    label=f"step size in {name}")  # fmt: skip
    if run.momentum is None and run.step_scale is None:
        ax.text(0.5, 0.5, f"{run.name} keeps no momentum\nand no RMS scale", ha="center",
                va="center", transform=ax.transAxes)  # fmt: skip
    else:
        ax.set_yscale("log")
        ax.legend(fontsize=8, frameon=False)
    ax.set_xlabel("update")
    ax.set_title("per coordinate, along the run")
    ax.grid(True, which="major", alpha=0.3)

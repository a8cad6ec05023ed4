"""Figure data that is not a run: a surface grid, a schedule's curve, the EWA figure (layer L5).

surface:  z[i][j] = f(x_j, y_i) on a regular grid over the window (one vectorised call)
schedule: α_t for t = 0 … steps − 1 (the schedule's array path)
EWA:      v_t = β·v_{t−1} + (1 − β)·θ_t and v̂_t = v_t / (1 − β^t), seed 001 §3–4
"""

from __future__ import annotations

import math

import numpy as np

from gdlab import schedules
from gdlab.averages import ewa
from gdlab.web import building
from gdlab.web.building import ExpressionCache
from gdlab.web.errors import InputError
from gdlab.web.models import EwaRequest, ScheduleRequest, SurfaceRequest
from gdlab.web.responses import EwaCurve, EwaResponse, ScheduleResponse, SurfaceResponse
from gdlab.web.runs import finite, numbers


def surface(request: SurfaceRequest, cache: ExpressionCache) -> SurfaceResponse:
    """f over the problem's window: a grid for two variables, a curve for one."""
    problem = building.problem(request.problem, cache)
    if problem.dim > 2:
        raise InputError(
            ("body", "problem"),
            f"a surface needs a function of one or two variables; {problem.name} has "
            f"{problem.dim} ({', '.join(problem.variables)})",
        )
    n = request.resolution
    axes = [np.linspace(low, high, n) for low, high in problem.window]
    if problem.dim == 1:
        points = axes[0][:, None]
    else:
        grid_x, grid_y = np.meshgrid(axes[0], axes[1])
        points = np.stack([grid_x, grid_y], axis=-1)
    with np.errstate(all="ignore"):
        z = np.asarray(problem.value(points), dtype=np.float64).reshape(-1, n)
    shown = z[np.isfinite(z)]
    return SurfaceResponse(
        problem=building.describe(problem),
        x=axes[0].tolist(),
        y=axes[1].tolist() if problem.dim == 2 else [],
        z=[numbers(row) for row in z],
        z_min=finite(float(shown.min())) if shown.size else None,
        z_max=finite(float(shown.max())) if shown.size else None,
    )


def schedule_curve(request: ScheduleRequest) -> ScheduleResponse:
    """α_t of the schedule for every update of a run of `steps` updates."""
    built = building.build_schedule(
        request.schedule, request.learning_rate, request.steps, ("body", "schedule")
    )
    counts = np.arange(request.steps)
    rates = np.asarray(built(counts), dtype=np.float64)
    return ScheduleResponse(
        schedule=schedules.describe(built),
        step=counts.tolist(),
        learning_rate=[float(v) for v in np.nan_to_num(rates, nan=0.0, posinf=0.0)],
    )


def series(kind: str, points: int, seed: int) -> np.ndarray:
    """The EWA figure's data: a year of noisy daily temperatures, a constant, or a step."""
    t = np.arange(1, points + 1, dtype=np.float64)
    if kind == "constant":
        return np.full(points, 10.0)
    if kind == "step":
        return np.where(t <= points / 2, 10.0, 20.0)
    rng = np.random.default_rng(seed)
    season = 12.0 - 10.0 * np.cos(2 * math.pi * t / 365.0)
    return np.round(season + rng.normal(0.0, 3.0, points), 1)


def ewa_figure(request: EwaRequest) -> EwaResponse:
    """The series and, for each β, its EWA raw and bias-corrected."""
    values = series(request.series, request.points, request.seed)
    curves = [
        EwaCurve(
            beta=beta,
            window=1.0 / (1.0 - beta),
            average=ewa(beta, debias=False).series(values).tolist(),
            corrected=ewa(beta, debias=True).series(values).tolist(),
        )
        for beta in request.betas
    ]
    return EwaResponse(t=list(range(1, request.points + 1)), values=values.tolist(), curves=curves)

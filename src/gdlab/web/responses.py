"""The JSON the playground answers: pydantic models of every response (layer L5).

A number that is not finite is written as null (`Number`); statuses are `Result`'s.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["converged", "max_steps", "diverged", "stopped"]
Number = float | None  # a response number; null where it is not finite


class ErrorItem(BaseModel):
    loc: list[str | int]
    message: str


class ErrorResponse(BaseModel):
    """Every 4xx: a sentence to show, and where in the request each problem is."""

    detail: str
    errors: list[ErrorItem] = Field(default_factory=list)


class ParameterInfo(BaseModel):
    name: str
    symbol: str
    kind: Literal["float", "int", "bool", "ints", "choice"]
    default: float | bool | str | list[int] | None
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: list[str] | None = None


class OptimizerInfo(BaseModel):
    name: str
    summary: str
    parameters: list[ParameterInfo]


class ScheduleInfo(BaseModel):
    name: str
    short: str
    summary: str
    rate: str = Field(description="the parameter that takes the optimizer's learning rate")
    length: str | None = Field(default=None, description="the parameter that takes the run's steps")
    needs_metric: bool = Field(description="reads a metric, so it drives fits and not runs")
    parameters: list[ParameterInfo]


class ProblemInfo(BaseModel):
    name: str
    dim: int
    variables: list[str]
    window: list[list[float]]
    start: list[float]
    minima: list[list[float]]
    minimum: Number
    description: str
    expression: str | None = None
    gradient: str | None = None
    suggested_learning_rates: dict[str, float] = Field(default_factory=dict)


class DatasetInfo(BaseModel):
    name: str
    summary: str
    source: Literal["seed", "synthetic", "bundled"]


class LimitsInfo(BaseModel):
    max_body_bytes: int
    max_steps: int
    max_optimizers: int
    max_resolution: int
    max_dim: int
    max_expression: int
    time_budget_s: float


class CatalogResponse(BaseModel):
    problems: list[ProblemInfo]
    optimizers: list[OptimizerInfo]
    schedules: list[ScheduleInfo]
    datasets: list[DatasetInfo]
    functions: list[str] = Field(description="functions an expression may call")
    limits: LimitsInfo


class Internals(BaseModel):
    """Optimizer state at each row of the path (row k: after k updates)."""

    momentum: list[list[float]] | None = Field(
        default=None, description="the momentum / first-moment vector (slot mu or momentum_buffer)"
    )
    momentum_slot: str | None = None
    scale: list[list[float]] | None = Field(
        default=None,
        description="the RMS scale √s of the second-moment slot (nu, sum_of_squares, …)",
    )
    scale_slot: str | None = None


class RunInfo(BaseModel):
    name: str
    label: str
    hyperparams: dict[str, float | bool | None]
    status: Status
    diverged: bool
    message: str
    nit: int
    x: list[float]
    fun: Number
    path: list[list[float]]
    loss: list[Number]
    grad_norm: list[Number]
    learning_rate: list[Number]
    internals: Internals | None = None


class RunResponse(BaseModel):
    problem: ProblemInfo
    runs: list[RunInfo]
    elapsed_ms: float


class SurfaceResponse(BaseModel):
    """z[i][j] = f(x[j], y[i]); for one variable, y is empty and z has one row."""

    problem: ProblemInfo
    x: list[float]
    y: list[float]
    z: list[list[Number]]
    z_min: Number
    z_max: Number


class ScheduleResponse(BaseModel):
    schedule: dict[str, object]
    step: list[int]
    learning_rate: list[float]


class EwaCurve(BaseModel):
    beta: float
    window: float = Field(description="about how many values the average spans, 1/(1 − β)")
    average: list[float]
    corrected: list[float]


class EwaResponse(BaseModel):
    t: list[int]
    values: list[float]
    curves: list[EwaCurve]


class DataInfo(BaseModel):
    name: str
    description: str
    x: list[float] = Field(description="the input each sample is plotted at")
    y: list[float]
    parameters: list[str] = Field(description="names of the fitted parameters, in order")
    powers: list[int] = Field(description="ŷ(x) = Σᵢ θᵢ·x^powersᵢ")
    truth: list[float] | None = None
    start: list[float]


class FitRun(BaseModel):
    label: str
    batch_size: int | None
    updates_per_epoch: int
    status: Status
    diverged: bool
    message: str
    nit: int
    x: list[float]
    fun: Number
    stride: int = Field(description="path and loss keep every stride-th update (and the last)")
    update: list[int]
    path: list[list[float]] = Field(description="the parameters before each kept update")
    loss: list[Number] = Field(description="the batch loss before each kept update")
    epoch_update: list[int]
    epoch_loss: list[Number] = Field(description="the loss on all the data after each epoch")


class LossGrid(BaseModel):
    x: list[float]
    y: list[float]
    z: list[list[Number]]


class FitResponse(BaseModel):
    data: DataInfo
    runs: list[FitRun]
    surface: LossGrid | None = Field(
        default=None, description="loss over the two parameters, if two"
    )
    elapsed_ms: float

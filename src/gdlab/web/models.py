"""The JSON the playground reads: pydantic models of every request (layer L5).

Requests are strict (unknown fields refused, no NaN or infinity, every list and string bounded
by `gdlab.web.limits`).  Names (problems, optimizers, schedules) are listed in the schema from
the catalog and checked against it when the work is built, so the message of a bad name lists
the good ones.  The answers are in `gdlab.web.responses`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from gdlab import catalog
from gdlab.web import limits

Coordinate = Annotated[float, Field(ge=-limits.MAX_COORDINATE, le=limits.MAX_COORDINATE)]
Point = Annotated[list[Coordinate], Field(min_length=1, max_length=limits.MAX_DIM)]
Interval = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]
Name = Annotated[str, Field(min_length=1, max_length=limits.MAX_NAME)]


def _one_of(names: Iterable[str]) -> Any:
    """A name field whose schema lists the catalog's names (the services check them)."""
    enum: list[JsonValue] = list(names)
    return Field(min_length=1, max_length=limits.MAX_NAME, json_schema_extra={"enum": enum})


ProblemName = Annotated[str, _one_of(catalog.PROBLEMS)]
OptimizerName = Annotated[str, _one_of(catalog.OPTIMIZERS)]
ScheduleName = Annotated[str, _one_of(catalog.SCHEDULE_NAMES)]
HyperValue = float | bool
Milestones = Annotated[list[Annotated[int, Field(ge=0, le=10**6)]], Field(max_length=32)]


class Request(BaseModel):
    """Base of every request body: strict about unknown fields and non-finite numbers."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# ---------------------------------------------------------------- requests


class ProblemSpec(Request):
    """A built-in problem by `name` (with optional `params`) or an `expression` in x, y, …"""

    name: ProblemName | None = Field(default=None, description="a built-in problem")
    params: dict[Name, float] = Field(
        default_factory=dict,
        max_length=limits.MAX_HYPERPARAMS,
        description='parameters of a built-in problem, e.g. {"condition": 100}',
    )
    expression: str | None = Field(
        default=None,
        min_length=1,
        max_length=limits.MAX_EXPRESSION,
        description="f in the variables, e.g. 'x**2 + 10*y**2' (the safe parser's grammar)",
    )
    window: list[Interval] | None = Field(
        default=None,
        min_length=1,
        max_length=limits.MAX_DIM,
        description="(low, high) per variable",
    )

    @model_validator(mode="after")
    def _one_source(self) -> ProblemSpec:
        if (self.name is None) == (self.expression is None):
            raise ValueError("give exactly one of problem.name and problem.expression")
        if self.expression is not None and self.params:
            raise ValueError("params apply to a named problem, not to an expression")
        return self


class ScheduleSpec(Request):
    """A learning-rate schedule whose peak is each optimizer's own learning rate."""

    name: ScheduleName = Field(description="a schedule (public or short name)")
    params: dict[Name, float | bool | str | Milestones] = Field(
        default_factory=dict,
        max_length=limits.MAX_HYPERPARAMS,
        description='the schedule\'s other parameters, e.g. {"decay_rate": 0.5}',
    )


class OptimizerSpec(Request):
    """One optimizer of a comparison: its name, hyper-parameters and a label for the legend."""

    name: OptimizerName = Field(description="an optimizer")
    hyperparams: dict[Name, HyperValue] = Field(
        default_factory=dict,
        max_length=limits.MAX_HYPERPARAMS,
        description="learning_rate (default: one suited to the problem), beta, rho, beta1, …",
    )
    label: str | None = Field(default=None, max_length=limits.MAX_NAME)


class RunRequest(Request):
    """Run several optimizers on one problem from one start point."""

    problem: ProblemSpec
    start: Point | None = Field(default=None, description="x0; default: the problem's start point")
    steps: int = Field(200, ge=0, le=limits.MAX_STEPS)
    optimizers: list[OptimizerSpec] = Field(min_length=1, max_length=limits.MAX_OPTIMIZERS)
    schedule: ScheduleSpec | None = None
    internals: bool = Field(True, description="return the momentum and RMS-scale vectors")


class SurfaceRequest(Request):
    """f on a regular grid over the window, for contours and the 3-D view."""

    problem: ProblemSpec
    resolution: int = Field(81, ge=limits.MIN_RESOLUTION, le=limits.MAX_RESOLUTION)


class ScheduleRequest(Request):
    """The learning rate α_t of a schedule for t = 0 … steps − 1."""

    schedule: ScheduleSpec
    learning_rate: float = Field(0.1, gt=0, le=10)
    steps: int = Field(200, ge=1, le=limits.MAX_STEPS)


class EwaRequest(Request):
    """The EWA figure of seed 001 §3–4: a series and its averages for several β."""

    series: Literal["temperature", "constant", "step"] = "temperature"
    points: int = Field(200, ge=2, le=limits.MAX_EWA_POINTS)
    betas: list[Annotated[float, Field(ge=0, lt=1)]] = Field(
        default_factory=lambda: [0.5, 0.9, 0.98], min_length=1, max_length=limits.MAX_BETAS
    )
    seed: int = Field(0, ge=0, le=2**32 - 1)


class DataSpec(Request):
    """A regression data set of the data tab; options go to the synthetic makers."""

    name: Literal["seed002", "seed000", "linear", "polynomial"] = "seed002"
    n_samples: int | None = Field(default=None, ge=2, le=limits.MAX_SAMPLES)
    noise: float | None = Field(default=None, ge=0, le=10)
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)


BatchSize = Annotated[int, Field(ge=1, le=limits.MAX_SAMPLES)] | None


class FitRequest(Request):
    """Fit the data set's model by batch (null), stochastic (1) and mini-batch (k) descent."""

    data: DataSpec = Field(default_factory=lambda: DataSpec())
    optimizer: OptimizerSpec = Field(
        default_factory=lambda: OptimizerSpec(
            name="sgd", hyperparams={"learning_rate": 0.05}, label=None
        )
    )
    batch_sizes: list[BatchSize] = Field(
        default_factory=lambda: [None, 1, 2], min_length=1, max_length=limits.MAX_FITS
    )
    epochs: int = Field(50, ge=1, le=limits.MAX_EPOCHS)
    seed: int = Field(0, ge=0, le=2**32 - 1, description="seed of the shuffles")

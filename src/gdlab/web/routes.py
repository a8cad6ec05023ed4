"""The JSON API: one short route per figure of the page (layer L5).

    GET  /api/catalog    problems, optimizers, schedules, data sets, limits
    POST /api/run        several optimizers on one problem: paths, losses, internals
    POST /api/surface    f on a grid over the window (contours, the 3-D view)
    POST /api/schedule   α_t of a schedule
    POST /api/ewa        the EWA figure, raw and bias-corrected
    POST /api/fit        batch / stochastic / mini-batch descent on a data set

Routes are plain `def`s: FastAPI runs them on its worker threads, and each bounds its own
work (`gdlab.web.limits`).  Large responses are serialised once, by pydantic, to JSON bytes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from gdlab import catalog
from gdlab.problems.expressions import FUNCTIONS
from gdlab.web import building, figures, fitting, limits, runs
from gdlab.web.building import ExpressionCache
from gdlab.web.errors import RESPONSES
from gdlab.web.limits import Settings
from gdlab.web.models import EwaRequest, FitRequest, RunRequest, ScheduleRequest, SurfaceRequest
from gdlab.web.responses import (
    CatalogResponse,
    DatasetInfo,
    EwaResponse,
    FitResponse,
    LimitsInfo,
    OptimizerInfo,
    ParameterInfo,
    RunResponse,
    ScheduleInfo,
    ScheduleResponse,
    SurfaceResponse,
)

router = APIRouter(prefix="/api", responses=RESPONSES)


def json_response(model: BaseModel) -> Response:
    """The model as JSON bytes, skipping FastAPI's second validation of our own output."""
    return Response(model.model_dump_json(), media_type="application/json")


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _cache(request: Request) -> ExpressionCache:
    cache: ExpressionCache = request.app.state.expressions
    return cache


@router.get("/catalog", response_model=CatalogResponse)
def get_catalog(request: Request) -> Response:
    """Everything the page offers, with each parameter's default, range and symbol."""
    body: bytes = request.app.state.catalog_json
    return Response(body, media_type="application/json")


@router.post("/run", response_model=RunResponse)
def post_run(body: RunRequest, request: Request) -> Response:
    """Run each optimizer from the start point; divergence is reported per optimizer."""
    answer = runs.run(
        body, _cache(request), request.app.state.runs, _settings(request).time_budget_s
    )
    return json_response(answer)


@router.post("/surface", response_model=SurfaceResponse)
def post_surface(body: SurfaceRequest, request: Request) -> Response:
    """f on a resolution × resolution grid over the window (a curve for one variable)."""
    return json_response(figures.surface(body, _cache(request)))


@router.post("/schedule", response_model=ScheduleResponse)
def post_schedule(body: ScheduleRequest) -> Response:
    """The learning rate α_t of a schedule for t = 0 … steps − 1."""
    return json_response(figures.schedule_curve(body))


@router.post("/ewa", response_model=EwaResponse)
def post_ewa(body: EwaRequest) -> Response:
    """A series and its exponentially weighted averages, with and without bias correction."""
    return json_response(figures.ewa_figure(body))


@router.post("/fit", response_model=FitResponse)
def post_fit(body: FitRequest, request: Request) -> Response:
    """Fit a data set by batch, stochastic and mini-batch descent with one optimizer."""
    return json_response(fitting.fit_all(body, _settings(request).time_budget_s))


# ---------------------------------------------------------------- the catalog


def _parameter(parameter: catalog.Parameter) -> ParameterInfo:
    default: Any = parameter.default
    if isinstance(default, tuple):
        default = list(default)
    return ParameterInfo(
        name=parameter.name,
        symbol=parameter.symbol,
        kind=parameter.kind,  # type: ignore[arg-type]
        default=default,
        low=parameter.low,
        high=parameter.high,
        log=parameter.log,
        choices=list(parameter.choices) or None,
    )


def catalog_response(settings: Settings) -> CatalogResponse:
    names = tuple(catalog.OPTIMIZERS)
    return CatalogResponse(
        problems=[building.describe(catalog.problem(name), names) for name in catalog.PROBLEMS],
        optimizers=[
            OptimizerInfo(
                name=e.name, summary=e.summary, parameters=[_parameter(p) for p in e.parameters]
            )
            for e in catalog.OPTIMIZERS.values()
        ],
        schedules=[
            ScheduleInfo(
                name=e.name,
                short=e.short,
                summary=e.summary,
                rate=e.rate,
                length=e.length,
                needs_metric=e.needs_metric,
                parameters=[_parameter(p) for p in e.parameters],
            )
            for e in catalog.SCHEDULES.values()
        ],
        datasets=[
            DatasetInfo(name=e.name, summary=e.summary, source=e.source)  # type: ignore[arg-type]
            for e in catalog.DATASETS.values()
        ],
        functions=list(FUNCTIONS),
        limits=LimitsInfo(
            max_body_bytes=limits.MAX_BODY_BYTES,
            max_steps=limits.MAX_STEPS,
            max_optimizers=limits.MAX_OPTIMIZERS,
            max_resolution=limits.MAX_RESOLUTION,
            max_dim=limits.MAX_DIM,
            max_expression=limits.MAX_EXPRESSION,
            time_budget_s=settings.time_budget_s,
        ),
    )

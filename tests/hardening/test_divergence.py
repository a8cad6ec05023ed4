"""Non-finite losses or gradients in the middle of a run: status "diverged", a message that
names the step and the learning rate, and the last finite parameters — never a silent NaN."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import gdlab as gd
from gdlab import kernels, schedules
from gdlab.cli import app


class Poisoned:
    """f(x) = ½‖x‖², whose loss (or gradient) turns `value` at evaluation number `at`."""

    def __init__(self, at: int, value: float, part: str = "loss") -> None:
        self.at, self.value, self.part, self.calls = at, value, part, 0

    def value_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        self.calls += 1
        loss, grad = 0.5 * float(x @ x), x.copy()
        if self.calls - 1 == self.at:
            if self.part == "loss":
                loss = self.value
            else:
                grad[0] = self.value
        return loss, grad


@pytest.mark.parametrize(
    ("value", "part", "problem"),
    [
        (math.nan, "loss", "the loss is nan"),
        (math.inf, "loss", "the loss is inf"),
        (-math.inf, "loss", "the loss is -inf"),
        (math.nan, "grad", "the gradient is not finite"),
        (math.inf, "grad", "the gradient is not finite"),
    ],
)
@pytest.mark.parametrize("size", [3, kernels.FUSED_FROM])  # the reference and the fused path
def test_minimize_stops_at_the_poisoned_step(value, part, problem, size):
    x0 = np.linspace(1.0, 2.0, size)
    result = gd.minimize(Poisoned(7, value, part), x0, optimizer=gd.sgd(0.25), steps=20)
    assert result.status == "diverged" and result.nit == 6
    assert result.message.startswith(f"diverged at step 7 with learning rate 0.25: {problem}")
    np.testing.assert_allclose(result.x, x0 * 0.75**6)  # the last point whose loss was finite
    assert np.all(np.isfinite(result.history.loss)) and len(result.history) == 7


def test_minimize_names_the_scheduled_rate_of_the_last_update():
    optimizer = gd.adam(schedules.exponential_decay(0.1, 0.5))
    result = gd.minimize(Poisoned(4, math.nan), [1.0, -1.0], optimizer=optimizer, steps=10)
    assert "diverged at step 4 with learning rate 0.0125:" in result.message  # 0.1·0.5³


def test_minimize_reports_parameters_that_overflow():
    result = gd.minimize(lambda x: float(x @ x), [1.0], grad=lambda x: 1e307 * x,
                         optimizer=gd.sgd(1e3), steps=5)  # fmt: skip
    assert result.status == "diverged"
    assert "with learning rate 1000: the parameters became non-finite" in result.message
    assert np.all(np.isfinite(result.x))


@dataclass(frozen=True)
class PoisonedModel:
    """gd.models.LinearRegression whose batch loss or gradient turns `value` at update `at`
    (evaluations on all the data, for the epoch's full loss, are left alone)."""

    at: int
    value: float
    part: str = "loss"
    n_samples: int = 40
    calls: list = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "calls", [0])
        object.__setattr__(self, "inner", gd.models.LinearRegression())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["inner"], name)

    def value_and_grad(self, params: Any, X: Any, y: Any) -> tuple[float, np.ndarray]:
        loss, grad = self.__dict__["inner"].value_and_grad(params, X, y)
        if len(X) == self.n_samples:  # the start's loss, the full loss
            return loss, grad
        self.calls[0] += 1
        if self.calls[0] - 1 == self.at:
            if self.part == "loss":
                return self.value, grad
            grad = grad.copy()
            grad[0] = self.value
        return loss, grad


def linear(n: int = 40):
    ds = gd.data.make_linear(n_samples=n, n_features=3, seed=0)
    return ds.X, ds.y


@pytest.mark.parametrize(
    ("value", "part", "problem"),
    [(math.nan, "loss", "the loss is nan"), (math.inf, "grad", "the gradient is not finite")],
)
def test_fit_stops_at_the_poisoned_update(value, part, problem):
    X, y = linear()
    model = PoisonedModel(13, value, part)
    result = gd.fit(model, X, y, optimizer=gd.sgd(0.05), batch_size=8, epochs=10, seed=1)
    assert result.status == "diverged" and result.nit == 12
    assert result.message.startswith(
        f"diverged at update 13 (epoch 2) with learning rate 0.05: {problem}"
    )
    assert np.all(np.isfinite(result.x)) and math.isfinite(result.fun)
    assert len(result.history) == 13 and np.all(np.isfinite(result.history.loss))


def test_fit_names_the_scheduled_rate():
    X, y = linear()
    optimizer = gd.sgd(schedules.step_decay(0.1, 5, gamma=0.5))
    result = gd.fit(PoisonedModel(12, math.nan), X, y, optimizer=optimizer, batch_size=8,
                    epochs=10)  # fmt: skip
    assert "diverged at update 12 (epoch 2) with learning rate 0.025:" in result.message


def test_fit_with_validation_and_full_loss_stops_blowing_up_with_the_rate():
    X, y = linear()
    result = gd.fit(gd.models.LinearRegression(), X, y, optimizer=gd.sgd(3.0), epochs=200,
                    validation_data=(X[:5], y[:5]), full_loss=True)  # fmt: skip
    assert result.status == "diverged"
    assert "with learning rate 3:" in result.message and np.all(np.isfinite(result.x))


def test_the_command_line_exits_1_on_divergence_with_the_message():
    result = CliRunner().invoke(
        app, ["minimize", "rosenbrock", "-O", "sgd:lr=1", "--steps", "50", "--json"]
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["status"] == "diverged"
    assert "with learning rate 1:" in document["message"]
    assert result.stderr.strip() == "gdlab: diverged: run"

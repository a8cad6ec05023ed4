"""compare: equal budgets from one start, steps to tolerance; internals read from the state."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gdlab as gd
from gdlab import experiments, schedules


def test_compare_runs_each_optimizer_alone_from_the_same_start() -> None:
    problem = gd.problems.get("rosenbrock")
    runs = {"gd": gd.sgd(0.001), "heavy ball": gd.sgd(0.001, momentum=0.9), "adam": gd.adam(0.1)}
    found = experiments.compare(problem, runs, start=[-1.0, 1.5], steps=200)
    assert [run.label for run in found.runs] == list(runs)
    for run, optimizer in zip(found.runs, runs.values(), strict=True):
        alone = gd.minimize(problem, [-1.0, 1.5], optimizer=optimizer, steps=200)
        assert run.result.x.tolist() == alone.x.tolist()
        assert run.result.nit == 200 and run.seconds > 0
        assert run.result.history.x[0].tolist() == [-1.0, 1.5]


def test_steps_to_tolerance_closed_form() -> None:
    # f = ½(x² + 10y²) from (−1.5, 1.5), α = 0.1: y is 0 after one step, x = −1.5·0.9^k,
    # so f_k = ½·2.25·0.81^k ≤ tol first at k = ⌈log(tol/1.125)/log 0.81⌉.
    problem = gd.problems.get("quadratic")
    for tol in (1e-2, 1e-6, 1e-10):
        found = experiments.compare(problem, {"sgd": gd.sgd(0.1)}, steps=300, tolerance=tol)
        expected = math.ceil(math.log(tol / 1.125) / math.log(0.81))
        assert found.runs[0].steps_to_tolerance == expected
    assert experiments.steps_to_tolerance(np.array([3.0, 2.0]), math.nan, 1.0) is None
    assert experiments.steps_to_tolerance(np.array([3.0, 2.0]), 0.0, 1.0) is None


def test_comparison_dict_and_csv() -> None:
    problem = gd.problems.get("booth")
    found = experiments.compare(problem, {"a": gd.adam(0.5), "b": gd.sgd(1.0)}, steps=10)
    document = found.to_dict()
    assert document["minimum"] == 0.0 and document["start"] == list(problem.start)
    statuses = [run["status"] for run in document["runs"]]
    assert statuses == ["max_steps", "diverged"] and [r.label for r in found.diverged] == ["b"]
    lines = found.to_csv().splitlines()
    assert lines[0] == "optimizer,step,loss,grad_norm,learning_rate,x_0,x_1"
    assert lines[1].startswith("a,0,") and len(lines) == 1 + 11 + len(found.runs[1].result.history)


def test_compare_checks_its_input() -> None:
    problem = gd.problems.get("booth")
    with pytest.raises(ValueError, match="at least one optimizer"):
        experiments.compare(problem, {})
    with pytest.raises(ValueError, match="start must have 2 coordinates for booth, got 3"):
        experiments.compare(problem, {"a": gd.adam(0.1)}, start=[1, 2, 3])
    with pytest.raises(ValueError, match="start must be finite"):
        experiments.start_point(problem, [1.0, math.inf])


def test_plain_hyperparams_describe_schedules() -> None:
    optimizer = gd.sgd(schedules.cosine(0.1, total_steps=10))
    assert experiments.plain_hyperparams(optimizer)["learning_rate"] == {
        "name": "cosine", "init_value": 0.1, "total_steps": 10, "end_value": 0.0,
    }  # fmt: skip


def _gradients(problem, path: np.ndarray) -> np.ndarray:
    return problem.grad(path[:-1])


def test_internals_of_the_seeds_momentum_are_the_ewa_of_gradients() -> None:
    problem = gd.problems.get("rosenbrock")
    run = experiments.trace_internals(problem, gd.momentum(0.001, beta=0.9), steps=30)
    assert run.step_scale is None
    expected = gd.ewa(0.9, debias=False).series(_gradients(problem, run.path))
    np.testing.assert_array_equal(run.momentum, expected)


def test_internals_of_adam_are_its_moments_and_its_step_scale() -> None:
    problem = gd.problems.get("booth")
    run = experiments.trace_internals(problem, gd.adam(0.1, beta2=0.99, eps=1e-8), steps=25)
    grads = _gradients(problem, run.path)
    np.testing.assert_array_equal(run.momentum, gd.ewa(0.9, debias=False).series(grads))
    second = gd.ewa(0.99).series(grads**2)  # bias-corrected v̂
    np.testing.assert_allclose(run.step_scale, 1 / (np.sqrt(second) + 1e-8), rtol=1e-12)


def test_internals_of_rmsprop_adagrad_and_plain_gd() -> None:
    problem = gd.problems.get("quadratic")
    rms = experiments.trace_internals(problem, gd.rmsprop(0.01, rho=0.9), steps=10)
    grads = _gradients(problem, rms.path)
    raw = gd.ewa(0.9, debias=False).series(grads**2)
    np.testing.assert_allclose(rms.step_scale, 1 / (np.sqrt(raw) + 1e-8), rtol=1e-12)
    ada = experiments.trace_internals(problem, gd.adagrad(0.1), steps=10)
    total = np.cumsum(_gradients(problem, ada.path) ** 2, axis=0)
    np.testing.assert_allclose(ada.step_scale, 1 / (np.sqrt(total) + 1e-10), rtol=1e-12)
    plain = experiments.trace_internals(problem, gd.sgd(0.1), steps=5)
    assert plain.momentum is None and plain.step_scale is None and len(plain.path) == 6

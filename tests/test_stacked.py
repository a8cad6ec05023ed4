"""gdlab.stacked: K runs in one (K, n) array equal K separate gd.minimize runs, row by row."""

import dataclasses

import numpy as np
import pytest

import gdlab as gd
from gdlab.base import Rule, Transform, chain
from gdlab.problems.problem import Problem
from gdlab.stacked import minimize_stacked, optimizer_grid


def valley_value(x):
    """A Rosenbrock-like valley with products only (NumPy's scalar and array paths agree)."""
    u, v = x[..., 0], x[..., 1]
    return (1 - u) * (1 - u) + 10 * (v - u * u) * (v - u * u)


def valley_grad(x):
    u, v = x[..., 0], x[..., 1]
    return np.stack([-2 * (1 - u) - 40 * u * (v - u * u), 20 * (v - u * u)], axis=-1)


VALLEY = Problem(
    "valley", 2, valley_value, valley_grad, ((1.0, 1.0),), 0.0, ((-2, 2), (-1, 3)), (-1.5, 2.0), ""
)
START = np.array([-1.5, 2.0])


def assert_row_equals_minimize(runs, row, optimizer, x0=START, **criteria):
    expected = gd.minimize(VALLEY, x0, optimizer=optimizer, steps=criteria.pop("steps"), **criteria)
    got = runs.result(row)
    assert (got.status, got.nit, got.message) == (
        expected.status,
        expected.nit,
        expected.message,
    )
    np.testing.assert_array_equal(got.x, expected.x)
    assert got.fun == expected.fun
    np.testing.assert_array_equal(got.history.x, expected.history.x)
    np.testing.assert_array_equal(got.history.loss, expected.history.loss)
    np.testing.assert_array_equal(got.history.learning_rate, expected.history.learning_rate)
    np.testing.assert_allclose(got.history.grad_norm, expected.history.grad_norm, rtol=1e-14)


RECIPES = {
    "adam": lambda rate: gd.adam(rate),
    "sgd momentum nesterov": lambda rate: gd.sgd(rate, momentum=0.9, nesterov=True),
    "rmsprop centered": lambda rate: gd.rmsprop(rate, centered=True, momentum=0.3),
    "nadam": lambda rate: gd.nadam(rate),
    "radam": lambda rate: gd.radam(rate),
    "clipped adam": lambda rate: chain(gd.clip_by_global_norm(2.0), gd.adam(rate)),
    "adam on a schedule": lambda rate: gd.adam(gd.schedules.cosine(rate, total_steps=80)),
}


@pytest.mark.parametrize("recipe", RECIPES)
def test_each_row_is_the_separate_run(recipe):
    """Small rates converge slowly, large ones diverge: every row as gd.minimize says."""
    rates = [1e-4, 3e-3, 0.03, 0.3, 3.0, 300.0]
    optimizers = [RECIPES[recipe](rate) for rate in rates]
    runs = minimize_stacked(VALLEY, START, optimizers, steps=80)
    assert runs.x.shape == (6, 2)
    for row, optimizer in enumerate(optimizers):
        assert_row_equals_minimize(runs, row, optimizer, steps=80)
    assert set(runs.status.tolist()) == {"max_steps", "diverged"}


def test_a_diverged_row_stops_while_the_others_go_on():
    optimizers = [gd.sgd(rate) for rate in (1e-3, 1.0, 1e-2)]
    runs = minimize_stacked(VALLEY, START, optimizers, steps=50)
    assert runs.status.tolist() == ["max_steps", "diverged", "max_steps"]
    assert runs.nit[1] < 50 and np.isfinite(runs.x).all()
    assert "learning rate 1" in runs.message[1]
    assert np.isnan(runs.losses[runs.nit[1] + 1 :, 1]).all()
    assert np.isfinite(runs.losses[:, 0]).all()


@pytest.mark.parametrize("criterion", [{"target": 1.0}, {"gtol": 2.0}, {"xtol": 1e-3}])
def test_criteria_stop_each_row_at_its_own_step(criterion):
    rates = [1e-3, 1e-2, 5e-2]
    runs = minimize_stacked(VALLEY, START, [gd.adam(r) for r in rates], steps=400, **criterion)
    for row, rate in enumerate(rates):
        assert_row_equals_minimize(runs, row, gd.adam(rate), steps=400, **criterion)
    assert "converged" in runs.status.tolist()


def test_float32_rows_stay_float32_and_equal_the_separate_runs():
    x0 = START.astype(np.float32)
    runs = minimize_stacked(VALLEY, x0, [gd.adam(0.01)] * 2, steps=60)
    assert runs.x.dtype == np.float32 and runs.path.dtype == np.float32
    assert_row_equals_minimize(runs, 1, gd.adam(0.01), x0=x0, steps=60)


def test_one_start_per_row():
    starts = np.array([[-1.5, 2.0], [0.0, 0.0], [2.0, -1.0]])
    runs = minimize_stacked(VALLEY, starts, [gd.adam(0.05)] * 3, steps=30)
    for row in range(3):
        assert_row_equals_minimize(runs, row, gd.adam(0.05), x0=starts[row], steps=30)


def test_a_factory_and_a_grid_make_every_combination():
    runs = minimize_stacked(
        VALLEY, START, gd.adam, grid={"learning_rate": [0.01, 0.1], "beta1": [0.5, 0.9]}, steps=20
    )
    assert [point for point in runs.grid] == [
        {"learning_rate": 0.01, "beta1": 0.5},
        {"learning_rate": 0.01, "beta1": 0.9},
        {"learning_rate": 0.1, "beta1": 0.5},
        {"learning_rate": 0.1, "beta1": 0.9},
    ]
    assert runs.result(2).info == {"grid": {"learning_rate": 0.1, "beta1": 0.5}}
    assert_row_equals_minimize(runs, 2, gd.adam(0.1, beta1=0.5), steps=20)
    points, optimizers = optimizer_grid(gd.sgd, {"learning_rate": [0.1], "momentum": [0.0, 0.9]})
    assert len(points) == len(optimizers) == 2 and optimizers[1].hyperparams["momentum"] == 0.9


def test_a_plain_vectorised_function_with_its_gradient():
    runs = minimize_stacked(valley_value, START, [gd.adam(0.05)], grad=valley_grad, steps=10)
    assert_row_equals_minimize(runs, 0, gd.adam(0.05), steps=10)


def test_results_export_every_row():
    runs = minimize_stacked(VALLEY, START, [gd.sgd(0.001), gd.sgd(0.002)], steps=5)
    results = runs.results()
    assert len(results) == len(runs) == 2
    assert results[1].history.learning_rate.tolist() == [0.002] * 6


def test_static_rules_compute_their_coefficients_once():
    """A Rule that declares `static` (coefficients free of count and carry) is asked once."""
    calls = []

    @dataclasses.dataclass(frozen=True)
    class StaticRule(Rule):
        static: bool = True

    def coefficients(count, carry):
        calls.append(count)
        return (-0.01,), carry

    rule = StaticRule(lambda g, p, factor: (factor * g,), coefficients=coefficients)
    step = Transform(lambda p: None, lambda g, s, p: (g, s), "descend", {"rate": 0.01}, rule=rule)
    minimize_stacked(VALLEY, START, [step, step], steps=10)
    assert calls == [0]


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"optimizers": [gd.adam(0.1), gd.sgd(0.1)]}, ValueError, "one recipe"),
        ({"optimizers": []}, ValueError, "at least one"),
        ({"optimizers": gd.adam(0.1)}, TypeError, "sequence"),
        ({"optimizers": gd.adam}, TypeError, "grid="),
        ({"optimizers": [gd.adam(0.1)], "grid": {"beta1": [0.9]}}, TypeError, "factory"),
        ({"optimizers": [gd.adam(0.1), "adam"]}, TypeError, r"optimizers\[1\]"),
        ({"optimizers": [gd.adam(0.1)], "x0": np.zeros((3, 2))}, ValueError, "one row per"),
        ({"optimizers": [gd.adam(0.1)], "fun": valley_value}, TypeError, "analytic gradient"),
        ({"optimizers": [gd.adam(0.1)], "x0": [np.inf, 0.0]}, ValueError, "finite"),
    ],
)
def test_inputs_are_checked_with_precise_messages(arguments, error, match):
    call = {"fun": VALLEY, "x0": START, "steps": 3, **arguments}
    with pytest.raises(error, match=match):
        minimize_stacked(call.pop("fun"), call.pop("x0"), call.pop("optimizers"), **call)


def test_links_without_rules_cannot_be_stacked():
    doubling = Transform(lambda p: (), lambda g, s, p: (2 * g, s), "doubling")
    with pytest.raises(ValueError, match="elementwise"):
        minimize_stacked(VALLEY, START, [chain(doubling, gd.sgd(0.1))], steps=3)


def test_a_row_that_cannot_start_is_named():
    with pytest.raises(ValueError, match="cannot start row 1"):
        minimize_stacked(VALLEY, [[0.0, 0.0], [1e200, 0.0]], [gd.sgd(0.1)] * 2, steps=3)

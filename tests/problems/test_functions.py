"""The named test functions: formulas, gradients, minima, vectorisation, dtypes, registry."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdlab.gradcheck import central_difference, check_grad
from gdlab.problems.functions import get, names
from gdlab.problems.problem import Problem

VARIANTS = [(name, {}) for name in names()] + [
    ("quadratic", {"condition": 1000.0, "dim": 5}),
    ("quadratic", {"condition": 1.0, "dim": 1}),
    ("rosenbrock", {"a": 2.0, "b": 10.0}),
    ("rastrigin", {"dim": 4, "amplitude": 3.0}),
    ("styblinski_tang", {"dim": 3}),
    ("ackley", {"dim": 3}),
]
IDS = [name + "".join(f"-{k}={v}" for k, v in params.items()) for name, params in VARIANTS]


@pytest.fixture(params=VARIANTS, ids=IDS)
def problem(request: pytest.FixtureRequest) -> Problem:
    name, params = request.param
    return get(name, **params)


def uniform_in_window(problem: Problem, rng: np.random.Generator, shape: tuple[int, ...]):
    low, high = np.array(problem.window).T
    return low + (high - low) * rng.random((*shape, problem.dim))


def test_names_are_the_documented_problems():
    assert set(names()) == {
        "parabola", "x_cos_pi_x", "quadratic", "booth", "rosenbrock", "beale", "himmelblau",
        "six_hump_camel", "goldstein_price", "styblinski_tang", "rastrigin", "ackley",
        "saddle", "monkey_saddle", "plateau",
    }  # fmt: skip
    assert len(names()) == len(set(names()))
    assert all(get(name).name == name for name in names())


# --- formulas at hand-computed points ----------------------------------------------------------

HAND_VALUES = [
    ("parabola", {}, (-1.0,), 1.0),
    ("x_cos_pi_x", {}, (1.0,), -1.0),
    ("x_cos_pi_x", {}, (2.0,), 2.0),
    ("quadratic", {}, (1.0, 1.0), 0.5 * (1 + 10)),
    ("quadratic", {"condition": 100.0, "dim": 3}, (1.0, 1.0, 2.0), 0.5 * (1 + 10 + 100 * 4)),
    ("booth", {}, (0.0, 0.0), 49.0 + 25.0),
    ("rosenbrock", {}, (0.0, 0.0), 1.0),
    ("rosenbrock", {}, (-1.2, 1.0), 2.2**2 + 100 * 0.44**2),
    ("rosenbrock", {"a": 2.0, "b": 10.0}, (0.0, 1.0), 4.0 + 10.0),
    ("beale", {}, (0.0, 0.0), 1.5**2 + 2.25**2 + 2.625**2),
    ("beale", {}, (1.0, 1.5), 2.0**2 + 3.5**2 + 5.0**2),
    ("himmelblau", {}, (0.0, 0.0), 121.0 + 49.0),
    ("six_hump_camel", {}, (1.0, 1.0), (4 - 2.1 + 1 / 3) + 1.0),
    ("goldstein_price", {}, (0.0, 0.0), 20.0 * 30.0),
    ("goldstein_price", {}, (1.8, 0.2), 84.0),
    ("styblinski_tang", {}, (1.0, 1.0), -10.0),
    ("styblinski_tang", {"dim": 3}, (0.0, 0.0, 2.0), 0.5 * (16 - 64 + 10)),
    ("rastrigin", {}, (0.5, 0.0), 0.25 + 20.0),
    ("rastrigin", {"dim": 3, "amplitude": 2.0}, (1.0, 0.5, 0.0), 1.0 + 0.25 + 4.0),
    ("ackley", {}, (1.0, 1.0), 20.0 * (1 - math.exp(-0.2))),
    ("ackley", {}, (0.5, -0.5), 20.0 * (1 - math.exp(-0.1)) + math.e * (1 - math.exp(-2.0))),
    ("saddle", {}, (1.0, 2.0), -3.0),
    ("monkey_saddle", {}, (1.0, 1.0), -2.0),
    ("monkey_saddle", {}, (2.0, 0.0), 8.0),
    ("plateau", {}, (0.0, 2.0), 2.0),
    ("plateau", {}, (1.0, 0.0), math.tanh(1.0) ** 2),
]


@pytest.mark.parametrize(("name", "params", "point", "expected"), HAND_VALUES)
def test_value_at_hand_computed_points(name, params, point, expected):
    assert get(name, **params).value(np.array(point)) == pytest.approx(expected, rel=1e-13)


def test_every_problem_has_a_hand_computed_value():
    assert {name for name, *_ in HAND_VALUES} == set(names())


# --- gradients --------------------------------------------------------------------------------


def test_gradient_matches_central_differences_across_the_window(problem):
    rng = np.random.default_rng(20240601)
    for x in uniform_in_window(problem, rng, (200,)):
        scale = max(1.0, abs(float(problem.value(x))))
        result = check_grad(problem.value, problem.grad, x, rtol=1e-6, atol=1e-9 * scale)
        assert result.ok, f"{problem.name} at {x}: {result}"


def test_a_slightly_wrong_gradient_is_caught(problem):
    def wrong(x):
        return problem.grad(x) * 1.001

    x = np.array(problem.start)
    scale = max(1.0, abs(float(problem.value(x))))
    assert not check_grad(problem.value, wrong, x, rtol=1e-6, atol=1e-9 * scale).ok


# --- minima and other critical points ---------------------------------------------------------


def test_value_at_the_minima_is_the_minimum(problem):
    for point in problem.minima:
        value = float(problem.value(np.array(point)))
        assert value == pytest.approx(problem.minimum, rel=1e-14, abs=1e-14)


def test_gradient_vanishes_at_every_listed_point(problem):
    listed = [*problem.minima, *(p for kind in problem.points.values() for p in kind)]
    for point in listed:
        x = np.array(point)
        scale = max(1.0, abs(float(problem.value(x))))
        assert np.max(np.abs(problem.grad(x))) <= 1e-12 * scale, (problem.name, point)


def hessian(problem: Problem, x: np.ndarray) -> np.ndarray:
    rows = [central_difference(lambda z, i=i: problem.grad(z)[i], x) for i in range(problem.dim)]
    return 0.5 * (np.array(rows) + np.array(rows).T)


def test_listed_points_are_of_their_kind(problem):
    expected_sign = {"local_minimum": (1, 1), "local_maximum": (-1, -1), "saddle": (-1, 1)}
    for kind, points in [("local_minimum", problem.minima), *problem.points.items()]:
        for point in points:
            eigenvalues = np.linalg.eigvalsh(hessian(problem, np.array(point)))
            if problem.name == "monkey_saddle":  # degenerate: the Hessian is zero at 0
                np.testing.assert_allclose(eigenvalues, 0.0, atol=1e-6)
                continue
            signs = np.sign(eigenvalues[eigenvalues != 0])
            assert (signs.min(), signs.max()) == expected_sign[kind], (problem.name, point)
            assert np.min(np.abs(eigenvalues)) > 1e-3, (problem.name, point)


def test_unbounded_problems_have_no_minimum():
    for name in ("saddle", "monkey_saddle", "x_cos_pi_x"):
        problem = get(name)
        assert problem.minima == ()
        assert problem.minimum == -math.inf
    assert get("saddle").points == {"saddle": ((0.0, 0.0),)}


def test_literature_values():
    literature = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    np.testing.assert_allclose(sorted(get("himmelblau").minima), sorted(literature), atol=1e-6)
    camel = get("six_hump_camel")
    np.testing.assert_allclose(camel.minima, [(0.0898, -0.7126), (-0.0898, 0.7126)], atol=1e-4)
    assert round(camel.minimum, 4) == -1.0316
    assert get("goldstein_price").value(np.array([0.0, -1.0])) == pytest.approx(3.0, rel=1e-15)
    assert get("beale").value(np.array([3.0, 0.5])) == 0.0
    assert get("ackley", dim=4).value(np.zeros(4)) == 0.0
    assert get("rosenbrock", a=2.0).minima == ((2.0, 4.0),)
    for dim in (1, 2, 5, 10):
        tang = get("styblinski_tang", dim=dim)
        assert np.round(tang.minima, 6).tolist() == [[-2.903534] * dim]
        assert tang.minimum == pytest.approx(-39.16617 * dim, rel=1e-6)
        assert tang.value(np.array(tang.minima[0])) == pytest.approx(tang.minimum, rel=1e-14)


def test_quadratic_curvatures_are_log_spaced_from_one_to_the_condition():
    problem = get("quadratic", condition=100.0, dim=3)
    np.testing.assert_allclose(problem.grad(np.ones(3)), [1.0, 10.0, 100.0], rtol=1e-14)
    assert problem.params == {"condition": 100.0, "dim": 3}


# --- what the start points show (a hand-written GD loop; problems know no optimizer) ----------


def gradient_descent(problem: Problem, learning_rate: float, steps: int) -> tuple[np.ndarray, int]:
    """Plain x ← x − α∇f(x); returns the end point and the first step with f < min + 0.01."""
    x, arrived = np.array(problem.start), -1
    for step in range(1, steps + 1):
        x = x - learning_rate * problem.grad(x)
        if arrived < 0 and problem.value(x) < problem.minimum + 0.01:
            arrived = step
    return x, arrived


def test_plain_gd_stops_in_the_local_minimum_the_description_names():
    cases = [
        ("x_cos_pi_x", 0.1, 500, (-0.2738526868008509,)),
        ("styblinski_tang", 0.01, 3000, (2.746802770990837, 2.746802770990837)),
        ("goldstein_price", 1e-5, 5000, (1.2, 0.8)),
    ]
    for name, learning_rate, steps, local_minimum in cases:
        problem = get(name)
        end, _ = gradient_descent(problem, learning_rate, steps)
        assert local_minimum in problem.points["local_minimum"]
        np.testing.assert_allclose(end, local_minimum, atol=1e-6, err_msg=name)


def test_plain_gd_crawls_on_the_plateau():
    problem = get("plateau")
    assert np.abs(problem.grad(np.array(problem.start))[0]) < 3e-3
    _, arrived = gradient_descent(problem, 0.1, 3000)
    assert 1000 < arrived < 3000


# --- vectorisation and dtypes -------------------------------------------------------------------


def test_a_grid_equals_point_by_point(problem):
    grid = uniform_in_window(problem, np.random.default_rng(7), (5, 7))
    values, grads = problem.value_and_grad(grid)
    assert values.shape == (5, 7)
    assert grads.shape == (5, 7, problem.dim)
    for index in np.ndindex(5, 7):
        assert values[index] == pytest.approx(problem.value(grid[index]), rel=1e-14, abs=1e-14)
        np.testing.assert_allclose(grads[index], problem.grad(grid[index]), rtol=1e-14, atol=1e-14)


def test_float32_in_float32_out(problem):
    grid = uniform_in_window(problem, np.random.default_rng(3), (4, 3))
    for x in (grid.astype(np.float32), grid[0, 0].astype(np.float32)):
        value, grad = problem.value_and_grad(x)
        assert value.dtype == np.float32
        assert grad.dtype == np.float32
        reference = problem.value(x.astype(np.float64))
        np.testing.assert_allclose(value, reference, rtol=1e-3, atol=1e-3 * np.max(abs(reference)))


# --- metadata ---------------------------------------------------------------------------------


def test_metadata_is_consistent(problem):
    assert len(problem.window) == len(problem.start) == len(problem.variables) == problem.dim
    assert all(low < high for low, high in problem.window)
    assert all(
        low <= s <= high for s, (low, high) in zip(problem.start, problem.window, strict=True)
    )
    for point in [*problem.minima, *(p for kind in problem.points.values() for p in kind)]:
        assert len(point) == problem.dim
        assert all(low <= c <= high for c, (low, high) in zip(point, problem.window, strict=True))
    assert set(problem.points) <= {"local_minimum", "local_maximum", "saddle"}
    assert problem.description.endswith(".")
    assert problem.description.count(". ") == 0  # one sentence


# --- registry errors ----------------------------------------------------------------------------


def test_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown problem 'rosenbrok'") as error:
        get("rosenbrok")
    assert all(name in str(error.value) for name in names())


def test_unknown_parameter_is_named():
    with pytest.raises(ValueError, match=r"rosenbrock has no parameter 'c'; .*a, b"):
        get("rosenbrock", c=1.0)
    with pytest.raises(ValueError, match=r"booth has no parameter 'dim'; its parameters: none"):
        get("booth", dim=3)


def test_the_package_reexports_the_registry():
    import gdlab.problems as problems
    from gdlab.problems import functions

    assert problems.get is functions.get
    assert problems.names is functions.names
    assert problems.Problem is Problem
    assert callable(problems.expression)

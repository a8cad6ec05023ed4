"""Expressions as Problems: values equal the hand-written NumPy formula, gradients pass
check_grad, the Problem's fields, window and start, vectorised shapes and dtypes, and the cache.
The text checks are in test_expression_grammar.py, the SymPy side in test_expression_sympy.py."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from gdlab.gradcheck import check_grad
from gdlab.problems.expressions import (
    FUNCTIONS,
    MAX_VARIABLES,
    expression,
    parse_expression,
)

EXAMPLES: list[tuple[str, Callable[..., np.ndarray]]] = [
    ("x**2 + 10*y**2", lambda x, y: x**2 + 10 * y**2),
    ("(1-x)^2 + 100*(y-x^2)^2", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
    ("sin(x)*cos(y)", lambda x, y: np.sin(x) * np.cos(y)),
    ("x**2", lambda x: x**2),
    ("exp(-x^2-y^2)", lambda x, y: np.exp(-(x**2) - y**2)),
    ("abs(x) + sqrt(y^2 + 1)", lambda x, y: np.abs(x) + np.sqrt(y**2 + 1)),
    ("log(1 + x^2 + y^2)", lambda x, y: np.log(1 + x**2 + y**2)),
    ("pi*x**2 + e*y", lambda x, y: np.pi * x**2 + np.e * y),
    ("x/4 - 0.5*y + 1e-3", lambda x, y: x / 4 - 0.5 * y + 1e-3),
    ("tanh(x)*sinh(y) + cosh(x)/5", lambda x, y: np.tanh(x) * np.sinh(y) + np.cosh(x) / 5),
    ("arctan(x) + asin(y/3) + acos(x/3)",
     lambda x, y: np.arctan(x) + np.arcsin(y / 3) + np.arccos(x / 3)),
    ("sigmoid(x*y) + atan2(y, x + 3)",
     lambda x, y: 1 / (1 + np.exp(-x * y)) + np.arctan2(y, x + 3)),
    ("ln(2 + x) + tan(y/2)", lambda x, y: np.log(2 + x) + np.tan(y / 2)),
    ("x*y*z - z^3", lambda x, y, z: x * y * z - z**3),
    ("-x^2 + +y", lambda x, y: -(x**2) + y),
]  # fmt: skip


def points(dim: int, shape: tuple[int, ...] = (20,), seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.5, 1.5, (*shape, dim))


@pytest.mark.parametrize(("text", "formula"), EXAMPLES)
def test_value_is_the_numpy_formula(text: str, formula: Callable[..., np.ndarray]) -> None:
    problem = expression(text)
    x = points(problem.dim)
    np.testing.assert_allclose(problem.value(x), formula(*np.moveaxis(x, -1, 0)), rtol=1e-12)


@pytest.mark.parametrize(("text", "formula"), EXAMPLES)
def test_gradient_passes_check_grad(text: str, formula: Callable[..., np.ndarray]) -> None:
    problem = expression(text)
    for point in points(problem.dim, (8,), seed=1):
        result = check_grad(problem.value, problem.grad, point, rtol=1e-6, atol=1e-6)
        assert result.ok, (text, result)


def test_problem_fields() -> None:
    problem = expression("(1-x)^2 + 100*(y-x^2)^2")
    assert problem.name == "(1-x)**2 + 100*(y-x**2)**2"
    assert (problem.dim, problem.variables, problem.minima) == (2, ("x", "y"), ())
    assert math.isnan(problem.minimum)
    assert problem.window == ((-3.0, 3.0), (-3.0, 3.0))
    assert problem.start == (-2.4, 2.4)
    assert problem.description == "user expression f(x, y) = (1-x)**2 + 100*(y-x**2)**2"
    assert problem.params == {
        "text": "(1-x)**2 + 100*(y-x**2)**2",
        "expression": "(1 - x)**2 + 100*(-x**2 + y)**2",
        "gradient": "[-400*x*(-x**2 + y) + 2*x - 2, -200*x**2 + 200*y]",
    }


def test_parsed_expression_shows_the_gradient() -> None:
    parsed = parse_expression("x**2 + 10*y**2")
    assert parsed.gradient_text == ("2*x", "20*y")
    assert parsed.expression_text == "x**2 + 10*y**2"
    assert [symbol.name for symbol in parsed.symbols] == ["x", "y"]


def test_name_window_and_start_can_be_given() -> None:
    problem = expression("x*y", name="saddle", window=(-1, 2), start=[0.5, -0.5])
    assert (problem.name, problem.window, problem.start) == (
        "saddle",
        ((-1, 2), (-1, 2)),
        (0.5, -0.5),
    )
    problem = expression("x*y", window=[(-1, 1), (0, 10)])
    assert problem.window == ((-1.0, 1.0), (0.0, 10.0))
    assert problem.start == (-0.8, 9.0)  # a tenth of the width in from the (low, high) corner


@pytest.mark.parametrize(
    ("keywords", "fragment"),
    [
        ({"window": (1, -1)}, "window must be"),
        ({"window": [(0, 1)] * 3}, "window must be"),
        ({"window": "wide"}, "window must be"),
        ({"window": (0, math.inf)}, "window must be"),
        ({"start": (1.0,)}, "start must be 2 finite numbers"),
        ({"start": (1.0, math.nan)}, "start must be 2 finite numbers"),
        ({"name": ""}, "name must be a non-empty str"),
    ],
)
def test_bad_problem_arguments(keywords: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        expression("x*y", **keywords)  # type: ignore[arg-type]


def test_given_variables_set_the_order_and_may_be_unused() -> None:
    problem = expression("x + 2*y", variables=["y", "x", "t"])
    assert problem.variables == ("y", "x", "t")
    assert problem.value(np.array([1.0, 5.0, 7.0])) == 7.0
    np.testing.assert_array_equal(problem.grad(np.zeros((3, 3))), [[2.0, 1.0, 0.0]] * 3)


def test_too_many_variables() -> None:
    text = " + ".join(f"x{i}" for i in range(MAX_VARIABLES + 1))
    with pytest.raises(ValueError, match="has 11 variables"):
        expression(text)


def test_text_without_variables_is_rejected() -> None:
    with pytest.raises(ValueError, match="no variables"):
        expression("1 + 2")


def test_vectorised_shapes_match_pointwise_calls() -> None:
    problem = expression("exp(-x^2-y^2) + x*y")
    x = points(2, (4, 3))
    value, grad = problem.value_and_grad(x)
    assert (value.shape, grad.shape) == ((4, 3), (4, 3, 2))
    for index in np.ndindex(4, 3):
        assert value[index] == problem.value(x[index])
        np.testing.assert_array_equal(grad[index], problem.grad(x[index]))
    assert np.ndim(problem.value(x[0, 0])) == 0
    assert problem.grad(x[0, 0]).shape == (2,)


def test_constant_gradient_parts_broadcast() -> None:
    problem = expression("x - x + 3*y")  # SymPy cancels x: ∂f/∂x is the constant 0
    grad = problem.grad(points(2, (5, 2)))
    assert grad.shape == (5, 2, 2)
    np.testing.assert_array_equal(grad[..., 0], 0.0)
    np.testing.assert_array_equal(grad[..., 1], 3.0)
    constant = expression("2*pi", variables=("x",))
    np.testing.assert_array_equal(constant.value(np.zeros((3, 1))), [2 * np.pi] * 3)
    np.testing.assert_array_equal(constant.grad(np.zeros((3, 1))), [[0.0]] * 3)


def test_dtype_follows_x() -> None:
    problem = expression("sqrt(2)*x**2 + 10*y**2")  # sqrt(2) is a float64 NumPy scalar
    x32 = points(2).astype(np.float32)
    assert problem.value(x32).dtype == np.float32
    assert problem.grad(x32).dtype == np.float32
    np.testing.assert_allclose(problem.value(x32), problem.value(x32.astype(np.float64)), rtol=1e-6)
    assert problem.value(np.array([1, 2])).dtype == np.float64
    assert problem.grad(np.array([1, 2])).dtype == np.float64


@pytest.mark.parametrize("x", [np.zeros(3), np.zeros((4, 1)), np.float64(1.0), np.array([1j, 2j])])
def test_x_of_the_wrong_shape_or_kind(x: np.ndarray) -> None:
    problem = expression("x + y")
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)|real numbers"):
        problem.value(x)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)|real numbers"):
        problem.grad(x)


def test_undefined_points_give_nan_or_inf_silently() -> None:
    # pytest turns warnings into errors: a RuntimeWarning from NumPy would fail here
    problem = expression("sqrt(x) + 1/y")
    value, grad = problem.value_and_grad(np.array([[-1.0, 1.0], [1.0, 0.0]]))
    assert np.isnan(value[0]) and np.isinf(value[1])
    assert np.isnan(grad[0, 0]) and np.isinf(grad[1, 1])
    assert expression("exp(x)").value(np.array([1000.0], dtype=np.float32)) == np.inf


def test_compiled_result_is_cached() -> None:
    assert parse_expression("x**3 - y") is parse_expression("x**3 - y")
    assert parse_expression("x - y", variables=["y", "x"]) is parse_expression(
        "x - y", variables=("y", "x")
    )


def test_importing_problems_does_not_import_sympy() -> None:
    code = "import sys, gdlab.problems; assert 'sympy' not in sys.modules, 'sympy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_function_list_is_documented() -> None:
    text = (Path(__file__).parents[2] / "docs" / "expressions.md").read_text(encoding="utf-8")
    missing = [name for name in FUNCTIONS if f"`{name}" not in text]
    assert not missing


def test_limits_are_public_here_and_documented() -> None:
    from gdlab.problems import expressions

    text = (Path(__file__).parents[2] / "docs" / "expressions.md").read_text(encoding="utf-8")
    limits = [name for name in expressions.__all__ if name.startswith("MAX_")]
    assert len(limits) == 8
    assert [name for name in limits if f"| `{name}` |" not in text] == []

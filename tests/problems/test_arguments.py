"""gdlab.problems.arguments, through the problems: x is read as floats of shape (..., n);
bad parameters are named with their value and what is allowed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdlab.problems.functions import get


def test_integer_points_are_read_as_float64():
    value, grad = get("rosenbrock").value_and_grad(np.array([0, 0]))
    assert value == 1.0
    assert grad.dtype == np.float64
    np.testing.assert_array_equal(grad, [-2.0, 0.0])


@pytest.mark.parametrize("shape", [(3,), (4, 1), ()])
def test_wrong_last_axis_is_an_error(shape):
    with pytest.raises(ValueError, match=r"rosenbrock takes x of shape \(\.\.\., 2\)"):
        get("rosenbrock").value(np.zeros(shape))
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        get("rosenbrock").grad(np.zeros(shape))


def test_complex_points_are_an_error():
    with pytest.raises(ValueError, match="real numbers"):
        get("booth").value(np.zeros(2, dtype=complex))


def test_variable_names():
    assert get("parabola").variables == ("x",)
    assert get("rastrigin").variables == ("x", "y")
    assert get("rastrigin", dim=3).variables == ("x1", "x2", "x3")


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("quadratic", {"condition": 0.5}, r"condition must be a finite number >= 1, got 0.5"),
        ("quadratic", {"condition": math.nan}, r"condition must be .*, got nan"),
        ("quadratic", {"dim": 1}, r"condition must be 1 when dim is 1, got 10.0"),
        ("quadratic", {"dim": 0}, r"dim must be an integer >= 1, got 0"),
        ("rastrigin", {"dim": 2.5}, r"dim must be an integer >= 1, got 2.5"),
        ("ackley", {"dim": True}, r"dim must be an integer >= 1, got True"),
        ("styblinski_tang", {"dim": "3"}, r"dim must be an integer >= 1, got '3'"),
        ("rosenbrock", {"b": 0.0}, r"b must be a finite number > 0, got 0.0"),
        ("rosenbrock", {"a": math.inf}, r"a must be a finite number, got inf"),
        ("rosenbrock", {"a": "1"}, r"a must be a finite number, got '1'"),
        ("rastrigin", {"amplitude": -1.0}, r"amplitude must be a finite number >= 0, got -1.0"),
    ],
)
def test_bad_parameter_values_are_named(name, params, message):
    with pytest.raises(ValueError, match=message):
        get(name, **params)

"""Central differences and check_grad: hand derivatives, step rule, wrong gradients, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.gradcheck import GradCheck, central_difference, check_grad


def test_central_difference_of_hand_derivatives():
    # f = x0² + 3·x1 + x0·x2  →  ∇f = (2x0 + x2, 3, x0)
    def fun(x):
        return x[0] ** 2 + 3 * x[1] + x[0] * x[2]

    grad = central_difference(fun, np.array([1.5, -2.0, 4.0]))
    np.testing.assert_allclose(grad, [7.0, 3.0, 1.5], rtol=1e-9)


def test_central_difference_keeps_the_shape_of_a_matrix():
    x = np.array([[0.1, 0.7, -1.2], [2.0, -0.4, 0.3]])
    grad = central_difference(lambda w: np.sum(np.sin(w)), x)
    assert grad.shape == (2, 3)
    np.testing.assert_allclose(grad, np.cos(x), rtol=1e-9)


def test_default_step_is_cbrt_eps_scaled_by_max_one_abs_x():
    seen = []

    def record(x):
        seen.append(x.copy())
        return 0.0

    x = np.array([0.5, -200.0])
    central_difference(record, x)
    step = np.finfo(np.float64).eps ** (1 / 3)
    assert len(seen) == 4  # 2 evaluations per coordinate
    np.testing.assert_allclose(seen[0], [0.5 + step * 1.0, -200.0], rtol=1e-15)
    np.testing.assert_allclose(seen[1], [0.5 - step * 1.0, -200.0], rtol=1e-15)
    np.testing.assert_allclose(seen[2], [0.5, -200.0 + step * 200.0], rtol=1e-15)
    np.testing.assert_allclose(seen[3], [0.5, -200.0 - step * 200.0], rtol=1e-15)


def test_an_explicit_step():
    # for f = x³ the central difference is exactly 3x² + h², and h = step·max(1, |x|) = 0.2
    grad = central_difference(lambda x: x[0] ** 3, np.array([2.0]), step=0.1)
    assert grad[0] == pytest.approx(12.0 + 0.2**2, rel=1e-12)


def test_large_coordinates_stay_accurate():
    x = np.array([1e6, -3e5])
    grad = central_difference(lambda z: np.sum(z**2), x)
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-9)


def test_float32_in_float32_out():
    x = np.array([0.3, -1.1], dtype=np.float32)
    grad = central_difference(lambda z: np.sum(z**3), x)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, 3 * x.astype(np.float64) ** 2, rtol=1e-3)


def test_integers_and_lists_are_read_as_float64():
    grad = central_difference(lambda z: z[0] * z[1], [2, 3])
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, [3.0, 2.0], rtol=1e-10)


def test_x_is_not_modified():
    x = np.array([1.0, 2.0])
    central_difference(lambda z: np.sum(z**2), x)
    check_grad(lambda z: np.sum(z**2), lambda z: 2 * z, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_a_non_scalar_fun_is_an_error():
    with pytest.raises(ValueError, match=r"fun must return a scalar, got an array of shape \(2,\)"):
        central_difference(lambda z: z**2, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="fun must return a scalar"):
        check_grad(lambda z: z[:1], lambda z: z, np.array([1.0, 2.0]))


@pytest.mark.parametrize("step", [0.0, -1e-3, np.nan, np.inf, "1e-3"])
def test_a_bad_step_is_an_error(step):
    with pytest.raises(ValueError, match="step must be a finite number > 0"):
        central_difference(lambda z: np.sum(z), np.array([1.0]), step=step)


def test_a_step_too_small_to_move_x_is_an_error():
    with pytest.raises(ValueError, match="too small to move"):
        central_difference(lambda z: np.sum(z), np.array([1.0], dtype=np.float32), step=1e-12)


# --- check_grad ---------------------------------------------------------------------------------


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosenbrock_grad(x):
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


def test_a_correct_gradient_passes():
    result = check_grad(rosenbrock, rosenbrock_grad, np.array([-1.2, 1.0]))
    assert isinstance(result, GradCheck)
    assert result.ok
    np.testing.assert_allclose(result.analytic, [-215.6, -88.0], rtol=1e-14)
    np.testing.assert_allclose(result.numerical, [-215.6, -88.0], rtol=1e-9)
    assert result.max_abs_error == np.max(np.abs(result.analytic - result.numerical))
    assert result.max_abs_error < 1e-6
    assert result.max_rel_error < 1e-9
    assert str(result).startswith("gradient check passed: max abs error")


def test_a_wrong_gradient_is_caught_and_located():
    def wrong(x):  # the factor 400 written as 40: a typical slip
        return np.array(
            [-2 * (1 - x[0]) - 40 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)]
        )

    result = check_grad(rosenbrock, wrong, np.array([-1.2, 1.0]))
    assert not result.ok
    assert result.max_abs_error == pytest.approx((400 - 40) * 1.2 * 0.44, rel=1e-6)
    assert "FAILED" in str(result)
    assert "worst at index (0,): analytic" in str(result)
    assert "numerical -215.6" in str(result)


def test_rtol_and_atol_follow_numpy_allclose():
    # f = 2x has an exact central difference, so the analytic error is exactly what we add
    def fun(x):
        return 2.0 * x[0]

    def off_by(delta):
        return lambda x: np.array([2.0 + delta])

    x = np.array([0.25])
    assert not check_grad(fun, off_by(1e-5), x, rtol=1e-6, atol=1e-8).ok
    assert check_grad(fun, off_by(1e-5), x, rtol=1e-5, atol=1e-8).ok  # 1e-5 <= 1e-8 + 2e-5
    assert check_grad(fun, off_by(1e-5), x, rtol=0.0, atol=2e-5).ok
    assert not check_grad(fun, off_by(1e-5), x, rtol=0.0, atol=5e-6).ok
    result = check_grad(fun, off_by(1e-5), x)
    assert result.max_rel_error == pytest.approx(1e-5 / (2.0 + 1e-5), rel=1e-6)


def test_zero_gradients_have_zero_relative_error():
    result = check_grad(lambda x: 5.0, np.zeros_like, np.array([1.0, -3.0]))
    assert result.ok
    assert result.max_abs_error == 0.0
    assert result.max_rel_error == 0.0


def test_a_nan_gradient_fails():
    result = check_grad(lambda x: np.sum(x**2), lambda x: np.array([np.nan, 2 * x[1]]), [1.0, 1.0])
    assert not result.ok
    assert np.isnan(result.max_abs_error)
    assert "worst at index (0,)" in str(result)


def test_the_result_is_frozen():
    result = check_grad(lambda x: np.sum(x**2), lambda x: 2 * x, [1.0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.ok = False  # type: ignore[misc]


def test_grad_of_the_wrong_shape_is_an_error():
    with pytest.raises(ValueError, match=r"grad returned shape \(3,\), expected x's shape \(2,\)"):
        check_grad(lambda x: np.sum(x**2), lambda x: np.zeros(3), np.array([1.0, 2.0]))


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.array([]), r"x must not be empty, got shape \(0,\)"),
        (np.array([1.0, np.nan]), "x must be finite"),
        (np.array([np.inf]), "x must be finite"),
        (np.array([1j]), "x must hold real numbers, got dtype complex128"),
    ],
)
def test_bad_points_are_an_error(x, message):
    with pytest.raises(ValueError, match=message):
        check_grad(lambda z: np.sum(z**2), lambda z: 2 * z, x)


def test_negative_tolerances_are_an_error():
    with pytest.raises(ValueError, match="rtol and atol must be >= 0"):
        check_grad(lambda z: np.sum(z**2), lambda z: 2 * z, [1.0], rtol=-1.0)


@settings(max_examples=60, deadline=None)
@given(
    coefficients=st.lists(st.floats(-5, 5), min_size=1, max_size=6),
    seed=st.integers(0, 2**32 - 1),
)
def test_polynomials_pass_and_their_perturbations_fail(coefficients, seed):
    # f = Σ c_i x_i³ + x_i, ∇f = 3 c_i x_i² + 1; an error of 1e-3 exceeds atol + rtol·|∇f|
    c = np.array(coefficients)
    x = np.random.default_rng(seed).uniform(-2, 2, c.size)

    def fun(z):
        return np.sum(c * z**3 + z)

    def grad(z):
        return 3 * c * z**2 + 1

    assert check_grad(fun, grad, x, rtol=1e-6, atol=1e-7).ok
    assert not check_grad(fun, lambda z: grad(z) + 1e-3, x, rtol=1e-6, atol=1e-7).ok

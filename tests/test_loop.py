"""gd.minimize: budgets, criteria, divergence, inputs, dtypes — against hand-computed runs."""

import json

import numpy as np
import pytest

import gdlab as gd
from gdlab.problems.problem import Problem


def square(x):
    return float(x @ x)


def square_grad(x):
    return 2 * x


def test_seed_000_sign_of_the_derivative_decides_the_direction():
    """f(x) = x²: at x = −1 the derivative is −2, so x grows; at x = 1 it is 2, so x shrinks."""
    left = gd.minimize(square, [-1.0], grad=square_grad, optimizer=gd.sgd(0.1), steps=1)
    right = gd.minimize(square, [1.0], grad=square_grad, optimizer=gd.sgd(0.1), steps=1)
    assert left.x.tolist() == [-0.8]
    assert right.x.tolist() == [0.8]


def test_exactly_steps_updates_and_the_closed_form():
    """x_k = x0·(1 − 2α)^k for plain GD on x·x."""
    result = gd.minimize(square, [3.0, -4.0], grad=square_grad, optimizer=gd.sgd(0.1), steps=25)
    assert result.status == "max_steps"
    assert result.nit == 25
    assert len(result.history) == 26
    expected = np.array([3.0, -4.0])[None, :] * 0.8 ** np.arange(26)[:, None]
    np.testing.assert_allclose(result.history.x, expected, rtol=1e-13)
    np.testing.assert_allclose(result.history.loss, (expected**2).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(
        result.history.grad_norm, 2 * np.linalg.norm(expected, axis=1), rtol=1e-12
    )
    assert (result.history.learning_rate == 0.1).all()
    assert result.fun == pytest.approx(result.history.loss[-1])


def test_zero_steps_evaluates_the_start_only():
    result = gd.minimize(square, [1.0], grad=square_grad, optimizer=gd.sgd(0.1), steps=0)
    assert result.nit == 0 and result.status == "max_steps" and result.fun == 1.0


def test_target_stops_at_the_first_point_below_it():
    # loss_k = 0.64^k; first k with 0.64^k ≤ 1e-3 is k = 16
    result = gd.minimize(
        square, [1.0], grad=square_grad, optimizer=gd.sgd(0.1), steps=100, target=1e-3
    )
    assert result.status == "converged" and result.nit == 16
    assert "target" in result.message


def test_gtol_stops_on_the_gradient_norm():
    # |∇f| = 2·0.8^k ≤ 0.1  ⇔  k ≥ 13.4
    result = gd.minimize(
        square, [1.0], grad=square_grad, optimizer=gd.sgd(0.1), steps=100, gtol=0.1
    )
    assert result.status == "converged" and result.nit == 14


def test_xtol_stops_when_x_no_longer_changes():
    """Seed 000 step 3: iterate until x (almost) stops changing; |x_k − x_{k−1}| = 0.2·0.8^{k−1}."""
    result = gd.minimize(
        square, [1.0], grad=square_grad, optimizer=gd.sgd(0.1), steps=100, xtol=0.01
    )
    assert result.status == "converged" and result.nit == 15
    assert (
        abs(result.history.x[-1, 0] - result.history.x[-2, 0])
        <= 0.01
        < abs(result.history.x[-2, 0] - result.history.x[-3, 0])
    )


def test_too_large_a_learning_rate_diverges_with_a_message():
    result = gd.minimize(square, [1.0], grad=square_grad, optimizer=gd.sgd(1.5), steps=10_000)
    assert result.status == "diverged"
    assert "learning rate 1.5" in result.message and "diverged at step" in result.message
    assert np.isfinite(result.x).all() and np.isfinite(result.fun)
    assert np.isfinite(result.history.loss).all()
    assert result.nit == len(result.history) - 1


def test_nan_midway_is_divergence_not_a_result():
    def fun(x):
        return float("nan") if x[0] < 0.5 else float(x @ x)

    result = gd.minimize(fun, [1.0], grad=square_grad, optimizer=gd.sgd(0.1), steps=50)
    assert result.status == "diverged" and "nan" in result.message
    assert result.x[0] >= 0.5


def test_non_finite_parameters_are_divergence():
    result = gd.minimize(
        lambda x: 0.0, [1.0], grad=lambda x: np.array([1e300]), optimizer=gd.sgd(1e10), steps=5
    )
    assert result.status == "diverged" and "parameters" in result.message
    assert result.x.tolist() == [1.0]


def test_nan_at_the_start_is_refused():
    with pytest.raises(ValueError, match="cannot start from x0: the loss is nan"):
        gd.minimize(lambda x: float("nan"), [1.0], grad=square_grad, optimizer=gd.sgd(0.1))


def test_central_differences_when_no_gradient_is_given():
    result = gd.minimize(square, [1.0, 2.0], optimizer=gd.sgd(0.1), steps=20)
    analytic = gd.minimize(square, [1.0, 2.0], grad=square_grad, optimizer=gd.sgd(0.1), steps=20)
    assert result.gradient == "central differences" and analytic.gradient == "analytic"
    np.testing.assert_allclose(result.x, analytic.x, rtol=1e-7)


def test_fun_returning_value_and_gradient():
    result = gd.minimize(
        lambda x: (square(x), square_grad(x)), [1.0], grad=True, optimizer=gd.sgd(0.1), steps=3
    )
    assert result.x.tolist() == pytest.approx([0.512])


def test_a_problem_object_is_accepted():
    problem = Problem(
        name="bowl",
        dim=2,
        value=lambda x: (x**2).sum(axis=-1),
        grad=lambda x: 2 * x,
        minima=((0.0, 0.0),),
        minimum=0.0,
        window=((-1.0, 1.0), (-1.0, 1.0)),
        start=(0.5, 0.5),
        description="a bowl",
    )
    result = gd.minimize(problem, problem.start, optimizer=gd.adam(0.05), steps=300)
    assert result.gradient == "analytic" and result.fun < 1e-3


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    result = gd.minimize(
        square, np.array([1.0, 2.0], dtype=dtype), grad=square_grad, optimizer=gd.adam(0.1), steps=5
    )
    assert result.x.dtype == dtype and result.history.x.dtype == dtype


def test_integer_and_scalar_start_points():
    result = gd.minimize(square, 3, grad=square_grad, optimizer=gd.sgd(0.25), steps=1)
    assert result.x.dtype == np.float64 and result.x.shape == (1,) and result.x[0] == 1.5


def test_schedule_is_recorded_per_update():
    schedule = gd.schedules.exponential_decay(0.1, 0.5)
    result = gd.minimize(square, [1.0], grad=square_grad, optimizer=gd.sgd(schedule), steps=3)
    np.testing.assert_allclose(result.history.learning_rate, [0.1, 0.05, 0.025, 0.0125])


def test_callback_sees_every_point_and_can_stop():
    seen = []

    def callback(info):
        seen.append((info.step, info.loss))
        return info.step == 4

    result = gd.minimize(
        square, [1.0], grad=square_grad, optimizer=gd.sgd(0.1), steps=10, callback=callback
    )
    assert result.status == "stopped" and result.nit == 4
    assert [step for step, _ in seen] == [0, 1, 2, 3, 4]


def test_record_path_off_keeps_the_rest():
    result = gd.minimize(
        square, [1.0], grad=square_grad, optimizer=gd.sgd(0.1), steps=5, record_path=False
    )
    assert result.history.x is None and len(result.history.loss) == 6
    json.loads(json.dumps(result.to_dict()))


BAD_CALLS = [
    ({"x0": []}, ValueError, "x0 must not be empty"),
    ({"x0": [1.0, float("inf")]}, ValueError, "x0 must be finite"),
    ({"x0": ["a"]}, TypeError, "x0 must hold real numbers"),
    ({"x0": [1j]}, TypeError, "x0 must hold real numbers"),
    ({"steps": -1}, ValueError, "steps must be an integer >= 0"),
    ({"steps": 2.5}, TypeError, "steps must be an integer"),
    ({"target": float("nan")}, ValueError, "target must be finite"),
    ({"xtol": -1.0}, ValueError, r"xtol must be in \[0, inf\)"),
    ({"gtol": "small"}, TypeError, "gtol must be a real number"),
    ({"optimizer": "adam"}, TypeError, "optimizer must be a gdlab Transform"),
    (
        {"grad": lambda x: np.ones(3)},
        ValueError,
        r"the gradient has shape \(3,\), but x has shape \(2,\)",
    ),
    ({"fun": lambda x: x}, ValueError, r"fun must return a scalar, got an array of shape \(2,\)"),
    ({"fun": 3.0}, TypeError, "fun must be callable"),
    ({"grad": "yes"}, TypeError, "grad must be a callable, True or None"),
]


@pytest.mark.parametrize(("change", "error", "message"), BAD_CALLS, ids=[m for *_, m in BAD_CALLS])
def test_bad_input_is_named(change, error, message):
    call = {
        "fun": square,
        "x0": [1.0, 2.0],
        "grad": square_grad,
        "optimizer": gd.sgd(0.1),
        "steps": 3,
    }
    call.update(change)
    fun, x0 = call.pop("fun"), call.pop("x0")
    with pytest.raises(error, match=message):
        gd.minimize(fun, x0, **call)


def test_size_one_values_count_as_scalars_for_central_differences():
    result = gd.minimize(lambda x: x**2, 2.0, optimizer=gd.sgd(0.25), steps=1)
    assert result.gradient == "central differences"
    assert result.x == pytest.approx([1.0], rel=1e-8)

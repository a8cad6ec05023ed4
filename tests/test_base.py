"""The contracts: a user-written Rule is a Transform, chain composes, the checks name values."""

import math

import numpy as np
import pytest

import gdlab as gd
from gdlab.base import (
    Rule,
    RuleState,
    Transform,
    check_bool,
    check_integer,
    check_range,
    check_real,
    elementwise,
)


def sign_kernel(g, p, mu, beta, step):
    """A user's own rule: m = EWA_β(g); u = step·sign(m)."""
    mu = beta * mu + (1 - beta) * g
    return step * np.sign(mu), mu


def sign_descent(learning_rate, beta=0.5):
    rule = Rule(sign_kernel, ("mu",), lambda count, carry: ((beta, -learning_rate), carry))
    return elementwise(rule, "sign_descent", beta=beta, learning_rate=learning_rate)


def test_a_user_rule_is_a_transform_with_state_in_and_out():
    optimizer = sign_descent(0.1)
    params = np.array([1.0, -1.0])
    state = optimizer.init(params)
    assert state == RuleState(0, (state.slots[0],), ())
    updates, new_state = optimizer.update(np.array([2.0, -4.0]), state, params)
    np.testing.assert_array_equal(updates, [-0.1, 0.1])
    np.testing.assert_array_equal(new_state.slots[0], [1.0, -2.0])
    assert new_state.count == 1 and state.count == 0
    np.testing.assert_array_equal(state.slots[0], [0.0, 0.0])


def test_a_user_rule_runs_in_minimize_and_chains():
    optimizer = gd.chain(gd.clip_by_value(1.0), sign_descent(0.25))
    result = gd.minimize(
        lambda x: float(x @ x), [1.0], grad=lambda x: 2 * x, optimizer=optimizer, steps=4
    )
    assert result.x.tolist() == [0.0]


def test_fill_and_carry_initialise_the_state():
    rule = Rule(sign_kernel, ("mu",), fill=(3.0,), carry=(1.0, 2.0))
    state = elementwise(rule, "filled").init(np.zeros(2, dtype=np.float32))
    assert state.slots[0].dtype == np.float32 and (state.slots[0] == 3.0).all()
    assert state.carry == (1.0, 2.0)


def test_norm_coefficients_see_the_incoming_gradient():
    rule = Rule(lambda g, p, c: (c * g,), norm_coefficients=lambda norm: (1.0 / norm,))
    unit = elementwise(rule, "normalise")
    updates, _ = unit.update(np.array([3.0, 4.0]), unit.init(np.zeros(2)), np.zeros(2))
    np.testing.assert_allclose(updates, [0.6, 0.8])


def test_repr_and_learning_rate_of_a_transform():
    transform = sign_descent(0.1)
    assert repr(transform) == "sign_descent(beta=0.5, learning_rate=0.1)"
    assert math.isnan(transform.current_learning_rate(0))
    assert gd.sgd(0.3).current_learning_rate(7) == 0.3


def test_chain_of_two_learning_rates_has_none():
    double = gd.chain(gd.scale_by_learning_rate(0.1), gd.scale_by_learning_rate(0.2))
    assert double.learning_rate is None


def test_transform_is_frozen():
    with pytest.raises(AttributeError):
        gd.sgd(0.1).name = "other"  # type: ignore[misc]
    assert isinstance(gd.sgd(0.1), Transform)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("beta", 1.0, 0.0, 1.0), {}, r"beta must be in \[0, 1\), got 1"),
        (("eps", 0.0, 0.0), {"low_open": True}, r"eps must be in \(0, inf\), got 0"),
        (("rho", 1.5, 0.0, 1.0), {"high_open": False}, r"rho must be in \[0, 1\], got 1.5"),
        (("lr", float("inf"), 0.0), {}, "lr must be finite, got inf"),
    ],
)
def test_check_range_names_the_value_and_the_interval(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_range(*args, **kwargs)


def test_check_range_accepts_the_boundaries_it_includes():
    assert check_range("beta", 0.0, 0.0, 1.0) == 0.0
    assert check_range("rho", 1.0, 0.0, 1.0, high_open=False) == 1.0
    assert isinstance(check_range("n", np.int64(3), 0.0), float)


@pytest.mark.parametrize("value", [True, "1", None, [1.0], 1j])
def test_check_real_refuses_non_numbers(value):
    with pytest.raises(TypeError, match="x must be a real number"):
        check_real("x", value)


def test_check_integer_and_check_bool():
    assert check_integer("steps", np.int32(5), 0) == 5
    with pytest.raises(ValueError, match="steps must be an integer >= 1, got 0"):
        check_integer("steps", 0, 1)
    with pytest.raises(TypeError, match="steps must be an integer"):
        check_integer("steps", True, 0)
    assert check_bool("nesterov", np.bool_(True)) is True
    with pytest.raises(TypeError, match="nesterov"):
        check_bool("nesterov", "yes")

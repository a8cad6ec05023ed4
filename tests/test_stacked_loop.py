"""The stacked loop: coefficients once per group of equal rows, norms as minimize takes them."""

import numpy as np

from gdlab.base import Rule, Transform
from gdlab.loop import norm
from gdlab.stacked import minimize_stacked


def linear(x):
    """f = Σ c·x with a huge constant slope: finite values, gradients whose squares overflow."""
    return (1e200 * x).sum(axis=-1), np.full_like(x, 1e200)


def scale_kernel(g, p, factor):
    return (factor * g,)


def counting_descent(calls, rate, **hyperparams):
    """u = −α·g, recording every coefficient evaluation as (α, count)."""

    def coefficients(count, carry):
        calls.append((rate, count))
        return (-rate,), carry

    rule = Rule(scale_kernel, coefficients=coefficients)  # one kernel: one recipe
    return Transform(lambda p: None, lambda g, s, p: (g, s), "descend", hyperparams, rule=rule)


def quadratic(x):
    return (x * x).sum(axis=-1), 2 * x


def test_equal_rows_share_one_evaluation_per_step():
    calls = []
    rows = [counting_descent(calls, 0.1, alpha=0.1) for _ in range(4)]
    minimize_stacked(quadratic, [1.0, 2.0], rows, grad=True, steps=3)
    assert calls == [(0.1, 0), (0.1, 1), (0.1, 2)]


def test_different_hyperparameters_are_evaluated_apart():
    calls = []
    rows = [counting_descent(calls, rate, alpha=rate) for rate in (0.1, 0.2, 0.1)]
    minimize_stacked(quadratic, [1.0, 2.0], rows, grad=True, steps=2)
    assert sorted(calls) == [(0.1, 0), (0.1, 1), (0.2, 0), (0.2, 1)]


def test_rows_that_say_nothing_about_themselves_are_never_merged():
    calls = []
    rows = [counting_descent(calls, 0.1) for _ in range(3)]  # no hyper-parameters to compare
    minimize_stacked(quadratic, [1.0, 2.0], rows, grad=True, steps=2)
    assert len(calls) == 6


def test_gradient_norms_that_overflow_are_scaled_as_minimize_does():
    rows = [counting_descent([], 1e-300, alpha=1e-300)]
    runs = minimize_stacked(linear, np.zeros(4), rows, grad=True, steps=1)
    assert runs.grad_norms[0, 0] == norm(np.full(4, 1e200)) == 2e200

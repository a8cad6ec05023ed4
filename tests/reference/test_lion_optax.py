"""Lion equals optax's rule (float64, teacher-forced: the sign is discontinuous at 0)."""

import itertools

import jax
import numpy as np
import optax
import pytest

import gdlab as gd

jax.config.update("jax_enable_x64", True)

START = np.array([1.5, -0.5, 0.25, 2.0, -1.75, 0.3, 0.8])


def gradient(x):
    return np.array([2.0, 0.5, 1.0, 3.0, 1.5, 0.7, 1.2]) * (x - 0.4) + np.sin(3 * x)


@pytest.mark.parametrize(
    ("learning_rate", "beta1", "beta2", "weight_decay"),
    list(itertools.product([0.01, 0.1], [0.9, 0.5], [0.99, 0.9], [0.0, 0.1])),
)
def test_lion_matches_optax(learning_rate, beta1, beta2, weight_decay):
    theirs = optax.lion(learning_rate, b1=beta1, b2=beta2, weight_decay=weight_decay)
    ours = gd.lion(learning_rate, beta1=beta1, beta2=beta2, weight_decay=weight_decay)
    x = START.copy()
    their_state = theirs.init(jax.numpy.asarray(x))
    our_state = ours.init(x)
    for _ in range(60):
        g = gradient(x)
        their_updates, their_state = theirs.update(
            jax.numpy.asarray(g), their_state, jax.numpy.asarray(x)
        )
        our_updates, our_state = ours.update(g, our_state, x)
        np.testing.assert_allclose(our_updates, np.asarray(their_updates), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(
            our_state[0].slots[0], np.asarray(their_state[0].mu), rtol=1e-12, atol=1e-15
        )
        x = x + np.asarray(their_updates)  # teacher forcing: both continue from optax's point
    assert np.abs(x - START).max() > 0.1

"""Transforms and the recipes' equivalences, by hand."""

import numpy as np
import pytest

import gdlab as gd
from gdlab.base import RuleState

G = np.array([0.5, -2.0, 3.0])
P = np.array([1.0, 2.0, -1.0])


def run(transform, grads, params=P):
    """Apply a transform to a list of gradients, returning the list of updates."""
    state = transform.init(params)
    updates = []
    for g in grads:
        u, state = transform.update(np.asarray(g, dtype=float), state, params)
        updates.append(u)
    return updates


def test_chain_of_scales_is_scale_of_product():
    chained = run(gd.chain(gd.scale(3.0), gd.scale(-0.25)), [G, 2 * G])
    single = run(gd.scale(-0.75), [G, 2 * G])
    np.testing.assert_array_equal(chained, single)


def test_chain_flattens_nested_chains_and_keeps_the_learning_rate():
    inner = gd.adam(0.1)
    outer = gd.chain(gd.clip_by_value(1.0), inner)
    assert [link.name for link in outer.links] == [
        "clip_by_value",
        "scale_by_adam",
        "scale_by_learning_rate",
    ]
    assert outer.current_learning_rate(5) == 0.1


def test_chain_needs_transforms():
    with pytest.raises(ValueError, match="at least one"):
        gd.chain()
    with pytest.raises(TypeError, match="chain argument 1 must be a Transform"):
        gd.chain(gd.scale(1.0), lambda g: g)


def test_plain_gradient_descent_step():
    """sgd(momentum=0) is x ← x − α∇L(x) (seed 000)."""
    (u,) = run(gd.sgd(0.1), [G])
    np.testing.assert_allclose(u, -0.1 * G, rtol=0, atol=0)


def test_sgd_first_momentum_buffer_is_the_gradient():
    u1, u2 = run(gd.sgd(0.1, momentum=0.9, dampening=0.5), [G, G])
    np.testing.assert_allclose(u1, -0.1 * G)  # b1 = g, no dampening on the first step
    np.testing.assert_allclose(u2, -0.1 * (0.9 * G + 0.5 * G))


def test_nesterov_first_step():
    (u,) = run(gd.sgd(0.1, momentum=0.9, nesterov=True), [G])
    np.testing.assert_allclose(u, -0.1 * (G + 0.9 * G))


def test_seed_momentum_and_its_bias_correction():
    u1, u2 = run(gd.momentum(0.5, beta=0.9), [G, G])
    np.testing.assert_allclose(u1, -0.5 * 0.1 * G)
    np.testing.assert_allclose(u2, -0.5 * 0.19 * G)
    c1, c2 = run(gd.momentum(0.5, beta=0.9, debias=True), [G, G])
    np.testing.assert_allclose(c1, -0.5 * G)
    np.testing.assert_allclose(c2, -0.5 * G)


def test_adam_first_step_is_about_alpha_times_sign():
    (u,) = run(gd.adam(0.01), [G])
    np.testing.assert_allclose(u, -0.01 * G / (np.abs(G) + 1e-8), rtol=1e-15)


def test_adam_without_momentum_and_correction_is_rmsprop():
    grads = [G, -G, 3 * G, 0.5 * G]
    adam = run(gd.adam(0.01, beta1=0.0, beta2=0.9, bias_correction=False), grads)
    rms = run(gd.rmsprop(0.01, rho=0.9), grads)
    np.testing.assert_allclose(adam, rms, rtol=1e-15)


def test_adam_with_beta1_zero_is_rmsprop_with_corrected_second_moment():
    grads = [G, -G, 3 * G, 0.5 * G]
    adam = run(gd.adam(0.01, beta1=0.0, beta2=0.9), grads)
    s = np.zeros(3)
    for t, (g, u) in enumerate(zip(grads, adam, strict=True), start=1):
        s = 0.9 * s + 0.1 * g * g
        np.testing.assert_allclose(u, -0.01 * g / (np.sqrt(s / (1 - 0.9**t)) + 1e-8), rtol=1e-14)


def test_adagrad_accumulates_squares():
    u1, u2 = run(gd.adagrad(1.0, eps=0.0, initial_accumulator=1.0), [G, G])
    np.testing.assert_allclose(u1, -G / np.sqrt(1 + G**2))
    np.testing.assert_allclose(u2, -G / np.sqrt(1 + 2 * G**2))


def test_adagrad_lr_decay_is_inverse_time():
    optimizer = gd.adagrad(0.3, lr_decay=0.5)
    assert [optimizer.current_learning_rate(t) for t in range(3)] == [0.3, 0.3 / 1.5, 0.3 / 2.0]


def test_weight_decay_coupled_and_decoupled():
    (coupled,) = run(gd.sgd(0.1, weight_decay=0.5), [G])
    np.testing.assert_allclose(coupled, -0.1 * (G + 0.5 * P))
    (decoupled,) = run(gd.adamw(0.1, weight_decay=0.5), [G])
    (plain,) = run(gd.adam(0.1), [G])
    np.testing.assert_allclose(decoupled, plain - 0.1 * 0.5 * P, rtol=1e-14, atol=1e-16)


def test_lion_is_sign_descent_on_the_first_step():
    (u,) = run(gd.lion(0.01), [G])
    np.testing.assert_array_equal(u, -0.01 * np.sign(G))


def test_clip_by_value():
    (u,) = run(gd.clip_by_value(1.0), [G])
    np.testing.assert_array_equal(u, [0.5, -1.0, 1.0])


def test_clip_by_global_norm_matches_torch_rule():
    norm = np.linalg.norm(G)
    (u,) = run(gd.clip_by_global_norm(1.0), [G])
    np.testing.assert_allclose(u, G / (norm + 1e-6))
    (unchanged,) = run(gd.clip_by_global_norm(10.0), [G])
    np.testing.assert_array_equal(unchanged, G)


def test_update_does_not_mutate_its_inputs():
    optimizer = gd.adam(0.1, amsgrad=True, weight_decay=0.1)
    params, grads = P.copy(), G.copy()
    state = optimizer.init(params)
    _, new_state = optimizer.update(grads, state, params)
    np.testing.assert_array_equal(params, P)
    np.testing.assert_array_equal(grads, G)
    adam_state = state[1]
    assert isinstance(adam_state, RuleState) and adam_state.count == 0
    assert all((slot == 0).all() for slot in adam_state.slots)
    assert new_state[1].count == 1


@pytest.mark.parametrize(
    "optimizer",
    [
        gd.sgd(0.1, momentum=0.9, nesterov=True),
        gd.momentum(0.1, debias=True),
        gd.adagrad(0.1, lr_decay=0.1),
        gd.rmsprop(0.1, centered=True, momentum=0.5),
        gd.adadelta(),
        gd.adam(0.1, amsgrad=True),
        gd.adamw(0.1),
        gd.adamax(0.1),
        gd.nadam(0.1),
        gd.radam(0.1),
        gd.lion(0.1),
    ],
    ids=repr,
)
def test_float32_stays_float32(optimizer):
    params = P.astype(np.float32)
    state = optimizer.init(params)
    for _ in range(3):
        u, state = optimizer.update(G.astype(np.float32), state, params)
        assert u.dtype == np.float32
        params = params + u
    assert params.dtype == np.float32

"""gdlab.problems.losses: the heads stay finite and exact at extreme logits."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gdlab.problems.models import (
    LogisticRegression,
    SoftmaxRegression,
)

# ---- numerical stability ----------------------------------------------------------------


@pytest.mark.parametrize("z", [1000.0, 1e4, 1e300])
def test_log_loss_is_stable_at_extreme_logits(z):
    """ℓ(z, y=0) = softplus(z) = z and ℓ(−z, y=0) = 0 for huge z: no overflow, no warning."""
    model = LogisticRegression(fit_intercept=False)
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        loss, grads = model.value_and_grad(np.array([z]), X, np.array([0, 0, 1, 1]))
        proba = model.predict_proba(np.array([z]), X)
    # per sample: z (wrong, σ = 1), 0 (right), 0 (right), z (wrong, σ = 0)
    assert loss == pytest.approx(z / 2, rel=1e-12)
    assert grads.tolist() == [(1.0 * 1 + 0 * -1 + 0 * 1 + -1.0 * -1) / 4]
    assert proba.tolist() == [1.0, 0.0, 1.0, 0.0]


def test_softmax_is_stable_at_extreme_logits():
    model = SoftmaxRegression(3, fit_intercept=False)
    coef = np.array([[1000.0, -1000.0, 0.0]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        loss, grads = model.value_and_grad(coef.ravel(), np.array([[1.0]]), np.array([1]))
    assert loss == 2000.0  # logsumexp = 1000, z_y = −1000
    assert grads.tolist() == [1.0, -1.0, 0.0]  # softmax (1, 0, 0) − onehot(1)

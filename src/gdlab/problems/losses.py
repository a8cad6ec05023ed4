"""Loss heads: (z, y) -> (mean loss over the batch, ∂L/∂z), computed without overflow.

z is the model's output (predictions or logits) for a batch of b samples; every head returns
the mean loss L = (1/b)·Σᵢ ℓᵢ and its gradient with respect to z, ready for backpropagation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]

LOSSES = ("mse", "half_mse")


def squared_error(z: Array, y: Array, loss: str) -> tuple[float, Array]:
    """mse: L = mean(r²), ∂L/∂z = 2r/N;  half_mse: L = ½·mean(r²), ∂L/∂z = r/N  (r = z − y)."""
    r = z - np.asarray(y, dtype=z.dtype)
    c = 0.5 if loss == "half_mse" else 1.0
    return c * float(np.mean(r * r)), (2.0 * c / r.size) * r


def sigmoid(z: Array) -> Array:
    """σ(z) = 1/(1 + e^{−z}), computed from e^{−|z|} so that no z overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def log_loss(z: Array, y: Array) -> tuple[float, Array]:
    """ℓ = log(1 + e^z) − y·z (softplus form, no overflow), ∂ℓ/∂z = σ(z) − y."""
    y = np.asarray(y, dtype=z.dtype)
    return float(np.mean(np.logaddexp(0.0, z) - y * z)), (sigmoid(z) - y) / len(z)


def log_softmax(z: Array) -> Array:
    """log softmax(z) = z − logsumexp(z), with the row maximum taken out first."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def cross_entropy(z: Array, y: Array) -> tuple[float, Array]:
    """ℓ = logsumexp(z) − z_y, ∂ℓ/∂z = softmax(z) − onehot(y)."""
    rows, y = np.arange(len(z)), np.asarray(y, dtype=np.intp)
    log_p = log_softmax(z)
    dz = np.exp(log_p)
    dz[rows, y] -= 1.0
    return -float(np.mean(log_p[rows, y])), dz / len(z)

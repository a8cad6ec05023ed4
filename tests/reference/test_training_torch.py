"""gd.fit with mini-batches ≡ a torch training loop on the same batches, in float64.

The batches are gdlab's own (one permutation per epoch from default_rng(seed), a short last
batch kept); torch sees exactly those index arrays, computes MSELoss (mean over the true batch
size) with autograd, and steps torch.optim.SGD / Adam.  Parameters agree to ≤ 1e-9 (relative).
"""

import numpy as np
import pytest
import torch

import gdlab as gd
from gdlab import data
from gdlab.batching import Batches
from gdlab.training import fit

N, D, BATCH, EPOCHS, SEED = 53, 4, 8, 6, 5
START = np.array([0.3, -0.2, 0.1, 0.05, -0.4])  # coef (4), intercept


def torch_fit(make_optimizer, X, y):
    weight = torch.tensor(START[:D], dtype=torch.float64, requires_grad=True)
    bias = torch.tensor(START[D], dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([weight, bias])
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    batches, rng = Batches(N, BATCH), np.random.default_rng(SEED)
    for _ in range(EPOCHS):
        for index in batches.epoch(rng):
            index_t = torch.from_numpy(np.asarray(index, dtype=np.int64))
            optimizer.zero_grad()
            prediction = X_t[index_t] @ weight + bias
            torch.nn.functional.mse_loss(prediction, y_t[index_t]).backward()
            optimizer.step()
    return np.concatenate([weight.detach().numpy(), [bias.item()]])


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(gd.sgd(0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
     (gd.sgd(0.05, momentum=0.9, nesterov=True),
      lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
     (gd.adam(0.02), lambda p: torch.optim.Adam(p, lr=0.02)),
     (gd.adamw(0.02, weight_decay=0.1), lambda p: torch.optim.AdamW(p, lr=0.02, weight_decay=0.1))],
)  # fmt: skip
def test_mini_batch_fit_equals_torch(ours, theirs):
    ds = data.make_linear(n_samples=N, n_features=D, noise=0.3, seed=1)
    result = fit(
        gd.models.LinearRegression(), ds.X, ds.y, optimizer=ours, batch_size=BATCH,
        epochs=EPOCHS, seed=SEED, start=START,
    )  # fmt: skip
    assert result.nit == EPOCHS * 7  # ⌈53/8⌉ batches, the last one of 5
    np.testing.assert_allclose(result.x, torch_fit(theirs, ds.X, ds.y), rtol=1e-9, atol=1e-12)

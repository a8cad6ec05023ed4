"""Seed 002: batch, stochastic and mini-batch gradient descent on four points.

X = [[1, 1], [1, 2], [1, 3], [1, 4]], y = [2, 4, 6, 8], θ₀ = 0, α = 0.01, 1000 iterations,
loss (1/2m)·Σ(Xθ − y)².  loss_history holds the loss on all the data after each iteration.

    python examples/seed_002.py
"""

import gdlab as gd

ds = gd.data.seed002()
model = gd.models.LinearRegression(loss="half_mse", fit_intercept=False)  # X has the ones
ways = {
    "BGD": {"batch_size": None},  # all four points per update
    "SGD": {"batch_size": 1, "replace": True},  # the seed draws np.random.randint(m), m times
    "MBGD": {"batch_size": 2},  # a new permutation per iteration, batches of two
}
for name, batching in ways.items():
    result = gd.fit(
        model, ds.X, ds.y, optimizer=gd.sgd(0.01), epochs=1000, start=0.0, full_loss=True,
        seed=0, **batching,
    )  # fmt: skip
    loss_history = result.history.epoch_full_loss
    print(f"{name:>4}: 最终参数 theta: {result.x}  (loss {loss_history[-1]:.3g})")
# BGD: theta = [0.136307 1.953639]; SGD and MBGD make 4 and 2 updates an iteration: closer to (0, 2)

"""Seed 000: gradient descent on f(x) = x², then per-sample SGD on y = 2x² + 3x + 4.

python examples/seed_000.py              # the seed's printout
python examples/seed_000.py out.png      # and its scatter: data (red) vs prediction
"""

import sys

import gdlab as gd

# 1. f(x) = x²: at x = −1 the derivative is −2 (x must grow), at x = 1 it is 2 (x must shrink).
parabola = gd.problems.get("parabola")
for start in (-1.0, 1.0):
    result = gd.minimize(parabola, [start], optimizer=gd.sgd(0.1), steps=1000, xtol=1e-6)
    slope = parabola.grad([start])[0]
    print(f"x0 = {start:+}: f'(x0) = {slope:+}, x1 = {result.history.x[1, 0]:+.1f}, "
          f"x = {result.x[0]:.2e} after {result.nit} steps")  # fmt: skip

# 2. w1·x² + w2·x + w3 from w = (1, 0, −1), lr 0.1, one sample per update in order,
#    until the epoch loss (the mean of the per-sample losses) is below 1e-4.
ds = gd.data.seed000()
model = gd.models.PolynomialRegression(2)
result = gd.fit(
    model, ds.X, ds.y, optimizer=gd.sgd(0.1), batch_size=1, shuffle=False, epochs=1000,
    start=[1, 0, -1], target=1e-4,
)  # fmt: skip
for epoch, loss in zip(result.history.epoch, result.history.epoch_loss, strict=True):
    print(f"第{epoch}轮, loss {loss:f}")  # the seed's own line
w1, w2, w3 = result.x
print(f"训练后权重:w1:{w1} w2:{w2} w3:{w3}")  # 50 epochs: w = (2.18870, 2.75347, 4.06002)

if len(sys.argv) > 1:
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.subplots()
    ax.scatter(ds.X[:, 0], ds.y, color="red")
    ax.scatter(ds.X[:, 0], model.predict(result.x, ds.X))
    fig.savefig(sys.argv[1])

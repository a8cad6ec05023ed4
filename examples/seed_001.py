"""Seed 001: mini-batches, the EWA, momentum / RMSprop / Adam, decay, saddles and plateaus.

A short tour of each part; `gdlab.demos.run("seed-001")` measures them all, in full.

    python examples/seed_001.py [out.png]
"""

import sys

import numpy as np

import gdlab as gd
from gdlab import schedules
from gdlab.batching import steps_per_epoch

# (a) one epoch is ⌈n/b⌉ updates: smaller batches make more progress per pass over the data
ds = gd.data.make_linear(n_samples=1024, n_features=8, noise=0.5, seed=0)
model = gd.models.LinearRegression()
for b in (1, 32, 256, None):
    result = gd.fit(model, ds.X, ds.y, optimizer=gd.sgd(0.02), batch_size=b, epochs=10)
    print(f"(a) batch {b or 'full':>4}: {result.nit:5} updates, loss {result.fun:.4f}")

# (b) the EWA v = βv + (1 − β)x starts low; v / (1 − β^t) corrects it
series = 10 + np.random.default_rng(0).normal(0, 2, 50)
for beta in (0.5, 0.9, 0.98):
    raw = gd.ewa(beta, debias=False).series(series)[:3].round(2)
    corrected = gd.ewa(beta).series(series)[:3].round(2)
    print(f"(b) β = {beta}: first estimates {raw} raw, {corrected} corrected")

# (c) steps to f ≤ 1e-6 on a bowl with condition number 50
bowl = gd.problems.get("quadratic", condition=50)
optimizers = {
    "GD": gd.sgd(0.02),
    "momentum": gd.momentum(0.1),
    "RMSprop": gd.rmsprop(0.04),
    "Adam": gd.adam(0.04),
}
for name, optimizer in optimizers.items():
    result = gd.minimize(bowl, bowl.start, optimizer=optimizer, steps=10_000, target=1e-6)
    print(f"(c) {name:>8}: {result.nit} steps")

# (d) decay stepped once per epoch (every ⌈n/b⌉ updates) on noisy mini-batch SGD
decays = {
    "constant": schedules.constant(0.1),
    "exponential": schedules.exponential_decay(0.1, 0.9),
    "1/(1+kt)": schedules.inverse_time_decay(0.1, 0.5),
    "k/√t": schedules.inverse_sqrt_decay(0.1),
    "staircase": schedules.exponential_decay(0.1, 0.5, transition_steps=10, staircase=True),
}
per = steps_per_epoch(ds.n_samples, 16)
for name, schedule in decays.items():
    optimizer = gd.sgd(schedules.per_epoch(schedule, per))
    result = gd.fit(model, ds.X, ds.y, optimizer=optimizer, batch_size=16, epochs=40)
    print(f"(d) {name:>11}: loss {result.fun:.5f}")

# (e) a plateau: steps until f < 0.01 at α = 0.1 (the seeds' EWA momentum is no faster than GD)
plateau = gd.problems.get("plateau")
escapes = {
    "GD": gd.sgd(0.1),
    "EWA momentum": gd.momentum(0.1),
    "heavy ball": gd.sgd(0.1, momentum=0.9),
    "Adam": gd.adam(0.1),
}
for name, optimizer in escapes.items():
    result = gd.minimize(plateau, plateau.start, optimizer=optimizer, steps=5000, target=0.01)
    print(f"(e) {name:>12}: {result.nit} steps")

# (f) too large a learning rate diverges, too small a one crawls
four = gd.data.seed002()
half = gd.models.LinearRegression(loss="half_mse", fit_intercept=False)
for rate in (0.3, 0.2, 0.001):
    optimizer = gd.sgd(rate)
    result = gd.fit(half, four.X, four.y, optimizer=optimizer, epochs=1000, start=0.0, target=1e-4)
    print(f"(f) α = {rate}: {result.status} — {result.message}")

if len(sys.argv) > 1:
    from gdlab import demo_figures

    demo_figures.figure("seed-001").savefig(sys.argv[1])

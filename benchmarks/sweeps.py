"""K learning rates × S steps on the 2-D Rosenbrock function: one stacked run vs a loop.

Stacked: `minimize_stacked(rosenbrock, x0, [gd.adam(α) for α in grid], steps=S)`, all rows in
one (K, 2) array.  Loop: `gd.minimize` once per learning rate (the same runs, one by one).
Ratio: loop time / stacked time (the issue asks ≥ 50×).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

import gdlab as gd
from benchmarks.report import Row
from benchmarks.timing import interleaved_medians
from gdlab.stacked import minimize_stacked

START = (-1.5, 2.0)


def sweep_rows(count: int, steps: int, repeats: int) -> list[Row]:
    problem = gd.problems.get("rosenbrock")
    rates = np.geomspace(1e-4, 1.0, count)
    optimizers = [gd.adam(float(rate)) for rate in rates]
    statuses: Counter[str] = Counter()

    def stacked() -> None:
        runs = minimize_stacked(problem, START, optimizers, steps=steps)
        statuses.clear()
        statuses.update(runs.status.tolist())

    def loop() -> None:
        for optimizer in optimizers:
            gd.minimize(problem, START, optimizer=optimizer, steps=steps)

    stacked()  # warm-up: compile (or load) the loop
    times = interleaved_medians({"stacked": stacked, "loop": loop}, repeats=repeats, warmup=0)
    stacked_time, loop_time = times["stacked"], times["loop"]
    case = f"{count} learning rates × {steps} steps, adam"
    return [
        Row(
            "sweep", case, "minimize_stacked", stacked_time, loop_time / stacked_time,
            "× loop speed", target="≥ 50×", note=f"status {dict(statuses)}",
        ),
        Row("sweep", case, "loop of gd.minimize", loop_time),
    ]  # fmt: skip

"""Small problems stay light: per-step cost of a whole run on the 2-D Rosenbrock function.

gdlab: `gd.minimize(rosenbrock, [-1.5, 2], optimizer=gd.adam(1e-3), steps=S)` — evaluation,
recording, criteria and the update — divided by S.  torch: the usual loop, loss written with
torch ops, `backward`, `step`, `zero_grad`, float64 like gdlab.  Ratio: gdlab time / torch
time (the issue asks ≤ 0.5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gdlab as gd
from benchmarks.report import Row
from benchmarks.timing import interleaved_medians, optional_import

START = (-1.5, 2.0)
LEARNING_RATE = 1e-3


def overhead_rows(steps: int, repeats: int, budget: float = 0.0) -> list[Row]:
    problem = gd.problems.get("rosenbrock")

    def gdlab_run() -> None:
        gd.minimize(problem, START, optimizer=gd.adam(LEARNING_RATE), steps=steps)

    runs = {"gd.minimize": gdlab_run, **_torch_run(steps)}
    times = {
        name: t / steps
        for name, t in interleaved_medians(runs, repeats=repeats, budget=budget).items()
    }
    ours, theirs = times["gd.minimize"], times.get("torch.optim loop")
    case = "rosenbrock 2-D, adam, per step"
    ratio = None if theirs is None else ours / theirs
    return [
        Row("overhead", case, "gd.minimize", ours, ratio, "× torch time", target="≤ 0.5×"),
        Row("overhead", case, "torch.optim loop", theirs, note="" if theirs else "no torch"),
    ]


def _torch_run(steps: int) -> dict[str, Callable[[], Any]]:
    torch = optional_import("torch")
    if torch is None:
        return {}

    def run() -> Any:
        x = torch.tensor(START, dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.Adam([x], lr=LEARNING_RATE)
        for _ in range(steps):
            loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        return x

    return {"torch.optim loop": run}

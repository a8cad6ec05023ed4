"""One optimizer step on N float32 parameters: gdlab fused vs torch.optim vs the floor.

gdlab: `kernels.fuse(optimizer).step` (threads from kernels.THREADS_FROM elements) and, for
reference, the NumPy path (`optimizer.update` then x + u).  torch: `fused=True` where torch has
it (Adam, SGD), `foreach=True` otherwise (RMSprop), and the default.  The variants are timed in
turns, with a kernel that moves the same arrays with next to no arithmetic (the ceiling of
the access pattern: several streams reach less than the one-array stream the floor is
measured on).  Ratios: × the fastest torch variant's speed (its time / ours), and the
fraction of the memory floor reached (floor time / ours).

The variants that allocate arrays of the parameters' size every step (the NumPy reference,
torch's default) take their turns apart, after the others: freeing and faulting in hundreds
of megabytes leaves the kernel work (zeroing and merging pages) on one of the two cores:
in their turns, Adam's 50M steps measured 7–9% slower (gdlab fused, and torch fused; once,
torch fused a third slower).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import gdlab as gd
from benchmarks.memory import floor_seconds, label, same_arrays
from benchmarks.report import Row
from benchmarks.timing import interleaved_medians, optional_import
from gdlab import kernels

LEARNING_RATE = 1e-3
TARGETS = {"adam": "≥ 1.0× torch fused, ≥ 85% of floor", "sgd-momentum": "≥ 1.0× torch fused"}
CEILING = "same arrays, no arithmetic"
Step = Callable[[], Any]


def _optimizers() -> dict[str, tuple[gd.Transform, Callable[..., Any], str]]:
    """name -> (gdlab optimizer, torch factory(params, fastest: bool), torch's fastest option)."""
    torch = optional_import("torch")
    optim: Any = torch.optim if torch else None

    def adam(params: Any, fastest: bool) -> Any:
        return optim.Adam(params, lr=LEARNING_RATE, fused=True if fastest else None)

    def sgd(params: Any, fastest: bool) -> Any:
        return optim.SGD(params, lr=LEARNING_RATE, momentum=0.9, fused=True if fastest else None)

    def rmsprop(params: Any, fastest: bool) -> Any:
        return optim.RMSprop(params, lr=LEARNING_RATE, foreach=True if fastest else None)

    return {
        "adam": (gd.adam(LEARNING_RATE), adam, "fused"),
        "sgd-momentum": (gd.sgd(LEARNING_RATE, momentum=0.9), sgd, "fused"),
        "rmsprop": (gd.rmsprop(LEARNING_RATE), rmsprop, "foreach"),
    }


def step_rows(
    sizes: list[int], repeats: int, bandwidth: dict[int, float], budget: float = 0.0
) -> list[Row]:
    rows = []
    rng = np.random.default_rng(0)
    for size in sizes:
        params = rng.standard_normal(size, dtype=np.float32)
        grads = rng.standard_normal(size, dtype=np.float32)
        for name, (optimizer, make_torch, fastest) in _optimizers().items():
            fused = kernels.fuse(optimizer)
            assert fused is not None
            slots = len(fused.program.slots)
            steps = {"gdlab fused": _fused_step(fused, params, grads),
                     CEILING: same_arrays(params, grads, slots)}  # fmt: skip
            allocating = {"gdlab reference (NumPy)": _reference_step(optimizer, params, grads)}
            for variant, step in _torch_steps(make_torch, fastest, params, grads).items():
                (steps if variant == f"torch {fastest}" else allocating)[variant] = step
            times = interleaved_medians(steps, repeats=repeats, budget=budget)
            times.update(interleaved_medians(allocating, repeats=repeats, budget=budget))
            moved = 3 + 2 * slots  # reads p, g, slots; writes p, slots
            floor = floor_seconds(moved, size, params.itemsize, bandwidth[size])
            rows += _rows(name, size, times, floor, moved, fastest)
            del steps
    return rows


def _rows(
    name: str, size: int, times: dict[str, float], floor: float, moved: int, fastest: str
) -> list[Row]:
    case = f"{name} step {label(size)} float32"
    baseline = times.get(f"torch {fastest}")
    ceiling = times.get(CEILING)
    rows = [Row("steps", case, "memory floor", floor, floor=1.0, note=f"{moved} arrays moved")]
    for variant, seconds in times.items():
        target = TARGETS.get(name, "") if variant == "gdlab fused" else ""
        ratio = None if baseline is None or variant == CEILING else baseline / seconds
        note = ""
        if variant == "gdlab fused" and ceiling is not None:
            note = f"{ceiling / seconds:.0%} of the speed of {CEILING}"
        rows.append(
            Row(
                "steps", case, variant, seconds, ratio, f"× torch {fastest}" if ratio else "",
                floor=floor / seconds, target=target,
                note=note,
            )
        )  # fmt: skip
    if baseline is None:
        rows.append(Row("steps", case, "torch", None, note="torch not installed"))
    return rows


def _fused_step(fused: kernels.FusedOptimizer, params: Any, grads: Any) -> Step:
    x = params.copy()
    state = [fused.init(x)]

    def step() -> None:
        state[0] = fused.step(x, grads, state[0])

    return step


def _reference_step(optimizer: gd.Transform, params: Any, grads: Any) -> Step:
    x = [params.copy()]
    state = [optimizer.init(x[0])]

    def step() -> None:
        updates, state[0] = optimizer.update(grads, state[0], x[0])
        x[0] = x[0] + updates

    return step


def _torch_steps(
    make_torch: Callable[..., Any], fastest: str, params: Any, grads: Any
) -> dict[str, Step]:
    torch = optional_import("torch")
    if torch is None:
        return {}
    steps = {}
    for variant, best in ((f"torch {fastest}", True), ("torch default", False)):
        parameter = torch.from_numpy(params.copy()).requires_grad_()
        parameter.grad = torch.from_numpy(grads)
        steps[variant] = make_torch([parameter], best).step
    return steps

"""The seed articles' demonstrations, as numbers (layer L4): `run(name) -> dict`.

Each demo returns a JSON-ready dict (plain floats, ints, strings and lists): the keys the issue
names first, then the measured curves that `gdlab.demo_figures` draws.  `names()` lists them:

    seed-000   GD on f(x) = x² from x = −1 and 1; per-sample SGD on y = 2x² + 3x + 4
    seed-001   (a) batch sizes, (b) EWA and bias correction, (c) momentum / RMSprop / Adam vs GD,
               (d) learning-rate decay, (e) saddle and plateau escapes, (f) too large / too small α
    seed-002   batch, stochastic and mini-batch GD on the four-point data

Everything is seeded; only the wall-clock times of seed-001 (a) change from run to run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from gdlab import data, problems
from gdlab.averages import ewa
from gdlab.base import Transform
from gdlab.batching import steps_per_epoch
from gdlab.loop import StepInfo, minimize
from gdlab.optimizers import adam, momentum, rmsprop, sgd
from gdlab.problems.models import LinearRegression, PolynomialRegression
from gdlab.schedules import (
    constant,
    exponential_decay,
    inverse_sqrt_decay,
    inverse_time_decay,
    per_epoch,
)
from gdlab.training import FitEpoch, fit

SEED = 0


def names() -> tuple[str, ...]:
    """The demo names, for `run` and `gdlab demo NAME`."""
    return tuple(_DEMOS)


def run(name: str) -> dict[str, Any]:
    """The numbers of demo `name` (see the module docstring), JSON-ready."""
    if name not in _DEMOS:
        raise ValueError(f"unknown demo {name!r}; valid names: {', '.join(names())}")
    return _DEMOS[name]()


# ---------------------------------------------------------------- seed 000


def seed_000() -> dict[str, Any]:
    """Seed 000: x² from ±1 (the derivative's sign picks the direction), then its SGD loop.

    SGD: w = (1, 0, −1), lr 0.1, one sample per update in order, stop once the epoch loss
    (the mean of the 100 per-sample losses, each before its update) is below 1e-4 — the seed
    prints "第%d轮, loss %f" with that number and breaks after epoch 49.
    """
    ds = data.seed000()
    result = fit(
        PolynomialRegression(2), ds.X, ds.y, optimizer=sgd(0.1), batch_size=1, shuffle=False,
        epochs=1000, start=[1.0, 0.0, -1.0], target=1e-4,
    )  # fmt: skip
    epoch_loss = result.history.epoch_loss
    assert epoch_loss is not None
    return {
        "epochs": int(result.info["epochs"]),
        "weights": result.x.tolist(),
        "final_loss": float(epoch_loss[-1]),
        "status": result.status,
        "epoch_loss": epoch_loss.tolist(),
        "parabola": [_parabola(start) for start in (-1.0, 1.0)],
    }


def _parabola(start: float) -> dict[str, Any]:
    """GD on f(x) = x², α = 0.1, until x no longer changes (a step below 1e-6)."""
    problem = problems.get("parabola")
    result = minimize(problem, [start], optimizer=sgd(0.1), steps=1000, xtol=1e-6)
    derivative = float(problem.grad(np.array([start]))[0])
    path = result.history.x
    assert path is not None
    return {
        "start": start,
        "derivative": derivative,
        "direction": "increase x" if derivative < 0 else "decrease x",
        "steps": result.nit,
        "x": float(result.x[0]),
        "path": path[:, 0].tolist(),
    }


# ---------------------------------------------------------------- seed 002


def seed_002() -> dict[str, Any]:
    """Seed 002: BGD, SGD and MBGD (batch 2), α = 0.01, 1000 iterations, θ₀ = 0, (1/2m)Σr².

    loss_history is the loss on all four points after each iteration (after the update for
    BGD, after the iteration's last update for SGD and MBGD), as the seed appends it.  The seed's
    SGD draws each of an iteration's m samples with `np.random.randint(m)`: with replacement,
    imitated here with `replace=True`; its MBGD shuffles with a permutation per iteration.
    """
    ds = data.seed002()
    model = LinearRegression(loss="half_mse", fit_intercept=False)
    runs: dict[str, dict[str, Any]] = {
        "bgd": {"batch_size": None},
        "sgd": {"batch_size": 1, "replace": True},
        "mbgd": {"batch_size": 2},
    }
    out = {}
    for name, options in runs.items():
        result = fit(
            model, ds.X, ds.y, optimizer=sgd(0.01), epochs=1000, start=0.0, full_loss=True,
            seed=SEED, **options,
        )  # fmt: skip
        history = result.history.epoch_full_loss
        assert history is not None
        out[name] = {"theta": result.x.tolist(), "loss_history": history.tolist()}
    return out


# ---------------------------------------------------------------- seed 001


def seed_001() -> dict[str, Any]:
    """Seed 001, parts (a)–(f): each a dict of measured numbers and curves."""
    return {
        "batch_sizes": _batch_sizes(),
        "ewa": _ewa(),
        "optimizers": _optimizers(),
        "decay": _decay(),
        "escape": _escape(),
        "learning_rate": _learning_rates(),
    }


def _batch_sizes(epochs: int = 10, learning_rate: float = 0.02) -> dict[str, Any]:
    """(a) Mini-batch sizes 1 … 512 and the full batch: full-data loss vs epochs and wall time."""
    ds = data.make_linear(n_samples=1024, n_features=8, noise=0.5, seed=SEED)
    model = LinearRegression()
    runs = []
    for batch_size in (1, 32, 64, 128, 256, 512, None):
        times, snapshots = _timed_fit(model, ds, sgd(learning_rate), batch_size, epochs)
        losses = [model.value_and_grad(p, ds.X, ds.y)[0] for p in snapshots]
        runs.append(
            {
                "batch_size": batch_size or "full",
                "updates": epochs * steps_per_epoch(ds.n_samples, batch_size),
                "final_loss": losses[-1],
                "seconds": times[-1],
                "loss": losses,
                "time": times,
            }
        )
    return {"n_samples": ds.n_samples, "epochs": epochs, "learning_rate": learning_rate,
            "runs": runs}  # fmt: skip


def _timed_fit(
    model: Any, ds: data.Dataset, optimizer: Transform, batch_size: int | None, epochs: int
) -> tuple[list[float], list[np.ndarray]]:
    """Seconds since the start and the parameters, at the start and after every epoch."""
    times, snapshots = [0.0], [model.init(ds.n_features, start=0.0)]
    began = time.perf_counter()

    def clock(info: FitEpoch) -> None:
        times.append(time.perf_counter() - began)
        snapshots.append(info.params.copy())

    fit(
        model, ds.X, ds.y, optimizer=optimizer, batch_size=batch_size, epochs=epochs,
        start=0.0, seed=SEED, epoch_callback=clock,
    )  # fmt: skip
    return times, snapshots


def _ewa(steps: int = 200) -> dict[str, Any]:
    """(b) EWA of a noisy series, β = 0.5, 0.9, 0.98, with and without bias correction.

    Measured: the mean |average − signal| over the first ⌈1/(1 − β)⌉ values (where the
    uncorrected average is biased towards its start v₀ = 0) and over the whole series.
    """
    t = np.arange(steps)
    signal = 10.0 + 5.0 * np.sin(2 * np.pi * t / 150.0)
    series = signal + np.random.default_rng(SEED).normal(0.0, 2.0, steps)
    averages = {}
    for beta in (0.5, 0.9, 0.98):
        window = math.ceil(1 / (1 - beta))
        entry: dict[str, Any] = {"window": window}
        for label, debias in (("biased", False), ("corrected", True)):
            average = ewa(beta, debias=debias).series(series)
            error = np.abs(average - signal)
            entry[label] = average.tolist()
            entry[f"early_error_{label}"] = float(error[:window].mean())
            entry[f"error_{label}"] = float(error.mean())
        averages[str(beta)] = entry
    return {"signal": signal.tolist(), "series": series.tolist(), "betas": averages}


OPTIMIZERS: dict[str, Callable[[float], Transform]] = {
    "gd": sgd,
    "momentum": momentum,
    "heavy_ball": lambda rate: sgd(rate, momentum=0.9),
    "rmsprop": rmsprop,
    "adam": adam,
}
RATES = (0.4, 0.2, 0.1, 0.04, 0.02, 0.01, 0.004, 0.002, 0.001)


def _optimizers(tolerance: float = 1e-6, budget: int = 10_000) -> dict[str, Any]:
    """(c) Steps until f ≤ tolerance, each optimizer at its best learning rate from RATES.

    "momentum" is the seeds' v ← βv + (1 − β)g, "heavy_ball" torch's v ← 0.9v + g; problems:
    quadratic (condition 50) and Rosenbrock, from their start points.  steps is None when no
    learning rate reached the tolerance within the budget.
    """
    table = {}
    for label, problem in (
        ("quadratic", problems.get("quadratic", condition=50.0)),
        ("rosenbrock", problems.get("rosenbrock")),
    ):
        table[label] = {
            name: _best_rate(problem, make, tolerance, budget) for name, make in OPTIMIZERS.items()
        }
    return {"tolerance": tolerance, "budget": budget, "rates": list(RATES), "problems": table}


def _best_rate(
    problem: Any, make: Callable[[float], Transform], tolerance: float, budget: int
) -> dict[str, Any]:
    """The fastest rate, scanning RATES downwards: diverging rates are skipped; once a rate has
    reached the tolerance, the scan ends after two rates in a row that do not beat the best
    (smaller ones only crawl).  When none reaches it, the lowest final loss wins."""
    best: Any = None
    misses = 0
    for rate in RATES:
        result = minimize(
            problem, list(problem.start), optimizer=make(rate), steps=budget, target=tolerance,
            record_path=False,
        )  # fmt: skip
        if result.status == "diverged":
            continue
        key = (result.status != "converged", result.nit, result.fun)
        if best is None or key < best[0]:
            best, misses = (key, rate, result), 0
        elif not best[0][0]:
            misses += 1
        if misses == 2:
            break
    _, rate, result = best
    return {
        "learning_rate": rate,
        "steps": result.nit if result.status == "converged" else None,
        "final_loss": result.fun,
        "loss": _thin(result.history.loss),
    }


def _decay(epochs: int = 40, batch_size: int = 16, initial: float = 0.1) -> dict[str, Any]:
    """(d) Learning-rate decay per epoch on noisy mini-batch SGD: the schedules and the losses.

    Reported: the full-data loss after each epoch and its excess over the least-squares
    optimum (the floor no schedule can beat); decay lowers the noise floor of constant-α SGD.
    """
    ds = data.make_linear(n_samples=256, n_features=4, noise=1.0, seed=SEED)
    model = LinearRegression()
    design = np.column_stack([ds.X, np.ones(ds.n_samples)])
    optimum = float(np.mean((design @ np.linalg.lstsq(design, ds.y, rcond=None)[0] - ds.y) ** 2))
    per = steps_per_epoch(ds.n_samples, batch_size)
    schedules = {
        "constant": constant(initial),
        "exponential": exponential_decay(initial, 0.9),
        "inverse_time": inverse_time_decay(initial, 0.5),
        "inverse_sqrt": inverse_sqrt_decay(initial),
        "staircase": exponential_decay(initial, 0.5, transition_steps=10, staircase=True),
    }
    out = {}
    for name, schedule in schedules.items():
        result = fit(
            model, ds.X, ds.y, optimizer=sgd(per_epoch(schedule, per)), batch_size=batch_size,
            epochs=epochs, start=0.0, seed=SEED, full_loss=True,
        )  # fmt: skip
        losses = result.history.epoch_full_loss
        assert losses is not None
        out[name] = {
            "learning_rate": schedule(np.arange(epochs)).tolist(),
            "loss": losses.tolist(),
            "excess_loss": float(losses[-1] - optimum),
        }
    return {"epochs": epochs, "batch_size": batch_size, "optimum": optimum, "schedules": out}


ESCAPES = {  # problem, learning rate, budget, escaped(x, loss)
    "saddle": ("saddle", 0.01, 5000, lambda x, loss: loss < -1.0),
    "monkey_saddle": ("monkey_saddle", 0.01, 5000, lambda x, loss: math.hypot(*x) > 1.5),
    "plateau": ("plateau", 0.1, 5000, lambda x, loss: loss < 0.01),
}


def _escape() -> dict[str, Any]:
    """(e) Steps to leave a saddle or a plateau at the same α: GD, both momenta, Adam.

    Escape: f < −1 (saddle x² − y² from (−1.5, 0.01)), ‖x‖ > 1.5 (monkey saddle from
    (1, 0.001)), f < 0.01 (plateau from (−4, 1)).  steps is None when the budget ran out.
    The seeds' EWA momentum takes GD-sized steps where the slope is constant: it does not
    escape faster than GD; heavy-ball momentum and Adam do.
    """
    out = {}
    for label, (name, rate, budget, escaped) in ESCAPES.items():
        problem = problems.get(name)
        entry: dict[str, Any] = {"learning_rate": rate, "budget": budget}
        for key in ("gd", "momentum", "heavy_ball", "adam"):

            def stop(info: StepInfo, escaped: Callable = escaped) -> bool:
                return bool(escaped(info.x, info.loss))

            result = minimize(
                problem, list(problem.start), optimizer=OPTIMIZERS[key](rate), steps=budget,
                callback=stop,
            )  # fmt: skip
            path = result.history.x
            assert path is not None
            entry[key] = {
                "steps": result.nit if result.status == "stopped" else None,
                "path": _thin(path),
            }
        out[label] = entry
    return out


def _learning_rates(epochs: int = 1000, target: float = 1e-4) -> dict[str, Any]:
    """(f) Seed 002's batch GD at α = 0.3 (diverges: α > 2/λ_max ≈ 0.24), 0.2 and 0.001 (slow)."""
    ds = data.seed002()
    model = LinearRegression(loss="half_mse", fit_intercept=False)
    hessian = ds.X.T @ ds.X / ds.n_samples
    out: dict[str, Any] = {"stable_below": 2 / float(np.linalg.eigvalsh(hessian).max())}
    for label, rate in (("too_large", 0.3), ("good", 0.2), ("too_small", 0.001)):
        result = fit(
            model, ds.X, ds.y, optimizer=sgd(rate), epochs=epochs, start=0.0, target=target
        )
        out[label] = {
            "learning_rate": rate,
            "status": result.status,
            "updates": result.nit,
            "final_loss": result.fun,
            "message": result.message,
            "loss": _thin(result.history.loss),
        }
    return out


def _thin(values: np.ndarray, points: int = 200) -> dict[str, list[Any]]:
    """A long curve at ≤ `points` evenly spaced rows (first and last kept): {step, value}."""
    steps = np.arange(len(values))
    if len(values) > points:
        steps = np.unique(np.linspace(0, len(values) - 1, points).round().astype(int))
    return {"step": steps.tolist(), "value": np.asarray(values)[steps].tolist()}


_DEMOS: dict[str, Callable[[], dict[str, Any]]] = {
    "seed-000": seed_000,
    "seed-001": seed_001,
    "seed-002": seed_002,
}

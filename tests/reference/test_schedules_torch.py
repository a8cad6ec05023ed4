"""gdlab.schedules against torch.optim.lr_scheduler 2.13: the learning rate of every update.

Convention: the learning rate of update t (t = 0 first) is the optimizer's lr after t calls to
scheduler.step(), each made after optimizer.step() — exactly torch's documented loop.  torch
updates most learning rates recursively (lr ← lr·factor); gdlab evaluates the closed form, so the
two agree to rounding (measured ≤ 3e-15 relative), and the bound asserted is 1e-12.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as torch_schedulers

from gdlab import schedules

STEPS = 300
RTOL = 1e-12

MakeScheduler = Callable[[torch.optim.Optimizer], object]


def torch_learning_rates(make: MakeScheduler, steps: int = STEPS, lr: float = 0.1) -> np.ndarray:
    """lr in effect at each of `steps` updates of SGD on one float64 parameter."""
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = make(optimizer)
    rates = []
    for _ in range(steps):
        rates.append(optimizer.param_groups[0]["lr"])
        assert scheduler.get_last_lr() == [rates[-1]]  # type: ignore[attr-defined]
        param.grad = torch.zeros_like(param)
        optimizer.step()
        scheduler.step()  # type: ignore[attr-defined]
    return np.array(rates)


def assert_matches(ours: schedules.Schedule, make: MakeScheduler, steps: int = STEPS) -> None:
    expected = torch_learning_rates(make, steps)
    np.testing.assert_allclose(ours(np.arange(steps)), expected, rtol=RTOL, atol=0)
    np.testing.assert_allclose([ours(t) for t in range(steps)], expected, rtol=RTOL, atol=0)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.97, 0.999, 1.0])
def test_exponential_decay_is_exponential_lr(gamma: float) -> None:
    ours = schedules.exponential_decay(0.1, gamma)
    assert_matches(ours, lambda opt: torch_schedulers.ExponentialLR(opt, gamma))


@pytest.mark.parametrize(("step_size", "gamma"), [(1, 0.9), (7, 0.5), (30, 0.1), (299, 0.2)])
def test_step_decay_is_step_lr(step_size: int, gamma: float) -> None:
    make = lambda opt: torch_schedulers.StepLR(opt, step_size, gamma)  # noqa: E731
    assert_matches(schedules.step_decay(0.1, step_size, gamma), make)
    staircase = schedules.exponential_decay(0.1, gamma, transition_steps=step_size, staircase=True)
    assert_matches(staircase, make)


@pytest.mark.parametrize(
    ("milestones", "gamma"), [([10, 50, 51, 200], 0.3), ([1], 0.1), ([100, 150], 0.5)]
)
def test_multistep_is_multistep_lr(milestones: list[int], gamma: float) -> None:
    ours = schedules.multistep(0.1, milestones, gamma)
    assert_matches(ours, lambda opt: torch_schedulers.MultiStepLR(opt, milestones, gamma))


@pytest.mark.parametrize(("total_steps", "power"), [(250, 1.0), (300, 2.0), (100, 0.5), (7, 3.0)])
def test_polynomial_is_polynomial_lr(total_steps: int, power: float) -> None:
    # torch holds the final 0 after total_iters, as polynomial does: the whole range compares.
    ours = schedules.polynomial(0.1, total_steps, power)
    make = lambda opt: torch_schedulers.PolynomialLR(opt, total_steps, power)  # noqa: E731
    assert_matches(ours, make)


@pytest.mark.parametrize(("total_steps", "end_value"), [(299, 0.0), (250, 1e-3), (50, 0.0)])
def test_cosine_is_cosine_annealing_lr_up_to_t_max(total_steps: int, end_value: float) -> None:
    # torch goes on round the cosine after T_max (back up to the initial lr); cosine stays at
    # end_value, so the comparison covers t = 0 … T_max.
    ours = schedules.cosine(0.1, total_steps, end_value)
    make = lambda opt: torch_schedulers.CosineAnnealingLR(opt, total_steps, end_value)  # noqa: E731
    assert_matches(ours, make, steps=total_steps + 1)
    assert np.all(ours(np.arange(total_steps, STEPS)) == end_value)


@pytest.mark.parametrize(
    ("first_period", "period_mult", "end_value"),
    [(10, 1, 0.0), (10, 2, 1e-3), (7, 3, 0.0), (1, 2, 0.0), (300, 1, 0.0)],
)
def test_cosine_restarts_is_warm_restarts(
    first_period: int, period_mult: int, end_value: float
) -> None:
    ours = schedules.cosine_restarts(
        0.1, first_period, period_mult=period_mult, end_value=end_value
    )
    make = lambda opt: torch_schedulers.CosineAnnealingWarmRestarts(  # noqa: E731
        opt, first_period, period_mult, end_value
    )
    assert_matches(ours, make)


def linear_warmup_then(
    warmup_steps: int, start_factor: float, then: Callable[[torch.optim.Optimizer], object]
) -> MakeScheduler:
    def make(opt: torch.optim.Optimizer) -> object:
        ramp = torch_schedulers.LinearLR(opt, start_factor, total_iters=warmup_steps)
        return torch_schedulers.SequentialLR(opt, [ramp, then(opt)], milestones=[warmup_steps])

    return make


def test_warmup_then_cosine_is_sequential_lr() -> None:
    ours = schedules.warmup(schedules.cosine(0.1, 280, 1e-3), 20, start_factor=0.1)
    then = lambda opt: torch_schedulers.CosineAnnealingLR(opt, 280, 1e-3)  # noqa: E731
    assert_matches(ours, linear_warmup_then(20, 0.1, then))


def test_one_step_warmup_then_cosine_is_sequential_lr() -> None:
    ours = schedules.warmup(schedules.cosine(0.1, 299), 1, start_factor=0.5)
    then = lambda opt: torch_schedulers.CosineAnnealingLR(opt, 299)  # noqa: E731
    assert_matches(ours, linear_warmup_then(1, 0.5, then))


def test_default_warmup_then_exponential_is_sequential_lr() -> None:
    ours = schedules.warmup(schedules.exponential_decay(0.1, 0.99), 50)
    then = lambda opt: torch_schedulers.ExponentialLR(opt, 0.99)  # noqa: E731
    assert_matches(ours, linear_warmup_then(50, 1.0 / 3.0, then))


def test_join_is_sequential_lr() -> None:
    ours = schedules.join(
        [
            schedules.exponential_decay(0.1, 0.95),
            schedules.step_decay(0.1, 9, 0.5),
            schedules.cosine(0.1, 180),
        ],
        [50, 120],
    )

    def make(opt: torch.optim.Optimizer) -> object:
        parts = [
            torch_schedulers.ExponentialLR(opt, 0.95),
            torch_schedulers.StepLR(opt, 9, 0.5),
            torch_schedulers.CosineAnnealingLR(opt, 180),
        ]
        return torch_schedulers.SequentialLR(opt, parts, milestones=[50, 120])

    assert_matches(ours, make)


@pytest.mark.parametrize("anneal", ["cos", "linear"])
@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize(
    ("pct_start", "div_factor", "final_div_factor"), [(0.3, 25.0, 1e4), (0.25, 10.0, 100.0)]
)
def test_one_cycle_is_one_cycle_lr(
    anneal: str, three_phase: bool, pct_start: float, div_factor: float, final_div_factor: float
) -> None:
    ours = schedules.one_cycle(
        0.1,
        STEPS,
        pct_start=pct_start,
        anneal=anneal,
        div_factor=div_factor,
        final_div_factor=final_div_factor,
        three_phase=three_phase,
    )
    make = lambda opt: torch_schedulers.OneCycleLR(  # noqa: E731
        opt,
        0.1,
        total_steps=STEPS,
        pct_start=pct_start,
        anneal_strategy=anneal,
        div_factor=div_factor,
        final_div_factor=final_div_factor,
        three_phase=three_phase,
    )
    assert_matches(ours, make)


@pytest.mark.parametrize(
    ("up", "down", "mode", "gamma"),
    [
        (13, None, "triangular", 1.0),
        (10, 30, "triangular", 1.0),
        (10, 30, "triangular2", 1.0),
        (13, 7, "exp_range", 0.99),
        (1, 1, "exp_range", 0.995),
    ],
)
def test_cyclic_is_cyclic_lr(up: int, down: int | None, mode: str, gamma: float) -> None:
    ours = schedules.cyclic(0.01, 0.1, up, step_size_down=down, mode=mode, gamma=gamma)
    make = lambda opt: torch_schedulers.CyclicLR(  # noqa: E731
        opt, 0.01, 0.1, up, down, mode=mode, gamma=gamma, cycle_momentum=False
    )
    assert_matches(ours, make)


@pytest.mark.parametrize("steps_per_epoch", [1, 4, 7])
def test_per_epoch_is_stepping_once_an_epoch(steps_per_epoch: int) -> None:
    ours = schedules.per_epoch(schedules.cosine(0.1, 40, 1e-3), steps_per_epoch)
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=0.1)
    scheduler = torch_schedulers.CosineAnnealingLR(optimizer, 40, 1e-3)
    expected = []
    for _epoch in range(40):
        for _batch in range(steps_per_epoch):
            expected.append(optimizer.param_groups[0]["lr"])
            param.grad = torch.zeros_like(param)
            optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(ours(np.arange(len(expected))), expected, rtol=RTOL, atol=0)


@pytest.mark.parametrize("lr_decay", [0.0, 0.01, 0.5, 3.0])
def test_inverse_time_decay_is_adagrad_lr_decay(lr_decay: float) -> None:
    # Adagrad: clr = lr / (1 + (step − 1)·lr_decay).  With g = 1 and eps = 0 the step from a
    # zeroed parameter is −clr/√(t+1), so clr is read back to within a few ulps.
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adagrad([param], lr=0.1, lr_decay=lr_decay, eps=0.0)
    read = []
    for t in range(STEPS):
        with torch.no_grad():
            param.zero_()
        param.grad = torch.ones_like(param)
        optimizer.step()
        read.append(-param.item() * np.sqrt(t + 1.0))
    ours = schedules.inverse_time_decay(0.1, lr_decay)
    np.testing.assert_allclose(ours(np.arange(STEPS)), read, rtol=1e-14, atol=0)


# ---------------------------------------------------------------- reduce on plateau


def metric_sequence(seed: int, length: int = 250) -> list[float]:
    """Improvements, exact plateaus, tiny (sub-threshold) gains and setbacks, mixed at random."""
    rng = np.random.default_rng(seed)
    value, values = 10.0, []
    for _ in range(length):
        move = rng.choice(["improve", "plateau", "tiny", "worse"], p=[0.3, 0.35, 0.15, 0.2])
        if move == "improve":
            value *= 1.0 - rng.uniform(0.01, 0.2)
        elif move == "tiny":
            value *= 1.0 - 1e-6
        elif move == "worse":
            value *= 1.0 + rng.uniform(0.0, 0.1)
        values.append(value)
    return values


def run_plateau(
    metrics: Sequence[float], lr: float, **options: object
) -> tuple[np.ndarray, np.ndarray, schedules.reduce_on_plateau, object]:
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    theirs = torch_schedulers.ReduceLROnPlateau(optimizer, **options)  # type: ignore[arg-type]
    ours = schedules.reduce_on_plateau(lr, **options)  # type: ignore[arg-type]
    expected, got = [], []
    for t, metric in enumerate(metrics):
        expected.append(optimizer.param_groups[0]["lr"])
        got.append(ours(t))
        param.grad = torch.zeros_like(param)
        optimizer.step()
        theirs.step(metric)
        ours.step(metric)
    return np.array(got), np.array(expected), ours, theirs


PLATEAU_OPTIONS: list[dict[str, object]] = [
    {},
    {"factor": 0.5, "patience": 3},
    {"factor": 0.5, "patience": 0, "cooldown": 2, "min_lr": 1e-3},
    {"factor": 0.7, "patience": 2, "threshold": 0.01, "threshold_mode": "abs", "cooldown": 1},
    {"factor": 0.3, "patience": 1, "threshold": 0.05, "min_lr": 0.02},
    {"factor": 0.9, "patience": 0, "threshold": 0.0, "eps": 1e-3},
]


@pytest.mark.parametrize("options", PLATEAU_OPTIONS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reduce_on_plateau_is_reduce_lr_on_plateau(options: dict[str, object], seed: int) -> None:
    got, expected, ours, theirs = run_plateau(metric_sequence(seed), 0.1, **options)
    assert np.any(np.diff(expected) < 0)  # the sequence does reduce the lr
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)
    assert ours.best == theirs.best  # type: ignore[attr-defined]
    assert ours.num_bad_epochs == theirs.num_bad_epochs  # type: ignore[attr-defined]
    assert ours.cooldown_counter == theirs.cooldown_counter  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", [3, 4])
def test_reduce_on_plateau_mode_max(seed: int) -> None:
    rising = [-m for m in metric_sequence(seed)]
    for threshold_mode in ("rel", "abs"):
        got, expected, _, _ = run_plateau(
            rising, 0.1, mode="max", factor=0.5, patience=2, threshold_mode=threshold_mode
        )
        assert np.any(np.diff(expected) < 0)
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)


def test_reduce_on_plateau_eps_stops_tiny_reductions() -> None:
    # From lr = 1e-7 a 10× cut is 9e-8 > eps = 1e-8 (applied); the next, 9e-9, is not.
    flat = [1.0] * 60
    got, expected, ours, _ = run_plateau(flat, 1e-7, patience=2)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)
    assert got[-1] == pytest.approx(1e-8, rel=1e-12)
    assert ours.num_reductions == 1

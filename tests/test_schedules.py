"""gdlab.schedules: hand-computed values, closed forms, scalar ≡ vectorised, validation.

Parity with torch.optim.lr_scheduler is in tests/reference/test_schedules_torch.py.
"""

from __future__ import annotations

import dataclasses
import doctest
import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdlab import schedules as S


def values(schedule: Any, steps: int) -> list[float]:
    return [schedule(t) for t in range(steps)]


# ---------------------------------------------------------------- hand-computed values


def test_constant() -> None:
    assert values(S.constant(0.25), 3) == [0.25, 0.25, 0.25]
    assert S.constant(0.25)(10**9) == 0.25
    assert S.constant(2)(0) == 2.0 and isinstance(S.constant(2).value, float)


def test_exponential_decay() -> None:
    assert values(S.exponential_decay(0.1, 0.5), 4) == [0.1, 0.05, 0.025, 0.0125]
    assert S.exponential_decay(0.1, 0.5, transition_steps=2)(3) == 0.1 * 0.5**1.5
    staircase = S.exponential_decay(0.1, 0.5, transition_steps=2, staircase=True)
    assert values(staircase, 5) == [0.1, 0.1, 0.05, 0.05, 0.025]
    floored = S.exponential_decay(0.1, 0.5, end_value=0.02)
    assert values(floored, 5) == [0.1, 0.05, 0.025, 0.02, 0.02]


def test_inverse_time_decay() -> None:
    assert values(S.inverse_time_decay(1.0, 0.5), 5) == [1.0, 1 / 1.5, 0.5, 1 / 2.5, 1 / 3]
    staircase = S.inverse_time_decay(1.0, 0.5, transition_steps=2, staircase=True)
    assert values(staircase, 5) == [1.0, 1.0, 1 / 1.5, 1 / 1.5, 0.5]


def test_inverse_sqrt_decay_is_k_over_root_n() -> None:
    # k/√n for the n-th update (n = t + 1): finite at the first update.
    assert values(S.inverse_sqrt_decay(0.6), 4) == [
        0.6,
        0.6 / math.sqrt(2),
        0.6 / math.sqrt(3),
        0.3,
    ]
    assert S.inverse_sqrt_decay(1.0, timescale=4.0)(12) == 0.5


def test_step_decay_and_multistep() -> None:
    assert values(S.step_decay(1.0, 3, 0.5), 7) == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]
    assert values(S.multistep(1.0, [2, 5], 0.5), 7) == [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]
    assert S.multistep(0.1, [])(100) == 0.1


def test_polynomial() -> None:
    # (1 − 0.2)·(1 − t/4)² + 0.2, then 0.2 after total_steps.
    expected = [1.0, 0.8 * 0.5625 + 0.2, 0.8 * 0.25 + 0.2, 0.8 * 0.0625 + 0.2, 0.2, 0.2]
    assert values(S.polynomial(1.0, 4, power=2.0, end_value=0.2), 6) == pytest.approx(expected)
    assert values(S.polynomial(1.0, 4), 5) == [1.0, 0.75, 0.5, 0.25, 0.0]


def test_cosine() -> None:
    lr = S.cosine(1.0, 4, end_value=0.2)
    half_way = 0.2 + 0.8 * (1 + math.cos(math.pi / 4)) / 2
    assert values(lr, 7) == pytest.approx([1.0, half_way, 0.6, 1.2 - half_way, 0.2, 0.2, 0.2])
    assert lr(4) == 0.2 and lr(10**6) == 0.2  # stays at end_value after total_steps


def test_cosine_restarts_periods_double() -> None:
    # periods [0, 2), [2, 6), [6, 14): each starts at the initial value.
    lr = S.cosine_restarts(1.0, 2, period_mult=2)
    quarter = (1 + math.cos(math.pi / 4)) / 2
    expected = [1.0, 0.5, 1.0, quarter, 0.5, 1 - quarter, 1.0]
    assert values(lr, 7) == pytest.approx(expected)
    starts = [0, 2, 6, 14, 30, 62]
    assert [lr(t) for t in starts] == [1.0] * len(starts)
    assert values(S.cosine_restarts(1.0, 2), 6) == pytest.approx([1, 0.5, 1, 0.5, 1, 0.5])


def test_warmup() -> None:
    assert values(S.warmup(0.3, 3, start_factor=0.0), 5) == pytest.approx([0, 0.1, 0.2, 0.3, 0.3])
    inner = S.step_decay(1.0, 2, 0.5)  # shifted: its count starts when the warm-up ends
    lr = S.warmup(inner, 2, start_factor=0.5)
    assert values(lr, 7) == [0.5, 0.75, 1.0, 1.0, 0.5, 0.5, 0.25]
    assert S.warmup(0.3, 3)(0) == pytest.approx(0.1)  # torch LinearLR's default 1/3


def test_join_restarts_each_count() -> None:
    lr = S.join([S.constant(1.0), S.step_decay(0.5, 1, 0.5), 0.01], [3, 6])
    assert values(lr, 8) == [1, 1, 1, 0.5, 0.25, 0.125, 0.01, 0.01]


def test_per_epoch() -> None:
    lr = S.per_epoch(S.step_decay(1.0, 1, 0.5), 3)
    assert values(lr, 7) == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]


def test_one_cycle_linear_by_hand() -> None:
    # initial = 1/4, minimum = 0.25/2.5 = 0.1; phase ends e₁ = 0.5·10 − 1 = 4, e₂ = 9.
    lr = S.one_cycle(1.0, 10, pct_start=0.5, anneal="linear", div_factor=4.0, final_div_factor=2.5)
    expected = [0.25, 0.4375, 0.625, 0.8125, 1.0, 0.82, 0.64, 0.46, 0.28, 0.1, 0.1, 0.1]
    assert values(lr, 12) == pytest.approx(expected, rel=1e-15)


def test_one_cycle_peak_and_ends() -> None:
    lr = S.one_cycle(0.1, 100)  # pct 0.3: peak at step 29, minimum 0.1/25/1e4 at step 99
    # torch's cosine anneal, b + (a − b)/2·(cos(πp) + 1), lands on a to rounding only.
    assert lr(0) == pytest.approx(0.1 / 25, rel=1e-14) and lr(29) == 0.1
    assert lr(99) == pytest.approx(0.1 / 25 / 1e4, rel=1e-12) and lr(500) == lr(99)
    three = S.one_cycle(0.1, 100, three_phase=True)  # back to the initial value at step 58
    assert three(29) == 0.1 and three(58) == pytest.approx(0.1 / 25, rel=1e-14)


def test_cyclic_modes() -> None:
    triangular = S.cyclic(1.0, 3.0, 2, step_size_down=4)
    assert values(triangular, 9) == pytest.approx([1, 2, 3, 2.5, 2, 1.5, 1, 2, 3], rel=1e-15)
    halving = S.cyclic(1.0, 3.0, 2, step_size_down=4, mode="triangular2")
    assert [halving(t) for t in (2, 8, 14)] == pytest.approx([3.0, 2.0, 1.5], rel=1e-15)
    shrinking = S.cyclic(1.0, 3.0, 2, mode="exp_range", gamma=0.5)
    expected = [1 + 2 * 0.5 * 0.5, 1 + 2 * 0.5**2, 1 + 2 * 0.5**6]  # (1 + 2·h·γ^t)
    assert [shrinking(t) for t in (1, 2, 6)] == pytest.approx(expected, rel=1e-15)


# ---------------------------------------------------------------- closed forms, equivalences


def test_cosine_midpoint_is_the_mean() -> None:
    assert S.cosine(0.3, 200, 0.1)(100) == pytest.approx(0.2, rel=1e-15)


def test_staircase_exponential_is_step_decay() -> None:
    t = np.arange(200)
    staircase = S.exponential_decay(0.1, 0.7, transition_steps=9, staircase=True)
    np.testing.assert_array_equal(staircase(t), S.step_decay(0.1, 9, 0.7)(t))


def test_exponential_decay_is_power_law() -> None:
    t = np.arange(300)
    np.testing.assert_allclose(S.exponential_decay(0.1, 0.97)(t), 0.1 * 0.97**t, rtol=1e-15)


@given(
    init=st.floats(1e-6, 10.0),
    fraction=st.floats(0.0, 1.0),
    total=st.integers(1, 500),
    rate=st.floats(1e-3, 1.0),
)
def test_decays_are_monotone_and_bounded(
    init: float, fraction: float, total: int, rate: float
) -> None:
    end = init * fraction
    t = np.arange(total + 20)
    for schedule, floor in (
        (S.cosine(init, total, end), end),
        (S.polynomial(init, total, 1.5, end), end),
        (S.exponential_decay(init, rate, end_value=end), end),
        (S.step_decay(init, total, rate), 0.0),
        (S.inverse_time_decay(init, rate), 0.0),
    ):
        lr = schedule(t)
        assert lr[0] == pytest.approx(init, rel=1e-15)
        assert np.all(np.diff(lr) <= 0), schedule
        assert np.all(lr >= floor * (1 - 1e-15)), schedule


# ---------------------------------------------------------------- scalar ≡ vectorised


EVERY_SCHEDULE = [
    S.constant(0.1),
    S.exponential_decay(0.1, 0.97),
    S.exponential_decay(0.1, 0.9, transition_steps=7, staircase=True, end_value=1e-3),
    S.inverse_time_decay(0.1, 0.3, transition_steps=5),
    S.inverse_sqrt_decay(0.1, timescale=10.0),
    S.step_decay(0.1, 30, 0.5),
    S.multistep(0.1, [10, 100, 300], 0.3),
    S.polynomial(0.1, 400, 2.0, 1e-3),
    S.cosine(0.1, 400, 1e-3),
    S.cosine_restarts(0.1, 10, period_mult=3, end_value=1e-3),
    S.warmup(S.cosine(0.1, 300), 50),
    S.join([S.constant(0.1), S.exponential_decay(0.1, 0.99), 0.02], [20, 300]),
    S.per_epoch(S.cosine_restarts(0.1, 5), 7),
    S.one_cycle(0.1, 400, three_phase=True),
    S.one_cycle(0.1, 400, anneal="linear"),
    S.cyclic(0.01, 0.1, 20, step_size_down=13, mode="triangular2"),
    S.cyclic(0.01, 0.1, 20, mode="exp_range", gamma=0.999),
    S.reduce_on_plateau(S.cosine(0.1, 400)),
]


@pytest.mark.parametrize("schedule", EVERY_SCHEDULE, ids=lambda s: type(s).__name__)
def test_vectorised_equals_scalar(schedule: Any) -> None:
    # One formula on both paths; NumPy's vectorised pow may round 1 ulp away from C's pow
    # (2 ulp after the product with α₀): measured, everything else agrees bit for bit.
    t = np.arange(500)
    vectorised = schedule(t)
    assert vectorised.dtype == np.float64 and vectorised.shape == (500,)
    scalar = np.array([schedule(int(c)) for c in t])
    assert all(isinstance(schedule(int(c)), float) for c in t[:3])
    np.testing.assert_array_max_ulp(vectorised, scalar, maxulp=2)
    np.testing.assert_array_equal(schedule(t.reshape(20, 25)), vectorised.reshape(20, 25))
    assert schedule(np.int64(7)) == schedule(7) == pytest.approx(schedule(np.array(7)), rel=1e-15)
    assert isinstance(schedule(np.array(7)), float)
    assert schedule(np.array([], dtype=np.int64)).shape == (0,)
    assert schedule(np.arange(3, dtype=np.uint8)).tolist() == values(schedule, 3)


@pytest.mark.parametrize("count", [-1, np.int64(-3), np.array([0, -1])])
def test_negative_count_is_rejected(count: Any) -> None:
    with pytest.raises(ValueError, match=r"count must be >= 0, got -\d"):
        S.cosine(0.1, 10)(count)


@pytest.mark.parametrize("count", [1.5, True, np.array([0.0, 1.0]), "3", None])
def test_non_integer_count_is_rejected(count: Any) -> None:
    with pytest.raises(TypeError, match="count must be an integer or an array of integers"):
        S.cosine(0.1, 10)(count)


def test_user_callables_compose() -> None:
    lr = S.warmup(lambda t: 0.1 / (1 + t), 4, start_factor=0.0)
    assert lr(np.arange(6)).tolist() == pytest.approx([0, 0.025, 0.05, 0.075, 0.1, 0.05])
    assert S.describe(S.per_epoch(math.exp, 2))["schedule"] == {"name": "exp"}


# ---------------------------------------------------------------- validation


INVALID: list[tuple[Any, type[Exception], str]] = [
    (lambda: S.constant(0.0), ValueError, r"value must be in \(0, inf\), got 0"),
    (lambda: S.constant(math.nan), ValueError, "value must be finite, got nan"),
    (lambda: S.constant("0.1"), TypeError, "value must be a real number, got str"),
    (lambda: S.exponential_decay(-0.1, 0.9), ValueError, r"init_value must be in \(0, inf\)"),
    (lambda: S.exponential_decay(0.1, 1.5), ValueError, r"decay_rate must be in \(0, 1\], got 1.5"),
    (lambda: S.exponential_decay(0.1, 0.0), ValueError, r"decay_rate must be in \(0, 1\], got 0"),
    (
        lambda: S.exponential_decay(0.1, 0.9, transition_steps=0),
        ValueError,
        "transition_steps must be an integer >= 1, got 0",
    ),
    (
        lambda: S.exponential_decay(0.1, 0.9, transition_steps=2.0),
        TypeError,
        "transition_steps must be an integer, got float 2.0",
    ),
    (
        lambda: S.exponential_decay(0.1, 0.9, end_value=0.2),
        ValueError,
        r"end_value must be in \[0, 0.1\], got 0.2",
    ),
    (lambda: S.inverse_time_decay(0.1, -1.0), ValueError, r"decay_rate must be in \[0, inf\)"),
    (
        lambda: S.inverse_sqrt_decay(0.1, timescale=0.0),
        ValueError,
        r"timescale must be in \(0, inf\), got 0",
    ),
    (lambda: S.step_decay(0.1, 0), ValueError, "step_size must be an integer >= 1, got 0"),
    (lambda: S.step_decay(0.1, 5, gamma=2.0), ValueError, r"gamma must be in \(0, 1\], got 2"),
    (
        lambda: S.multistep(0.1, [5, 5]),
        ValueError,
        r"milestones must be strictly increasing, got \[5, 5\]",
    ),
    (lambda: S.multistep(0.1, [0, 5]), ValueError, "milestones must be an integer >= 1, got 0"),
    (lambda: S.multistep(0.1, 5), TypeError, "milestones must be a sequence of integers, got int"),
    (lambda: S.polynomial(0.1, 0), ValueError, "total_steps must be an integer >= 1, got 0"),
    (lambda: S.polynomial(0.1, 10, power=0.0), ValueError, r"power must be in \(0, inf\)"),
    (lambda: S.cosine(0.1, 10, end_value=-1.0), ValueError, r"end_value must be in \[0, 0.1\]"),
    (
        lambda: S.cosine_restarts(0.1, 10, period_mult=0),
        ValueError,
        "period_mult must be an integer >= 1, got 0",
    ),
    (
        lambda: S.cosine_restarts(0.1, 0),
        ValueError,
        "first_period must be an integer >= 1, got 0",
    ),
    (lambda: S.warmup(0.1, 0), ValueError, "warmup_steps must be an integer >= 1, got 0"),
    (
        lambda: S.warmup(0.1, 5, start_factor=1.5),
        ValueError,
        r"start_factor must be in \[0, 1\], got 1.5",
    ),
    (lambda: S.warmup("fast", 5), TypeError, "learning_rate must be a number or a schedule"),
    (lambda: S.join([], []), ValueError, "schedules must hold at least one schedule, got none"),
    (
        lambda: S.join([0.1, 0.2], []),
        ValueError,
        r"boundaries must hold len\(schedules\) - 1 = 1 counts, got 0",
    ),
    (
        lambda: S.join([0.1, 0.2, 0.3], [5, 3]),
        ValueError,
        r"boundaries must be strictly increasing, got \[5, 3\]",
    ),
    (lambda: S.join(0.1, []), TypeError, "schedules must be a sequence, got float"),
    (
        lambda: S.per_epoch(0.1, 0),
        ValueError,
        "steps_per_epoch must be an integer >= 1, got 0",
    ),
    (lambda: S.one_cycle(0.1, 1), ValueError, "total_steps must be an integer >= 2, got 1"),
    (lambda: S.one_cycle(0.1, 100, pct_start=1.0), ValueError, r"pct_start must be in \(0, 1\)"),
    (
        lambda: S.one_cycle(0.1, 10, pct_start=0.1),
        ValueError,
        r"pct_start must be in \(1/total_steps, 1\) so that every phase has steps, "
        "got pct_start=0.1 with total_steps=10",
    ),
    (
        lambda: S.one_cycle(0.1, 10, pct_start=0.6, three_phase=True),
        ValueError,
        r"pct_start must be in \(1/total_steps, \(total_steps \+ 1\)/\(2·total_steps\)\)",
    ),
    (
        lambda: S.one_cycle(0.1, 100, anneal="cosine"),
        ValueError,
        "anneal must be one of 'cos', 'linear', got 'cosine'",
    ),
    (
        lambda: S.one_cycle(0.1, 100, div_factor=0.5),
        ValueError,
        r"div_factor must be in \[1, inf\)",
    ),
    (
        lambda: S.one_cycle(0.1, 100, final_div_factor=0.0),
        ValueError,
        r"final_div_factor must be in \[1, inf\)",
    ),
    (lambda: S.cyclic(0.1, 0.05, 10), ValueError, r"max_value must be in \(0.1, inf\), got 0.05"),
    (lambda: S.cyclic(0.0, 0.1, 10), ValueError, r"base_value must be in \(0, inf\), got 0"),
    (lambda: S.cyclic(0.01, 0.1, 0), ValueError, "step_size_up must be an integer >= 1, got 0"),
    (
        lambda: S.cyclic(0.01, 0.1, 5, step_size_down=0),
        ValueError,
        "step_size_down must be an integer >= 1, got 0",
    ),
    (
        lambda: S.cyclic(0.01, 0.1, 5, mode="sawtooth"),
        ValueError,
        "mode must be one of 'triangular', 'triangular2', 'exp_range', got 'sawtooth'",
    ),
    (
        lambda: S.cyclic(0.01, 0.1, 5, gamma=0.9),
        ValueError,
        "gamma is used only with mode='exp_range', got gamma=0.9 with mode='triangular'",
    ),
    (
        lambda: S.cyclic(0.01, 0.1, 5, mode="exp_range", gamma=1.1),
        ValueError,
        r"gamma must be in \(0, 1\], got 1.1",
    ),
    (
        lambda: S.reduce_on_plateau(0.1, factor=1.0),
        ValueError,
        r"factor must be in \[0, 1\), got 1",
    ),
    (lambda: S.reduce_on_plateau(0.1, patience=-1), ValueError, "patience must be an integer >= 0"),
    (lambda: S.reduce_on_plateau(0.1, threshold=-1e-4), ValueError, r"threshold must be in \[0"),
    (
        lambda: S.reduce_on_plateau(0.1, threshold_mode="relative"),
        ValueError,
        "threshold_mode must be one of 'rel', 'abs', got 'relative'",
    ),
    (
        lambda: S.reduce_on_plateau(0.1, mode="minimum"),
        ValueError,
        "mode must be one of 'min', 'max', got 'minimum'",
    ),
    (lambda: S.reduce_on_plateau(0.1, cooldown=1.5), TypeError, "cooldown must be an integer"),
    (lambda: S.reduce_on_plateau(0.1, min_lr=-1.0), ValueError, r"min_lr must be in \[0, inf\)"),
    (lambda: S.reduce_on_plateau(0.1, eps=math.inf), ValueError, "eps must be finite, got inf"),
    (lambda: S.reduce_on_plateau(-0.1), ValueError, r"learning_rate must be in \(0, inf\)"),
]


@pytest.mark.parametrize(("build", "error", "message"), INVALID)
def test_invalid_arguments_are_named(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build()


def test_as_schedule() -> None:
    assert S.as_schedule(0.1) == S.constant(0.1)
    assert S.as_schedule(np.float32(0.5)) == S.constant(0.5)
    cosine = S.cosine(0.1, 10)
    assert S.as_schedule(cosine) is cosine

    def user(t: int) -> float:
        return 0.1

    assert S.as_schedule(user) is user
    with pytest.raises(ValueError, match=r"learning_rate must be in \(0, inf\), got -0.1"):
        S.as_schedule(-0.1)
    with pytest.raises(ValueError, match="learning_rate must be finite, got inf"):
        S.as_schedule(math.inf)
    for bad in (True, "0.1", None, [0.1], S.cosine):
        with pytest.raises(TypeError, match="learning_rate must be a number or a schedule"):
            S.as_schedule(bad)


def test_schedules_are_frozen_and_rebuilt_by_their_repr() -> None:
    namespace = vars(S)
    for schedule in EVERY_SCHEDULE[:-1]:
        assert eval(repr(schedule), dict(namespace)) == schedule
        with pytest.raises(dataclasses.FrozenInstanceError):
            schedule.init_value = 1.0


def test_describe_is_json_ready() -> None:
    lr = S.join([S.warmup(S.cosine(0.1, 90), 10), 0.01], [100])
    described = S.describe(lr)
    assert json.loads(json.dumps(described)) == described
    assert described["boundaries"] == [100]
    assert described["schedules"][0]["schedule"] == {
        "name": "cosine",
        "init_value": 0.1,
        "total_steps": 90,
        "end_value": 0.0,
    }
    assert described["schedules"][1] == {"name": "constant", "value": 0.01}
    plateau = S.describe(S.reduce_on_plateau(0.1, patience=3))
    assert plateau["name"] == "reduce_on_plateau" and plateau["patience"] == 3
    assert "scale" not in plateau
    with pytest.raises(TypeError, match="schedule must be a gdlab schedule, got float"):
        S.describe(0.1)


def test_module_examples() -> None:
    assert doctest.testmod(S).failed == 0


# ---------------------------------------------------------------- reduce on plateau


def test_reduce_on_plateau_by_hand() -> None:
    lr = S.reduce_on_plateau(1.0, factor=0.5, patience=2, cooldown=1)
    seen = []
    # best 4; 4, 4 bad (1, 2); 4 bad 3 > 2 → 0.5, cooldown 1; 5 ignored (cooldown);
    # 5, 5 bad (1, 2); 3 better; 3, 3, 3 → 0.25
    for metric in [4, 4, 4, 4, 5, 5, 5, 3, 3, 3, 3]:
        seen.append(lr(len(seen)))
        lr.step(metric)
    seen.append(lr(len(seen)))
    assert seen == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25]
    assert (lr.best, lr.num_bad_epochs, lr.cooldown_counter, lr.num_reductions) == (3, 0, 1, 2)


def test_reduce_on_plateau_min_lr_and_threshold() -> None:
    lr = S.reduce_on_plateau(1.0, factor=0.1, patience=0, min_lr=0.05, threshold=0.1)
    for metric in [1.0, 0.95, 0.9, 0.5]:  # 0.95 and 0.9 are within 10 %: bad epochs
        lr.step(metric)
    assert lr(0) == pytest.approx(0.05) and lr.num_reductions == 2 and lr.best == 0.5


def test_reduce_on_plateau_scales_a_schedule() -> None:
    base = S.cosine(1.0, 100)
    lr = S.reduce_on_plateau(base, factor=0.5, patience=0)
    lr.step(1.0)
    with pytest.raises(ValueError, match="count is required when learning_rate is a schedule"):
        lr.step(1.0)
    lr.step(1.0, count=50)
    t = np.arange(100)
    np.testing.assert_allclose(lr(t), 0.5 * base(t), rtol=1e-15)
    assert lr(50) == pytest.approx(0.25)


def test_reduce_on_plateau_state_round_trip_and_reset() -> None:
    metrics = [5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2]
    first = S.reduce_on_plateau(0.1, patience=1, cooldown=1)
    for metric in metrics[:7]:
        first.step(metric)
    saved = json.loads(json.dumps(first.state_dict()))
    second = S.reduce_on_plateau(0.1, patience=1, cooldown=1)
    second.load_state_dict(saved)
    for metric in metrics[7:]:
        first.step(metric)
        second.step(metric)
        assert second.state_dict() == first.state_dict() and second(0) == first(0)
    assert first.num_reductions >= 2
    first.reset()
    assert first.state_dict() == S.reduce_on_plateau(0.1).state_dict()
    assert first(0) == 0.1


def test_reduce_on_plateau_rejects_bad_metrics_and_states() -> None:
    lr = S.reduce_on_plateau(0.1)
    for metric in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="metric must be finite"):
            lr.step(metric)
    with pytest.raises(ValueError, match="state keys must be"):
        lr.load_state_dict({"scale": 1.0})
    state = lr.state_dict() | {"num_bad_epochs": -1}
    with pytest.raises(ValueError, match="num_bad_epochs must be an integer >= 0, got -1"):
        lr.load_state_dict(state)

"""gdlab.schedules.decays: hand-computed values, closed forms, validation."""

from __future__ import annotations

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


# ---------------------------------------------------------------- validation


INVALID: list[tuple[Any, type[Exception], str]] = [
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
]


@pytest.mark.parametrize(("build", "error", "message"), INVALID)
def test_invalid_arguments_are_named(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build()

"""gdlab.schedules.cycles: cosine restarts, one-cycle and cyclic by hand, validation."""

from __future__ import annotations

import math
from typing import Any

import pytest

from gdlab import schedules as S


def values(schedule: Any, steps: int) -> list[float]:
    return [schedule(t) for t in range(steps)]


# ---------------------------------------------------------------- hand-computed values


def test_cosine_restarts_periods_double() -> None:
    # periods [0, 2), [2, 6), [6, 14): each starts at the initial value.
    lr = S.cosine_restarts(1.0, 2, period_mult=2)
    quarter = (1 + math.cos(math.pi / 4)) / 2
    expected = [1.0, 0.5, 1.0, quarter, 0.5, 1 - quarter, 1.0]
    assert values(lr, 7) == pytest.approx(expected)
    starts = [0, 2, 6, 14, 30, 62]
    assert [lr(t) for t in starts] == [1.0] * len(starts)
    assert values(S.cosine_restarts(1.0, 2), 6) == pytest.approx([1, 0.5, 1, 0.5, 1, 0.5])


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


# ---------------------------------------------------------------- validation


INVALID: list[tuple[Any, type[Exception], str]] = [
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
]


@pytest.mark.parametrize(("build", "error", "message"), INVALID)
def test_invalid_arguments_are_named(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build()

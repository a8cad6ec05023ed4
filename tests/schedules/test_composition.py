"""gdlab.schedules.composition: warmup, join and per_epoch by hand, validation."""

from __future__ import annotations

from typing import Any

import pytest

from gdlab import schedules as S


def values(schedule: Any, steps: int) -> list[float]:
    return [schedule(t) for t in range(steps)]


# ---------------------------------------------------------------- hand-computed values


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


# ---------------------------------------------------------------- validation


INVALID: list[tuple[Any, type[Exception], str]] = [
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
]


@pytest.mark.parametrize(("build", "error", "message"), INVALID)
def test_invalid_arguments_are_named(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build()

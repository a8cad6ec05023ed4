"""gdlab.schedules.plateau: reduce_on_plateau by hand, state, validation."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from gdlab import schedules as S

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


# ---------------------------------------------------------------- validation


INVALID: list[tuple[Any, type[Exception], str]] = [
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

"""gdlab.schedules.core: the contract (scalar ≡ vectorised, counts), constant,
as_schedule, describe, repr, the package examples.

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

from gdlab import schedules as S


def values(schedule: Any, steps: int) -> list[float]:
    return [schedule(t) for t in range(steps)]


# ---------------------------------------------------------------- hand-computed values


def test_constant() -> None:
    assert values(S.constant(0.25), 3) == [0.25, 0.25, 0.25]
    assert S.constant(0.25)(10**9) == 0.25
    assert S.constant(2)(0) == 2.0 and isinstance(S.constant(2).value, float)


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

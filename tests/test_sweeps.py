"""Sweeps: the grid runs stacked, one pass per optimizer, and equals K separate runs."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab as gd
from gdlab import specs, sweeps

SPECS = ["sgd", "sgd:momentum=0.9,nesterov=true", "momentum", "adagrad", "rmsprop:centered=true",
         "adadelta", "adam:amsgrad=true", "adamw", "adamax", "nadam", "radam", "lion"]  # fmt: skip


@pytest.mark.parametrize("text", SPECS)
def test_sweep_equals_separate_minimize_runs(text: str) -> None:
    problem = gd.problems.get("rosenbrock")
    rates = np.geomspace(1e-4, 1.0, 7)  # small rates converge slowly, large ones diverge
    found = sweeps.sweep(problem, [text], rates, steps=300, seeds=2, seed=3)
    for j, rate in enumerate(rates):
        for s, start in enumerate(found.starts):
            alone = gd.minimize(
                problem, start, optimizer=specs.optimizer(text, learning_rate=float(rate)),
                steps=300,
            )  # fmt: skip
            assert found.status[0, j, s] == alone.status
            assert found.nit[0, j, s] == alone.nit
            assert found.x[0, j, s].tolist() == alone.x.tolist()
            column = found.losses[0][: alone.nit + 1, j * 2 + s]
            # the same points; f of one point and f of a stack may round the last bits apart
            np.testing.assert_array_max_ulp(column, alone.history.loss, maxulp=4)


def test_sweep_has_diverged_and_converged_rows() -> None:
    found = sweeps.sweep(gd.problems.get("quadratic"), ["sgd"], [0.01, 0.1, 1.0], steps=100)
    assert found.status[0, :, 0].tolist() == ["max_steps", "max_steps", "diverged"]
    assert found.best() == {"sgd": 0.1}  # λ_max = 10: α < 0.2 is stable, 0.1 is fastest here


def test_starts_are_seeded_jitter_around_the_start() -> None:
    problem = gd.problems.get("rosenbrock")
    first = sweeps.starts(problem, 4, seed=1)
    assert first[0].tolist() == list(problem.start)
    assert np.array_equal(first, sweeps.starts(problem, 4, seed=1))
    assert not np.array_equal(first, sweeps.starts(problem, 4, seed=2))
    with pytest.raises(ValueError, match="seeds must be an integer >= 1"):
        sweeps.starts(problem, 0)


def test_best_uses_median_or_worst() -> None:
    found = sweeps.sweep(gd.problems.get("booth"), ["sgd"], [0.001, 0.05], steps=50, seeds=3)
    median, worst = found.summary("median"), found.summary("max")
    assert median.shape == worst.shape == (1, 2)
    assert (worst >= median).all()
    assert found.best("max") == {"sgd": 0.05}
    with pytest.raises(ValueError, match="statistic must be 'median' or 'max'"):
        found.summary("mean")


def test_log_grid() -> None:
    assert sweeps.log_grid("1e-4:1:5").tolist() == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    assert sweeps.log_grid("0.5,0.1").tolist() == [0.5, 0.1]
    for bad in ("1:0.1:5", "0:1:5", "1e-3:1:1", "a,b", "1e-3:1", "0.1,-1"):
        with pytest.raises(ValueError, match="learning rates must"):
            sweeps.log_grid(bad)


def test_tidy_rows_csv_and_dict() -> None:
    found = sweeps.sweep(gd.problems.get("quadratic"), ["sgd", "adam"], [0.01, 1.0], steps=20)
    rows = found.rows()
    assert len(rows) == 4 and rows[0]["optimizer"] == "sgd" and rows[3]["learning_rate"] == 1.0
    lines = found.to_csv().splitlines()
    assert lines[0] == "optimizer,learning_rate,seed,final_loss,nit,status"
    assert lines[3].startswith("adam,0.01,0,")
    document = found.to_dict()
    assert document["best"] == found.best() and len(document["runs"]) == 4


def test_sweep_input_errors() -> None:
    problem = gd.problems.get("quadratic")
    with pytest.raises(ValueError, match="at least one optimizer"):
        sweeps.sweep(problem, [], [0.1])
    with pytest.raises(ValueError, match="learning_rates must be a non-empty list"):
        sweeps.sweep(problem, ["sgd"], [])
    with pytest.raises(ValueError, match="unknown optimizer"):
        sweeps.sweep(problem, ["sgdd"], [0.1])

"""The convergence table of docs/optimizers.md: each optimizer, at its tuned learning rate
(`catalog.SUGGESTED_LEARNING_RATES`) and default hyper-parameters, after DEFAULT_STEPS updates
from the problem's start, ends with f(x) − f* at or below its documented tolerance."""

from __future__ import annotations

from pathlib import Path

import pytest

import gdlab as gd
from gdlab import catalog, experiments

TOLERANCES = {
    "quadratic": {
        "sgd": 1e-12, "momentum": 1e-12, "adagrad": 1e-12, "rmsprop": 1e-5, "adadelta": 1e-4,
        "adam": 1e-12, "adamw": 1e-12, "adamax": 1e-12, "nadam": 1e-12, "radam": 1e-12,
        "lion": 1e-12,
    },
    "rosenbrock": {
        "sgd": 0.1, "momentum": 1e-4, "adagrad": 1.0, "rmsprop": 0.1, "adadelta": 1.0,
        "adam": 1e-12, "adamw": 1e-2, "adamax": 1e-2, "nadam": 0.1, "radam": 10.0, "lion": 0.1,
    },
}  # fmt: skip


@pytest.mark.parametrize("problem", list(TOLERANCES))
def test_every_optimizer_reaches_its_documented_tolerance(problem: str) -> None:
    objective = gd.problems.get(problem)
    runs = {
        name: catalog.optimizer(name, learning_rate=catalog.suggested_learning_rate(name, problem))
        for name in catalog.OPTIMIZERS
    }
    found = experiments.compare(objective, runs, steps=catalog.DEFAULT_STEPS)
    assert [run.label for run in found.runs] == list(TOLERANCES[problem])
    for run in found.runs:
        assert run.result.status == "max_steps", run.label
        assert run.result.fun - objective.minimum <= TOLERANCES[problem][run.label], run.label


def test_the_documented_table_is_this_one() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "optimizers.md").read_text()
    for problem, tolerances in TOLERANCES.items():
        for name, tolerance in tolerances.items():
            rate = catalog.suggested_learning_rate(name, problem)
            assert f"| {problem} | `{name}` | {rate:g} | {tolerance:g} |" in text

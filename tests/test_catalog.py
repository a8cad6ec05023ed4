"""The catalog: every public object is listed once, builds from its entry, and the tuned
learning rates are what the documented procedure (`sweeps.tune`) gives."""

from __future__ import annotations

import inspect
import json
import math

import pytest

import gdlab as gd
from gdlab import catalog, data, demos, schedules, sweeps


def test_every_optimizer_is_listed_with_its_signature() -> None:
    public = ["sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "adamax",
              "nadam", "radam", "lion"]  # fmt: skip
    assert list(catalog.OPTIMIZERS) == public
    for name, entry in catalog.OPTIMIZERS.items():
        signature = inspect.signature(getattr(gd, name)).parameters
        assert [p.name for p in entry.parameters] == list(signature)
        for parameter in entry.parameters:
            default = signature[parameter.name].default
            if default is not inspect.Parameter.empty:
                assert parameter.default == default
        assert entry.parameter("learning_rate").kind == "float"
        assert entry.summary and entry.positional == "learning_rate"


def test_optimizer_entry_builds_the_factory() -> None:
    built = catalog.optimizer("rmsprop", learning_rate=0.01, rho=0.5, centered=True)
    assert dict(built.hyperparams) == dict(gd.rmsprop(0.01, rho=0.5, centered=True).hyperparams)
    with pytest.raises(ValueError, match="rmsprop has no parameter beta1; it takes learning_rate"):
        catalog.optimizer("rmsprop", learning_rate=0.01, beta1=0.9)
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'; choose one of sgd"):
        catalog.optimizer_entry("adamm")


def test_every_schedule_is_listed_and_builds() -> None:
    listed = {entry.name for entry in catalog.SCHEDULES.values()}
    assert listed == set(schedules.__all__) - {"Schedule", "as_schedule", "describe", "join",
                                               "per_epoch", "warmup"}  # fmt: skip
    for entry in catalog.SCHEDULES.values():
        assert catalog.schedule_entry(entry.short) is entry
        assert entry.parameter(entry.rate).kind == "float"
        assert entry.aliases["lr"] == entry.rate
        if entry.length is not None:
            assert entry.parameter(entry.length).kind == "int"
    assert catalog.schedule_entry("plateau").needs_metric
    with pytest.raises(ValueError, match="unknown schedule 'exp'; choose one of constant"):
        catalog.schedule_entry("exp")


def test_problems_models_datasets_demos() -> None:
    assert list(catalog.PROBLEMS) == list(gd.problems.names())
    assert catalog.problem("quadratic", condition=4.0).params["condition"] == 4.0
    assert catalog.problem_entry("rosenbrock").summary == gd.problems.get("rosenbrock").description
    assert catalog.model_entry("polynomial") is catalog.MODELS["poly"]
    assert catalog.MODELS["mlp"].parameter("activation").choices == ("tanh", "relu", "sigmoid")
    assert list(catalog.DATASETS) == list(data.names())
    assert catalog.dataset_entry("seed002").load().y.tolist() == [2.0, 4.0, 6.0, 8.0]
    assert list(catalog.DEMOS) == list(demos.names())
    for lookup, what in (
        (catalog.problem_entry, "problem"),
        (catalog.model_entry, "model"),
        (catalog.dataset_entry, "data set"),
        (catalog.demo_entry, "demo"),
    ):
        with pytest.raises(ValueError, match=f"unknown {what} 'nope'; choose one of"):
            lookup("nope")  # fmt: skip


def test_as_dict_is_json_and_complete() -> None:
    everything = catalog.as_dict()
    assert list(everything) == list(catalog.GROUPS)
    text = json.dumps(everything, allow_nan=False)
    assert json.loads(text)["problems"][4]["name"] == "rosenbrock"
    adam = everything["optimizers"][5]
    assert adam["parameters"][1] == {
        "name": "beta1", "default": 0.9, "kind": "float", "low": 0.0, "high": 0.999,
        "log": False, "choices": [], "required": False, "symbol": "β1", "alias": "b1",
    }  # fmt: skip
    with pytest.raises(ValueError, match="unknown catalog group"):
        catalog.describe("nope")


def test_suggested_learning_rate_falls_back() -> None:
    assert (
        catalog.suggested_learning_rate("adam", "rosenbrock")
        == (catalog.SUGGESTED_LEARNING_RATES["rosenbrock"]["adam"])
    )
    assert catalog.suggested_learning_rate("adadelta", "saddle") == 1.0  # its own default
    assert catalog.suggested_learning_rate("adam", "saddle") == 0.01  # no default: 0.01


def test_tuned_rates_cover_every_problem_with_a_minimum() -> None:
    with_minimum = [n for n in gd.problems.names() if math.isfinite(gd.problems.get(n).minimum)]
    assert list(catalog.SUGGESTED_LEARNING_RATES) == with_minimum
    for rates in catalog.SUGGESTED_LEARNING_RATES.values():
        assert list(rates) == list(catalog.OPTIMIZERS)
        assert set(rates.values()) <= set(catalog.TUNING_GRID)


@pytest.mark.parametrize("problem", ["quadratic", "rosenbrock", "booth"])
def test_tuned_rates_are_what_the_procedure_gives(problem: str) -> None:
    found = sweeps.tune(
        gd.problems.get(problem), list(catalog.OPTIMIZERS), catalog.TUNING_GRID,
        steps=catalog.DEFAULT_STEPS,
    )  # fmt: skip
    assert found == dict(catalog.SUGGESTED_LEARNING_RATES[problem])

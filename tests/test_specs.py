"""Spec strings: one grammar, aliases, typed values, and precise errors that quote the spec."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gdlab as gd
from gdlab import schedules, specs


def test_split_keeps_positional_then_keywords() -> None:
    spec = specs.split(" mlp:32, 16 ,activation=relu,hidden2=[1,2] ")
    assert spec.name == "mlp"
    assert spec.positional == ("32", "16")
    assert spec.keywords == (("activation", "relu"), ("hidden2", "[1,2]"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "a spec starts with a name"),
        ("3adam", "a spec starts with a name"),
        ("adam:lr=", "expected key=value"),
        ("adam:=1", "expected key=value"),
        ("adam:lr=1,,b1=0.5", "empty item"),
        ("adam:lr=0.1,0.2", "must come before key=value"),
        ("multistep:milestones=[1,2", "not closed"),
        ("multistep:milestones=[[1]]", "nested"),
        ("x" * 1001, "at most 1000 characters"),
    ],
)
def test_split_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        specs.split(text)


def test_optimizer_aliases_and_positional_rate() -> None:
    built = specs.optimizer("adam:0.01,b1=0.8,b2=0.99,epsilon=1e-6,wd=0.1,amsgrad=yes")
    assert dict(built.hyperparams) == dict(
        gd.adam(0.01, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.1, amsgrad=True).hyperparams
    )


def test_optimizer_same_numbers_as_the_factory() -> None:
    problem = gd.problems.get("rosenbrock")
    by_spec = gd.minimize(
        problem, [-1.2, 1.0], optimizer=specs.optimizer("nadam:lr=0.01"), steps=50
    )
    direct = gd.minimize(problem, [-1.2, 1.0], optimizer=gd.nadam(0.01), steps=50)
    assert by_spec.x.tolist() == direct.x.tolist()


def test_optimizer_default_rate_only_when_the_spec_has_none() -> None:
    assert specs.optimizer("sgd", learning_rate=0.3).hyperparams["learning_rate"] == 0.3
    assert specs.optimizer("sgd:lr=0.2", learning_rate=0.3).hyperparams["learning_rate"] == 0.2


def test_optimizer_with_a_schedule_starts_from_its_rate() -> None:
    built = specs.optimizer("sgd:0.4", schedule="step:every=2,gamma=0.5", steps=10)
    rate = built.hyperparams["learning_rate"]
    assert isinstance(rate, schedules.step_decay)
    assert [rate(t) for t in range(5)] == [0.4, 0.4, 0.2, 0.2, 0.1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("adamm", "unknown optimizer 'adamm'; choose one of sgd, momentum"),
        ("adam", "adam needs learning_rate (lr)"),
        ("adam:lr=0.1,foo=1", "adam has no parameter 'foo'; valid: learning_rate (lr)"),
        ("adam:lr=abc", "learning_rate must be a number, got 'abc'"),
        ("adam:lr=nan", "learning_rate must be finite"),
        ("adam:lr=0.1,lr=0.2", "learning_rate is given twice"),
        ("adam:lr=0.1,learning_rate=0.2", "learning_rate is given twice"),
        ("adam:lr=0.1,beta1=1.2", "beta1 must be in [0, 1), got 1.2"),
        ("adam:lr=-1", "learning_rate"),
        ("sgd:lr=0.1,nesterov=maybe", "nesterov must be true or false, got 'maybe'"),
        ("sgd:0.1,0.2", "takes one bare value"),
    ],
)
def test_optimizer_errors_quote_the_spec(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        specs.optimizer(text)
    assert str(error.value).startswith(repr(text))


def test_schedule_fills_rate_and_length() -> None:
    built = specs.schedule("cosine", learning_rate=0.2, steps=100)
    assert built == schedules.cosine(0.2, total_steps=100)
    assert specs.schedule("exponential:gamma=0.95", learning_rate=0.1) == (
        schedules.exponential_decay(0.1, 0.95)
    )
    assert specs.schedule("onecycle:pct=0.25", learning_rate=1.0, steps=40) == (
        schedules.one_cycle(1.0, 40, pct_start=0.25)
    )
    assert specs.schedule("multistep:lr=0.3,at=[5,9]").milestones == (5, 9)
    assert specs.schedule("cyclic:base=0.01,up=5", learning_rate=0.1).base_value == 0.01


def test_schedule_warmup_key() -> None:
    built = specs.schedule("cosine:warmup=10", learning_rate=0.1, steps=100)
    assert built == schedules.warmup(schedules.cosine(0.1, total_steps=90), 10)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("expo", "unknown schedule 'expo'; choose one of constant, exponential"),
        ("exponential:lr=0.1", "exponential_decay needs decay_rate (gamma)"),
        ("exponential:lr=0.1,gamma=2", "decay_rate must be in (0, 1], got 2"),
        ("onecycle:lr=0.1,total_steps=10,anneal=sin", "anneal must be one of cos, linear"),
        ("step:lr=0.1,every=1.5", "step_size must be an integer, got '1.5'"),
        ("cosine:lr=0.1,total_steps=10,warmup=x", "warmup must be a number"),
    ],
)
def test_schedule_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        specs.schedule(text)


def test_problem_and_target() -> None:
    assert specs.problem("quadratic:condition=100,dim=3").params == {"condition": 100.0, "dim": 3}
    assert specs.target("rosenbrock").name == "rosenbrock"
    expression = specs.target("(1-x)^2 + 100*(y-x^2)^2")
    assert expression.value(np.array([1.0, 1.0])) == 0.0
    with pytest.raises(ValueError, match=r"unknown problem 'rosenbrok'.*or write an expression"):
        specs.target("rosenbrok")
    with pytest.raises(ValueError, match="quadratic has no parameter 'size'"):
        specs.target("quadratic:size=3")


def test_model_specs() -> None:
    assert specs.model("mlp:32,16,activation=relu") == gd.models.MLP((32, 16), activation="relu")
    assert specs.model("poly:2") == gd.models.PolynomialRegression(2)
    assert specs.model("polynomial:3").degree == 3
    assert specs.model("softmax:3").n_classes == 3
    with pytest.raises(ValueError, match="linear takes only key=value"):
        specs.model("linear:3")
    with pytest.raises(ValueError, match="loss must be one of mse, half_mse"):
        specs.model("linear:loss=l1")


def test_optimizer_list_splits_on_names() -> None:
    texts = ["sgd,adam:lr=0.1,beta1=0.8,rmsprop", "momentum:0.1"]
    assert specs.optimizer_list(texts) == [
        "sgd",
        "adam:lr=0.1,beta1=0.8",
        "rmsprop",
        "momentum:0.1",
    ]
    with pytest.raises(ValueError, match="unknown optimizer 'adamx'"):
        specs.optimizer_list(["sgd,adamx"])


@given(st.text(max_size=60))
def test_any_text_is_an_optimizer_or_a_value_error(text: str) -> None:
    try:
        built = specs.optimizer(text, learning_rate=0.1)
    except ValueError:
        return
    assert built.name in {"sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam", "adamw",
                          "adamax", "nadam", "radam", "lion"}  # fmt: skip


@given(
    st.sampled_from(["adam", "sgd", "rmsprop", "lion"]),
    st.dictionaries(
        st.sampled_from(["lr", "beta1", "beta2", "rho", "eps", "momentum", "wd", "zz"]),
        st.one_of(st.floats(allow_nan=True), st.text(max_size=5)),
        max_size=3,
    ),
)
def test_generated_specs_fail_only_with_value_errors(name: str, pairs: dict) -> None:
    text = name + ":" + ",".join(f"{key}={value}" for key, value in pairs.items())
    try:
        built = specs.optimizer(text, learning_rate=0.1)
    except ValueError as error:
        message = str(error)
        built = None
    if built is None:
        assert message.startswith(repr(text))
        return
    rate = built.hyperparams["learning_rate"]
    assert math.isfinite(rate) and rate > 0

"""Hyper-parameter validation of every named optimizer, and their descriptions."""

import math

import pytest

import gdlab as gd

BAD = [
    (gd.sgd, {"learning_rate": -0.1}, "learning_rate"),
    (gd.sgd, {"learning_rate": 0.1, "momentum": -0.5}, r"momentum must be in \[0, inf\), got -0.5"),
    (gd.sgd, {"learning_rate": 0.1, "dampening": 1.5}, r"dampening must be in \[0, 1\], got 1.5"),
    (gd.sgd, {"learning_rate": 0.1, "nesterov": True}, "nesterov needs momentum > 0"),
    (
        gd.sgd,
        {"learning_rate": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
        "dampening = 0",
    ),
    (gd.sgd, {"learning_rate": 0.1, "weight_decay": -1.0}, r"weight_decay must be in \[0, inf\)"),
    (gd.momentum, {"learning_rate": 0.1, "beta": 1.0}, r"beta must be in \[0, 1\), got 1"),
    (gd.adagrad, {"learning_rate": 0.1, "lr_decay": -0.1}, "lr_decay"),
    (gd.adagrad, {"learning_rate": 0.1, "initial_accumulator": -1.0}, "initial_accumulator"),
    (gd.adagrad, {"learning_rate": 0.1, "eps": -1e-10}, "eps must be in"),
    (gd.rmsprop, {"learning_rate": 0.1, "rho": 1.0}, r"rho must be in \[0, 1\), got 1"),
    (gd.rmsprop, {"learning_rate": 0.1, "momentum": -0.1}, "momentum"),
    (gd.adadelta, {"rho": 1.5}, r"rho must be in \[0, 1\], got 1.5"),
    (gd.adam, {"learning_rate": 0.1, "beta1": 1.2}, r"beta1 must be in \[0, 1\), got 1.2"),
    (gd.adam, {"learning_rate": 0.1, "beta2": -0.1}, r"beta2 must be in \[0, 1\), got -0.1"),
    (gd.adam, {"learning_rate": 0.1, "eps": float("nan")}, "eps must be finite"),
    (gd.adamw, {"learning_rate": 0.1, "weight_decay": -0.01}, "weight_decay"),
    (gd.adamax, {"learning_rate": 0.1, "beta1": 1.0}, "beta1"),
    (gd.nadam, {"learning_rate": 0.1, "momentum_decay": -1.0}, "momentum_decay"),
    (gd.radam, {"learning_rate": 0.1, "beta2": 1.0}, "beta2"),
    (gd.lion, {"learning_rate": 0.1, "beta2": 2.0}, "beta2"),
    (gd.adam, {"learning_rate": math.inf}, "learning_rate"),
]


@pytest.mark.parametrize(
    ("factory", "kwargs", "message"), BAD, ids=lambda v: getattr(v, "__name__", str(v))
)
def test_bad_hyper_parameters_are_refused_by_name(factory, kwargs, message):
    with pytest.raises(ValueError, match=message):
        factory(**kwargs)


@pytest.mark.parametrize("value", ["0.1", None, True, [0.1]])
def test_learning_rate_of_the_wrong_type(value):
    with pytest.raises(TypeError, match="learning_rate"):
        gd.adam(value)


def test_repr_names_the_hyper_parameters():
    text = repr(gd.adam(0.01, beta1=0.8))
    assert text.startswith("adam(learning_rate=0.01, beta1=0.8, beta2=0.999")


def test_learning_rate_may_be_a_schedule():
    schedule = gd.schedules.exponential_decay(0.1, 0.5)
    optimizer = gd.sgd(schedule)
    assert [optimizer.current_learning_rate(t) for t in range(3)] == [0.1, 0.05, 0.025]

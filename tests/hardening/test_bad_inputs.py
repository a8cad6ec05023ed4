"""A corpus of bad inputs to every public entry point, each with the exact error it must give:
the exception type and a fragment of its message (which names the argument and the value)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest
from typer.testing import CliRunner

import gdlab as gd
from gdlab import checkpoints, data, problems, schedules, specs
from gdlab.cli import app
from gdlab.sklearn import GDClassifier, GDMLPRegressor, GDRegressor

LINEAR = gd.models.LinearRegression()
X4, Y4 = np.arange(8.0).reshape(4, 2), np.arange(4.0)


def square(x):
    return float(x @ x)


def double(x):
    return 2 * x


class Bad(NamedTuple):
    call: Callable[[Path], Any]
    error: type[Exception]
    fragment: str


def fit(**options: Any) -> Callable[[Path], Any]:
    arguments = {"model": LINEAR, "X": X4, "y": Y4, "optimizer": gd.sgd(0.1), **options}
    return lambda tmp: gd.fit(**arguments)


def minimize(x0: Any = (1.0,), **options: Any) -> Callable[[Path], Any]:
    arguments = {"fun": square, "x0": x0, "grad": double, "optimizer": gd.sgd(0.1), **options}
    return lambda tmp: gd.minimize(**arguments)


def table(text: str, target: str = "y", **options: Any) -> Callable[[Path], Any]:
    def read(tmp: Path) -> Any:
        path = tmp / "table.csv"
        path.write_text(text)
        return data.read_table(path, target, **options)

    return read


def checkpoint_file(content: bytes) -> Callable[[Path], Any]:
    def resume(tmp: Path) -> Any:
        path = tmp / "run.ckpt"
        path.write_bytes(content)
        return gd.fit(LINEAR, X4, Y4, optimizer=gd.sgd(0.1), resume_from=path)

    return resume


def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[Path], Any]:
    return lambda tmp: function(*args, **kwargs)


IRIS_X, IRIS_Y = np.random.default_rng(0).normal(size=(12, 3)), np.arange(12) % 3

CORPUS = {
    # optimizers and transforms
    "sgd negative rate": Bad(
        call(gd.sgd, -1), ValueError, "learning_rate must be in (0, inf), got -1"
    ),
    "sgd rate nan": Bad(
        call(gd.sgd, float("nan")), ValueError, "learning_rate must be finite, got nan"
    ),
    "sgd rate text": Bad(
        call(gd.sgd, "0.1"), TypeError, "learning_rate must be a number or a schedule, got str"
    ),
    "sgd rate bool": Bad(
        call(gd.sgd, True), TypeError, "learning_rate must be a number or a schedule, got bool"
    ),
    "sgd momentum < 0": Bad(
        call(gd.sgd, 0.1, momentum=-0.1), ValueError, "momentum must be in [0, inf), got -0.1"
    ),
    "sgd dampening 2": Bad(
        call(gd.sgd, 0.1, momentum=0.9, dampening=2),
        ValueError,
        "dampening must be in [0, 1], got 2",
    ),
    "sgd nesterov alone": Bad(
        call(gd.sgd, 0.1, nesterov=True), ValueError, "nesterov needs momentum > 0"
    ),
    "sgd nesterov 'yes'": Bad(
        call(gd.sgd, 0.1, momentum=0.9, nesterov="yes"),
        TypeError,
        "nesterov must be True or False, got str 'yes'",
    ),
    "momentum beta 1": Bad(
        call(gd.momentum, 0.1, beta=1.0), ValueError, "beta must be in [0, 1), got 1"
    ),
    "momentum debias 1": Bad(
        call(gd.momentum, 0.1, debias=1), TypeError, "debias must be True or False, got int 1"
    ),
    "adam beta1 1.2": Bad(
        call(gd.adam, 0.1, beta1=1.2), ValueError, "beta1 must be in [0, 1), got 1.2"
    ),
    "adam beta2 < 0": Bad(
        call(gd.adam, 0.1, beta2=-1), ValueError, "beta2 must be in [0, 1), got -1"
    ),
    "adam eps < 0": Bad(call(gd.adam, 0.1, eps=-1), ValueError, "eps must be in [0, inf), got -1"),
    "adam amsgrad 2": Bad(
        call(gd.adam, 0.1, amsgrad=2), TypeError, "amsgrad must be True or False, got int 2"
    ),
    "adamw decay < 0": Bad(
        call(gd.adamw, 0.1, weight_decay=-1), ValueError, "weight_decay must be in [0, inf), got -1"
    ),
    "rmsprop rho 1": Bad(call(gd.rmsprop, 0.1, rho=1), ValueError, "rho must be in [0, 1), got 1"),
    "rmsprop centered 'x'": Bad(
        call(gd.rmsprop, 0.1, centered="x"), TypeError, "centered must be True or False"
    ),
    "adagrad lr_decay < 0": Bad(
        call(gd.adagrad, 0.1, lr_decay=-1), ValueError, "lr_decay must be in [0, inf), got -1"
    ),
    "adadelta rho 2": Bad(call(gd.adadelta, rho=2), ValueError, "rho must be in [0, 1], got 2"),
    "nadam decay < 0": Bad(
        call(gd.nadam, 0.1, momentum_decay=-1),
        ValueError,
        "momentum_decay must be in [0, inf), got -1",
    ),
    "lion beta2 1": Bad(call(gd.lion, 0.1, beta2=1), ValueError, "beta2 must be in [0, 1), got 1"),
    "ewa beta 1": Bad(call(gd.ewa, 1.0), ValueError, "beta must be in [0, 1), got 1"),
    "ewa beta text": Bad(call(gd.ewa, "x"), TypeError, "beta must be a real number, got str"),
    "ewa debias 'no'": Bad(
        call(gd.ewa, 0.9, debias="no"), TypeError, "debias must be True or False, got str 'no'"
    ),
    "chain of nothing": Bad(
        call(gd.chain), ValueError, "chain needs at least one transform, got none"
    ),
    "chain of an int": Bad(
        call(gd.chain, 1), TypeError, "chain argument 0 must be a Transform, got int"
    ),
    # schedules
    "exponential rate 0": Bad(
        call(schedules.exponential_decay, 0.1, 0.0),
        ValueError,
        "decay_rate must be in (0, 1], got 0",
    ),
    "cosine 0 steps": Bad(
        call(schedules.cosine, 0.1, 0), ValueError, "total_steps must be an integer >= 1, got 0"
    ),
    "step every 0": Bad(
        call(schedules.step_decay, 0.1, 0), ValueError, "step_size must be an integer >= 1, got 0"
    ),
    "multistep unsorted": Bad(
        call(schedules.multistep, 0.1, [5, 3]),
        ValueError,
        "milestones must be strictly increasing, got [5, 3]",
    ),
    "one_cycle pct 2": Bad(
        call(schedules.one_cycle, 0.1, 100, pct_start=2),
        ValueError,
        "pct_start must be in (0, 1), got 2",
    ),
    "plateau factor 1": Bad(
        call(schedules.reduce_on_plateau, 0.1, factor=1.0),
        ValueError,
        "factor must be in [0, 1), got 1",
    ),
    "plateau mode 'up'": Bad(
        call(schedules.reduce_on_plateau, 0.1, mode="up"),
        ValueError,
        "mode must be one of 'min', 'max', got 'up'",
    ),
    "plateau metric nan": Bad(
        call(schedules.reduce_on_plateau(0.1).step, float("nan")),
        ValueError,
        "metric must be finite, got nan",
    ),
    "schedule count -1": Bad(
        call(schedules.constant(0.1), -1), ValueError, "count must be >= 0, got -1"
    ),
    "schedule count 1.5": Bad(
        call(schedules.constant(0.1), 1.5),
        TypeError,
        "count must be an integer or an array of integers",
    ),
    # minimize
    "minimize steps -1": Bad(
        minimize(steps=-1), ValueError, "steps must be an integer >= 0, got -1"
    ),
    "minimize steps 1.5": Bad(
        minimize(steps=1.5), TypeError, "steps must be an integer, got float 1.5"
    ),
    "minimize x0 empty": Bad(minimize(x0=[]), ValueError, "x0 must not be empty"),
    "minimize x0 nan": Bad(minimize(x0=[np.nan]), ValueError, "x0 must be finite, got [nan]"),
    "minimize x0 text": Bad(
        minimize(x0="abc"), TypeError, "x0 must hold real numbers, got dtype <U3"
    ),
    "minimize x0 ragged": Bad(
        minimize(x0=[[1], [1, 2]]), TypeError, "x0 must be an array of real numbers, got list"
    ),
    "minimize x0 complex": Bad(
        minimize(x0=[1j]), TypeError, "x0 must hold real numbers, got dtype complex128"
    ),
    "minimize optimizer text": Bad(
        minimize(optimizer="adam"),
        TypeError,
        "optimizer must be a gdlab Transform (e.g. gd.adam(0.01)), got str",
    ),
    "minimize fun 3": Bad(
        call(gd.minimize, 3, [1.0], optimizer=gd.sgd(0.1)),
        TypeError,
        "fun must be callable or have value_and_grad, got int",
    ),
    "minimize grad 5": Bad(
        minimize(grad=5), TypeError, "grad must be a callable, True or None, got int"
    ),
    "minimize grad shape": Bad(
        minimize(x0=[1.0, 2.0], grad=lambda x: np.ones(3)),
        ValueError,
        "the gradient has shape (3,), but x has shape (2,)",
    ),
    "minimize grad None": Bad(
        minimize(grad=lambda x: None),
        TypeError,
        "the gradient must be an array of real numbers, got object",
    ),
    "minimize fun vector": Bad(
        call(gd.minimize, lambda x: x, [1.0, 2.0], grad=double, optimizer=gd.sgd(0.1)),
        ValueError,
        "fun must return a scalar, got an array of shape (2,)",
    ),
    "minimize fun text": Bad(
        call(gd.minimize, lambda x: "a", [1.0], grad=double, optimizer=gd.sgd(0.1)),
        TypeError,
        "fun must return a real number, got dtype <U1",
    ),
    "minimize start inf": Bad(
        call(gd.minimize, lambda x: np.inf, [1.0], grad=double, optimizer=gd.sgd(0.1)),
        ValueError,
        "cannot start from x0: the loss is inf",
    ),
    "minimize target nan": Bad(
        minimize(target=float("nan")), ValueError, "target must be finite, got nan"
    ),
    "minimize xtol -1": Bad(minimize(xtol=-1), ValueError, "xtol must be in [0, inf), got -1"),
    "minimize callback 3": Bad(
        minimize(callback=3), TypeError, "callback must be callable or None, got int"
    ),
    "minimize record_path 'no'": Bad(
        minimize(record_path="no"), TypeError, "record_path must be True or False, got str 'no'"
    ),
    # fit
    "fit epochs 0": Bad(fit(epochs=0), ValueError, "epochs must be an integer >= 1, got 0"),
    "fit batch 0": Bad(
        fit(batch_size=0),
        ValueError,
        "batch_size must be in [1, 4] (the number of samples) or None",
    ),
    "fit batch > n": Bad(fit(batch_size=5), ValueError, "batch_size must be in [1, 4]"),
    "fit batch 2.0": Bad(
        fit(batch_size=2.0), TypeError, "batch_size must be an integer or None, got float 2.0"
    ),
    "fit X 1-D": Bad(
        fit(X=np.ones(4)), ValueError, "X must be 2-D (n_samples, n_features), got shape (4,)"
    ),
    "fit X nan": Bad(
        fit(X=np.full((4, 2), np.nan)), ValueError, "X contains NaN or inf (first at index (0, 0))"
    ),
    "fit X text": Bad(fit(X=[["a", "b"]], y=[1.0]), ValueError, "X must be numeric, got dtype <U1"),
    "fit X ragged": Bad(
        fit(X=[[1.0], [1.0, 2.0]], y=[1.0, 2.0]),
        ValueError,
        "X must be a rectangular array of numbers",
    ),
    "fit X empty": Bad(
        fit(X=np.ones((0, 2)), y=np.ones(0)), ValueError, "X is empty (shape (0, 2))"
    ),
    "fit y length": Bad(fit(y=np.ones(3)), ValueError, "X has 4 samples but y has 3"),
    "fit y 2-D": Bad(
        fit(y=np.ones((4, 2))),
        ValueError,
        "y must be 1-D for a single-output model, got shape (4, 2)",
    ),
    "fit seed -1": Bad(fit(seed=-1), ValueError, "seed must be an integer >= 0, got -1"),
    "fit seed text": Bad(fit(seed="a"), TypeError, "seed must be an integer, got str 'a'"),
    "fit patience 0": Bad(fit(patience=0), ValueError, "patience must be an integer >= 1, got 0"),
    "fit tol -1": Bad(fit(tol=-1), ValueError, "tol must be in [0, inf), got -1"),
    "fit shuffle 'y'": Bad(fit(shuffle="y"), TypeError, "shuffle must be True or False, got str"),
    "fit replace unshuffled": Bad(
        fit(replace=True, shuffle=False),
        ValueError,
        "replace=True draws random indices, so it needs shuffle=True",
    ),
    "fit validation 3": Bad(
        fit(validation_data=3), ValueError, "validation_data must be a pair (X_val, y_val), got int"
    ),
    "fit validation features": Bad(
        fit(validation_data=(np.ones((2, 3)), np.ones(2))),
        ValueError,
        "validation_data: X_val has 3 features, the training X 2",
    ),
    "fit model None": Bad(
        fit(model=None),
        TypeError,
        "model must be a gdlab model (e.g. gd.models.LinearRegression()), got NoneType",
    ),
    "fit start size": Bad(
        fit(start=[1, 2]), ValueError, "start must be a scalar or 3 values, got shape (2,)"
    ),
    "fit labels 2 for logistic": Bad(
        fit(model=gd.models.LogisticRegression(), y=[0, 1, 2, 1]),
        ValueError,
        "label 2 at index 2 is out of range: this model takes labels 0..1",
    ),
    "fit labels -1": Bad(
        fit(model=gd.models.LogisticRegression(), y=[0, 1, -1, 1]),
        ValueError,
        "class labels must be integers 0..K-1, got -1.0 at index 2",
    ),
    "fit callback 3": Bad(fit(callback=3), TypeError, "callback must be callable or None, got int"),
    "fit epoch_callback 'x'": Bad(
        fit(epoch_callback="x"), TypeError, "epoch_callback must be callable or None, got str"
    ),
    "fit full_loss 1": Bad(
        fit(full_loss=1), TypeError, "full_loss must be True or False, got int 1"
    ),
    "fit restore_best 'yes'": Bad(
        fit(restore_best="yes"), TypeError, "restore_best must be True or False"
    ),
    "fit checkpoint 3": Bad(fit(checkpoint=3), TypeError, "checkpoint must be a path, got int"),
    "fit checkpoint folder": Bad(
        fit(checkpoint="no/such/folder/run.ckpt"),
        ValueError,
        "checkpoint: the folder no/such/folder does not exist",
    ),
    "fit checkpoint_every 0": Bad(
        fit(checkpoint="run.ckpt", checkpoint_every=0),
        ValueError,
        "checkpoint_every must be an integer >= 1, got 0",
    ),
    "fit resume_from 7": Bad(fit(resume_from=7), TypeError, "resume_from must be a path, got int"),
    "resume missing file": Bad(
        fit(resume_from="nowhere.ckpt"),
        checkpoints.CheckpointError,
        "cannot resume: no checkpoint file at nowhere.ckpt",
    ),
    "resume empty file": Bad(
        checkpoint_file(b""), checkpoints.CheckpointError, "the file is truncated or corrupt"
    ),
    "resume a CSV": Bad(
        checkpoint_file(b"x,y\n1,2\n"),
        checkpoints.CheckpointError,
        "the file is truncated or corrupt",
    ),
    # models
    "model l2 -1": Bad(
        call(gd.models.LinearRegression, l2=-1),
        ValueError,
        "l2 must be a finite number >= 0, got -1",
    ),
    "model loss 'mae'": Bad(
        call(gd.models.LinearRegression, loss="mae"),
        ValueError,
        "loss must be one of 'mse', 'half_mse', got 'mae'",
    ),
    "mlp width 0": Bad(
        call(gd.models.MLP, (0,)),
        ValueError,
        "hidden must be a sequence of layer widths >= 1, got (0,)",
    ),
    "mlp activation": Bad(
        call(gd.models.MLP, activation="gelu"),
        ValueError,
        "activation must be one of 'tanh', 'relu', 'sigmoid', got 'gelu'",
    ),
    "poly degree -1": Bad(
        call(gd.models.PolynomialRegression, -1),
        ValueError,
        "degree must be an integer >= 0, got -1",
    ),
    "softmax 1 class": Bad(
        call(gd.models.SoftmaxRegression, 1), ValueError, "n_classes must be an integer >= 2, got 1"
    ),
    "poly two columns": Bad(
        call(gd.models.PolynomialRegression(2).validate, np.ones((3, 2)), np.ones(3)),
        ValueError,
        "x must have shape (n,) or (n, 1), got (3, 2)",
    ),
    "params 2-D": Bad(
        call(LINEAR.value_and_grad, np.ones((2, 2)), X4, Y4),
        ValueError,
        "params must be a flat 1-D float array",
    ),
    # expressions and problems
    "expression empty": Bad(call(problems.expression, ""), ValueError, "expression text is empty"),
    "expression syntax": Bad(
        call(problems.expression, "x**"), ValueError, "syntax error at column 1 of 'x**'"
    ),
    "expression import": Bad(
        call(problems.expression, "__import__('os')"), ValueError, "names cannot start with '_'"
    ),
    "expression attribute": Bad(
        call(problems.expression, "x.__class__"),
        ValueError,
        "operator '.' at column 2 of 'x.__class__' is not allowed",
    ),
    "expression unknown function": Bad(
        call(problems.expression, "foo(x)"),
        ValueError,
        "function 'foo' at column 1 of 'foo(x)' is unknown",
    ),
    "expression constant": Bad(
        call(problems.expression, "3 + 4"), ValueError, "expression '3 + 4' has no variables"
    ),
    "expression lambda": Bad(
        call(problems.expression, "lambda x: x"), ValueError, "keyword 'lambda' at column 1"
    ),
    "expression huge power": Bad(
        call(problems.expression, "x**99999999999"), ValueError, "is outside [-1000, 1000]"
    ),
    "expression too long": Bad(
        call(problems.expression, "x+" * 2000 + "x"),
        ValueError,
        "expression text has 4001 characters; at most 2000",
    ),
    "expression deep": Bad(
        call(problems.expression, "(" * 60 + "x" + ")" * 60),
        ValueError,
        "nests deeper than 50 levels",
    ),
    "expression not text": Bad(
        call(problems.expression, 3), TypeError, "expression text must be a str, got int"
    ),
    "problem unknown": Bad(
        call(problems.get, "rosenbrok"), ValueError, "unknown problem 'rosenbrok'"
    ),
    # specs
    "spec empty": Bad(
        call(specs.optimizer, ""),
        ValueError,
        "'': a spec starts with a name such as 'adam', got ''",
    ),
    "spec unknown optimizer": Bad(
        call(specs.optimizer, "adamm"), ValueError, "'adamm': unknown optimizer 'adamm'"
    ),
    "spec unknown key": Bad(
        call(specs.optimizer, "adam:foo=1"), ValueError, "'adam:foo=1': adam has no parameter 'foo'"
    ),
    "spec bad number": Bad(
        call(specs.optimizer, "adam:lr=abc"),
        ValueError,
        "'adam:lr=abc': learning_rate must be a number, got 'abc'",
    ),
    "spec nan": Bad(
        call(specs.optimizer, "adam:lr=nan"), ValueError, "learning_rate must be finite, got 'nan'"
    ),
    "spec no rate": Bad(
        call(specs.optimizer, "adam"), ValueError, "'adam': adam needs learning_rate (lr)"
    ),
    "spec twice": Bad(
        call(specs.optimizer, "adam:lr=0.1,lr=0.2"), ValueError, "learning_rate is given twice"
    ),
    "spec open bracket": Bad(
        call(specs.optimizer, "adam:lr=[0.1"), ValueError, "a '[' is not closed"
    ),
    "spec bool": Bad(
        call(specs.optimizer, "sgd:0.1,nesterov=maybe"),
        ValueError,
        "nesterov must be true or false, got 'maybe'",
    ),
    "spec float for int": Bad(
        call(specs.schedule, "step:every=1.5", learning_rate=0.1),
        ValueError,
        "step_size must be an integer, got '1.5'",
    ),
    "spec unknown schedule": Bad(
        call(specs.schedule, "cosin", learning_rate=0.1, steps=10),
        ValueError,
        "unknown schedule 'cosin'",
    ),
    "spec schedule length": Bad(
        call(specs.schedule, "cosine", learning_rate=0.1),
        ValueError,
        "'cosine': cosine needs total_steps",
    ),
    "spec too long": Bad(
        call(specs.optimizer, "a" * 2000),
        ValueError,
        "a spec must be at most 1000 characters, got 2000",
    ),
    "spec empty item": Bad(
        call(specs.optimizer, "adam:lr=0.1,,beta1=0.9"), ValueError, "empty item between commas"
    ),
    "spec not text": Bad(
        call(specs.optimizer, None), ValueError, "a spec must be text, got NoneType"
    ),
    "spec model width 0": Bad(
        call(specs.model, "mlp:0"),
        ValueError,
        "'mlp:0': hidden must be a sequence of layer widths >= 1",
    ),
    "spec target typo": Bad(
        call(specs.target, "rosenbrok"), ValueError, "unknown problem 'rosenbrok'; choose one of"
    ),
    # data
    "load unknown": Bad(
        call(data.load, "irs"), ValueError, "unknown data set 'irs'; known: seed000"
    ),
    "load bundled options": Bad(
        call(data.load, "iris", seed=1),
        ValueError,
        "'iris' is a bundled data set and takes no options",
    ),
    "load n_samples 0": Bad(
        call(data.load, "linear", n_samples=0),
        ValueError,
        "n_samples must be an integer >= 1, got 0",
    ),
    "make noise text": Bad(
        call(data.make_linear, noise="a"), TypeError, "noise must be a number, got str 'a'"
    ),
    "make seed -1": Bad(
        call(data.make_blobs, seed=-1), ValueError, "seed must be an integer >= 0, got -1"
    ),
    "make scales": Bad(
        call(data.make_linear, n_features=2, scales=[1]),
        ValueError,
        "scales must be 2 positive numbers, got [1]",
    ),
    "standardize 1-D": Bad(
        call(data.standardize, np.ones(3)),
        ValueError,
        "X must be a non-empty 2-D numeric array, got float64 (3,)",
    ),
    "standardize ragged": Bad(
        call(data.standardize, [[1.0], [1.0, 2.0]]),
        ValueError,
        "X must be a rectangular array of numbers",
    ),
    "standardize overflow": Bad(
        call(data.standardize, np.array([[1e308], [-1e308]])),
        ValueError,
        "X holds values too large to standardise",
    ),
    "read_table missing": Bad(
        call(data.read_table, "/nonexistent/t.csv", "y"),
        ValueError,
        "no such file: /nonexistent/t.csv",
    ),
    "read_table folder": Bad(lambda tmp: data.read_table(tmp, "y"), ValueError, "not a file:"),
    "read_table empty": Bad(table(""), ValueError, "table.csv is empty (no header, no rows)"),
    "read_table no target": Bad(
        table("a,b\n1,2\n"),
        ValueError,
        "column(s) ['y'] not found in table.csv; available columns: a, b",
    ),
    "read_table text column": Bad(
        table("a,y\nx,1\n"), ValueError, "non-numeric column(s) in table.csv: 'a'"
    ),
    "read_table empty cell": Bad(
        table("a,y\n1,2\n,3\n"),
        ValueError,
        "NaN, inf or empty cells in table.csv, column(s) 'a' (1 rows)",
    ),
    "read_table labels": Bad(
        table("a,y\n1,0.5\n", task="classification"),
        ValueError,
        "target 'y' must hold class labels 0..K-1",
    ),
    "read_table task": Bad(
        table("a,y\n1,2\n", task="clustering"),
        ValueError,
        "task must be one of ('regression', 'classification'), got 'clustering'",
    ),
    # estimators (checked in fit, never in __init__)
    "estimator epochs 0": Bad(
        lambda tmp: GDRegressor(epochs=0).fit(X4, Y4),
        ValueError,
        "epochs must be an integer >= 1, got 0",
    ),
    "estimator rate 'fast'": Bad(
        lambda tmp: GDRegressor(learning_rate="fast").fit(X4, Y4),
        ValueError,
        "learning_rate must be 'auto' or a number > 0, got 'fast'",
    ),
    "estimator optimizer typo": Bad(
        lambda tmp: GDRegressor(optimizer="adamm").fit(X4, Y4),
        ValueError,
        "unknown optimizer 'adamm'",
    ),
    "estimator rate twice": Bad(
        lambda tmp: GDRegressor(optimizer="adam:lr=0.1", learning_rate=0.2).fit(X4, Y4),
        ValueError,
        "the learning rate is given twice",
    ),
    "estimator one class": Bad(
        lambda tmp: GDClassifier().fit(X4, [1, 1, 1, 1]),
        ValueError,
        "GDClassifier needs samples of at least 2 classes, got 1 class: [1]",
    ),
    "estimator regression target": Bad(
        lambda tmp: GDClassifier().fit(X4, [0.5, 1.5, 2.5, 3.5]),
        ValueError,
        "Unknown label type: continuous",
    ),
    "estimator partial classes": Bad(
        lambda tmp: GDClassifier().partial_fit(IRIS_X, IRIS_Y),
        ValueError,
        "classes must be passed on the first call to partial_fit",
    ),
    "estimator early stop 1 sample": Bad(
        lambda tmp: GDRegressor(early_stopping=True).fit(X4[:1], Y4[:1]),
        ValueError,
        "early_stopping needs at least 2 samples (one to train, one to validate), got 1 sample",
    ),
    "estimator hidden 0": Bad(
        lambda tmp: GDMLPRegressor((0,)).fit(X4, Y4),
        ValueError,
        "hidden_layer_sizes must be layer widths >= 1, got (0,)",
    ),
    "estimator diverges": Bad(
        lambda tmp: GDRegressor(learning_rate=1e3, scale=False, epochs=20).fit(X4 * 100, Y4),
        ValueError,
        "with learning rate 1000",
    ),
}


def test_the_corpus_is_large():
    assert len(CORPUS) >= 60
    assert len({case.fragment for case in CORPUS.values()}) > 0.9 * len(CORPUS)


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_bad_input_gives_its_exact_error(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    case = CORPUS[name]
    with pytest.raises(case.error) as raised:
        case.call(tmp_path)
    assert type(raised.value) is case.error, (type(raised.value), raised.value)
    assert case.fragment in str(raised.value), str(raised.value)


# ---------------------------------------------------------------- the command line: exit 2

COMMAND_LINE = {
    "negative rate": (
        ["minimize", "rosenbrock", "-O", "adam:lr=-1"],
        "learning_rate must be in (0, inf), got -1",
    ),
    "expression syntax": (["minimize", "x**"], "syntax error at column 1 of 'x**'"),
    "start size": (
        ["minimize", "rosenbrock", "--start", "1,2,3"],
        "start must have 2 coordinates for rosenbrock, got 3",
    ),
    "start text": (
        ["minimize", "rosenbrock", "--start", "a,b"],
        "--start must be numbers separated by commas, got 'a,b'",
    ),
    "steps 0": (["minimize", "rosenbrock", "--steps", "0"], "Invalid value for '--steps'"),
    "history suffix": (
        ["minimize", "rosenbrock", "--history", "h.txt"],
        "a history file must end in .csv or .jsonl, got 'h.txt'",
    ),
    "history folder": (
        ["minimize", "rosenbrock", "--history", "nodir/h.csv"],
        "the folder nodir of 'nodir/h.csv' does not exist",
    ),
    "plot folder": (
        ["minimize", "rosenbrock", "--steps", "3", "--plot", "nodir/p.png"],
        "the folder nodir of 'nodir/p.png' does not exist",
    ),
    "plot suffix": (
        ["minimize", "rosenbrock", "--plot", "p.gif"],
        "a figure file must end in .png, .svg, .pdf, got 'p.gif'",
    ),
    "schedule typo": (
        ["minimize", "rosenbrock", "--schedule", "cosin"],
        "unknown schedule 'cosin'",
    ),
    "unknown hyper-parameter": (
        ["minimize", "rosenbrock", "--set", "beta9=1"],
        "adam has no parameter 'beta9'",
    ),
    "infinite start": (
        ["minimize", "x**2+y**2", "--start", "1e400,1"],
        "start must be finite, got [inf, 1.0]",
    ),
    "unknown group": (["list", "foo"], "unknown catalog group 'foo'"),
    "unknown demo": (["demo", "nothing"], "unknown demo 'nothing'"),
    "lr-find range": (
        ["lr-find", "rosenbrock", "--min-lr", "10", "--max-lr", "1"],
        "high must be in (10, inf), got 1",
    ),
    "fit unknown data": (["fit", "irs"], "unknown data set 'irs'"),
    "fit missing file": (
        ["fit", "/nonexistent.csv", "--target", "y"],
        "no such file: /nonexistent.csv",
    ),
    "fit unknown model": (["fit", "iris", "--model", "svm"], "'svm': unknown model 'svm'"),
    "fit missing checkpoint": (
        ["fit", "iris", "--resume", "none.ckpt"],
        "cannot resume: no checkpoint file at none.ckpt",
    ),
    "animation suffix": (
        ["animate", "booth", "--out", "a.txt"],
        "an animation file must end in .gif, .png or .webp, got 'a.txt'",
    ),
}


@pytest.mark.parametrize("name", list(COMMAND_LINE))
def test_each_bad_command_line_exits_2_with_one_line(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    arguments, fragment = COMMAND_LINE[name]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gdlab: "), result.stderr
    assert fragment in lines[0], lines[0]

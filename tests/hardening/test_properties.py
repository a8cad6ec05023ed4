"""Property tests over every public entry point: finite inputs never raise an unexplained
exception; invalid ones raise ValueError or TypeError that names the argument."""

from __future__ import annotations

import hashlib
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from typer.testing import CliRunner

import gdlab as gd
from gdlab import catalog, checkpoints, data, problems, schedules, specs
from gdlab.cli import app
from gdlab.history import STATUSES
from gdlab.sklearn import GDClassifier, GDRegressor

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
EXPLAINED = (ValueError, TypeError)

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
anything = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(), st.text(max_size=5),
    st.lists(st.integers(-3, 30), max_size=3), st.tuples(st.floats()),
)  # fmt: skip


def attempt(call, *args, errors=EXPLAINED, **kwargs):
    """(value, None) or (None, the ValueError/TypeError raised): asserted on by the caller."""
    try:
        return call(*args, **kwargs), None
    except errors as error:
        return None, error


def names_one_of(error: Exception, names) -> bool:
    text = str(error)
    return any(re.search(rf"\b{re.escape(name)}\b", text) for name in names)


# ---------------------------------------------------------------- optimizers and schedules


@SETTINGS
@given(name=st.sampled_from(list(catalog.OPTIMIZERS)), data_=st.data())
def test_optimizer_constructors_build_or_name_the_argument(name, data_):
    entry = catalog.OPTIMIZERS[name]
    chosen = {}
    for parameter in entry.parameters:
        if parameter.required or data_.draw(st.booleans()):
            chosen[parameter.name] = data_.draw(anything, label=parameter.name)
    optimizer, error = attempt(entry.factory, **chosen)
    if error is not None:
        assert names_one_of(error, chosen), (chosen, error)
        return
    state = optimizer.init(np.zeros(3))
    updates, _ = optimizer.update(np.ones(3), state, np.zeros(3))
    assert updates.shape == (3,)


SCHEDULE_VALUES = st.one_of(
    anything, st.floats(1e-6, 10), st.integers(1, 500),
    st.lists(st.integers(1, 500), min_size=1, max_size=4, unique=True).map(sorted),
)  # fmt: skip


@SETTINGS
@given(name=st.sampled_from(list(catalog.SCHEDULES)), data_=st.data())
def test_schedules_build_and_give_finite_rates_or_name_the_argument(name, data_):
    entry = catalog.SCHEDULES[name]
    chosen = {}
    for parameter in entry.parameters:
        if parameter.required or data_.draw(st.booleans()):
            values = st.sampled_from(parameter.choices) if parameter.choices else SCHEDULE_VALUES
            chosen[parameter.name] = data_.draw(values, label=parameter.name)
    schedule, error = attempt(entry.factory, **chosen)
    if error is not None:
        assert names_one_of(error, chosen), (chosen, error)
        return
    counts = np.arange(0, 2000, 7)
    rates = schedule(counts)
    assert np.all(np.isfinite(rates)) and np.all(rates >= 0)
    assert rates[3] == pytest.approx(schedule(int(counts[3])), rel=1e-12, abs=0)


@SETTINGS
@given(count=anything)
def test_a_schedule_takes_counts_or_names_count(count):
    value, error = attempt(schedules.cosine(0.1, 100), count)
    if error is not None:
        assert "count" in str(error), error
        return
    assert np.all(np.isfinite(value))


# ---------------------------------------------------------------- minimize


@SETTINGS
@given(
    problem=st.sampled_from(list(catalog.PROBLEMS)),
    optimizer=st.sampled_from(list(catalog.OPTIMIZERS)),
    rate=st.floats(1e-4, 50.0),
    start=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=6),
    steps=st.integers(0, 60),
)
def test_minimize_with_finite_inputs_returns_a_result(problem, optimizer, rate, start, steps):
    target = catalog.problem(problem)
    x0 = (start * target.dim)[: target.dim]
    chosen = catalog.optimizer(optimizer, learning_rate=rate)
    result, error = attempt(gd.minimize, target, x0, optimizer=chosen, steps=steps,
                            errors=ValueError)  # fmt: skip
    if error is not None:  # the start itself may overflow the function: said so
        assert "cannot start from x0" in str(error), error
        return
    assert result.status in STATUSES and np.all(np.isfinite(result.x))
    assert math.isfinite(result.fun) and result.nit <= steps
    if result.status == "diverged":
        assert re.search(r"diverged at step \d+ with learning rate \S+: ", result.message)


@SETTINGS
@given(x0=anything, steps=anything)
def test_minimize_names_a_bad_start_or_budget(x0, steps):
    result, error = attempt(gd.minimize, lambda x: float(np.sum(x * x)), x0,
                            grad=lambda x: 2 * x, optimizer=gd.sgd(0.1), steps=steps)  # fmt: skip
    if error is not None:
        assert names_one_of(error, ["x0", "steps"]), error
    else:
        assert result.status == "max_steps" and np.all(np.isfinite(result.x))


# ---------------------------------------------------------------- fit and the models


def _labels(draw, n, classes):
    labels = draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n))
    labels[: min(n, classes)] = range(min(n, classes))
    return np.array(labels)


@st.composite
def fitting_problems(draw):
    n = draw(st.integers(1, 25))
    d = draw(st.integers(1, 4))
    X = draw(hnp.arrays(np.float64, (n, d), elements=st.floats(-1e3, 1e3)))
    kind = draw(st.sampled_from(["linear", "logistic", "softmax", "mlp", "mlp-classifier"]))
    if kind == "linear":
        return gd.models.LinearRegression(l2=draw(st.floats(0, 1))), X, X @ np.ones(d)
    if kind == "logistic":
        return gd.models.LogisticRegression(), X, _labels(draw, n, 2)
    if kind == "softmax":
        return gd.models.SoftmaxRegression(), X, _labels(draw, n, 3)
    if kind == "mlp":
        return (
            gd.models.MLP((3,), activation=draw(st.sampled_from(models_activations()))),
            X,
            X[:, 0],
        )
    return gd.models.MLP((2,), output="classification"), X, _labels(draw, n, 2)


def models_activations():
    return gd.models.ACTIVATIONS


@SETTINGS
@given(
    problem=fitting_problems(),
    optimizer=st.sampled_from(list(catalog.OPTIMIZERS)),
    rate=st.floats(1e-4, 10.0),
    batch=st.one_of(st.none(), st.integers(1, 25)),
    options=st.fixed_dictionaries({}, optional={
        "shuffle": st.booleans(), "epochs": st.integers(1, 4), "tol": st.floats(0, 1),
        "full_loss": st.booleans(), "restore_best": st.booleans(), "drop_last": st.booleans(),
    }),
)  # fmt: skip
def test_fit_with_finite_inputs_returns_a_result(problem, optimizer, rate, batch, options):
    model, X, y = problem
    assume(batch is None or batch <= len(X))
    chosen = catalog.optimizer(optimizer, learning_rate=rate)
    result, error = attempt(gd.fit, model, X, y, optimizer=chosen, batch_size=batch,
                            errors=ValueError, **options)  # fmt: skip
    if error is not None:  # the start's loss overflows: said so
        assert "cannot start" in str(error), error
        return
    assert result.status in STATUSES and np.all(np.isfinite(result.x))
    if result.status == "diverged":
        assert re.search(r"diverged at update \d+ \(epoch \d+\) with learning rate \S+: ",
                         result.message)  # fmt: skip


ARRAYS = st.one_of(
    anything,
    hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128]),
               hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)),
    st.lists(st.lists(st.one_of(st.floats(), st.text(max_size=2)), max_size=3), max_size=3),
)  # fmt: skip


@SETTINGS
@given(
    model=st.sampled_from([gd.models.LinearRegression(), gd.models.LogisticRegression(),
                           gd.models.SoftmaxRegression(), gd.models.PolynomialRegression(2),
                           gd.models.MLP((2,), output="classification")]),
    X=ARRAYS, y=ARRAYS,
)  # fmt: skip
def test_models_validate_or_name_the_data(model, X, y):
    clean, error = attempt(model.validate, X, y)
    if error is not None:
        assert names_one_of(error, ["X", "x", "y", "label", "labels", "class"]), error
        return
    X_clean, y_clean = clean
    assert np.all(np.isfinite(X_clean)) and len(X_clean) == len(y_clean)


# ---------------------------------------------------------------- specs and expressions

SPEC_TEXT = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda name, pairs: name + ":" + ",".join(f"{k}={v}" for k, v in pairs),
        st.sampled_from(["sgd", "adam", "cosine", "step", "mlp", "quadratic", "multistep", "x"]),
        st.lists(st.tuples(st.sampled_from(["lr", "beta1", "every", "milestones", "foo", "dim",
                                            "activation", "gamma", "total_steps"]),
                           st.text("0123456789.-e[],xyz", max_size=8)), max_size=3),
    ),
)  # fmt: skip


@SETTINGS
@given(
    text=SPEC_TEXT, kind=st.sampled_from(["optimizer", "schedule", "model", "problem", "target"])
)
def test_the_spec_parser_returns_or_raises_value_error_quoting_the_spec(text, kind):
    parse = getattr(specs, kind)
    options = {"learning_rate": 0.1, "steps": 100} if kind == "schedule" else {}
    built, error = attempt(parse, text, errors=ValueError, **options)
    assert (built is None) != (error is None)
    if error is not None and kind != "target":  # target: an expression's own message
        assert repr(text)[:20].strip("'\"") in str(error) or "spec" in str(error), error


EXPRESSION = st.text("xyz0123456789.+-*/()^ ,sincoexpltqrab", max_size=30)


@SETTINGS
@given(text=EXPRESSION, point=st.lists(finite, min_size=3, max_size=3))
def test_expressions_parse_and_evaluate_or_raise_value_error(text, point):
    problem, error = attempt(problems.expression, text, errors=ValueError)
    if error is not None:
        assert "expression" in str(error) or text.strip()[:10] in str(error), error
        return
    with np.errstate(all="ignore"):
        loss, grad = problem.value_and_grad(np.array(point[: problem.dim]))
    assert isinstance(loss, float) and np.shape(grad) == (problem.dim,)


# ---------------------------------------------------------------- data loaders


CSV_TEXT = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda header, rows: header + "\n" + "\n".join(",".join(row) for row in rows),
        st.sampled_from(["a,y", "y", "a,b,y", "a,,y", "y,y"]),
        st.lists(st.lists(st.sampled_from(["1", "2.5", "", "nan", "inf", "x", "-3", "1e999"]),
                          min_size=1, max_size=3), max_size=5),
    ),
)  # fmt: skip


@SETTINGS
@given(text=CSV_TEXT, task=st.sampled_from(["regression", "classification"]))
def test_read_table_reads_or_names_the_problem_and_never_writes(tmp_path, text, task):
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    before = hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns
    dataset, error = attempt(data.read_table, path, "y", task=task, errors=ValueError)
    if error is not None:
        assert "table.csv" in str(error) or "'y'" in str(error), error
    else:
        assert np.all(np.isfinite(dataset.X)) and len(dataset.X) == len(dataset.y)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


@SETTINGS
@given(name=st.one_of(st.sampled_from(data.names()), st.text(max_size=10)),
       options=st.dictionaries(st.sampled_from(["seed", "n_samples", "noise", "foo"]), anything,
                               max_size=2))  # fmt: skip
def test_data_load_returns_a_dataset_or_names_the_problem(name, options):
    assume(name not in data.BUNDLED or not options)  # bundled sets are read from disk: slow
    dataset, error = attempt(data.load, name, **options)
    if error is not None:
        assert names_one_of(error, [name, *options]) or "data set" in str(error), error
        return
    assert len(dataset.X) == len(dataset.y) and np.all(np.isfinite(dataset.X))


@SETTINGS
@given(X=ARRAYS)
def test_standardize_returns_unit_columns_or_names_x(X):
    scaled, error = attempt(data.standardize, X)
    if error is not None:
        assert "X" in str(error), error
        return
    assert np.all(np.isfinite(scaled[0]))


# ---------------------------------------------------------------- the command line

runner = CliRunner()
WORDS = st.sampled_from([
    "rosenbrock", "booth", "x**2 + y**2", "x**", "adam", "sgd:lr=0.1", "adam:lr=-1", "--lr",
    "0.1", "nan", "-1", "--steps", "5", "0", "--start", "1,2", "a,b", "--schedule", "cosine",
    "cosin", "--set", "beta1=0.5", "--json", "--quiet", "-O", "--epochs", "2", "--batch-size",
    "iris", "seed002", "nosuch", "--model", "softmax", "mlp:3", "--target",
])  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(command=st.sampled_from(["minimize", "schedule", "list", "fit", "demo"]),
       words=st.lists(WORDS, max_size=6))  # fmt: skip
def test_the_command_line_exits_0_1_or_2_with_one_line(tmp_path, command, words):
    arguments = [command, *words]
    if command == "fit":
        arguments += ["--epochs", "1", "--out", str(tmp_path)]
    if command == "minimize" and "--steps" not in words:
        arguments += ["--steps", "20"]
    result = runner.invoke(app, arguments)
    assert result.exit_code in (0, 1, 2), (arguments, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    if result.exit_code:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("gdlab: "), (arguments, result.stderr)
    if result.exit_code == 1:  # a failed run, never an unexplained exception
        assert "diverged" in result.stderr, (arguments, result.stderr)


# ---------------------------------------------------------------- checkpoints and estimators


@SETTINGS
@given(content=st.binary(max_size=300), cut=st.integers(0, 5000), flip=st.integers(0, 5000))
def test_a_damaged_checkpoint_is_always_refused(tmp_path, content, cut, flip):
    path = tmp_path / "run.ckpt"
    ds = data.make_linear(n_samples=10, n_features=2, seed=0)
    model, optimizer = gd.models.LinearRegression(), gd.adam(0.1)
    gd.fit(model, ds.X, ds.y, optimizer=optimizer, epochs=2, checkpoint=path)
    whole = path.read_bytes()
    damaged = bytearray(whole[: cut % len(whole)] + content)
    if damaged:
        damaged[flip % len(damaged)] ^= 0xFF
    assume(bytes(damaged) != whole)
    path.write_bytes(bytes(damaged))
    result, error = attempt(gd.fit, model, ds.X, ds.y, optimizer=optimizer, epochs=2,
                            resume_from=path, errors=checkpoints.CheckpointError)  # fmt: skip
    assert result is None and "it was not used" in str(error), error


@SETTINGS
@given(
    X=hnp.arrays(np.float64, st.tuples(st.integers(2, 30), st.integers(1, 4)),
                 elements=st.floats(-1e6, 1e6)),
    estimator=st.sampled_from([GDRegressor, GDClassifier]),
    options=st.fixed_dictionaries({}, optional={
        "optimizer": st.sampled_from(["sgd", "momentum", "adam", "rmsprop:centered=true"]),
        "batch_size": st.one_of(st.none(), st.integers(1, 8)), "scale": st.booleans(),
        "alpha": st.floats(0, 10), "early_stopping": st.booleans(),
    }),
)  # fmt: skip
def test_the_estimators_fit_any_finite_data_with_the_default_step(X, estimator, options):
    y = X.sum(axis=1) if estimator is GDRegressor else (np.arange(len(X)) % 2)
    model = estimator(epochs=5, tol=None, random_state=0, **options)
    model.fit(X, y)  # the default step size never diverges: no error, finite weights
    assert np.all(np.isfinite(model.coef_)) and np.all(np.isfinite(model.predict(X)))

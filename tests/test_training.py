"""gd.fit: the seeds' numbers, equivalences, hand-written loops, stopping, schedules, bad input."""

import tracemalloc

import numpy as np
import pytest

import gdlab as gd
from gdlab import data, schedules
from gdlab.batching import Batches, steps_per_epoch
from gdlab.epochs import Position, Run, reference_epoch
from gdlab.history import Recorder
from gdlab.training import fit

LINEAR = gd.models.LinearRegression()
HALF = gd.models.LinearRegression(loss="half_mse", fit_intercept=False)


def linear_data(n=40, d=3, seed=0, noise=0.1):
    ds = data.make_linear(n_samples=n, n_features=d, noise=noise, seed=seed)
    return ds.X, ds.y


# ---------------------------------------------------------------- the seeds


def seed_000_by_hand():
    """Seed 000's own loop, transcribed: pure Python floats, samples in order."""
    xs = [0.01 * x for x in range(100)]
    ys = [2 * x**2 + 3 * x + 4 for x in xs]
    w1, w2, w3 = 1, 0, -1
    for epoch in range(1000):
        epoch_loss = 0
        for x, y_true in zip(xs, ys, strict=True):
            y_pred = w1 * x**2 + w2 * x + w3
            epoch_loss += (y_pred - y_true) ** 2
            w1, w2, w3 = (
                w1 - 0.1 * 2 * (y_pred - y_true) * x**2,
                w2 - 0.1 * 2 * (y_pred - y_true) * x,
                w3 - 0.1 * 2 * (y_pred - y_true),
            )
        epoch_loss /= len(xs)
        if epoch_loss < 0.0001:
            return epoch, epoch_loss, [w1, w2, w3]
    raise AssertionError("the seed's loop always stops")


def fit_seed_000(**options):
    ds = data.seed000()
    return fit(
        gd.models.PolynomialRegression(2), ds.X, ds.y, optimizer=gd.sgd(0.1), batch_size=1,
        shuffle=False, epochs=1000, start=[1, 0, -1], target=1e-4, **options,
    )  # fmt: skip


def test_seed_000_fifty_epochs_and_the_weights():
    result = fit_seed_000()
    last_epoch, last_loss, weights = seed_000_by_hand()
    assert result.status == "converged" and result.info["epochs"] == 50 == last_epoch + 1
    assert result.nit == 5000 and len(result.history) == 5000
    np.testing.assert_allclose(result.x, weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.x, [2.18870, 2.75347, 4.06002], rtol=0, atol=5e-6)
    assert result.history.epoch_loss[-1] == pytest.approx(last_loss, rel=1e-12)
    assert result.history.epoch_loss[-2] >= 1e-4 > result.history.epoch_loss[-1]
    assert result.history.epoch.tolist() == list(range(50))
    assert result.history.epoch_step.tolist() == list(range(100, 5001, 100))


def test_the_epoch_loss_is_the_mean_of_the_batch_losses_before_each_update():
    result = fit_seed_000()
    per_epoch = result.history.loss.reshape(50, 100)
    np.testing.assert_allclose(result.history.epoch_loss, per_epoch.mean(axis=1), rtol=1e-13)
    first = (np.polyval([1.0, 0.0, -1.0], data.seed000().X[0, 0]) - data.seed000().y[0]) ** 2
    assert result.history.loss[0] == first  # w = (1, 0, −1), before any update


def seed_002_by_hand(steps=1000):
    """Seed 002's batch_gradient_descent, transcribed."""
    X = np.array([[1, 1], [1, 2], [1, 3], [1, 4]])
    y = np.array([2, 4, 6, 8])
    theta, history = np.zeros(2), []
    for _ in range(steps):
        theta = theta - 0.01 * (1 / 4) * X.T.dot(X.dot(theta) - y)
        history.append((1 / (2 * 4)) * np.sum(np.square(X.dot(theta) - y)))
    return theta, np.array(history)


def test_seed_002_batch_gradient_descent():
    ds = data.seed002()
    result = fit(HALF, ds.X, ds.y, optimizer=gd.sgd(0.01), epochs=1000, start=0.0, full_loss=True)
    theta, history = seed_002_by_hand()
    np.testing.assert_allclose(result.x, [0.136307, 1.953639], rtol=0, atol=5e-7)
    np.testing.assert_allclose(result.x, theta, rtol=1e-14)
    np.testing.assert_allclose(result.history.epoch_full_loss, history, rtol=1e-13)
    assert result.status == "max_steps" and result.nit == 1000
    assert result.fun == pytest.approx(history[-1], rel=1e-13)


def test_seed_002_sgd_with_replacement_is_the_seeds_loop_on_our_generator():
    ds = data.seed002()
    result = fit(
        HALF, ds.X, ds.y, optimizer=gd.sgd(0.01), batch_size=1, replace=True, epochs=50,
        start=0.0, seed=7, full_loss=True,
    )  # fmt: skip
    rng, theta, history = np.random.default_rng(7), np.zeros(2), []
    for _ in range(50):
        for i in rng.integers(0, 4, size=4):
            xi, yi = ds.X[i : i + 1], ds.y[i : i + 1]
            theta = theta - 0.01 * xi.T.dot(xi.dot(theta) - yi)
        history.append(0.125 * np.sum(np.square(ds.X.dot(theta) - ds.y)))
    np.testing.assert_allclose(result.x, theta, rtol=1e-13)
    np.testing.assert_allclose(result.history.epoch_full_loss, history, rtol=1e-12)


# ---------------------------------------------------------------- equivalences and hand loops


def test_batch_size_n_is_the_full_batch_exactly():
    X, y = linear_data()
    options = {"optimizer": gd.adam(0.05), "epochs": 30, "seed": 3}
    full = fit(LINEAR, X, y, batch_size=None, **options)
    for other in (fit(LINEAR, X, y, batch_size=len(X), **options),
                  fit(LINEAR, X, y, batch_size=len(X), shuffle=False, **options)):  # fmt: skip
        np.testing.assert_array_equal(other.x, full.x)
        np.testing.assert_array_equal(other.history.loss, full.history.loss)
    assert full.nit == 30


def test_full_batch_is_minimize_on_the_full_objective():
    X, y = linear_data()
    start = np.array([0.5, -0.5, 0.25, 1.0])
    result = fit(LINEAR, X, y, optimizer=gd.momentum(0.1), epochs=25, start=start)
    reference = gd.minimize(
        lambda p: LINEAR.value_and_grad(p, X, y), start, grad=True, optimizer=gd.momentum(0.1),
        steps=25,
    )  # fmt: skip
    # fit's compiled epoch sums the gradient in another order than BLAS (gdlab.compiled_epochs)
    np.testing.assert_allclose(result.x, reference.x, rtol=1e-12)
    np.testing.assert_allclose(result.history.loss, reference.history.loss[:-1], rtol=1e-12)
    np.testing.assert_allclose(
        result.history.grad_norm, reference.history.grad_norm[:-1], rtol=1e-12
    )


def test_per_sample_sgd_equals_a_hand_written_numpy_loop():
    """Random start then one permutation per epoch, all from default_rng(seed), in that order."""
    X, y = linear_data(n=30)
    result = fit(LINEAR, X, y, optimizer=gd.sgd(0.02), batch_size=1, epochs=5, seed=11)
    rng = np.random.default_rng(11)
    params = LINEAR.init(3, rng=rng)
    w, b = params[:3].copy(), float(params[3])
    for _ in range(5):
        for i in rng.permutation(30):
            r = X[i] @ w + b - y[i]
            w, b = w - 0.02 * 2 * r * X[i], b - 0.02 * 2 * r
    np.testing.assert_allclose(result.x, [*w, b], rtol=1e-12)
    assert result.nit == 150


def test_mini_batch_last_partial_batch_is_averaged_over_its_true_size():
    X, y = linear_data(n=5)
    seen = []
    fit(
        LINEAR, X, y, optimizer=gd.sgd(0.1), batch_size=2, shuffle=False, epochs=1,
        callback=lambda info: seen.append((info.loss, info.grad, info.params)),
    )  # fmt: skip
    assert len(seen) == 3
    loss, grad, params = seen[2]
    expected_loss, expected_grad = LINEAR.value_and_grad(params, X[4:5], y[4:5])
    assert loss == expected_loss
    np.testing.assert_array_equal(grad, expected_grad)


def test_drop_last_skips_the_short_batch():
    X, y = linear_data(n=10)
    result = fit(LINEAR, X, y, optimizer=gd.sgd(0.1), batch_size=4, drop_last=True, epochs=3)
    assert result.nit == 6 and result.info["steps_per_epoch"] == 2
    assert result.history.epoch_step.tolist() == [2, 4, 6]


def test_same_seed_same_run_other_seed_other_run():
    X, y = linear_data()
    runs = [fit(LINEAR, X, y, optimizer=gd.sgd(0.05), batch_size=8, epochs=4, seed=s)
            for s in (1, 1, 2)]  # fmt: skip
    np.testing.assert_array_equal(runs[0].x, runs[1].x)
    np.testing.assert_array_equal(runs[0].history.loss, runs[1].history.loss)
    assert not np.array_equal(runs[0].x, runs[2].x)
    generator = fit(
        LINEAR, X, y, optimizer=gd.sgd(0.05), batch_size=8, epochs=4,
        seed=np.random.default_rng(1),
    )  # fmt: skip
    np.testing.assert_array_equal(generator.x, runs[0].x)


def test_float32_data_trains_float32_parameters():
    X, y = linear_data()
    result = fit(LINEAR, X.astype(np.float32), y.astype(np.float32), optimizer=gd.sgd(0.1),
                 batch_size=10, epochs=3)  # fmt: skip
    assert result.x.dtype == np.float32


# ---------------------------------------------------------------- X is never copied


def test_x_is_read_only_and_never_written():
    X, y = linear_data(n=50)
    X.flags.writeable = False
    y.flags.writeable = False
    before = X.copy()
    fit(LINEAR, X, y, optimizer=gd.adam(0.01), batch_size=7, epochs=3, seed=2)
    np.testing.assert_array_equal(X, before)


def test_an_epoch_allocates_one_batch_at_a_time_not_a_copy_of_x():
    """tracemalloc peak of a shuffled epoch: the batch gathers, not n·d (X is 16 MB here)."""
    ds = data.make_linear(n_samples=50_000, n_features=40, seed=0)
    X, y = ds.X, ds.y
    batches = Batches(len(X), 64)
    params = LINEAR.init(40, seed=0)
    optimizer = gd.sgd(0.01)
    run = Run(LINEAR, optimizer, X, y, batches, Recorder(None, X.dtype, 1000), 1e300, None)
    order = batches.order(np.random.default_rng(0))
    position = Position(params, params, optimizer.init(params), 0)
    tracemalloc.start()
    outcome = reference_epoch(run, position, 0, order)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert outcome.batches == batches.steps_per_epoch == 782
    assert peak < 200_000 < X.nbytes // 50  # recorder growth and a few batches of 64 × 40


def test_a_whole_fit_never_holds_a_shuffled_copy_of_x():
    ds = data.make_linear(n_samples=50_000, n_features=40, seed=0)
    options = {"optimizer": gd.sgd(0.01), "batch_size": 256}
    fit(LINEAR, ds.X, ds.y, epochs=1, **options)  # the loops compiled (or loaded) before
    tracemalloc.start()
    fit(LINEAR, ds.X, ds.y, epochs=2, **options)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < ds.X.nbytes / 4  # validation's isfinite mask is X.nbytes / 8


# ---------------------------------------------------------------- stopping


def test_divergence_stops_with_the_last_finite_parameters():
    ds = data.seed002()
    result = fit(HALF, ds.X, ds.y, optimizer=gd.sgd(0.3), epochs=1000, start=0.0,
                 record_path=True)  # fmt: skip
    assert result.status == "diverged"
    assert "diverged at update" in result.message and "learning rate 0.3" in result.message
    assert np.isfinite(result.x).all() and np.isfinite(result.fun)
    assert result.nit == len(result.history) - 1
    np.testing.assert_array_equal(result.x, result.history.x[-1])
    assert result.history.loss[-1] <= 15 + 1e10 * 15  # every recorded loss is below the bound
    assert result.info["epochs"] == len(result.history.epoch)


def test_non_finite_parameters_are_reported_as_divergence():
    X, y = linear_data()
    result = fit(LINEAR, X, y, optimizer=gd.sgd(1e300), batch_size=4, epochs=5)
    assert result.status == "diverged" and np.isfinite(result.x).all()
    assert "learning rate 1e+300" in result.message


def test_target_tol_and_patience_on_the_epoch_loss():
    X, y = linear_data(noise=0.5)
    long = fit(LINEAR, X, y, optimizer=gd.sgd(0.05), epochs=200, start=0.0)
    losses = long.history.epoch_loss
    best, bad, expected = np.inf, 0, None
    for epoch, loss in enumerate(losses):
        bad = bad + 1 if loss > best - 1e-3 else 0
        best = min(best, loss)
        if bad == 3:
            expected = epoch
            break
    stopped = fit(LINEAR, X, y, optimizer=gd.sgd(0.05), epochs=200, start=0.0, tol=1e-3,
                  patience=3)  # fmt: skip
    assert stopped.status == "converged" and "epoch loss fell by less than tol" in stopped.message
    assert stopped.info["epochs"] == expected + 1
    target = fit(LINEAR, X, y, optimizer=gd.sgd(0.05), epochs=200, start=0.0, target=1.0)
    assert target.info["epochs"] == int(np.argmax(losses <= 1.0)) + 1


def test_early_stopping_on_validation_data_and_restore_best():
    """Training pulls w to 2 while the validation data wants −2: the best epoch is the first."""
    x = np.linspace(-1, 1, 20)[:, None]
    model = gd.models.LinearRegression(fit_intercept=False)
    options = {"optimizer": gd.sgd(0.1), "epochs": 50, "start": 0.0}
    result = fit(model, x, 2 * x[:, 0], validation_data=(x, -2 * x[:, 0]), tol=0.0,
                 patience=3, restore_best=True, **options)  # fmt: skip
    assert result.status == "converged" and "validation loss" in result.message
    assert result.info["epochs"] == 4 and result.info["best_epoch"] == 0
    assert result.info["restored"] and result.nit == 1
    np.testing.assert_array_equal(result.x, fit(model, x, 2 * x[:, 0], **{**options,
                                  "epochs": 1}).x)  # fmt: skip
    val = result.history.epoch_val_loss
    assert val.tolist() == sorted(val.tolist())
    assert result.fun == pytest.approx(model.value_and_grad(result.x, x, 2 * x[:, 0])[0])


def test_callbacks_stop_the_run():
    X, y = linear_data()
    by_step = fit(LINEAR, X, y, optimizer=gd.sgd(0.1), batch_size=4, epochs=10,
                  callback=lambda info: info.step == 13)  # fmt: skip
    assert by_step.status == "stopped" and by_step.nit == 13 and len(by_step.history) == 14
    assert "update 13 (epoch 1)" in by_step.message
    seen = []
    by_epoch = fit(LINEAR, X, y, optimizer=gd.sgd(0.1), batch_size=4, epochs=10,
                   epoch_callback=lambda info: seen.append(info) or info.epoch == 2)  # fmt: skip
    assert by_epoch.status == "stopped" and by_epoch.nit == 30 and len(seen) == 3
    assert [info.step for info in seen] == [10, 20, 30]
    assert seen[-1].loss == by_epoch.history.epoch_loss[-1]


# ---------------------------------------------------------------- schedules


def test_a_schedule_steps_once_per_update():
    X, y = linear_data()
    schedule = schedules.exponential_decay(0.1, 0.9)
    result = fit(LINEAR, X, y, optimizer=gd.sgd(schedule), batch_size=8, epochs=3)
    np.testing.assert_allclose(result.history.learning_rate, schedule(np.arange(15)), rtol=1e-15)


def test_per_epoch_steps_it_once_per_epoch():
    X, y = linear_data()
    per = steps_per_epoch(len(X), 8)
    schedule = schedules.per_epoch(schedules.exponential_decay(0.1, 0.5), per)
    result = fit(LINEAR, X, y, optimizer=gd.sgd(schedule), batch_size=8, epochs=3)
    expected = np.repeat([0.1, 0.05, 0.025], per)
    np.testing.assert_allclose(result.history.learning_rate, expected, rtol=1e-15)


def test_reduce_on_plateau_is_stepped_with_the_epoch_loss_and_reset():
    """threshold 1 (rel): no epoch after the first counts as better, so with patience 0 every
    epoch from the second on halves the rate: epochs run at α, α, α/2, α/4, …"""
    X, y = linear_data()
    plateau = schedules.reduce_on_plateau(0.1, factor=0.5, patience=0, threshold=1.0)
    optimizer = gd.sgd(plateau)
    first = fit(LINEAR, X, y, optimizer=optimizer, batch_size=10, epochs=5)
    rates = first.history.learning_rate.reshape(5, 4)
    np.testing.assert_allclose(rates[:, 0], [0.1, 0.1, 0.05, 0.025, 0.0125])
    assert (rates == rates[:, :1]).all()
    assert plateau.best == first.history.epoch_loss[0]
    again = fit(LINEAR, X, y, optimizer=optimizer, batch_size=10, epochs=5)
    np.testing.assert_array_equal(again.x, first.x)


def test_reduce_on_plateau_reads_the_validation_loss_when_given():
    X, y = linear_data()
    plateau = schedules.reduce_on_plateau(0.1, patience=100)
    result = fit(LINEAR, X, y, optimizer=gd.sgd(plateau), epochs=5, validation_data=(X[:5], y[:5]))
    assert plateau.best == result.history.epoch_val_loss.min()


# ---------------------------------------------------------------- bad input (part 5)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [([[1.0], [2.0], [3.0]], [1.0, 2.0], "X has 3 samples but y has 2"),
     ([[1.0], [np.nan]], [1.0, 2.0], r"X contains NaN or inf \(first at index \(1, 0\)\)"),
     ([[1.0], [2.0]], [1.0, np.inf], r"y contains NaN or inf \(first at index \(1,\)\)"),
     (np.empty((0, 2)), [], "X is empty"),
     ([1.0, 2.0], [1.0, 2.0], "X must be 2-D"),
     ([["a"], ["b"]], [1.0, 2.0], "X must be numeric")],
)  # fmt: skip
def test_bad_data_is_named(X, y, message):
    with pytest.raises(ValueError, match=message):
        fit(LINEAR, X, y, optimizer=gd.sgd(0.1))


def test_labels_that_do_not_fit_the_model():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="label 2 at index 2 is out of range"):
        fit(gd.models.LogisticRegression(), X, [0, 1, 2], optimizer=gd.sgd(0.1))
    with pytest.raises(ValueError, match=r"class labels must be integers 0\.\.K-1, got 0\.5"):
        fit(gd.models.SoftmaxRegression(), X, [0, 0.5, 1], optimizer=gd.sgd(0.1))


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [({"batch_size": 0}, ValueError, r"batch_size must be in \[1, 4\]"),
     ({"batch_size": 5}, ValueError, r"batch_size must be in \[1, 4\].*got 5"),
     ({"epochs": 0}, ValueError, "epochs must be an integer >= 1, got 0"),
     ({"epochs": -3}, ValueError, "epochs must be an integer >= 1, got -3"),
     ({"epochs": 2.5}, TypeError, "epochs must be an integer"),
     ({"seed": -1}, ValueError, "seed must be an integer >= 0"),
     ({"tol": -1.0}, ValueError, r"tol must be in \[0, inf\)"),
     ({"patience": 0}, ValueError, "patience must be an integer >= 1"),
     ({"target": float("nan")}, ValueError, "target must be finite"),
     ({"start": [1.0, 2.0, 3.0]}, ValueError, "start must be a scalar or 2 values"),
     ({"validation_data": [[1.0]]}, ValueError, "validation_data must be a pair")],
)  # fmt: skip
def test_bad_arguments_are_named(options, error, message):
    ds = data.seed002()
    with pytest.raises(error, match=message):
        fit(HALF, ds.X, ds.y, optimizer=gd.sgd(0.1), **options)


def test_validation_data_is_checked_like_the_training_data():
    X, y = linear_data()
    with pytest.raises(ValueError, match="validation_data: X has 2 samples but y has 1"):
        fit(LINEAR, X, y, optimizer=gd.sgd(0.1), validation_data=(X[:2], y[:1]))
    with pytest.raises(ValueError, match="validation_data: X_val has 2 features, the training"):
        fit(LINEAR, X, y, optimizer=gd.sgd(0.1), validation_data=(X[:, :2], y))
    labels = np.array([0, 1, 2, 0])
    with pytest.raises(ValueError, match="y_val needs 4 outputs"):
        fit(gd.models.SoftmaxRegression(), np.eye(4), labels, optimizer=gd.sgd(0.1),
            validation_data=(np.eye(4), [0, 1, 3, 3]))  # fmt: skip


def test_not_a_model_or_not_an_optimizer():
    X, y = linear_data()
    with pytest.raises(TypeError, match="model must be a gdlab model"):
        fit(object(), X, y, optimizer=gd.sgd(0.1))
    with pytest.raises(TypeError, match="optimizer must be a gdlab Transform"):
        fit(LINEAR, X, y, optimizer="adam")


def test_a_start_with_an_infinite_loss_is_refused():
    X, y = linear_data()
    with pytest.raises(ValueError, match="cannot start: the loss of the initial parameters is"):
        fit(LINEAR, X, y, optimizer=gd.sgd(0.1), start=1e300)


@pytest.mark.parametrize(
    "model",
    [gd.models.LogisticRegression(), gd.models.SoftmaxRegression(),
     gd.models.MLP((8,), output="classification")],
)  # fmt: skip
def test_classifiers_fit_separable_blobs(model):
    ds = data.make_blobs(n_samples=120, n_classes=2, spread=0.5, seed=4)
    result = fit(model, ds.X, ds.y, optimizer=gd.adam(0.05), batch_size=16, epochs=30, seed=1)
    assert result.status == "max_steps"
    assert (model.predict(result.x, ds.X) == ds.y).mean() == 1.0
    assert result.history.epoch_loss[-1] < result.history.epoch_loss[0] / 10

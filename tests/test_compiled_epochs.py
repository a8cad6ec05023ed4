"""gdlab.compiled_epochs: gd.fit's compiled epochs give the reference epoch's run.

Every comparison runs the same fit twice — as `gd.fit` chooses (compiled) and with
`choose_epoch` pinned to `reference_epoch` — and compares parameters, every History row (batch
loss before each update, gradient norm, learning rate), epoch losses, counts, statuses and
messages.  Float64: 1e-12 relative to each column's scale (the gradient is summed in another
order than NumPy's BLAS); float32: float32 rounding.
"""

import itertools
import math
import re
import tracemalloc
from types import SimpleNamespace

import numpy as np
import pytest

import gdlab as gd
from gdlab import (
    codegen,
    compiled_epochs,
    data,
    epoch_loops,
    epochs,
    kernels,
    placement,
    schedules,
    training,
)
from gdlab.base import chain
from gdlab.batching import Batches
from gdlab.compiled_epochs import CompiledEpoch, compiled_epoch
from gdlab.history import Recorder

N, D = 203, 5
MODELS = {
    "linear mse": gd.models.LinearRegression(),
    "linear half_mse, no intercept, l2": gd.models.LinearRegression(
        loss="half_mse", fit_intercept=False, l2=0.1
    ),
    "logistic": gd.models.LogisticRegression(),
    "logistic l2, no intercept": gd.models.LogisticRegression(l2=0.01, fit_intercept=False),
    "polynomial degree 3": gd.models.PolynomialRegression(3),
}
BATCHES = {  # batch_size, shuffle, drop_last
    "per-sample shuffled": (1, True, False),
    "per-sample in order": (1, False, False),
    "mini-batch 16 shuffled": (16, True, False),
    "mini-batch 64 shuffled, drop_last": (64, True, True),
    "mini-batch 30 in order": (30, False, False),
    "full batch": (None, True, False),
}
OPTIMIZERS = {
    "sgd": lambda: gd.sgd(0.02),
    "sgd momentum nesterov weight_decay": lambda: gd.sgd(
        0.02, momentum=0.9, nesterov=True, weight_decay=0.01
    ),
    "momentum debiased": lambda: gd.momentum(0.02, beta=0.8, debias=True),
    "adagrad": lambda: gd.adagrad(0.05, lr_decay=0.01, initial_accumulator=0.1),
    "rmsprop centered momentum": lambda: gd.rmsprop(0.005, centered=True, momentum=0.5),
    "adadelta": lambda: gd.adadelta(1.0, rho=0.95),
    "adam amsgrad": lambda: gd.adam(0.01, amsgrad=True, weight_decay=0.01),
    "adamw": lambda: gd.adamw(0.01),
    "adamax": lambda: gd.adamax(0.01),
    "nadam": lambda: gd.nadam(0.01),
    "radam": lambda: gd.radam(0.01),
    "lion": lambda: gd.lion(0.001, weight_decay=0.1),
    "adam, warm-up cosine schedule": lambda: gd.adam(
        schedules.warmup(schedules.cosine(0.01, total_steps=300), warmup_steps=20)
    ),
    "sgd, a plain callable schedule": lambda: gd.sgd(lambda t: 0.05 / (1 + 0.01 * t)),
    "clip by value, then sgd": lambda: chain(gd.clip_by_value(0.5), gd.sgd(0.02)),
}


def make_data(model, dtype=np.float64, n=N, seed=0):
    rng = np.random.default_rng(seed)
    if isinstance(model, gd.models.PolynomialRegression):
        x = rng.uniform(-1, 1, size=(n, 1)).astype(dtype)
        return x, (2 * x[:, 0] ** 2 - x[:, 0] + 0.5).astype(dtype)
    X = rng.normal(size=(n, D)).astype(dtype)
    y = X @ np.linspace(-1, 1, D) + 0.3 + 0.1 * rng.normal(size=n)
    if isinstance(model, gd.models.LogisticRegression):
        y = y > 0.3
    return X, y.astype(dtype)


def reference_fit(monkeypatch, *args, **options):
    with monkeypatch.context() as patch:
        patch.setattr(training, "choose_epoch", lambda *_: epochs.reference_epoch)
        return gd.fit(*args, **options)


def assert_same_run(result, reference, rtol=1e-12):
    def close(actual, desired):
        assert actual.shape == desired.shape
        scale = np.max(np.abs(desired), initial=0.0)
        np.testing.assert_allclose(actual, desired, rtol=rtol, atol=rtol * scale)

    assert (result.status, result.message, result.nit) == (
        reference.status, reference.message, reference.nit,
    )  # fmt: skip
    assert result.info == reference.info
    close(result.x, reference.x)
    for name in ("loss", "grad_norm", "learning_rate", "epoch_loss"):
        close(getattr(result.history, name), getattr(reference.history, name))
    np.testing.assert_array_equal(result.history.epoch_step, reference.history.epoch_step)
    assert math.isclose(result.fun, reference.fun, rel_tol=rtol, abs_tol=rtol)


def both(monkeypatch, model, X, y, **options):
    result = gd.fit(model, X, y, **options)
    return result, reference_fit(monkeypatch, model, X, y, **options)


@pytest.mark.parametrize("rows_per_block", [None, 8], ids=["one block", "blocks of 8 rows"])
@pytest.mark.parametrize("batches", BATCHES)
@pytest.mark.parametrize("name", MODELS)
def test_every_model_and_batch_mode_gives_the_reference_run(
    monkeypatch, name, batches, rows_per_block
):
    model = MODELS[name]
    X, y = make_data(model)
    if rows_per_block:  # per-sample epochs settle losses and restart look-ahead per block
        design = compiled_epochs._design(model, X)
        monkeypatch.setattr(compiled_epochs, "GATHER_BYTES", rows_per_block * design[0].nbytes)
        assert compiled_epochs._block_rows(design) == rows_per_block
    batch_size, shuffle, drop_last = batches_ = BATCHES[batches]
    assert isinstance(epochs.choose_epoch(model, gd.adam(0.01), None), CompiledEpoch)
    options = {"batch_size": batch_size, "shuffle": shuffle, "drop_last": drop_last}
    result, reference = both(
        monkeypatch, model, X, y, optimizer=gd.adam(0.01), epochs=3, seed=1, **options
    )
    assert_same_run(result, reference)
    assert batches_ and len(result.history) == 3 * Batches(len(X), **options).steps_per_epoch


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_family_gives_the_reference_run(monkeypatch, name):
    model = MODELS["linear mse"]
    X, y = make_data(model)
    make = OPTIMIZERS[name]
    assert isinstance(epochs.choose_epoch(model, make(), None), CompiledEpoch)
    result, reference = both(
        monkeypatch, model, X, y, optimizer=make(), batch_size=8, epochs=4, seed=2
    )
    assert_same_run(result, reference)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_family_gives_the_reference_run_per_sample(monkeypatch, name):
    """Batches of one row: the update reads g = dz·x (+ l2·w) of the row, never a grads array."""
    for model in (MODELS["linear mse"], MODELS["logistic l2, no intercept"]):
        X, y = make_data(model, n=60)
        make = OPTIMIZERS[name]
        result, reference = both(
            monkeypatch, model, X, y, optimizer=make(), batch_size=1, epochs=2, seed=2
        )
        assert_same_run(result, reference)


AT_ONCE_CASES = {  # model, batch_size, optimizer, learning rate, epochs, target epoch
    "per-sample, all epochs": ("linear mse", 1, gd.sgd, 0.02, 6, None),
    "per-sample, target": ("logistic", 1, gd.sgd, 0.05, 9, 4),
    "per-sample rmsprop, target": ("linear half_mse, no intercept, l2", 1, gd.rmsprop, 0.001, 9, 3),
    "mini-batch 30, target": ("polynomial degree 3", 30, gd.sgd, 0.1, 12, 7),
    "full batch adagrad, all epochs": ("logistic l2, no intercept", None, gd.adagrad, 0.1, 9, None),
    "per-sample, diverged": ("linear mse", 1, gd.sgd, 1e3, 4, None),
    "per-sample, non-finite": ("logistic", 1, gd.sgd, 1e307, 4, None),
    "full batch, diverged in a later epoch": ("linear mse", None, gd.sgd, 1.05, 400, None),
}


@pytest.mark.parametrize("group", [None, 2], ids=["one call", "calls of 2 epochs"])
@pytest.mark.parametrize("case", AT_ONCE_CASES)
def test_epochs_run_at_once_are_the_epochs_run_one_by_one(monkeypatch, case, group):
    """A run in order that nothing watches between epochs runs its epochs in calls of
    many_epochs: bit for bit what one call per epoch gives (an epoch callback that returns
    None makes the run watched), ending — target, last epoch, divergence — included."""
    name, batch_size, make, rate, count, target_epoch = AT_ONCE_CASES[case]
    model = MODELS[name]
    X, y = make_data(model)
    options = {"batch_size": batch_size, "epochs": count, "shuffle": False, "record_path": True}
    watched = gd.fit(model, X, y, optimizer=make(rate), epoch_callback=lambda _: None,
                     **options)  # fmt: skip
    if target_epoch is not None:
        options["target"] = float(watched.history.epoch_loss[target_epoch])
        watched = gd.fit(model, X, y, optimizer=make(rate), epoch_callback=lambda _: None,
                         **options)  # fmt: skip
        assert watched.status == "converged" and watched.info["epochs"] == target_epoch + 1
    calls = []
    many = CompiledEpoch.many_epochs
    monkeypatch.setattr(CompiledEpoch, "many_epochs",
                        lambda *args: calls.append(args[4]) or many(*args))  # fmt: skip
    steps = watched.info["steps_per_epoch"]
    if group is not None:
        monkeypatch.setattr(compiled_epochs, "AT_ONCE_ROWS", group * steps)
    result = gd.fit(model, X, y, optimizer=make(rate), **options)
    ran = watched.info["epochs"]  # epochs completed (a diverged one is not)
    touched = ran + (watched.status == "diverged")
    assert calls == ([count] if group is None else
                     [min(group, count - k) for k in range(0, touched, group)])  # fmt: skip
    assert (result.status, result.message, result.nit, result.info) == (
        watched.status, watched.message, watched.nit, watched.info,
    )  # fmt: skip
    np.testing.assert_array_equal(result.x, watched.x)
    assert result.fun == watched.fun or (np.isnan(result.fun) and np.isnan(watched.fun))
    for column in ("loss", "grad_norm", "learning_rate", "x", "epoch", "epoch_step",
                   "epoch_loss"):  # fmt: skip
        np.testing.assert_array_equal(getattr(result.history, column),
                                      getattr(watched.history, column))  # fmt: skip
    if "diverged" in case:
        assert result.status == "diverged" and ran < count
    if "later epoch" in case:  # diverged at the first batch of epoch `ran`
        assert ran > 2 and watched.history.epoch_step[-1] == ran == len(watched.history.loss)


@pytest.mark.parametrize(
    ("why", "options"),
    [("shuffled", {"shuffle": True}), ("sampled", {"shuffle": True, "replace": True}),
     ("coefficients change", {"optimizer": gd.adam(0.01)}),
     ("a schedule", {"optimizer": gd.sgd(lambda t: 0.05 / (1 + t))}),
     ("patience", {"tol": 1e-9}), ("full loss", {"full_loss": True}),
     ("restore_best", {"restore_best": True}),
     ("epoch callback", {"epoch_callback": lambda _: None}),
     ("validation", {"validation_data": make_data(MODELS["linear mse"], n=20, seed=3)})],
)  # fmt: skip
def test_epochs_run_one_by_one_where_something_changes_or_watches_between(
    monkeypatch, why, options
):
    model = MODELS["linear mse"]
    X, y = make_data(model)
    monkeypatch.setattr(CompiledEpoch, "many_epochs", None)  # calling it would fail
    settings = {"optimizer": gd.sgd(0.02), "batch_size": 1, "epochs": 3, "shuffle": False}
    result = gd.fit(model, X, y, **{**settings, **options})
    assert result.info["epochs"] == 3 and result.nit == 3 * N


def gathered(monkeypatch, block_rows):
    """Per-sample epochs with rows copied ahead in blocks of `block_rows` rows, whatever X's size
    and numba's thread count (on one thread, prange runs the copy after the training)."""
    import numba

    monkeypatch.setattr(compiled_epochs, "GATHER_FROM", 0)
    monkeypatch.setattr(compiled_epochs, "GATHER_BYTES", block_rows * D * 8)
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("name", ["linear half_mse, no intercept, l2", "logistic"])
@pytest.mark.parametrize(
    "optimizer", ["adam amsgrad", "adam, warm-up cosine schedule", "sgd, a plain callable schedule"]
)
def test_rows_copied_ahead_on_a_second_thread_change_no_number(
    monkeypatch, name, shuffle, optimizer
):
    """epoch_gathered trains on copies of the rows, block after block (the last one short),
    while its second thread copies the next block: the numbers of epoch_samples, bit for bit
    (which restarts plain SGD's look-ahead after the same blocks of GATHER_BYTES)."""
    model = MODELS[name]
    X, y = make_data(model)  # float64: GATHER_BYTES of 8 rows of D float64 features
    options = {"optimizer": OPTIMIZERS[optimizer](), "batch_size": 1, "epochs": 2, "seed": 6,
               "shuffle": shuffle, "record_path": True}  # fmt: skip
    monkeypatch.setattr(compiled_epochs, "GATHER_BYTES", 8 * D * 8)
    serial = gd.fit(model, X, y, **options)
    assert compiled_epochs._gather_block(X) == 0  # too small to copy ahead, as is
    with monkeypatch.context() as patch:
        gathered(patch, 8)
        assert compiled_epochs._gather_block(X) == 8
        copied = gd.fit(model, X, y, **options)
    assert N % 8 != 0 and copied.nit == serial.nit == 2 * N
    np.testing.assert_array_equal(copied.x, serial.x)
    for column in ("loss", "grad_norm", "learning_rate", "epoch_loss", "x"):
        np.testing.assert_array_equal(getattr(copied.history, column),
                                      getattr(serial.history, column))  # fmt: skip
    assert_same_run(copied, reference_fit(monkeypatch, model, X, y, **options))


@pytest.mark.parametrize("shuffle", [True, False])
def test_rows_copied_ahead_by_threads_run_one_after_the_other_change_no_number(
    monkeypatch, shuffle
):
    """On one thread, epoch_gathered's prange(2) trains a block, then copies the next: its
    training side must not take pieces of the next block before the losses of the block
    before are settled from its labels (the log loss's; the board's SETTLED)."""
    import numba

    model = MODELS["logistic"]
    X, y = make_data(model)
    options = {"optimizer": gd.adam(0.05), "batch_size": 1, "epochs": 2, "seed": 3,
               "shuffle": shuffle}  # fmt: skip
    serial = gd.fit(model, X, y, **options)
    available = numba.get_num_threads()
    with monkeypatch.context() as patch:
        gathered(patch, 8)
        numba.set_num_threads(1)
        try:
            copied = gd.fit(model, X, y, **options)
        finally:
            numba.set_num_threads(available)
    np.testing.assert_array_equal(copied.x, serial.x)
    np.testing.assert_array_equal(copied.history.loss, serial.history.loss)
    np.testing.assert_array_equal(copied.history.epoch_loss, serial.history.epoch_loss)


def spied_loop(patch, name):
    """The calls of the generated loop `name` in the fits that follow (a list of 1s)."""
    calls: list[int] = []
    real = compiled_epochs.epoch_loop

    def spying(program, dtype, width=None):
        loops = real(program, dtype, width)

        def spy(*args):
            calls.append(1)
            return getattr(loops, name)(*args)

        return SimpleNamespace(**{**vars(loops), name: spy})

    patch.setattr(compiled_epochs, "epoch_loop", spying)
    return calls


@pytest.mark.parametrize("threads", [2, 1])
@pytest.mark.parametrize("learning_rate", [0.01, 3.0], ids=["converging", "diverging"])
@pytest.mark.parametrize(("batch_size", "drop_last"), [(3, False), (8, True), (64, False)])
@pytest.mark.parametrize("name", ["linear half_mse, no intercept, l2", "logistic"])
def test_shuffled_batches_on_rows_copied_ahead_change_no_number(
    monkeypatch, name, batch_size, drop_last, learning_rate, threads
):
    """epoch_gathered_batches runs the serial loop on copies of the rows, a block of whole
    batches at a time, while the other thread copies the next block (and the training thread,
    its block done, joins it; on one thread prange runs the two one after the other): the
    serial loop's numbers, bit for bit, divergence included."""
    import numba

    model = MODELS[name]
    X, y = make_data(model)  # float64: GATHER_BYTES of 128 rows of D float64 features
    options = {"optimizer": gd.sgd(learning_rate, momentum=0.9), "batch_size": batch_size,
               "epochs": 2, "seed": 6, "shuffle": True, "drop_last": drop_last,
               "record_path": True}  # fmt: skip
    serial = gd.fit(model, X, y, **options)
    available = numba.get_num_threads()
    with monkeypatch.context() as patch:
        gathered(patch, 128)  # blocks of 126, 128 and 128 rows: 2 of them, the last short
        calls = spied_loop(patch, "epoch_gathered_batches")
        numba.set_num_threads(threads)
        try:
            copied = gd.fit(model, X, y, **options)
        finally:
            numba.set_num_threads(available)
    diverged = name.startswith("linear") and learning_rate > 1 and batch_size < 64
    assert (copied.status == "diverged") == diverged  # batches 8: in the second block
    epochs_run = len(copied.history.epoch_loss) + diverged
    assert len(calls) == epochs_run > 0
    assert (copied.status, copied.message, copied.nit) == (serial.status, serial.message,
                                                           serial.nit)  # fmt: skip
    np.testing.assert_array_equal(copied.x, serial.x)
    for column in ("loss", "grad_norm", "learning_rate", "epoch_loss", "x"):
        np.testing.assert_array_equal(getattr(copied.history, column),
                                      getattr(serial.history, column))  # fmt: skip


@pytest.mark.parametrize("copied", [True, False])
@pytest.mark.parametrize(
    ("name", "momentum", "learning_rate", "why"),
    [
        ("linear mse", 0.9, 1e3, "grew past the bound"),
        ("linear mse", 0.0, 1e3, "grew past the bound"),
        ("linear mse", 0.9, 1e308, "the parameters became non-finite"),
        ("linear mse", 0.0, 1e308, "the parameters became non-finite"),
        ("logistic", 0.9, 1e5, "grew past the bound"),  # at update 15: three blocks of 5
        ("logistic", 0.0, 1e6, "grew past the bound"),  # at update 6: past a block
        ("logistic", 0.9, 1e307, "the parameters became non-finite"),
        ("logistic", 0.0, 1e307, "the parameters became non-finite"),
    ],
)
def test_per_sample_epochs_stop_where_the_reference_stops(
    monkeypatch, name, momentum, learning_rate, why, copied
):
    """With rows copied ahead or not; the log loss's losses settled after the rows
    (epoch_kernels.settle_losses), its divergence check on a ceiling of each loss; plain
    SGD's updates unchecked where they cannot overflow (epoch_kernels.step_reach)."""
    model = MODELS[name]
    X, y = make_data(model)
    X *= 1 if name.startswith("linear") else 100  # logistic: margins of hundreds
    if copied:
        gathered(monkeypatch, 5)
    result, reference = both(
        monkeypatch, model, X, y, optimizer=gd.sgd(learning_rate, momentum=momentum),
        batch_size=1, epochs=3, seed=5,
    )  # fmt: skip
    assert result.status == "diverged" and why in result.message
    assert_same_run(result, reference)


def test_rows_are_copied_ahead_only_for_large_data_and_more_than_one_thread(monkeypatch):
    import numba

    X = np.empty((-(-compiled_epochs.GATHER_FROM // 800), 100))  # GATHER_FROM bytes and more
    rows = compiled_epochs.GATHER_BYTES // 800
    assert compiled_epochs._gather_block(X[:-1]) == 0
    assert compiled_epochs._gather_block(X) == (rows if numba.get_num_threads() > 1 else 0)
    monkeypatch.setattr(numba, "get_num_threads", lambda: 1)
    assert compiled_epochs._gather_block(X) == 0


def test_subnormal_numbers_are_flushed_and_the_run_is_still_the_reference_run(monkeypatch):
    """Float32 rows with margins |z| of 89 to 102 (and a few small ones): e^−|z|, σ(z), the
    losses and the updates they scale are below float32's smallest normal number (1.2e-38),
    where the compiled loop computes zeros and NumPy subnormal numbers — and the run is still
    the reference run to float32 rounding."""
    model = gd.models.LogisticRegression()
    rng = np.random.default_rng(7)
    w = np.linspace(-1, 1, D)
    X = rng.normal(size=(300, D))
    margins = np.where(np.arange(300) % 5 == 0, rng.uniform(0, 3, 300), rng.uniform(89, 102, 300))
    X *= (margins / np.abs(X @ w))[:, None]
    X, y = X.astype(np.float32), (X @ w > 0).astype(np.float32)
    for batch_size in (1, 20):
        options = {"optimizer": gd.sgd(1e-6), "batch_size": batch_size, "epochs": 2,
                   "seed": 1, "start": np.append(w, 0.0)}  # fmt: skip
        result, reference = both(monkeypatch, model, X, y, **options)
        if batch_size == 1:
            subnormal = (reference.history.loss > 0) & (reference.history.loss < 1.2e-38)
            assert np.mean(subnormal) > 0.3
            assert np.all(result.history.loss[subnormal] == 0)
        assert_same_run(result, reference, rtol=2e-5)


def shared(patch, workers):
    """Batches shared among `workers` workers (epoch_threads) however small."""
    import numba

    patch.setattr(compiled_epochs, "THREADS_FROM", 1)
    patch.setattr(numba, "get_num_threads", lambda: workers)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_threads_change_no_number(monkeypatch, dtype):
    """A batch large enough for numba's threads is summed in the same row ranges."""
    model = MODELS["logistic"]
    X, y = make_data(model, dtype, n=1000)
    options = {"optimizer": gd.adam(0.01), "batch_size": 500, "epochs": 2, "seed": 4}
    serial = gd.fit(model, X, y, **options)
    with monkeypatch.context() as patch:
        shared(patch, 2)
        threaded = gd.fit(model, X, y, **options)
    np.testing.assert_array_equal(threaded.x, serial.x)
    np.testing.assert_array_equal(threaded.history.loss, serial.history.loss)
    assert_same_run(threaded, reference_fit(monkeypatch, model, X, y, **options),
                    rtol=1e-12 if dtype == np.float64 else 2e-5)  # fmt: skip


@pytest.mark.parametrize(
    ("threads", "workers", "batch_size", "n", "drop_last"),
    [
        (1, 2, 128, N, False),  # two workers, one after the other on one thread: the first
        #                         sums every part
        (2, 2, 130, 261, False),  # the last batch a single row (sample_gradient, no ranges)
        (2, 16, 1024, 2100, False),  # more workers than threads; a last batch of one range
        (2, 3, 256, 1000, False),  # 3 parts of 4 ranges (1 + 1 + 2), the last batch 232 rows
        (2, 2, 128, 300, True),  # the last 44 rows dropped
    ],
)
def test_batches_shared_among_workers_change_no_number(monkeypatch, threads, workers,
                                                       batch_size, n, drop_last):  # fmt: skip
    """epoch_threads' workers (gdlab.batch_sharing) give the serial loop's numbers, bit for
    bit, however many they are and however numba schedules them — and the epoch ends."""
    import numba

    model = MODELS["linear half_mse, no intercept, l2"]
    X, y = make_data(model, n=n)
    options = {"optimizer": gd.sgd(0.01, momentum=0.9), "batch_size": batch_size, "epochs": 2,
               "seed": 8, "record_path": True, "drop_last": drop_last}  # fmt: skip
    serial = gd.fit(model, X, y, **options)
    available = numba.get_num_threads()
    numba.set_num_threads(min(threads, available))
    try:
        with monkeypatch.context() as patch:
            shared(patch, workers)
            assert compiled_epochs._threads(batch_size, D)  # epoch_threads, not epoch
            threaded = gd.fit(model, X, y, **options)
    finally:
        numba.set_num_threads(available)
    assert threaded.nit == serial.nit == 2 * (n // batch_size if drop_last else -(-n // batch_size))
    np.testing.assert_array_equal(threaded.x, serial.x)
    for column in ("loss", "grad_norm", "learning_rate", "epoch_loss", "x"):
        np.testing.assert_array_equal(getattr(threaded.history, column),
                                      getattr(serial.history, column))  # fmt: skip


@pytest.mark.parametrize("name", ["linear mse", "logistic", "polynomial degree 3"])
def test_float32_runs_in_float32_to_float32_rounding(monkeypatch, name):
    model = MODELS[name]
    X, y = make_data(model, np.float32)
    result, reference = both(
        monkeypatch, model, X, y, optimizer=gd.sgd(0.01, momentum=0.5), batch_size=4,
        epochs=2, seed=3,
    )  # fmt: skip
    assert result.x.dtype == np.float32
    assert_same_run(result, reference, rtol=2e-5)


def test_the_seed_000_fit_is_the_reference_run(monkeypatch):
    ds = data.seed000()
    options = {"optimizer": gd.sgd(0.1), "batch_size": 1, "shuffle": False, "epochs": 1000,
               "start": [1.0, 0.0, -1.0], "target": 1e-4}  # fmt: skip
    result, reference = both(monkeypatch, gd.models.PolynomialRegression(2), ds.X, ds.y, **options)
    assert_same_run(result, reference)
    assert result.info["epochs"] == 50 and result.nit == 5000


def test_the_trajectory_is_recorded_as_the_reference_records_it(monkeypatch):
    model = MODELS["logistic"]
    X, y = make_data(model)
    result, reference = both(
        monkeypatch, model, X, y, optimizer=gd.rmsprop(0.01), batch_size=50, epochs=2,
        record_path=True,
    )  # fmt: skip
    assert result.history.x.shape == (2 * 5, D + 1)
    np.testing.assert_allclose(result.history.x, reference.history.x, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("learning_rate", "batch_size", "why"),
    [
        (1e3, 16, "grew past the bound"),  # the loss of a batch, before its update
        (1e308, 1, "the parameters became non-finite"),  # an update overflows
        (1e3, 130, "grew past the bound"),  # batches of two ranges: shared when workers > 1
        (1e308, 130, "the parameters became non-finite"),
    ],
)
@pytest.mark.parametrize("workers", [1, 2], ids=["serial", "shared"])
def test_divergence_stops_where_the_reference_stops(monkeypatch, learning_rate, batch_size, why,
                                                    workers):  # fmt: skip
    """In the serial loop and with the batches shared among workers (epoch_threads)."""
    model = MODELS["linear mse"]
    X, y = make_data(model)
    if workers > 1:
        shared(monkeypatch, workers)
    result, reference = both(
        monkeypatch, model, X, y, optimizer=gd.sgd(learning_rate, momentum=0.9),
        batch_size=batch_size, epochs=5, seed=5,
    )  # fmt: skip
    assert result.status == "diverged" and why in result.message
    assert np.isfinite(result.x).all()
    assert_same_run(result, reference)


def test_a_callback_or_an_unsupported_model_or_optimizer_takes_the_reference_epoch():
    linear, adam = MODELS["linear mse"], gd.adam(0.01)
    choose = epochs.choose_epoch
    assert choose(linear, adam, lambda step: None) is epochs.reference_epoch
    for model in (gd.models.SoftmaxRegression(3), gd.models.MLP((4,)),
                  gd.models.LinearRegression(n_outputs=2)):  # fmt: skip
        assert choose(model, adam, None) is epochs.reference_epoch
    clipped = chain(gd.clip_by_global_norm(1.0), gd.adam(0.01))
    assert choose(linear, clipped, None) is epochs.reference_epoch
    assert compiled_epoch(linear, gd.sgd(0.1)) is not None


def position_and_run(model, X, y, optimizer, batch_size=10):
    params = model.init(X.shape[1], rng=np.random.default_rng(0), dtype=X.dtype)
    batches = Batches(len(X), batch_size)
    run = epochs.Run(model, optimizer, X, y, batches, Recorder(None, X.dtype), 1e30, None)
    return epochs.Position(params, params, optimizer.init(params), 0), run


def test_data_the_loop_cannot_read_takes_the_reference_epoch():
    model, optimizer = MODELS["linear mse"], gd.adam(0.01)
    X, y = make_data(model)
    fortran = np.asfortranarray(X)
    position, run = position_and_run(model, fortran, y, optimizer)
    epoch_function = compiled_epoch(model, optimizer)
    order = run.batches.order(np.random.default_rng(0))
    outcome = epoch_function(run, position, 0, order)
    assert epoch_function.prepared is None  # not C-contiguous: no compiled loop
    _, run = position_and_run(model, fortran, y, optimizer)
    expected = epochs.reference_epoch(run, position, 0, order)
    np.testing.assert_array_equal(outcome.position.params, expected.position.params)


@pytest.mark.parametrize("n", [2, 130, 5003])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", MODELS)
def test_the_whole_datas_loss_is_the_models(name, dtype, n):
    """whole_loss (the full-batch pass: 1, 2 and 16 row ranges) gives the model's loss of all
    the data, its l2 penalty included: 1e-12 in float64, float32 rounding in float32 — but for
    a polynomial of float32 x, whose powers the model takes in float64 (np.vander): None, as
    its epochs take the reference's."""
    model = MODELS[name]
    X, y = make_data(model, dtype, n=n)
    params = model.init(X.shape[1], rng=np.random.default_rng(n), dtype=dtype)
    loss = compiled_epochs.whole_loss(model, params, X, y)
    if isinstance(model, gd.models.PolynomialRegression) and dtype == np.float32:
        assert loss is None
        return
    expected = float(model.value_and_grad(params, X, y)[0])
    rtol = 1e-12 if dtype == np.float64 else 2e-6
    assert math.isclose(loss, expected, rel_tol=rtol)


def test_the_whole_datas_loss_is_the_models_own_where_no_pass_reads_it():
    """None — the caller asks the model — for a model without a compiled epoch, and for data
    the pass cannot read: Fortran order, parameters of another dtype, one row, 2-D y."""
    linear = MODELS["linear mse"]
    X, y = make_data(linear)
    params = linear.init(D, dtype=X.dtype)
    two_outputs = gd.models.LinearRegression(n_outputs=2)
    softmax = gd.models.SoftmaxRegression(3)
    for model, X_, y_, params_ in [
        (softmax, X, np.arange(len(X)) % 3, softmax.init(D, dtype=X.dtype)),
        (two_outputs, X, np.stack([y, y], 1), two_outputs.init(D, dtype=X.dtype)),
        (linear, np.asfortranarray(X), y, params),
        (linear, X, y, params.astype(np.float32)),
        (linear, X[:1], y[:1], params),
        (linear, X, y[:, None], params),
    ]:
        assert compiled_epochs.whole_loss(model, params_, X_, y_) is None
    assert compiled_epochs.whole_loss(linear, params, X, y) is not None


@pytest.mark.parametrize("large", [True, False])
def test_fit_takes_the_whole_datas_losses_from_the_pass_for_large_data_only(monkeypatch, large):
    """From COMPILED_LOSS_FROM bytes of X, the start's loss (the divergence bound) and the
    result's `fun` come from whole_loss; below, from the model; the same numbers either way."""
    model = MODELS["logistic l2, no intercept"]
    X, y = make_data(model)
    asked = []
    compiled = compiled_epochs.whole_loss
    monkeypatch.setattr(compiled_epochs, "whole_loss", lambda *a: asked.append(1) or compiled(*a))
    if large:
        monkeypatch.setattr(training, "COMPILED_LOSS_FROM", X.nbytes)
    result = gd.fit(model, X, y, optimizer=gd.sgd(0.1), batch_size=16, epochs=2)
    assert len(asked) == (2 if large else 0)
    expected = float(model.value_and_grad(result.x, X, y)[0])
    assert math.isclose(result.fun, expected, rel_tol=1e-12)


def test_an_epoch_writes_nothing_it_was_given():
    """Every epoch works on copies: earlier positions, states and callbacks' params stay put."""
    model, optimizer = MODELS["logistic"], gd.adam(0.01, amsgrad=True)
    X, y = make_data(model)
    position, run = position_and_run(model, X, y, optimizer)
    slots = [slot for link in position.state for slot in link.slots]
    params, saved = position.params.copy(), [slot.copy() for slot in slots]
    outcome = compiled_epoch(model, optimizer)(run, position, 0, None)
    np.testing.assert_array_equal(position.params, params)
    for slot, before in zip(slots, saved, strict=True):
        np.testing.assert_array_equal(slot, before)
    assert outcome.position.state[0].count == run.batches.steps_per_epoch


def test_an_epoch_allocates_nothing_of_the_data_size():
    model, optimizer = MODELS["linear mse"], gd.sgd(0.01)
    X, y = make_data(model, n=40_000)
    position, run = position_and_run(model, X, y, optimizer, batch_size=64)
    epoch_function = compiled_epoch(model, optimizer)
    order = run.batches.order(np.random.default_rng(0))
    run.recorder.reserve(2 * run.batches.steps_per_epoch)
    epoch_function(run, position, 0, order)  # compiles, prepares (y in the dtype: a copy of y)
    tracemalloc.start()
    epoch_function(run, position, 1, order)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < X.nbytes / 20


def test_each_row_range_sums_into_cache_lines_of_its_own():
    """Two threads sum a batch's row ranges at once, each into its rows of the scratch: no line
    may hold two ranges' sums (false sharing: placement.lined_zeros)."""
    model, optimizer = MODELS["logistic"], gd.sgd(0.01)
    X, y = make_data(model, np.float32, n=2_000)  # D + 1 parameters: rows end mid-line
    position, run = position_and_run(model, X, y, optimizer, batch_size=256)
    epoch_function = compiled_epoch(model, optimizer)
    epoch_function(run, position, 0, None)
    prepared = epoch_function.prepared
    for scratch in (prepared.partials, prepared.blocks, prepared.heads):
        assert len(scratch) == compiled_epochs.CHUNKS
        assert scratch[0].nbytes % placement.LINE_BYTES == 0
        assert all(row.ctypes.data % placement.LINE_BYTES == 0 for row in scratch)


def test_resuming_a_compiled_run_is_bit_identical(tmp_path):
    model = MODELS["logistic"]
    X, y = make_data(model)
    options = {"optimizer": gd.adam(0.01), "batch_size": 16, "seed": 7}
    straight = gd.fit(model, X, y, epochs=6, **options)
    path = tmp_path / "run.ckpt"
    gd.fit(model, X, y, epochs=3, checkpoint=path, **options)
    resumed = gd.fit(model, X, y, epochs=6, resume_from=path, **options)
    np.testing.assert_array_equal(resumed.x, straight.x)
    for name in ("loss", "grad_norm", "learning_rate", "epoch_loss"):
        np.testing.assert_array_equal(getattr(resumed.history, name),
                                      getattr(straight.history, name))  # fmt: skip


def test_the_generated_loop_embeds_the_rules_update():
    """The optimizer's maths in the loop is codegen's trace of the Rules, line for line."""
    program = kernels.program_of(gd.adam(0.01, amsgrad=True))
    source = epoch_loops.epoch_source(program, "float32")
    for line in codegen.body(program, "i") + codegen.preamble(program, "float32"):
        assert line in source
    for gradient in ("dz * X[index, i]", "dz * X[index, i] + scale * p", "dz"):  # one row's g
        for line in codegen.body(program, "i", gradient):
            assert line in source
    names = re.findall(r"^def ((?:many_)?epoch\w*)\(", source, re.MULTILINE)
    assert names == ["epoch", "epoch_gathered_batches", "epoch_threads", "epoch_samples",
                     "epoch_gathered", "many_epoch", "many_epoch_samples"]  # fmt: skip


def test_loops_for_a_row_width_differ_only_in_its_number():
    """With a width, `batches`, `share_batches` and `samples` take d as that number (the
    header says so); every other line of the module is the same."""
    program = kernels.program_of(gd.sgd(0.1))
    generic = epoch_loops.epoch_source(program, "float64").splitlines()
    fixed = epoch_loops.epoch_source(program, "float64", 7).splitlines()
    assert len(generic) == len(fixed)
    changed = [(line, other) for line, other in zip(generic, fixed, strict=True) if line != other]
    assert "for rows of any width" in changed[0][0] and "for rows of 7 features" in changed[0][1]
    assert changed[1:] == [("    d = params.size - intercept", "    d = 7")] * 3
    functions = re.findall(r"^def (\w+)\(|^    d = 7$", "\n".join(fixed), re.MULTILINE)
    owners = [name for name, after in itertools.pairwise(functions) if name and after == ""]
    assert owners == ["batches", "share_batches", "samples"]


def test_loops_are_compiled_for_the_row_width_of_large_data_only():
    X = np.empty((-(-compiled_epochs.WIDTH_FROM // 800), 100))  # WIDTH_FROM bytes and more
    assert compiled_epochs._width(X) == 100
    assert compiled_epochs._width(X[:-1]) is None


WIDTH_MODES = {  # batch_size, and the loop that gives the same numbers bit for bit
    "per sample, rows copied ahead": (1, lambda patch: gathered(patch, 8)),
    "batches of 16, rows copied ahead": (16, lambda patch: gathered(patch, 128)),
    "batches of 128, shared by 2 workers": (128, lambda patch: shared(patch, 2)),
    "full batch, shared by 2 workers": (None, lambda patch: shared(patch, 2)),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("name", ["linear mse", "linear half_mse, no intercept, l2", "logistic"])
@pytest.mark.parametrize(
    ("mode", "optimizer"),  # the look-ahead (plain SGD) is the per-sample loop's alone
    [(mode, "adam amsgrad") for mode in WIDTH_MODES] + [("per sample, rows copied ahead", "sgd")],
)
def test_loops_for_the_row_width_give_the_reference_run(
    monkeypatch, mode, name, optimizer, shuffle, dtype
):
    """Loops compiled for D features (WIDTH_FROM lowered to 0) run as the loops of any width
    and the reference — per sample, plain SGD's look-ahead and the checked update alike — and
    their other loop for the same batches (rows copied ahead, or batches shared by workers)
    gives the same numbers bit for bit."""
    batch_size, other_loop = WIDTH_MODES[mode]
    model = MODELS[name]
    X, y = make_data(model, dtype)
    options = {"optimizer": OPTIMIZERS[optimizer](), "batch_size": batch_size, "epochs": 2,
               "seed": 4, "shuffle": shuffle, "record_path": True}  # fmt: skip
    rtol = 1e-12 if dtype == np.float64 else 2e-5
    widths, real = [], compiled_epochs.epoch_loop

    def loops(program, dtype_name, width=None):
        widths.append(width)
        return real(program, dtype_name, width)

    monkeypatch.setattr(compiled_epochs, "epoch_loop", loops)
    monkeypatch.setattr(compiled_epochs, "GATHER_BYTES", 8 * D * 8)  # the look-ahead's blocks
    generic = gd.fit(model, X, y, **options)
    monkeypatch.setattr(compiled_epochs, "WIDTH_FROM", 0)
    fixed = gd.fit(model, X, y, **options)
    assert widths == [None, D]
    assert_same_run(fixed, generic, rtol)
    assert_same_run(fixed, reference_fit(monkeypatch, model, X, y, **options), rtol)
    with monkeypatch.context() as patch:
        other_loop(patch)
        other = gd.fit(model, X, y, **options)
    assert widths == [None, D, D]
    for column in ("loss", "grad_norm", "learning_rate", "epoch_loss", "x"):
        np.testing.assert_array_equal(getattr(other.history, column),
                                      getattr(fixed.history, column))  # fmt: skip


@pytest.mark.parametrize(
    ("optimizer", "plain"),
    [(gd.sgd(0.1), True), (gd.sgd(lambda t: 0.1 / (1 + t)), True),
     (gd.sgd(0.1, momentum=0.5), False), (gd.sgd(0.1, weight_decay=0.01), False),
     (gd.adam(0.01), False), (chain(gd.clip_by_value(0.5), gd.sgd(0.1)), False)],
)  # fmt: skip
def test_only_plain_sgd_looks_ahead_and_skips_the_finiteness_check(optimizer, plain):
    """w ← w + s·g, s a scalar of the step: the next row's z looked ahead and updates within
    step_reach unchecked; any other update keeps the dot product and the check."""
    program = kernels.program_of(optimizer)
    source = epoch_loops.epoch_source(program, "float64")
    assert (epoch_loops._step_scalar(program) is not None) == plain
    assert ("look_ahead(X" in source) == plain
    assert ("move = step_reach(" in source) == plain
    assert "bad |= not (abs(" in source  # the checked update, always there


def test_the_mirrored_constants_match_the_kernels():
    from gdlab import epoch_kernels

    assert (compiled_epochs.CHUNKS, compiled_epochs.CHUNK_ROWS, compiled_epochs.HEAD_ROWS,
            compiled_epochs.HEAD_SLOTS) == (
        epoch_kernels.CHUNKS, epoch_kernels.CHUNK_ROWS, epoch_kernels.HEAD_ROWS,
        epoch_kernels.HEAD_SLOTS,
    )  # fmt: skip
    assert epoch_kernels.BLOCK_ROWS % epoch_kernels.HEAD_ROWS == 0
    assert (compiled_epochs.SQUARED, compiled_epochs.LOG_LOSS) == (
        epoch_kernels.SQUARED, epoch_kernels.LOG_LOSS,
    )  # fmt: skip

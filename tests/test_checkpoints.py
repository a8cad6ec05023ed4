"""Checkpoints: save and resume a fit bit for bit — every optimizer, schedules, early stopping,
a process killed with SIGKILL at random points — and refuse truncated, corrupt or foreign files."""

from __future__ import annotations

import io
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import gdlab as gd
from gdlab import catalog, checkpoints, data, schedules
from gdlab.checkpoints import CheckpointError, codec, files

SOFTMAX = gd.models.SoftmaxRegression()


class Crash(Exception):
    """Stands for the process dying after an epoch (before that epoch's checkpoint)."""


def blobs(n=120, seed=0):
    ds = data.make_blobs(n_samples=n, n_classes=3, n_features=4, seed=seed)
    return ds.X, ds.y


def crash_after(epoch: int):
    def callback(info):
        if info.epoch == epoch:
            raise Crash

    return callback


def assert_same_run(resumed: gd.Result, reference: gd.Result) -> None:
    """Bit for bit: parameters, counters, status and every History array."""
    assert resumed.x.dtype == reference.x.dtype
    assert np.array_equal(resumed.x, reference.x)
    assert (resumed.nit, resumed.status, resumed.message) == (
        reference.nit,
        reference.status,
        reference.message,
    )
    assert resumed.fun == reference.fun and resumed.info == reference.info
    for name, value in reference.history.to_dict().items():
        np.testing.assert_array_equal(getattr(resumed.history, name), value, err_msg=name)


def interrupted_run(tmp_path, model, X, y, make_optimizer, crash_epoch, **options):
    """(reference, resumed): one run never interrupted; one crashed after `crash_epoch`, then
    resumed from its last checkpoint with a fresh optimizer object."""
    reference = gd.fit(model, X, y, optimizer=make_optimizer(), **options)
    path = tmp_path / "run.ckpt"
    with pytest.raises(Crash):
        gd.fit(model, X, y, optimizer=make_optimizer(), checkpoint=path,
               epoch_callback=crash_after(crash_epoch), **options)  # fmt: skip
    saved = checkpoints.load(path)
    assert saved.epoch == crash_epoch and saved.status is None  # the crashed epoch is not kept
    resumed = gd.fit(model, X, y, optimizer=make_optimizer(), resume_from=path, **options)
    return reference, resumed


# ---------------------------------------------------------------- bit-identical resumes


@pytest.mark.parametrize("name", list(catalog.OPTIMIZERS))
def test_every_optimizer_resumes_bit_for_bit(tmp_path, name):
    X, y = blobs()
    options = {"batch_size": 16, "epochs": 8, "seed": 5, "record_path": True}

    def make():
        return catalog.optimizer(name, learning_rate=0.05)

    reference, resumed = interrupted_run(tmp_path, SOFTMAX, X, y, make, 3, **options)
    assert_same_run(resumed, reference)


@pytest.mark.parametrize(
    "make",
    [
        lambda: gd.sgd(0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
        lambda: gd.rmsprop(0.01, centered=True, momentum=0.5),
        lambda: gd.adam(0.05, amsgrad=True),
        lambda: gd.nadam(0.05),  # carries μ-products between updates
        lambda: gd.adam(schedules.cosine(0.1, 80)),
        lambda: gd.sgd(schedules.warmup(schedules.exponential_decay(0.2, 0.9), 10)),
        lambda: gd.adam(schedules.reduce_on_plateau(0.2, patience=0, factor=0.5)),
        lambda: gd.chain(gd.clip_by_global_norm(0.5), gd.adam(0.05)),
    ],
    ids=["nesterov", "centered-rmsprop", "amsgrad", "nadam", "cosine", "warmup", "plateau",
         "clipped"],
)  # fmt: skip
def test_optimizer_variants_and_schedules_resume_bit_for_bit(tmp_path, make):
    X, y = blobs()
    options = {"batch_size": 10, "epochs": 10, "seed": 2, "full_loss": True}
    reference, resumed = interrupted_run(tmp_path, SOFTMAX, X, y, make, 4, **options)
    assert_same_run(resumed, reference)


def test_reduce_on_plateau_reductions_survive_the_resume(tmp_path):
    X, y = blobs()

    def make():
        return gd.sgd(schedules.reduce_on_plateau(5.0, patience=0, factor=0.5, threshold=0.5))

    options = {"batch_size": 30, "epochs": 12, "seed": 1}
    reference, resumed = interrupted_run(tmp_path, SOFTMAX, X, y, make, 6, **options)
    assert_same_run(resumed, reference)
    rates = np.unique(reference.history.learning_rate)
    assert len(rates) > 2  # reductions happened before and after the crash


def test_early_stopping_with_validation_and_restore_best_resumes(tmp_path):
    X, y = blobs(200)
    options = {
        "batch_size": 8, "epochs": 60, "seed": 3, "tol": 1e-3, "patience": 3,
        "validation_data": (X[150:], y[150:]), "restore_best": True,
    }  # fmt: skip
    reference, resumed = interrupted_run(
        tmp_path, SOFTMAX, X[:150], y[:150], lambda: gd.adam(0.5), 2, **options
    )
    assert reference.status == "converged" and reference.info["restored"]
    assert_same_run(resumed, reference)


def test_mlp_with_replacement_batches_and_float32_data(tmp_path):
    X, y = blobs(90)
    model = gd.models.MLP((8,), output="classification", activation="relu", l2=1e-3)
    options = {"batch_size": 7, "epochs": 9, "seed": 4, "replace": True, "record_path": True}
    reference, resumed = interrupted_run(
        tmp_path, model, X.astype(np.float32), y, lambda: gd.adamw(0.01), 5, **options
    )
    assert resumed.x.dtype == np.float32
    assert_same_run(resumed, reference)


def test_a_generator_seed_ends_in_the_same_state(tmp_path):
    X, y = blobs()
    options = {"batch_size": 16, "epochs": 6}
    first, second = np.random.default_rng(9), np.random.default_rng(9)
    reference = gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), seed=first, **options)
    path = tmp_path / "run.ckpt"
    with pytest.raises(Crash):
        gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), seed=second, checkpoint=path,
               epoch_callback=crash_after(2), **options)  # fmt: skip
    other = np.random.default_rng(123)  # any PCG64: its state is replaced by the checkpoint's
    resumed = gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), seed=other, resume_from=path, **options)
    assert_same_run(resumed, reference)
    assert other.bit_generator.state == first.bit_generator.state


def test_checkpoint_every_n_epochs_and_always_at_the_end(tmp_path):
    X, y = blobs()
    path = tmp_path / "run.ckpt"
    seen = []

    def watch(info):
        if path.exists():
            seen.append((info.epoch, checkpoints.load(path).epoch))

    gd.fit(SOFTMAX, X, y, optimizer=gd.sgd(0.1), batch_size=40, epochs=7, checkpoint=path,
           checkpoint_every=3, epoch_callback=watch)  # fmt: skip
    # watch runs before the epoch's own checkpoint: after epoch e it sees the one of epoch e−1
    assert seen == [(3, 3), (4, 3), (5, 3), (6, 6)]
    final = checkpoints.load(path)
    assert (final.epoch, final.status, final.count) == (7, "max_steps", 21)


def test_a_finished_run_gives_its_result_back_and_goes_on_with_more_epochs(tmp_path):
    X, y = blobs()
    path = tmp_path / "run.ckpt"
    options = {"batch_size": 20, "seed": 0}
    short = gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), epochs=5, checkpoint=path, **options)
    again = gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), epochs=5, resume_from=path, **options)
    assert_same_run(again, short)
    longer = gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), epochs=9, resume_from=path, **options)
    assert_same_run(longer, gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), epochs=9, **options))
    with pytest.raises(CheckpointError, match="epochs=3: it has already made 5 epochs"):
        gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), epochs=3, resume_from=path, **options)


def test_a_converged_run_stays_converged_and_a_stopped_one_goes_on(tmp_path):
    X, y = blobs()
    path = tmp_path / "run.ckpt"
    options = {"batch_size": 20, "seed": 0, "epochs": 30}
    done = gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), target=0.2, checkpoint=path, **options)
    assert done.status == "converged"
    back = gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), target=0.2, resume_from=path, **options)
    assert_same_run(back, done)
    stop = gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), checkpoint=path,
                  epoch_callback=lambda info: info.epoch == 4, **options)  # fmt: skip
    assert stop.status == "stopped"
    resumed = gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), resume_from=path, **options)
    assert_same_run(resumed, gd.fit(SOFTMAX, X, y, optimizer=gd.adam(0.1), **options))


def test_a_run_stopped_inside_an_epoch_is_final(tmp_path):
    X, y = blobs()
    path = tmp_path / "run.ckpt"
    options = {"batch_size": 20, "seed": 0, "epochs": 10}
    stopped = gd.fit(SOFTMAX, X, y, optimizer=gd.sgd(0.1), checkpoint=path,
                     callback=lambda step: step.step == 15, **options)  # fmt: skip
    saved = checkpoints.load(path)
    assert (saved.status, saved.resumable, saved.count) == ("stopped", False, 15)
    back = gd.fit(SOFTMAX, X, y, optimizer=gd.sgd(0.1), resume_from=path, **options)
    assert_same_run(back, stopped)


def test_a_diverged_run_keeps_its_message(tmp_path):
    ds = data.make_linear(n_samples=50, n_features=3, scales=(1, 10, 100))
    X, y = ds.X, ds.y
    path = tmp_path / "run.ckpt"
    model = gd.models.LinearRegression()
    result = gd.fit(model, X, y, optimizer=gd.sgd(1.0), epochs=50, checkpoint=path)
    assert result.status == "diverged" and "learning rate 1" in result.message
    back = gd.fit(model, X, y, optimizer=gd.sgd(1.0), epochs=50, resume_from=path)
    assert_same_run(back, result)


# ---------------------------------------------------------------- SIGKILL at random points


def sigkill_problem():
    """The run the SIGKILL test kills: an MLP, shuffled mini-batches, Adam with weight decay
    under reduce_on_plateau, validation data with early-stopping bookkeeping, the full loss."""
    ds = data.make_blobs(n_samples=1200, n_classes=3, n_features=6, seed=11)
    model = gd.models.MLP((16,), output="classification", l2=1e-4)
    options = {
        "optimizer": gd.adam(schedules.reduce_on_plateau(0.02, patience=2), weight_decay=1e-3),
        "batch_size": 24, "epochs": 150, "seed": 8, "full_loss": True, "tol": 0.0,
        "patience": 1000, "validation_data": (ds.X[1000:], ds.y[1000:]),
    }  # fmt: skip
    return model, ds.X[:1000], ds.y[:1000], options


def sigkill_child(path: str) -> None:
    """The child process: fit with a checkpoint every epoch, resuming when there is one; print
    each finished epoch."""
    model, X, y, options = sigkill_problem()
    resume = path if os.path.exists(path) else None
    gd.fit(model, X, y, **options, checkpoint=path, resume_from=resume,
           epoch_callback=lambda info: print(info.epoch, flush=True))  # fmt: skip


CHILD = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('checkpoint_tests', sys.argv[1])\n"
    "module = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(module)\n"
    "module.sigkill_child(sys.argv[2])\n"
)


def start_child(path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, __file__, str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX-only")
def test_sigkill_at_random_points_then_resume_is_bit_identical(tmp_path):
    path = tmp_path / "run.ckpt"
    chooser = random.Random(2024)
    epochs_seen, resumed_from = -1, []
    for _ in range(6):
        kill_at = epochs_seen + chooser.randint(2, 18)
        child = start_child(path)
        assert child.stdout is not None
        for line in child.stdout:
            epochs_seen = int(line)
            if epochs_seen >= kill_at:
                break
        else:
            pytest.fail(f"the child ended before epoch {kill_at}: rc={child.wait()}")
        time.sleep(chooser.uniform(0.0, 0.01))  # somewhere in the next epoch or its checkpoint
        child.send_signal(signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL
        child.stdout.close()
        saved = checkpoints.load(path)  # whole, never torn: the old or the new checkpoint
        assert saved.status is None and saved.epoch >= kill_at
        resumed_from.append(saved.epoch)
    assert resumed_from == sorted(resumed_from) and len(set(resumed_from)) == 6
    model, X, y, options = sigkill_problem()
    resumed = gd.fit(model, X, y, **options, resume_from=path)
    model, X, y, options = sigkill_problem()
    reference = gd.fit(model, X, y, **options)
    assert reference.info["epochs"] == 150
    assert_same_run(resumed, reference)


# ---------------------------------------------------------------- the file


def small_checkpoint(tmp_path, **options) -> Path:
    X, y = blobs(40)
    path = tmp_path / "run.ckpt"
    gd.fit(SOFTMAX, X, y, optimizer=gd.nadam(0.1), batch_size=8, epochs=3, checkpoint=path,
           **options)  # fmt: skip
    return path


def test_the_file_is_a_zip_of_a_json_manifest_and_npy_arrays_no_pickle(tmp_path):
    path = small_checkpoint(tmp_path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        arrays = {
            name: np.load(io.BytesIO(archive.read(name)), allow_pickle=False)
            for name in names
            if name.endswith(".npy")
        }
    assert names[0] == "manifest.json" and manifest["format"] == "gdlab-checkpoint"
    assert set(manifest["arrays"]) == {name.removesuffix(".npy") for name in arrays}
    assert manifest["epoch"] == 3 and manifest["count"] == 15 and manifest["status"] == "max_steps"
    assert manifest["fit"]["batches"].startswith("Batches(n_samples=40, batch_size=8")
    links = manifest["state"]["tuple"]
    assert links[0]["namedtuple"] == "RuleState" and links[0]["items"][0] == 15
    mu_product = links[0]["items"][2]["tuple"][0]["float"]  # NAdam's carried μ-product, exact
    assert float.fromhex(mu_product) < 1.0
    assert manifest["rng"]["dict"]["bit_generator"] == "PCG64"


def test_saving_is_atomic_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = small_checkpoint(tmp_path)
    before = path.read_bytes()
    saved = checkpoints.load(path)

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        checkpoints.save(path, saved)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.ckpt"]


def test_save_then_load_round_trips_every_field(tmp_path):
    path = small_checkpoint(tmp_path, record_path=True, full_loss=True)
    first = checkpoints.load(path)
    checkpoints.save(tmp_path / "copy.ckpt", first)
    second = checkpoints.load(tmp_path / "copy.ckpt")
    for name in ("params", "previous", "steps", "epochs", "path"):
        np.testing.assert_array_equal(getattr(second, name), getattr(first, name))
    assert second.rng == first.rng and second.monitor.keys() == first.monitor.keys()
    assert (second.epoch, second.count, second.status, second.bound) == (
        first.epoch, first.count, first.status, first.bound,
    )  # fmt: skip
    assert second.state.node == first.state.node


def test_non_finite_floats_round_trip_exactly(tmp_path):
    values = {"best": math.inf, "nan": math.nan, "third": 0.1 + 0.2, "tiny": 5e-324}
    arrays: dict = {}
    node = codec.encode(values, arrays, "x")
    back = codec.decode(json.loads(json.dumps(node)), arrays)
    assert back["best"] == math.inf and math.isnan(back["nan"])
    assert back["third"] == 0.1 + 0.2 and back["tiny"] == 5e-324


# ---------------------------------------------------------------- refused, with a clear message


def test_a_truncated_checkpoint_is_refused(tmp_path):
    path = small_checkpoint(tmp_path)
    content = path.read_bytes()
    for size in (0, 10, len(content) // 2, len(content) - 1):
        path.write_bytes(content[:size])
        with pytest.raises(CheckpointError, match=r"truncated or corrupt.*it was not used"):
            checkpoints.load(path)


def test_a_flipped_bit_in_any_byte_is_refused(tmp_path):
    path = small_checkpoint(tmp_path)
    content = path.read_bytes()
    for position in range(0, len(content), 3):  # headers, data, manifest, directory, checksum
        broken = bytearray(content)
        broken[position] ^= 1 << (position % 8)
        path.write_bytes(bytes(broken))
        with pytest.raises(CheckpointError, match=r"cannot resume from .*it was not used"):
            checkpoints.load(path)
    X, y = blobs(40)
    path.write_bytes(content[:100] + b"?" + content[101:])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        gd.fit(SOFTMAX, X, y, optimizer=gd.nadam(0.1), batch_size=8, epochs=3, resume_from=path)


def test_an_array_whose_checksum_does_not_match_is_refused(tmp_path):
    path = small_checkpoint(tmp_path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    params = np.load(io.BytesIO(members["params.npy"]))
    buffer = io.BytesIO()
    np.save(buffer, params + 1.0)  # a well-formed array, CRC recomputed by zipfile: only the
    members["params.npy"] = buffer.getvalue()  # manifest's SHA-256 can tell
    manifest = members.pop("manifest.json").decode()
    payloads = {name.removesuffix(".npy"): payload for name, payload in members.items()}
    path.write_bytes(files._archive(manifest, payloads))  # a valid file checksum
    with pytest.raises(CheckpointError, match="checksum of 'params' does not match"):
        checkpoints.load(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x,y\n1,2\n", "truncated or corrupt"),
        (None, "truncated or corrupt"),  # a zip without the file checksum
        ({"format": "something-else"}, "not a gdlab checkpoint"),
        ({"format": "gdlab-checkpoint", "version": 99}, "format version 99"),
        ({"format": "gdlab-checkpoint", "version": 1}, "malformed"),
    ],
)
def test_files_that_are_not_checkpoints_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.ckpt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("other.txt", "hello")
    else:
        path.write_bytes(files._archive(json.dumps(content), {"other": b"hello"}))
    with pytest.raises(CheckpointError, match=message):
        checkpoints.load(path)


def test_a_missing_file_is_refused(tmp_path):
    X, y = blobs(40)
    with pytest.raises(CheckpointError, match=r"no checkpoint file at .*nowhere\.ckpt"):
        gd.fit(SOFTMAX, X, y, optimizer=gd.sgd(0.1), resume_from=tmp_path / "nowhere.ckpt")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": gd.models.SoftmaxRegression(l2=0.1)}, "model: 'SoftmaxRegression"),
        ({"optimizer": gd.nadam(0.2)}, "optimizer: 'nadam\\(learning_rate=0.1"),
        ({"optimizer": gd.adam(0.1)}, "optimizer: 'nadam"),
        ({"batch_size": 4}, "batches: 'Batches\\(n_samples=40, batch_size=8"),
        ({"shuffle": False}, "batches:"),
        ({"X": "other"}, "data:"),
        ({"record_path": True}, "records: 'full_loss=False, record_path=False"),
        ({"validation_data": "same"}, "validation: None"),
    ],
)
def test_a_checkpoint_of_another_run_is_refused(tmp_path, change, message):
    path = small_checkpoint(tmp_path)
    X, y = blobs(40)
    arguments = {"model": SOFTMAX, "X": X, "y": y, "optimizer": gd.nadam(0.1), "batch_size": 8,
                 "epochs": 5}  # fmt: skip
    arguments.update(change)
    if change.get("X") == "other":
        arguments["X"] = X + 1e-12
    if change.get("validation_data") == "same":
        arguments["validation_data"] = (X, y)
    with pytest.raises(CheckpointError, match=f"written for another run \\({message}"):
        gd.fit(resume_from=path, **arguments)


def test_an_optimizer_state_of_another_shape_is_refused():
    template = gd.adam(0.1).init(np.zeros(3))
    arrays: dict = {}
    node = codec.encode(gd.sgd(0.1).init(np.zeros(3)), arrays, "state")
    saved = checkpoints.Checkpoint(
        {}, 0, 0, np.zeros(3), np.zeros(3), checkpoints.Encoded(node, arrays), {}, 0.0,
        np.zeros((0, 3)), np.zeros((0, 5)),
    )  # fmt: skip
    with pytest.raises(CheckpointError, match=r"at state: expected tuple of 2, found tuple of 1"):
        checkpoints.restore_state(saved, template)
    node = codec.encode(gd.adam(0.1).init(np.zeros(4)), arrays, "state")
    saved = checkpoints.Checkpoint(
        {}, 0, 0, np.zeros(3), np.zeros(3), checkpoints.Encoded(node, arrays), {}, 0.0,
        np.zeros((0, 3)), np.zeros((0, 5)),
    )  # fmt: skip
    with pytest.raises(CheckpointError, match=r"at state\[0\]\[1\]\[0\]: expected \(\(3,\)"):
        checkpoints.restore_state(saved, template)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"checkpoint": 3}, TypeError, "checkpoint must be a path, got int"),
        ({"checkpoint": "no/such/folder/run.ckpt"}, ValueError, "the folder no/such/folder"),
        ({"checkpoint": ".", "checkpoint_every": 1}, ValueError, "must name a file"),
        ({"checkpoint": "run.ckpt", "checkpoint_every": 0}, ValueError, "checkpoint_every must"),
        ({"checkpoint_every": 2.5}, TypeError, "checkpoint_every must be an integer"),
        ({"resume_from": 7}, TypeError, "resume_from must be a path, got int"),
    ],
)
def test_bad_checkpoint_arguments_are_named(tmp_path, monkeypatch, options, error, message):
    monkeypatch.chdir(tmp_path)
    X, y = blobs(40)
    with pytest.raises(error, match=message):
        gd.fit(SOFTMAX, X, y, optimizer=gd.sgd(0.1), **options)
    assert list(tmp_path.iterdir()) == []  # nothing written before the arguments are checked


# ---------------------------------------------------------------- gdlab fit --checkpoint / --resume


def test_the_command_line_checkpoints_and_resumes(tmp_path):
    from typer.testing import CliRunner

    from gdlab.cli import app

    runner = CliRunner()
    path = tmp_path / "run.ckpt"
    common = ["fit", "wine", "--model", "softmax", "-O", "adam:lr=0.05", "--json"]

    def params(*extra: str) -> dict:
        out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
        result = runner.invoke(app, [*common, *extra, "--out", str(out)])
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    first = params("--epochs", "4", "--checkpoint", str(path), "--checkpoint-every", "2")
    assert first["updates"] == 4 * 6 and checkpoints.load(path).epoch == 4
    resumed = params("--epochs", "9", "--resume", str(path))
    straight = params("--epochs", "9")
    assert resumed["params"] == straight["params"] and resumed["updates"] == 9 * 6
    assert resumed["epoch_loss"] == straight["epoch_loss"]
    path.write_bytes(path.read_bytes()[:-5])
    broken = runner.invoke(app, [*common, "--resume", str(path), "--out", str(tmp_path / "x")])
    assert broken.exit_code == 2 and broken.stdout == ""
    assert broken.stderr.startswith("gdlab: cannot resume from") and "truncated" in broken.stderr

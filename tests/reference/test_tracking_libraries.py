"""The TensorBoard and MLflow callbacks against the real libraries, offline.

The TensorBoard event file is read back record by record (TFRecord framing, Event protobufs
from tensorboardX); the MLflow metrics are read back from the local file store.
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

import gdlab as gd
from gdlab.tracking import MLflowCallback, TensorBoardCallback


def run(callback) -> gd.Result:
    return gd.minimize(
        lambda x: float(x @ x), [1.0, -2.0], grad=lambda x: 2 * x,
        optimizer=gd.sgd(0.1), steps=5, callback=callback,
    )  # fmt: skip


def tfrecords(path: Path) -> list[bytes]:
    """The payloads of a TFRecord file: [u64 length][u32 crc][payload][u32 crc] each."""
    data, records, at = path.read_bytes(), [], 0
    while at < len(data):
        (length,) = struct.unpack("<Q", data[at : at + 8])
        records.append(data[at + 12 : at + 12 + length])
        at += 12 + length + 4
    return records


def test_tensorboard_event_file_holds_every_step(tmp_path: Path) -> None:
    from tensorboardX.proto import event_pb2

    with TensorBoardCallback(tmp_path) as callback:
        result = run(callback)
    (events,) = tmp_path.glob("events.out.tfevents.*")
    scalars: dict[str, dict[int, float]] = {}
    for payload in tfrecords(events):
        event = event_pb2.Event.FromString(payload)
        for value in event.summary.value:
            scalars.setdefault(value.tag, {})[event.step] = value.simple_value
    assert sorted(scalars) == ["grad_norm", "learning_rate", "loss"]
    steps = sorted(scalars["loss"])
    assert steps == list(range(6))
    np.testing.assert_allclose([scalars["loss"][s] for s in steps], result.history.loss, rtol=1e-6)
    np.testing.assert_allclose(
        [scalars["grad_norm"][s] for s in steps], result.history.grad_norm, rtol=1e-6
    )


def test_mlflow_file_store_holds_every_step(tmp_path: Path) -> None:
    from mlflow.tracking import MlflowClient

    uri = (tmp_path / "mlruns").as_uri()
    with warnings.catch_warnings():  # mlflow's own deprecation notices are not ours to fix
        warnings.simplefilter("ignore")
        with MLflowCallback(tracking_uri=uri, run_name="adam", params={"lr": 0.1}) as callback:
            result = run(callback)
        client = MlflowClient(tracking_uri=uri)
        stored = client.get_run(callback.run_id)
        history = client.get_metric_history(callback.run_id, "loss")
    assert stored.info.status == "FINISHED"
    assert stored.data.params == {"lr": "0.1"}
    losses = [m.value for m in sorted(history, key=lambda m: m.step)]
    np.testing.assert_allclose(losses, result.history.loss, rtol=1e-12)


def test_mlflow_run_is_marked_failed_when_the_block_raises(tmp_path: Path) -> None:
    from mlflow.tracking import MlflowClient

    uri = (tmp_path / "mlruns").as_uri()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError), MLflowCallback(tracking_uri=uri) as callback:
            raise RuntimeError("interrupted")
        assert MlflowClient(tracking_uri=uri).get_run(callback.run_id).info.status == "FAILED"

"""Tracking: CSV/JSONL callbacks equal the History; TensorBoard/MLflow adapters, offline."""

from __future__ import annotations

import csv
import json
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import gdlab as gd
from gdlab import tracking


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open() as stream:
        return list(csv.DictReader(stream))


def _run(callback=None, steps: int = 12):
    problem = gd.problems.get("rosenbrock")
    return gd.minimize(problem, [-1.2, 1.0], optimizer=gd.adam(0.05), steps=steps,
                       callback=callback)  # fmt: skip


def test_csv_writer_rows_are_the_history(tmp_path: Path) -> None:
    with tracking.CSVWriter(tmp_path / "run.csv") as write:
        result = _run(write)
    rows = _rows(tmp_path / "run.csv")
    history = result.history
    assert len(rows) == len(history) == write.rows
    assert [int(r["step"]) for r in rows] == history.step.tolist()
    assert [float(r["loss"]) for r in rows] == history.loss.tolist()
    assert [float(r["learning_rate"]) for r in rows] == history.learning_rate.tolist()
    np.testing.assert_allclose([float(r["grad_norm"]) for r in rows], history.grad_norm,
                               rtol=1e-15)  # fmt: skip
    assert [[float(r["x_0"]), float(r["x_1"])] for r in rows] == history.x.tolist()


def test_jsonl_writer_and_export_agree(tmp_path: Path) -> None:
    with tracking.writer(tmp_path / "live.jsonl", include_x=False) as write:
        result = _run(write)
    live = [json.loads(line) for line in (tmp_path / "live.jsonl").read_text().splitlines()]
    assert set(live[0]) == {"step", "loss", "grad_norm", "learning_rate"}
    exported = tracking.write_jsonl(result.history, tmp_path / "after.jsonl")
    after = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [row["loss"] for row in live] == [row["loss"] for row in after]
    assert after[3]["x_1"] == result.history.x[3, 1]


def test_fit_steps_are_written_too(tmp_path: Path) -> None:
    ds = gd.data.seed002()
    with tracking.writer(tmp_path / "fit.csv") as write:
        fitted = gd.fit(gd.models.LinearRegression(fit_intercept=False), ds.X, ds.y,
                        optimizer=gd.sgd(0.01), epochs=5, batch_size=2, callback=write)  # fmt: skip
    rows = _rows(tmp_path / "fit.csv")
    assert len(rows) == fitted.nit == 10
    assert "x_0" not in rows[0]  # fit's FitStep carries params, not x: never dumped per step


def test_writer_suffixes_and_combine(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"a history file must end in \.csv or \.jsonl"):
        tracking.writer(tmp_path / "run.txt")
    seen: list[int] = []
    both = tracking.combine(lambda info: seen.append(info.step), None,
                            lambda info: info.step == 3)  # fmt: skip
    result = _run(both)
    assert result.status == "stopped" and result.nit == 3 and seen == [0, 1, 2, 3]


def test_non_finite_numbers_are_null(tmp_path: Path) -> None:
    exported = tracking.write_jsonl(
        gd.History(np.array([0]), np.array([np.nan]), np.array([np.inf]), np.array([0.1])),
        tmp_path / "h.jsonl",
    )
    assert json.loads(exported.read_text()) == {
        "step": 0, "loss": None, "grad_norm": None, "learning_rate": 0.1,
    }  # fmt: skip


class _Recorder:
    def __init__(self, *args, **kwargs) -> None:
        self.calls: list[tuple] = [("init", args, kwargs)]

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs))


def test_tensorboard_callback_writes_scalars(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("tensorboardX")
    fake.SummaryWriter = _Recorder  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tensorboardX", fake)
    with tracking.TensorBoardCallback("runs/x", prefix="adam/") as board:
        result = _run(board, steps=3)
    calls = board.writer.calls
    assert calls[0] == ("init", (), {"logdir": "runs/x"})
    losses = [args[1] for name, args, _ in calls if name == "add_scalar" and args[0] == "adam/loss"]
    assert losses == result.history.loss.tolist()
    assert calls[-1][0] == "close"


class _Client(_Recorder):
    def get_experiment_by_name(self, name):
        self.calls.append(("get_experiment_by_name", (name,), {}))

    def create_experiment(self, name):
        return "7"

    def create_run(self, experiment_id, run_name=None):
        self.calls.append(("create_run", (experiment_id,), {"run_name": run_name}))
        return types.SimpleNamespace(info=types.SimpleNamespace(run_id="r1"))


def test_mlflow_callback_logs_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("mlflow.tracking")
    fake.MlflowClient = _Client  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mlflow", types.ModuleType("mlflow"))
    monkeypatch.setitem(sys.modules, "mlflow.tracking", fake)
    with tracking.MLflowCallback(run_name="t", params={"optimizer": "adam"}) as flow:
        _run(flow, steps=2)
    calls = flow.client.calls
    assert calls[0] == ("init", (), {"tracking_uri": "file:./mlruns"})
    assert ("create_run", ("7",), {"run_name": "t"}) in calls
    assert ("log_param", ("r1", "optimizer", "adam"), {}) in calls
    metrics = [args[1:3] for name, args, _ in calls if name == "log_metric"]
    assert next(m for m in metrics if m[0] == "loss")[1] == pytest.approx(24.2)
    assert calls[-1] == ("set_terminated", ("r1",), {"status": "FINISHED"})


def test_missing_extras_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ImportError, match=r"pip install 'gdlab\[tensorboard\]'"):
        tracking.TensorBoardCallback("runs")
    monkeypatch.setitem(sys.modules, "mlflow", None)
    monkeypatch.setitem(sys.modules, "mlflow.tracking", None)
    with pytest.raises(ImportError, match=r"pip install 'gdlab\[mlflow\]'"):
        tracking.MLflowCallback()

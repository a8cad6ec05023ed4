"""Tracking (layer L5): callbacks that write a run's steps as it goes, and exporters.

    with tracking.CSVWriter("run.csv") as write:          # or JSONLWriter("run.jsonl")
        gd.minimize(problem, x0, optimizer=gd.adam(0.1), callback=write)

A callback takes what `minimize` (StepInfo) or `fit` (FitStep) passes at every step and writes
one row: step, loss, grad_norm, learning_rate (and, for `minimize`, x_0 … x_{n−1} when
`include_x`).  Callbacks return None, so they never stop a run; `combine` runs several.
The file appears whole when the writer is closed (the `with` block ends): rows go to a
temporary `.NAME.PID.tmp` beside it, renamed over NAME on close — never a half-written file.
`write_jsonl(history, path)` exports a finished History (CSV: `History.to_csv`).

TensorBoard and MLflow are optional extras, imported only when their callback is made, and
fully offline: `TensorBoardCallback(logdir)` writes event files with tensorboardX
(`pip install 'gdlab[tensorboard]'`); `MLflowCallback(tracking_uri="file:./mlruns")` logs to a
local MLflow file store (`pip install 'gdlab[mlflow]'`).
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from gdlab.history import History, write_text_atomic

COLUMNS = ("step", "loss", "grad_norm", "learning_rate")


def _number(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def row(info: Any, *, include_x: bool = True) -> dict[str, Any]:
    """The row of one step: step, loss, ‖grad‖, learning rate (x_i for minimize's StepInfo)."""
    out: dict[str, Any] = {
        "step": int(info.step),
        "loss": _number(info.loss),
        "grad_norm": _number(np.linalg.norm(np.asarray(info.grad, dtype=float))),
        "learning_rate": _number(info.learning_rate),
    }
    if include_x and hasattr(info, "x"):
        out.update({f"x_{i}": _number(v) for i, v in enumerate(np.ravel(info.x))})
    return out


class _FileCallback:
    """Opens its file at the first step; a context manager closes it."""

    def __init__(self, path: str | os.PathLike[str], *, include_x: bool = True) -> None:
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise ValueError(f"the folder {self.path.parent} of {str(path)!r} does not exist")
        self._temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.include_x = include_x
        self._stream: IO[str] | None = None
        self.rows = 0

    def __enter__(self) -> _FileCallback:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush the rows to disk and rename the temporary file over the target."""
        if self._stream is not None:
            self._stream.flush()
            os.fsync(self._stream.fileno())
            self._stream.close()
            self._stream = None
            os.replace(self._temporary, self.path)

    def _open(self) -> IO[str]:
        if self._stream is None:
            self._stream = self._temporary.open("w", encoding="utf-8", newline="")
        return self._stream

    def __call__(self, info: Any) -> None:
        self.write(row(info, include_x=self.include_x))
        self.rows += 1

    def write(self, values: dict[str, Any]) -> None:
        raise NotImplementedError


class CSVWriter(_FileCallback):
    """A callback writing one CSV row per step (header from the first row; empty for None)."""

    _writer: Any = None

    def write(self, values: dict[str, Any]) -> None:
        if self._writer is None:
            self._writer = csv.DictWriter(self._open(), fieldnames=list(values))
            self._writer.writeheader()
        self._writer.writerow(values)


class JSONLWriter(_FileCallback):
    """A callback writing one JSON object per line per step (non-finite numbers as null)."""

    def write(self, values: dict[str, Any]) -> None:
        self._open().write(json.dumps(values) + "\n")


def writer(path: str | os.PathLike[str], *, include_x: bool = True) -> _FileCallback:
    """CSVWriter for *.csv, JSONLWriter for *.jsonl; anything else → ValueError."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return CSVWriter(path, include_x=include_x)
    if suffix in (".jsonl", ".ndjson"):
        return JSONLWriter(path, include_x=include_x)
    raise ValueError(f"a history file must end in .csv or .jsonl, got {str(path)!r}")


def combine(*callbacks: Callable[[Any], Any] | None) -> Callable[[Any], bool]:
    """One callback that calls each given one; it asks to stop when any of them does."""
    chosen = [callback for callback in callbacks if callback is not None]

    def call(info: Any) -> bool:
        return any([bool(callback(info)) for callback in chosen])

    return call


def write_jsonl(history: History, path: str | os.PathLike[str]) -> Path:
    """A finished History as JSON Lines, one object per step (atomically written)."""
    columns = {name: getattr(history, name).tolist() for name in COLUMNS}
    points = None if history.x is None else history.x.reshape(len(history), -1).tolist()
    lines = []
    for index in range(len(history)):
        values = {name: columns[name][index] for name in COLUMNS}
        values = {k: (v if not isinstance(v, float) or math.isfinite(v) else None)
                  for k, v in values.items()}  # fmt: skip
        if points is not None:
            values.update({f"x_{i}": _number(v) for i, v in enumerate(points[index])})
        lines.append(json.dumps(values))
    write_text_atomic(path, "\n".join(lines) + ("\n" if lines else ""))
    return Path(path)


# ---------------------------------------------------------------- optional extras


def _extra(module: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(
            f"this callback needs {module.split('.')[0]}: pip install 'gdlab[{extra}]'"
        ) from None


class TensorBoardCallback:
    """Scalars loss, grad_norm and learning_rate per step, as TensorBoard event files."""

    def __init__(self, logdir: str | os.PathLike[str], *, prefix: str = "") -> None:
        tensorboard = _extra("tensorboardX", "tensorboard")
        self.writer = tensorboard.SummaryWriter(logdir=str(logdir))
        self.prefix = prefix

    def __call__(self, info: Any) -> None:
        for name, value in row(info, include_x=False).items():
            if name != "step" and value is not None:
                self.writer.add_scalar(self.prefix + name, value, int(info.step))

    def close(self) -> None:
        self.writer.close()

    def __enter__(self) -> TensorBoardCallback:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MLflowCallback:
    """Metrics loss, grad_norm and learning_rate per step in one MLflow run (local store).

    A `file:` tracking URI is MLflow's local file store, which needs no server and no database:
    MLflow 3 keeps it behind the opt-in MLFLOW_ALLOW_FILE_STORE, which this callback sets for
    the process (unless already set) when it is given such a URI.
    """

    def __init__(
        self,
        *,
        tracking_uri: str = "file:./mlruns",
        experiment: str = "gdlab",
        run_name: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        mlflow = _extra("mlflow.tracking", "mlflow")
        if tracking_uri.startswith("file:"):
            os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        self.client = mlflow.MlflowClient(tracking_uri=tracking_uri)
        found = self.client.get_experiment_by_name(experiment)
        experiment_id = found.experiment_id if found else self.client.create_experiment(experiment)
        run = self.client.create_run(experiment_id, run_name=run_name)
        self.run_id = run.info.run_id
        for key, value in (params or {}).items():
            self.client.log_param(self.run_id, key, value)

    def __call__(self, info: Any) -> None:
        for name, value in row(info, include_x=False).items():
            if name != "step" and value is not None:
                self.client.log_metric(self.run_id, name, value, step=int(info.step))

    def close(self, status: str = "FINISHED") -> None:
        self.client.set_terminated(self.run_id, status=status)

    def __enter__(self) -> MLflowCallback:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close("FAILED" if exc and exc[0] is not None else "FINISHED")


__all__ = [
    "COLUMNS",
    "CSVWriter",
    "JSONLWriter",
    "MLflowCallback",
    "TensorBoardCallback",
    "combine",
    "row",
    "write_jsonl",
    "writer",
]

"""What a run leaves behind: the History of every step and the Result (layer L3).

A History holds one row per evaluated point.  For `minimize` row k is the point x_k reached
after k updates (row 0 is x0): its loss f(x_k), gradient norm ‖∇f(x_k)‖, the learning rate α_k
of the update that leaves x_k (for the last row, the one the next update would use) and, when
recorded, x_k itself.  `fit` records one row per update (the batch loss before it) and adds
per-epoch arrays.  Histories are frozen; they export to dict, JSON and CSV.
"""

from __future__ import annotations

import csv
import io
import json
import math
import mmap
import os
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

STATUSES = ("converged", "max_steps", "diverged", "stopped")
STEP_COLUMNS = ("step", "loss", "grad_norm", "learning_rate")
EPOCH_COLUMNS = ("epoch", "epoch_step", "epoch_loss", "epoch_full_loss", "epoch_val_loss")
HUGE_PAGE = 2**21  # bytes: from here a Recorder's segment is memory without huge pages


@dataclass(frozen=True)
class History:
    """Per-step (and, for fit, per-epoch) arrays of a run.

    Step level: step, loss, grad_norm, learning_rate — all of one length — and x, the
    trajectory of shape (rows, *x0.shape) when recorded.  Epoch level (fit only): epoch,
    epoch_step (updates made by the end of the epoch), epoch_loss (mean of the batch losses seen
    during the epoch, each computed before its update), epoch_full_loss (loss on all the data at
    the end of the epoch, when asked) and epoch_val_loss (on validation data, when given).
    """

    step: NDArray[np.int64]
    loss: NDArray[np.float64]
    grad_norm: NDArray[np.float64]
    learning_rate: NDArray[np.float64]
    x: NDArray[np.floating] | None = None
    epoch: NDArray[np.int64] | None = None
    epoch_step: NDArray[np.int64] | None = None
    epoch_loss: NDArray[np.float64] | None = None
    epoch_full_loss: NDArray[np.float64] | None = None
    epoch_val_loss: NDArray[np.float64] | None = None

    def __len__(self) -> int:
        return len(self.step)

    def to_dict(self) -> dict[str, list[Any]]:
        """Plain lists (JSON-ready); arrays that were not recorded are left out."""
        return {
            f.name: getattr(self, f.name).tolist()
            for f in fields(self)
            if getattr(self, f.name) is not None
        }

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The dict as JSON (non-finite numbers as null), written atomically to path if given."""
        text = json.dumps(_finite_or_none(self.to_dict()))
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_csv(self, path: str | os.PathLike[str] | None = None, *, level: str = "step") -> str:
        """A tidy table, one row per step (`level="step"`, with x_0…x_{n−1} when recorded) or per
        epoch (`level="epoch"`); returned as text and written atomically to path when given."""
        if level == "step":
            columns = {name: getattr(self, name) for name in STEP_COLUMNS}
            if self.x is not None:
                flat = self.x.reshape(len(self.x), -1)
                columns.update({f"x_{i}": flat[:, i] for i in range(flat.shape[1])})
        elif level == "epoch":
            if self.epoch is None:
                raise ValueError(
                    "this history has no epoch-level arrays (it comes from minimize, not fit)"
                )
            columns = {
                name: getattr(self, name)
                for name in EPOCH_COLUMNS
                if getattr(self, name) is not None
            }
        else:
            raise ValueError(f"level must be 'step' or 'epoch', got {level!r}")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(zip(*(column.tolist() for column in columns.values()), strict=True))
        text = buffer.getvalue()
        if path is not None:
            write_text_atomic(path, text)
        return text


@dataclass(frozen=True)
class Result:
    """The outcome of `minimize` or `fit`.

    x: the final parameters (always finite: after a divergence, the last finite point);
    fun: the loss there; nit: the number of updates made to reach x; status: "converged" (a
    criterion the caller gave was met), "max_steps", "diverged" or "stopped" (by a callback);
    message: a sentence that says why; history: the History; gradient: "analytic" or
    "central differences".
    """

    x: NDArray[np.floating]
    fun: float
    nit: int
    status: str
    message: str
    history: History
    gradient: str = "analytic"
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary with the history."""
        return _finite_or_none(
            {
                "x": np.asarray(self.x).tolist(),
                "fun": self.fun,
                "nit": self.nit,
                "status": self.status,
                "message": self.message,
                "gradient": self.gradient,
                "info": self.info,
                "history": self.history.to_dict(),
            }
        )


def _finite_or_none(value: Any) -> Any:
    """Replace non-finite floats by None so that the output is strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(item) for item in value]
    return value


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically (see write_bytes_atomic)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it over `path`.

    A reader sees the old file or the new one, never a half-written one.  The new file gets the
    mode an ordinary `open(path, "w")` would give it (0o666 less the umask), not mkstemp's 0o600.
    """
    target = Path(path)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class Recorder:
    """Collects step rows while a run goes; `history()` freezes them.

    Rows go into segments that are never copied while the run goes: when one is full, the
    next holds at least as many rows as all before it (so a run of n rows has O(log n)
    segments and at most ~2n rows of room).  A compiled loop writes into `reserve`'s views,
    which are always one segment's rows.
    """

    def __init__(
        self, x_shape: tuple[int, ...] | None, x_dtype: np.dtype[Any], capacity: int = 256
    ) -> None:
        self.rows = 0
        self.x_shape = x_shape
        self.x_dtype = x_dtype
        self._segments: list[_Segment] = []
        self._open(max(capacity, 1))

    def record(self, loss: float, grad_norm: float, learning_rate: float, x: NDArray[Any]) -> None:
        """Append one row: f(x_k), ‖∇f(x_k)‖, α_k and (when recorded) x_k."""
        segment = self._segments[-1]
        if segment.used == len(segment.columns):
            segment = self._open(max(self.rows, 1))
        row = segment.used
        segment.columns[row] = (loss, grad_norm, learning_rate)
        if segment.x is not None:
            segment.x[row] = x
        segment.used = row + 1
        self.rows += 1

    def reserve(self, count: int) -> tuple[NDArray[np.float64], NDArray[Any] | None]:
        """Room for `count` more rows, for a compiled loop to fill: views of the next rows of
        the columns (loss, grad_norm, learning_rate) and of x (None when not recorded).
        The rows count once `commit` says how many were written."""
        segment = self._segments[-1]
        if segment.room < count:
            segment = self._open(max(count, self.rows))
        end = segment.used + count
        x = None if segment.x is None else segment.x[segment.used : end]
        return segment.columns[segment.used : end], x

    def commit(self, count: int) -> None:
        """Keep the first `count` rows written into the views `reserve` gave."""
        segment = self._segments[-1]
        if not 0 <= count <= segment.room:
            raise ValueError(f"count must be in [0, {segment.room}], got {count}")
        segment.used += count
        self.rows += count

    def steps(self) -> NDArray[np.float64]:
        """The rows so far, (rows, 3): loss, grad_norm, learning_rate (a copy)."""
        return _joined([segment.columns[: segment.used] for segment in self._segments])

    def path(self) -> NDArray[Any] | None:
        """The recorded points so far, (rows, *x_shape) (a copy), or None when not recorded."""
        if self.x_shape is None:
            return None
        return _joined([segment.x[: segment.used] for segment in self._segments])  # type: ignore[index]

    def history(self, **epoch_arrays: NDArray[Any] | None) -> History:
        """The rows recorded so far, as a frozen History (copies, not views)."""
        parts = [segment.columns[: segment.used] for segment in self._segments]
        loss, grad_norm, learning_rate = (_joined([part[:, k] for part in parts]) for k in range(3))
        return History(
            step=np.arange(self.rows, dtype=np.int64),
            loss=loss,
            grad_norm=grad_norm,
            learning_rate=learning_rate,
            x=self.path(),
            **epoch_arrays,
        )

    def _open(self, capacity: int) -> _Segment:
        x = None if self.x_shape is None else _rows((capacity, *self.x_shape), self.x_dtype)
        segment = _Segment(_rows((capacity, 3), np.dtype(np.float64)), x)
        self._segments.append(segment)
        return segment


@dataclass(eq=False)
class _Segment:
    """Rows of a Recorder: `used` of them written and kept."""

    columns: NDArray[np.float64]
    x: NDArray[Any] | None
    used: int = 0

    @property
    def room(self) -> int:
        return len(self.columns) - self.used


def _rows(shape: tuple[int, ...], dtype: np.dtype[Any]) -> NDArray[Any]:
    """np.empty(shape, dtype) — from HUGE_PAGE bytes on, where the system has madvise, in
    memory that asks for no transparent huge pages.  Rows are written once, in order: huge
    pages buy them nothing, and a fault of one may compact memory first (Linux's THP "defrag"
    for memory that NumPy advises huge, as it advises every large array).  Measured on a
    per-sample epoch of 10⁶ rows: 85–95 ms with these segments, 160–180 ms in runs where the
    kernel compacted (0.7 s of system time in five epochs)."""
    size = int(np.prod(shape)) * dtype.itemsize
    advice = getattr(mmap, "MADV_NOHUGEPAGE", None)
    if advice is None or size < HUGE_PAGE:
        return np.empty(shape, dtype)
    memory = mmap.mmap(-1, size)
    memory.madvise(advice)
    return np.frombuffer(memory, dtype).reshape(shape)


def _joined(parts: list[NDArray[Any]]) -> NDArray[Any]:
    """One new array of the parts, in order (a copy even of a single part)."""
    return np.concatenate(parts) if len(parts) > 1 else parts[0].copy()

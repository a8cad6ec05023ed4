"""The user's files: a Dataset from a CSV or Parquet table (pandas is imported when used)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gdlab.data.dataset import TASKS, Array, Dataset

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")


def read_table(
    path: str | Path,
    target: str,
    features: Sequence[str] | None = None,
    *,
    task: str = "regression",
) -> Dataset:
    """A Dataset from a CSV or Parquet file: `target` is y, `features` (default: the rest) X.

    Reads only (the file is never written).  Every problem is a ValueError naming it and
    listing the columns: a missing file, an unknown extension, a missing or non-numeric column,
    NaN/inf or empty cells, no rows; for task="classification" y must hold integers 0..K−1.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    path = Path(path)
    frame = _read_frame(path)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    listing = f"available columns: {', '.join(columns) or '(none)'}"
    chosen = [c for c in columns if c != target] if features is None else [str(c) for c in features]
    missing = [c for c in [target, *chosen] if c not in columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found in {path.name}; {listing}")
    if target in chosen or not chosen:
        raise ValueError(f"features must be other columns than the target {target!r}; {listing}")
    if len(frame) == 0:
        raise ValueError(f"{path.name} has no rows; {listing}")
    X = _numeric_columns(frame, chosen, path.name, listing)
    y = _numeric_columns(frame, [target], path.name, listing)[:, 0]
    if task == "classification":
        if np.any((y != np.round(y)) | (y < 0)):
            raise ValueError(f"target {target!r} must hold class labels 0..K-1 for classification")
        y = y.astype(np.int64)
    return Dataset(
        X=X,
        y=y,
        name=path.stem,
        feature_names=tuple(chosen),
        target_name=target,
        task=task,
        description=f"{path.name}: {len(frame)} rows, target {target!r}",
    )


def _read_frame(path: Path) -> Any:
    """The file as a pandas DataFrame (pandas and pyarrow are imported here, when needed)."""
    if not path.exists():
        raise ValueError(f"no such file: {path}")
    if not path.is_file():
        raise ValueError(f"not a file: {path}")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ValueError(
            f"unknown file type {suffix or '(none)'!r} for {path.name}; "
            f"read_table reads {', '.join(TABLE_SUFFIXES)}"
        )
    import pandas as pd

    try:
        return pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path.name} is empty (no header, no rows)") from None
    except (ValueError, OSError) as error:
        raise ValueError(f"could not read {path.name} as {suffix[1:]}: {error}") from None


def _numeric_columns(frame: Any, chosen: list[str], file: str, listing: str) -> Array:
    """frame[chosen] as float64, after checking every column is numeric and finite."""
    from pandas.api.types import is_numeric_dtype

    bad = [f"{c!r} ({frame[c].dtype})" for c in chosen if not is_numeric_dtype(frame[c].dtype)]
    if bad:
        raise ValueError(f"non-numeric column(s) in {file}: {', '.join(bad)}; {listing}")
    array = frame[chosen].to_numpy(dtype=np.float64, na_value=np.nan)
    counts = (~np.isfinite(array)).sum(axis=0)
    broken = [f"{c!r} ({n} rows)" for c, n in zip(chosen, counts, strict=True) if n]
    if broken:
        raise ValueError(f"NaN, inf or empty cells in {file}, column(s) {', '.join(broken)}")
    return array

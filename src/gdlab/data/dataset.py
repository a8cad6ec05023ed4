"""The Dataset every loader returns: X, y and what they mean (names, task, truth)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from numpy.typing import NDArray

Array = NDArray[Any]
TASKS = ("regression", "classification")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A data set: X (n_samples, n_features), y (n_samples,), and what they mean."""

    X: Array
    y: Array
    name: str
    feature_names: tuple[str, ...]
    target_name: str = "y"
    task: str = "regression"
    truth: dict[str, Any] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        if self.X.ndim != 2 or len(self.y) != len(self.X):
            raise ValueError(f"X must be (n, d) and y (n,), got {self.X.shape} and {self.y.shape}")
        if len(self.feature_names) != self.X.shape[1]:
            raise ValueError(
                f"{len(self.feature_names)} feature names for {self.X.shape[1]} columns of X"
            )

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

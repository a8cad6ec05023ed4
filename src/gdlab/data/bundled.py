"""Data sets by name: the seeds', the synthetic ones and scikit-learn's bundled ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gdlab.data.dataset import Dataset
from gdlab.data.seeds import seed000, seed002
from gdlab.data.synthetic import make_blobs, make_classification, make_linear, make_polynomial

BUNDLED = ("diabetes", "breast_cancer", "iris", "wine", "digits")


def _makers() -> dict[str, Callable[..., Dataset]]:
    return {
        "seed000": seed000,
        "seed002": seed002,
        "linear": make_linear,
        "polynomial": make_polynomial,
        "blobs": make_blobs,
        "classification": make_classification,
    }


def names() -> tuple[str, ...]:
    """Every name `load` knows: the seeds', the synthetic ones, scikit-learn's bundled ones."""
    return (*_makers(), *BUNDLED)


def load(name: str, **options: Any) -> Dataset:
    """A data set by name; options go to the synthetic makers (e.g. load("linear", seed=1))."""
    makers = _makers()
    if name in makers:
        return makers[name](**options)
    if name not in BUNDLED:
        raise ValueError(f"unknown data set {name!r}; known: {', '.join(names())}")
    if options:
        raise ValueError(f"{name!r} is a bundled data set and takes no options, got {options}")
    return _bundled(name)


def _bundled(name: str) -> Dataset:
    """scikit-learn's copy on disk (nothing downloads), as scikit-learn ships it."""
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    regression = name == "diabetes"
    title = next(line for line in bunch.DESCR.splitlines() if line and not line.startswith(".."))
    classes = "" if regression else f"; classes: {', '.join(map(str, bunch.target_names))}"
    return Dataset(
        X=np.asarray(bunch.data, dtype=np.float64),
        y=np.asarray(bunch.target, dtype=np.float64 if regression else np.int64),
        name=name,
        feature_names=tuple(str(f) for f in bunch.feature_names),
        target_name="progression" if regression else "class",
        task="regression" if regression else "classification",
        description=f"{title.strip()} (scikit-learn){classes}",
    )

"""Data sets for `gd.fit`: the seeds' data, seeded synthetic problems with a known truth,
scikit-learn's bundled sets, the user's CSV and Parquet files, and standardisation.

Every loader returns a frozen `Dataset(X, y, name, feature_names, target_name, task, truth,
description)`; X is 2-D float, y float (regression) or int64 labels 0..K−1 (classification);
`truth`, where known, is in the layout of the model that generated the data, e.g.
`{"coef": ..., "intercept": ...}` as `model.views(params)` names them.

The modules: `dataset` (Dataset), `seeds`, `synthetic` (make_*), `bundled` (names, load and
scikit-learn's sets), `files` (read_table), `scaling` (standardize, Standardizer), `ondisk`
(BlockArray: .npy, Zarr and Parquet read block by block, for `gd.fit` out of core).

>>> ds = seed002()
>>> ds.X.tolist(), ds.y.tolist()
([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0]], [2.0, 4.0, 6.0, 8.0])
>>> names()[:2]
('seed000', 'seed002')
"""

from __future__ import annotations

# Array, TASKS and TABLE_SUFFIXES stay importable from here (the `X as X` form re-exports them).
from gdlab.data.bundled import BUNDLED, load, names
from gdlab.data.dataset import TASKS as TASKS
from gdlab.data.dataset import Array as Array
from gdlab.data.dataset import Dataset
from gdlab.data.files import TABLE_SUFFIXES as TABLE_SUFFIXES
from gdlab.data.files import read_table
from gdlab.data.ondisk import BlockArray, in_blocks, open_npy, open_parquet, open_zarr
from gdlab.data.scaling import Standardizer, standardize
from gdlab.data.seeds import seed000, seed002
from gdlab.data.synthetic import make_blobs, make_classification, make_linear, make_polynomial

__all__ = [
    "BUNDLED",
    "BlockArray",
    "Dataset",
    "Standardizer",
    "in_blocks",
    "load",
    "make_blobs",
    "make_classification",
    "make_linear",
    "make_polynomial",
    "names",
    "open_npy",
    "open_parquet",
    "open_zarr",
    "read_table",
    "seed000",
    "seed002",
    "standardize",
]

"""gdlab.data.dataset: a Dataset checks itself."""

from __future__ import annotations

import numpy as np
import pytest

from gdlab import data


def test_dataset_checks_itself():
    with pytest.raises(ValueError, match=r"task must be one of"):
        data.Dataset(np.zeros((2, 1)), np.zeros(2), "d", ("x",), task="ranking")
    with pytest.raises(ValueError, match=r"X must be \(n, d\) and y \(n,\)"):
        data.Dataset(np.zeros((2, 1)), np.zeros(3), "d", ("x",))
    with pytest.raises(ValueError, match=r"1 feature names for 2 columns"):
        data.Dataset(np.zeros((2, 2)), np.zeros(2), "d", ("x",))
    ds = data.seed002()
    assert (ds.n_samples, ds.n_features) == (4, 2)

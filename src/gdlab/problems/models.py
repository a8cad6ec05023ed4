"""Models with analytic, vectorised batch gradients — what `gd.fit` trains (seeds 000, 001, 002).

The contract (every model here keeps it; `gd.fit` relies on nothing else):

    X, y = model.validate(X, y)          # clean arrays, or a ValueError naming the problem
    k = model.n_outputs_for(y)           # output units the data needs (columns, classes)
    params = model.init(n_features, n_outputs=k, seed=0)     # or rng=Generator, or start=...
    loss, grads = model.value_and_grad(params, X_batch, y_batch)
    model.predict(params, X);  model.views(params)["coef"];  model.n_params(n_features, k)

* `params` is ONE flat float array; `views(params)` returns named views into it, in layout
  order, each part C-ordered (writing to a view writes to params).  `init(..., start=...)` sets
  explicit values: a scalar (``start=0.0``, seed 002's θ = 0), a flat sequence (seed 000's
  ``start=[1, 0, -1]``) or a dict by part name.  Random starts are seeded (`seed`, or `rng`, a
  `numpy.random.Generator`, which then wins); linear models draw weights ~ N(0, 0.01²), the MLP
  Xavier-uniform (tanh/sigmoid) or He-normal (relu); intercepts and biases start at 0.
* loss is the mean over the batch, L = (1/b)·Σᵢ ℓᵢ, b = len(X_batch) — a last partial batch is
  averaged over its true size — and grads has the shape and dtype of params.
* L2: L += l2·½‖W‖² over weights only, never intercepts or biases; ∇W += l2·W.  The penalty is
  added once per batch (not scaled by b), so it means the same at every batch size.
* dtype: computed in result_type(params, X); float32 data with float32 params stays float32.
* value_and_grad checks shapes only (O(1)); call `validate` once on the whole data set.

The code: `model` (the base Model), `linear` (the four linear models), `mlp`, `losses` (the
heads and sigmoid/log_softmax), `validation` (the checks); this module gathers the public names.

>>> model = PolynomialRegression(2)                  # seed 000: w1·x² + w2·x + w3
>>> params = model.init(1, start=[1, 0, -1])
>>> loss, grads = model.value_and_grad(params, [0.5], [6.0])    # ℓ = (ŷ − y)², ŷ = −0.75
>>> loss, grads.tolist()                             # 2(ŷ − y)·(x², x, 1)
(45.5625, [-3.375, -6.75, -13.5])
"""

from __future__ import annotations

# INIT_SCALE, Array and Shapes stay importable from here (the `X as X` form re-exports them).
from gdlab.problems.linear import INIT_SCALE as INIT_SCALE
from gdlab.problems.linear import (
    LinearRegression,
    LogisticRegression,
    PolynomialRegression,
    SoftmaxRegression,
)
from gdlab.problems.losses import LOSSES, log_softmax, sigmoid
from gdlab.problems.mlp import ACTIVATIONS, MLP, OUTPUTS
from gdlab.problems.model import Model
from gdlab.problems.model import Shapes as Shapes
from gdlab.problems.validation import Array as Array

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "OUTPUTS",
    "LinearRegression",
    "LogisticRegression",
    "Model",
    "PolynomialRegression",
    "SoftmaxRegression",
    "log_softmax",
    "sigmoid",
]

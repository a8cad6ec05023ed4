"""The base `Model`: one flat parameter array, its named views, init, validation, L2.

A subclass gives the parts' shapes (`_shapes`), which parts are weights, how weights are drawn
and the maths (`_loss_and_grads`); the layout, `init`, `views`, `validate`, `value_and_grad`
and the L2 penalty are written once here.  The contract is in `gdlab.problems.models`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from gdlab.problems.validation import (
    Array,
    check_batch,
    check_count,
    check_numeric,
    check_params,
)

Shapes = list[tuple[str, tuple[int, ...]]]


def _solve(size: int, count: Any) -> int | None:
    """The t >= 1 with count(t) == size, for count affine in t (None when there is none)."""
    base = count(0)
    slope = count(1) - base
    if slope <= 0 or size < base + slope or (size - base) % slope:
        return None
    return (size - base) // slope


def _split(flat: Array, shapes: Shapes) -> dict[str, Array]:
    """Named views into one flat array: flat[a:b].reshape(shape), part after part."""
    parts, start = {}, 0
    for name, shape in shapes:
        stop = start + math.prod(shape)
        parts[name] = flat[start:stop].reshape(shape)
        start = stop
    return parts


def _fill(parts: dict[str, Array], flat: Array, start: Any) -> None:
    """Write explicit start values: a scalar, a flat sequence, or a dict by part name."""
    if isinstance(start, dict):
        if set(start) != set(parts):
            raise ValueError(f"start must name exactly the parts {list(parts)}, got {list(start)}")
        for name, value in start.items():
            try:
                parts[name][...] = np.broadcast_to(
                    np.asarray(value, dtype=float), parts[name].shape
                )
            except ValueError:
                shape = np.shape(value)
                raise ValueError(
                    f"start[{name!r}] has shape {shape}, needs {parts[name].shape}"
                ) from None
    else:
        values = np.asarray(start, dtype=float)
        if values.ndim > 1 or (values.ndim == 1 and values.size != flat.size):
            raise ValueError(
                f"start must be a scalar or {flat.size} values, got shape {values.shape}"
            )
        flat[...] = values
    if not np.all(np.isfinite(flat)):
        raise ValueError("start contains NaN or inf")


@dataclass(frozen=True, kw_only=True)
class Model:
    """Layout, init, views and validation; a subclass gives the shapes and the maths."""

    l2: float = 0.0

    @property
    def task(self) -> str:
        """ "regression" or "classification"."""
        return "regression"

    def __post_init__(self) -> None:
        l2 = self.l2
        if (
            isinstance(l2, bool)
            or not isinstance(l2, (int, float, np.floating))
            or not (math.isfinite(l2) and l2 >= 0)
        ):
            raise ValueError(f"l2 must be a finite number >= 0, got {l2!r}")

    # -- what a subclass provides --------------------------------------------------------
    def _shapes(self, n_features: int, n_outputs: int) -> Shapes:
        raise NotImplementedError

    def _fixed_outputs(self) -> int | None:
        """The output count the configuration fixes (None: the data decides)."""
        return 1

    def _is_weight(self, name: str) -> bool:
        raise NotImplementedError

    def _draw(self, rng: np.random.Generator, name: str, shape: tuple[int, ...]) -> Array:
        raise NotImplementedError

    def _loss_and_grads(
        self, parts: dict[str, Array], X: Array, y: Array, grads: dict[str, Array]
    ) -> float:
        raise NotImplementedError

    def _check_y(self, y: ArrayLike, n_samples: int) -> Array:
        raise NotImplementedError

    def design_matrix(self, X: Array) -> Array:
        """The design matrix the parameters multiply (the identity but for polynomials)."""
        return X

    def _check_X(self, X: ArrayLike) -> Array:
        X = check_numeric("X", X)
        if X.ndim != 2:
            raise ValueError(
                f"X must be 2-D (n_samples, n_features), got shape {X.shape}; "
                "use X.reshape(-1, 1) for a single feature"
            )
        return X

    # -- the contract ----------------------------------------------------------------------
    def validate(self, X: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
        """Check a whole data set once: (X float 2-D, y) or ValueError naming the problem."""
        X = self._check_X(X)
        return X, self._check_y(y, len(X))

    def n_outputs_for(self, y: ArrayLike) -> int:
        """The number of output units a validated target y needs."""
        return self._resolve_outputs(None)

    def n_params(self, n_features: int, n_outputs: int | None = None) -> int:
        """The length of the flat parameter array."""
        return self._count(self._check_features(n_features), self._resolve_outputs(n_outputs))

    def init(
        self,
        n_features: int,
        *,
        n_outputs: int | None = None,
        seed: int = 0,
        rng: np.random.Generator | None = None,
        start: Any = None,
        dtype: DTypeLike = np.float64,
    ) -> Array:
        """A fresh flat parameter array: explicit (`start`) or seeded (`rng` wins over `seed`)."""
        d, k = self._check_features(n_features), self._resolve_outputs(n_outputs)
        kind = np.dtype(dtype)
        if kind.kind != "f":
            raise ValueError(f"dtype must be a floating type, got {kind}")
        shapes = self._shapes(d, k)
        params = np.zeros(self._count(d, k), dtype=kind)
        parts = _split(params, shapes)
        if start is not None:
            _fill(parts, params, start)
            return params
        rng = rng if rng is not None else np.random.default_rng(seed)
        for name, shape in shapes:
            if self._is_weight(name):
                parts[name][...] = self._draw(rng, name, shape)
        return params

    def views(self, params: ArrayLike, n_features: int | None = None) -> dict[str, Array]:
        """Named views into params; n_features is needed only when the classes are not fixed."""
        params = check_params(params)
        return _split(params, self._shapes(*self._layout(params.size, n_features)))

    def value_and_grad(self, params: ArrayLike, X: ArrayLike, y: ArrayLike) -> tuple[float, Array]:
        """(L, ∇L): the mean loss over the batch plus the L2 penalty, and its exact gradient."""
        params = check_params(params)
        X, y = check_batch(X, y)
        shapes = self._shapes(*self._layout(params.size, X.shape[1]))
        grads = np.zeros_like(params)
        parts, grad_parts = _split(params, shapes), _split(grads, shapes)
        X = X.astype(np.result_type(params, X), copy=False)
        loss = self._loss_and_grads(parts, self.design_matrix(X), y, grad_parts)
        return loss + self._penalty(parts, grad_parts), grads

    # -- shared machinery --------------------------------------------------------------------
    def _count(self, n_features: int, n_outputs: int) -> int:
        return sum(math.prod(shape) for _, shape in self._shapes(n_features, n_outputs))

    def _check_features(self, n_features: int) -> int:
        return check_count("n_features", n_features)

    def _resolve_outputs(self, n_outputs: int | None) -> int:
        fixed = self._fixed_outputs()
        if fixed is not None:
            if n_outputs is not None and n_outputs != fixed:
                raise ValueError(f"n_outputs={n_outputs!r} contradicts {self!r}, which has {fixed}")
            return fixed
        if n_outputs is None:
            raise ValueError(f"{self!r} needs n_outputs (the number of classes)")
        return check_count("n_outputs", n_outputs, 2)

    def _layout(self, size: int, n_features: int | None) -> tuple[int, int]:
        """(n_features, n_outputs) of a params array of this size."""
        d, k = n_features, self._fixed_outputs()
        if d is None and k is None:
            raise ValueError(f"{self!r} cannot split {size} values alone; pass n_features")
        if k is None and d is not None:
            known = d
            k = _solve(size, lambda t: self._count(known, t))
        elif d is None and k is not None:
            known = k
            d = _solve(size, lambda t: self._count(t, known))
        if d is None or k is None or self._count(d, k) != size:
            need = "" if d is None or k is None else f" (needs {self._count(d, k)})"
            raise ValueError(
                f"params has {size} values, which does not fit {self!r} with "
                f"n_features={d if d is not None else n_features}, n_outputs={k}{need}"
            )
        return d, k

    def _penalty(self, parts: dict[str, Array], grads: dict[str, Array]) -> float:
        """l2·½‖W‖² over the weights, and ∇W += l2·W (intercepts and biases are free)."""
        if not self.l2:
            return 0.0
        total = 0.0
        for name, weights in parts.items():
            if self._is_weight(name):
                total += float(np.sum(weights * weights))
                grads[name] += self.l2 * weights
        return 0.5 * self.l2 * total

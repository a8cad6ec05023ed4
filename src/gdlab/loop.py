"""The driving loop: `minimize` (layer L3).

    for k = 0, 1, …, steps:
        evaluate f(x_k), ∇f(x_k); record; stop if a criterion is met or the run diverges
        x_{k+1} = x_k + update(∇f(x_k))          (update = −α·… from the optimizer)

Exactly `steps` updates are made unless a criterion the caller gave stops the run earlier:
`target` (f(x_k) ≤ target), `xtol` (‖x_k − x_{k−1}‖₂ ≤ xtol, seed 000's "until x no longer
changes") or `gtol` (‖∇f(x_k)‖₂ ≤ gtol).  A run diverges when the loss, the gradient or the
parameters stop being finite, or when the loss grows past f(x0) + 10¹⁰·max(1, |f(x0)|): it stops
with status "diverged", a message naming the step and the learning rate, and the last finite
point as its result — never a silent NaN.

Large parameter arrays (x.size ≥ kernels.FUSED_FROM) take the fused path when the optimizer
can be fused (every link a Rule): the update is one compiled pass written into a second
buffer, and the two buffers swap — no array is allocated per step, the last finite point is
kept, and the numbers are the reference path's, bit for bit.  On that path `StepInfo.x` and
the slot arrays in `StepInfo.state` are live buffers that later updates overwrite (copy what a
callback keeps), and xtol measures ‖x_{k+1} − x_k‖ from the points (equal to ‖update‖ up to
rounding).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from gdlab import kernels
from gdlab.base import Array, Transform, check_bool, check_integer, check_range, check_real
from gdlab.gradcheck import central_difference
from gdlab.history import Recorder, Result

DIVERGENCE_FACTOR = 1e10

ValueAndGrad = Callable[[Array], tuple[float, Array]]


class StepInfo(NamedTuple):
    """What a callback sees at each evaluated point (before the update that leaves it)."""

    step: int
    x: Array
    loss: float
    grad: Array
    learning_rate: float
    state: Any


def minimize(
    fun: Any,
    x0: Any,
    *,
    grad: Callable[[Array], Array] | bool | None = None,
    optimizer: Transform,
    steps: int = 1000,
    target: float | None = None,
    xtol: float | None = None,
    gtol: float | None = None,
    callback: Callable[[StepInfo], Any] | None = None,
    record_path: bool = True,
) -> Result:
    """Minimize `fun` from `x0` with `optimizer`, making exactly `steps` updates unless stopped.

    Args:
        fun: an objective with `value_and_grad(x)` (a Problem), or a callable x -> f(x).
        x0: start point; float32 stays float32, float64 stays float64, integers and bools become
            float64, a scalar becomes shape (1,).
        grad: ∇f as a callable; `True` when `fun` returns (f, ∇f); None for a Problem's own
            gradient or, for a plain callable, central differences (the Result says which).
        optimizer: a Transform such as `gd.adam(0.01)`.
        steps: the update budget (≥ 0).
        target, xtol, gtol: optional stopping criteria (see the module docstring).
        callback: called with a StepInfo at every evaluated point; a truthy return stops the run
            with status "stopped".
        record_path: keep the trajectory x_0…x_nit in `history.x`.

    >>> import gdlab as gd
    >>> result = gd.minimize(lambda x: float(x @ x), [1.0, -2.0], grad=lambda x: 2 * x,
    ...                      optimizer=gd.sgd(0.25), steps=10)
    >>> result.status, result.nit, result.x.tolist()
    ('max_steps', 10, [0.0009765625, -0.001953125])
    """
    if not isinstance(optimizer, Transform):
        kind = type(optimizer).__name__
        raise TypeError(f"optimizer must be a gdlab Transform (e.g. gd.adam(0.01)), got {kind}")
    steps = check_integer("steps", steps, 0)
    target = None if target is None else check_real("target", target)
    xtol = None if xtol is None else check_range("xtol", xtol, 0.0)
    gtol = None if gtol is None else check_range("gtol", gtol, 0.0)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    record_path = check_bool("record_path", record_path)
    objective, gradient = _objective(fun, grad)
    x = initial_point(x0)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence is detected
        return _run(
            objective, gradient, x, optimizer, steps, target, xtol, gtol, callback, record_path
        )


def _run(
    objective: ValueAndGrad,
    gradient: str,
    x: Array,
    optimizer: Transform,
    steps: int,
    target: float | None,
    xtol: float | None,
    gtol: float | None,
    callback: Callable[[StepInfo], Any] | None,
    record_path: bool,
) -> Result:
    state = optimizer.init(x)
    fused = _fused(optimizer, x)
    spare = x if fused is None else np.empty_like(x)  # the fused path's second buffer
    recorder = Recorder(x.shape if record_path else None, x.dtype, capacity=min(steps + 1, 4096))
    bound = math.inf
    moved = math.inf
    x_last, loss_last = x, math.nan
    for count in range(steps + 1):
        loss, g = objective(x)
        grad_norm = norm(g)
        learning_rate = optimizer.current_learning_rate(count)
        problem = divergence(loss, grad_norm, bound)
        if problem is not None:
            if count == 0:
                raise ValueError(f"cannot start from x0: {problem}")
            return _diverged(x_last, loss_last, recorder, gradient, count, problem, optimizer)
        if count == 0:
            bound = loss + DIVERGENCE_FACTOR * max(1.0, abs(loss))
        recorder.record(loss, grad_norm, learning_rate, x)
        x_last, loss_last = x, loss
        status, message = _criterion(count, loss, grad_norm, moved, target, xtol, gtol)
        info = StepInfo(count, x, loss, g, learning_rate, state)
        if status is None and callback is not None and callback(info):
            status, message = "stopped", f"stopped by the callback at step {count}"
        if status is None and count == steps:
            status, message = "max_steps", f"made all {steps} updates"
        if status is not None:
            return Result(x, loss, count, status, message, recorder.history(), gradient)
        if fused is None:
            updates, state = optimizer.update(g, state, x)
            x = x + updates
            finite = bool(np.isfinite(x).all())
            moved = norm(updates) if xtol is not None else moved
        else:
            state, finite = fused.step_into(x, np.ascontiguousarray(g), state, spare)
            x, spare = spare, x
            moved = kernels.distance(spare, x) if xtol is not None else moved
        if not finite:
            problem = "the parameters became non-finite"
            return _diverged(x_last, loss_last, recorder, gradient, count + 1, problem, optimizer)
    raise AssertionError("unreachable: the loop returns at count == steps")


def _fused(optimizer: Transform, x: Array) -> kernels.FusedOptimizer | None:
    """The fused step for large float32/float64 x when every link is a Rule, else None."""
    if x.size < kernels.FUSED_FROM or x.dtype not in (np.float32, np.float64):
        return None
    return kernels.fuse(optimizer)


def norm(v: Array) -> float:
    """‖v‖₂, without overflow for huge finite entries (inf only when an entry is not finite)."""
    squared = float(np.vdot(v, v))
    if math.isfinite(squared):
        return math.sqrt(squared)
    if not np.isfinite(v).all():
        return math.inf
    scale = float(np.abs(v).max())
    return scale * math.sqrt(float(np.vdot(v / scale, v / scale)))


def divergence(loss: float, grad_norm: float, bound: float) -> str | None:
    """Why the run has diverged at this point, or None."""
    if not math.isfinite(loss):
        return f"the loss is {loss}"
    if not math.isfinite(grad_norm):
        return "the gradient is not finite"
    if loss > bound:
        return f"the loss {loss:.6g} grew past the bound {bound:.6g}"
    return None


def _criterion(
    count: int,
    loss: float,
    grad_norm: float,
    moved: float,
    target: float | None,
    xtol: float | None,
    gtol: float | None,
) -> tuple[str | None, str]:
    if target is not None and loss <= target:
        return "converged", f"loss {loss:.6g} reached the target {target:g} at step {count}"
    if gtol is not None and grad_norm <= gtol:
        return "converged", f"gradient norm {grad_norm:.3g} fell to gtol {gtol:g} at step {count}"
    if xtol is not None and moved <= xtol:
        return "converged", f"step length {moved:.3g} fell to xtol {xtol:g} at step {count}"
    return None, ""


def _diverged(
    x: Array,
    loss: float,
    recorder: Recorder,
    gradient: str,
    count: int,
    problem: str,
    optimizer: Transform,
) -> Result:
    """Stop at the last finite point; the message names the step and the learning rate."""
    message = diverged_message(count, problem, optimizer.current_learning_rate(count - 1))
    return Result(x, loss, recorder.rows - 1, "diverged", message, recorder.history(), gradient)


def diverged_message(count: int, problem: str, learning_rate: float) -> str:
    """What a diverged run says: the step, the learning rate of the last update, the problem."""
    rate_text = "" if math.isnan(learning_rate) else f" with learning rate {learning_rate:g}"
    return f"diverged at step {count}{rate_text}: {problem}; try a smaller learning rate"


# ---------------------------------------------------------------- input checks


def initial_point(x0: Any) -> Array:
    """x0 as a fresh float array: float32/float64 kept, ints and bools → float64, scalar → (1,)."""
    try:
        x = np.array(x0)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"x0 must be an array of real numbers, got {type(x0).__name__}: {error}"
        ) from None
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    elif x.dtype == np.float16:
        x = x.astype(np.float32)
    elif x.dtype.kind != "f":
        raise TypeError(f"x0 must hold real numbers, got dtype {x.dtype}")
    if x.ndim == 0:
        x = x.reshape(1)
    if x.size == 0:
        raise ValueError("x0 must not be empty")
    if not np.isfinite(x).all():
        raise ValueError(
            f"x0 must be finite, got {x.tolist() if x.size <= 10 else 'non-finite values'}"
        )
    return x


def _objective(fun: Any, grad: Callable[[Array], Array] | bool | None) -> tuple[ValueAndGrad, str]:
    """Normalise the ways of giving f and ∇f into one value_and_grad(x) -> (float, array)."""
    if grad is None and hasattr(fun, "value_and_grad"):
        return _checked(fun.value_and_grad), "analytic"
    if not callable(fun):
        raise TypeError(f"fun must be callable or have value_and_grad, got {type(fun).__name__}")
    if grad is True:
        return _checked(fun), "analytic"
    if callable(grad):
        return _checked(lambda x: (fun(x), grad(x))), "analytic"
    if grad is None or grad is False:

        def value(x: Array) -> float:
            return _scalar(fun(x))

        return _checked(lambda x: (value(x), central_difference(value, x))), "central differences"
    raise TypeError(f"grad must be a callable, True or None, got {type(grad).__name__}")


def _checked(value_and_grad: Callable[[Array], tuple[Any, Any]]) -> ValueAndGrad:
    def evaluate(x: Array) -> tuple[float, Array]:
        loss, g = value_and_grad(x)
        return _scalar(loss), _gradient(g, x)

    return evaluate


def _scalar(loss: Any) -> float:
    value = np.asarray(loss)
    if value.size != 1:
        raise ValueError(f"fun must return a scalar, got an array of shape {value.shape}")
    if value.dtype.kind not in "biuf":
        raise TypeError(f"fun must return a real number, got dtype {value.dtype}")
    return float(value.reshape(()))


def _gradient(g: Any, x: Array) -> Array:
    g = np.asarray(g)
    if g.dtype.kind not in "biuf":
        raise TypeError(f"the gradient must be an array of real numbers, got {g.dtype} {g!r:.80}")
    g = g.astype(x.dtype, copy=False)
    if g.shape != x.shape:
        if g.size == x.size == 1:
            return g.reshape(x.shape)
        raise ValueError(f"the gradient has shape {g.shape}, but x has shape {x.shape}")
    return g

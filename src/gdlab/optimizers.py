"""The named optimizers: each a short recipe, a chain of transforms (layer L2).

Every recipe ends in `scale_by_learning_rate(α)`, where α is a float or a schedule of the update
count.  Where torch.optim has the same algorithm, the same hyper-parameters give the same
trajectory as torch.optim 2.13 (tests/reference/); `lion` follows optax.  Hyper-parameters are
checked when the optimizer is built: ValueError("beta1 must be in [0, 1), got 1.2").
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass

from gdlab.base import Schedule, Transform, chain, check_range
from gdlab.schedules import as_schedule
from gdlab.transforms import (
    add_decayed_weights,
    ema,
    scale_by_adadelta,
    scale_by_adam,
    scale_by_adamax,
    scale_by_learning_rate,
    scale_by_lion,
    scale_by_nadam,
    scale_by_radam,
    scale_by_rms,
    scale_by_rss,
    trace,
)

LearningRate = float | Schedule


def recipe(factory: Callable[..., Transform]) -> Callable[..., Transform]:
    """Name the chain a factory builds after the factory, with the call's hyper-parameters
    (defaults filled in), so that repr(gd.adam(0.01)) reads adam(learning_rate=0.01, …)."""
    signature = inspect.signature(factory)

    @functools.wraps(factory)
    def build(*args: object, **kwargs: object) -> Transform:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return factory(*args, **kwargs).named(factory.__name__, **bound.arguments)

    return build


def _recipe(*links: Transform | None) -> Transform:
    return chain(*(link for link in links if link is not None))


def _weight_decay(weight_decay: float) -> Transform | None:
    """Coupled weight decay u = g + λ·p; no link at all when λ = 0."""
    weight_decay = check_range("weight_decay", weight_decay, 0.0)
    return add_decayed_weights(weight_decay) if weight_decay else None


@recipe
def sgd(
    learning_rate: LearningRate,
    *,
    momentum: float = 0.0,
    dampening: float = 0.0,
    nesterov: bool = False,
    weight_decay: float = 0.0,
) -> Transform:
    """Stochastic gradient descent with torch.optim.SGD semantics.

        g ← g + λ·p;   b₁ = g₁,  b_t = μ·b_{t−1} + (1 − d)·g_t;   g ← g + μ·b (nesterov) or b
        x ← x − α·g

    With momentum = 0 it is plain gradient descent x ← x − α∇L(x) (seed 000).
    """
    momentum = check_range("momentum", momentum, 0.0)
    dampening = check_range("dampening", dampening, 0.0, 1.0, high_open=False)
    buffer = (
        trace(momentum, dampening=dampening, nesterov=nesterov) if momentum or nesterov else None
    )
    return _recipe(_weight_decay(weight_decay), buffer, scale_by_learning_rate(learning_rate))


@recipe
def momentum(learning_rate: LearningRate, *, beta: float = 0.9, debias: bool = False) -> Transform:
    """Gradient descent with momentum as the seeds write it (seed 001 §5).

        v ← β·v + (1 − β)·g   (an EWA of the gradients; v̂ = v/(1 − β^t) when debias)
        x ← x − α·v

    momentum(α, β) ≡ torch SGD(lr = α(1 − β), momentum = β, dampening = 0).
    """
    return chain(ema(beta, debias=debias), scale_by_learning_rate(learning_rate))


@dataclass(frozen=True)
class InverseTimeScaled:
    """α_t / (1 + t·k): torch Adagrad's lr_decay applied on top of any learning rate."""

    learning_rate: Schedule
    lr_decay: float

    def __call__(self, count: int) -> float:
        return self.learning_rate(count) / (1 + count * self.lr_decay)


@recipe
def adagrad(
    learning_rate: LearningRate,
    *,
    lr_decay: float = 0.0,
    initial_accumulator: float = 0.0,
    eps: float = 1e-10,
    weight_decay: float = 0.0,
) -> Transform:
    """AdaGrad (torch.optim.Adagrad): s ← s + g²;  x ← x − α/(1 + t·k) · g/(√s + ε)."""
    lr_decay = check_range("lr_decay", lr_decay, 0.0)
    schedule = as_schedule(learning_rate)
    rate = InverseTimeScaled(schedule, lr_decay) if lr_decay else schedule
    return _recipe(
        _weight_decay(weight_decay),
        scale_by_rss(initial_accumulator, eps),
        scale_by_learning_rate(rate),
    )


@recipe
def rmsprop(
    learning_rate: LearningRate,
    *,
    rho: float = 0.9,
    eps: float = 1e-8,
    centered: bool = False,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
) -> Transform:
    """RMSprop (seed 001 §6; torch.optim.RMSprop with alpha = rho).

        s ← ρ·s + (1 − ρ)·g²;   x ← x − α·g/(√s + ε)
    centered: s − m² in the root, m the EWA of g; momentum μ: b ← μ·b + g/(√s + ε), x ← x − α·b.
    """
    momentum = check_range("momentum", momentum, 0.0)
    return _recipe(
        _weight_decay(weight_decay),
        scale_by_rms(rho, eps, centered=centered),
        trace(momentum) if momentum else None,
        scale_by_learning_rate(learning_rate),
    )


@recipe
def adadelta(
    learning_rate: LearningRate = 1.0,
    *,
    rho: float = 0.9,
    eps: float = 1e-6,
    weight_decay: float = 0.0,
) -> Transform:
    """Adadelta (torch.optim.Adadelta): Δ = √(E[Δ²] + ε)/√(E[g²] + ε)·g;  x ← x − α·Δ."""
    return _recipe(
        _weight_decay(weight_decay),
        scale_by_adadelta(rho, eps),
        scale_by_learning_rate(learning_rate),
    )


@recipe
def adam(
    learning_rate: LearningRate,
    *,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    amsgrad: bool = False,
    bias_correction: bool = True,
    weight_decay: float = 0.0,
) -> Transform:
    """Adam (seed 001 §7; torch.optim.Adam): momentum and RMSprop, both EWAs, bias-corrected.

        m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
        m̂ = m/(1 − β1^t);   v̂ = v/(1 − β2^t);   x ← x − α·m̂/(√v̂ + ε)

    weight_decay is coupled (g ← g + λ·p, as torch Adam); amsgrad uses max(v) so far;
    bias_correction=False drops the hats (the seed's discussion of the early bias).
    """
    return _recipe(
        _weight_decay(weight_decay),
        scale_by_adam(beta1, beta2, eps, amsgrad=amsgrad, bias_correction=bias_correction),
        scale_by_learning_rate(learning_rate),
    )


@recipe
def adamw(
    learning_rate: LearningRate,
    *,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    amsgrad: bool = False,
    weight_decay: float = 0.01,
) -> Transform:
    """AdamW (torch.optim.AdamW): Adam with decoupled weight decay, x ← x − α·(m̂/(√v̂ + ε) + λ·x)."""
    weight_decay = check_range("weight_decay", weight_decay, 0.0)
    return _recipe(
        scale_by_adam(beta1, beta2, eps, amsgrad=amsgrad),
        add_decayed_weights(weight_decay) if weight_decay else None,
        scale_by_learning_rate(learning_rate),
    )


@recipe
def adamax(
    learning_rate: LearningRate,
    *,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> Transform:
    """AdaMax (torch.optim.Adamax): w ← max(β2·w, |g| + ε);  x ← x − α·m̂/w."""
    return _recipe(
        _weight_decay(weight_decay),
        scale_by_adamax(beta1, beta2, eps),
        scale_by_learning_rate(learning_rate),
    )


@recipe
def nadam(
    learning_rate: LearningRate,
    *,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    momentum_decay: float = 4e-3,
    weight_decay: float = 0.0,
) -> Transform:
    """NAdam (torch.optim.NAdam): Adam with Nesterov momentum and the μ_t momentum schedule."""
    return _recipe(
        _weight_decay(weight_decay),
        scale_by_nadam(beta1, beta2, eps, momentum_decay=momentum_decay),
        scale_by_learning_rate(learning_rate),
    )


@recipe
def radam(
    learning_rate: LearningRate,
    *,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> Transform:
    """RAdam (torch.optim.RAdam): Adam whose adaptive step is switched on, rectified, once the
    variance estimate is trustworthy (ρ_t > 5); before that, momentum SGD on m̂."""
    return _recipe(
        _weight_decay(weight_decay),
        scale_by_radam(beta1, beta2, eps),
        scale_by_learning_rate(learning_rate),
    )


@recipe
def lion(
    learning_rate: LearningRate,
    *,
    beta1: float = 0.9,
    beta2: float = 0.99,
    weight_decay: float = 0.0,
) -> Transform:
    """Lion (optax.lion): u = sign(β1·m + (1 − β1)·g) + λ·x;  x ← x − α·u.

    The momentum is an EWA with its own rate: m ← β2·m + (1 − β2)·g.
    """
    weight_decay = check_range("weight_decay", weight_decay, 0.0)
    return _recipe(
        scale_by_lion(beta1, beta2),
        add_decayed_weights(weight_decay) if weight_decay else None,
        scale_by_learning_rate(learning_rate),
    )

"""Transforms: the pieces every optimizer is a short chain of (layer L1).

Each elementwise transform is one `Rule` (see `gdlab.base`): a kernel written with arithmetic,
averaging only through `gdlab.averages` (ewa_step, accumulate, debias), and a coefficient
function of the update count t (0 for the first update).  g is the incoming gradient (or the
update of the previous link), p the parameters, u the outgoing update.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gdlab.averages import accumulate, bias_correction, debias, ewa_step
from gdlab.base import Rule, Schedule, Transform, check_bool, check_range, elementwise
from gdlab.schedules import as_schedule, constant

CLIP_EPSILON = 1e-6  # clip_by_global_norm: c / (‖g‖ + 10⁻⁶), as torch

# ---------------------------------------------------------------- kernels (one line of maths each)


def scale_kernel(g, p, factor):
    """u = c·g."""
    return (factor * g,)


def decayed_weights_kernel(g, p, weight_decay):
    """u = g + λ·p  (L2 / coupled weight decay)."""
    return (g + weight_decay * p,)


def trace_kernel(g, p, buffer, decay, weight):
    """b = μ·b + w·g;  u = b   (torch SGD: w = 1 on the first step, then 1 − dampening)."""
    buffer = accumulate(buffer, g, decay, weight)
    return buffer, buffer


def nesterov_kernel(g, p, buffer, decay, weight):
    """b = μ·b + w·g;  u = g + μ·b   (Nesterov look-ahead)."""
    buffer = accumulate(buffer, g, decay, weight)
    return g + decay * buffer, buffer


def ema_kernel(g, p, mu, beta, correction):
    """v = β·v + (1 − β)·g;  u = v / (1 − β^t)   (the seeds' momentum; correction 1 = none)."""
    mu = ewa_step(mu, g, beta)
    return debias(mu, correction), mu


def rms_kernel(g, p, nu, rho, eps):
    """s = ρ·s + (1 − ρ)·g²;  u = g / (√s + ε)   (RMSprop, ε outside the root as torch)."""
    nu = ewa_step(nu, g * g, rho)
    return g / (np.sqrt(nu) + eps), nu


def centered_rms_kernel(g, p, nu, mu, rho, eps):
    """s = ρ·s + (1 − ρ)·g²;  m = ρ·m + (1 − ρ)·g;  u = g / (√(s − m²) + ε)."""
    nu = ewa_step(nu, g * g, rho)
    mu = ewa_step(mu, g, rho)
    return g / (np.sqrt(nu - mu * mu) + eps), nu, mu


def rss_kernel(g, p, sum_of_squares, eps):
    """s = s + g²;  u = g / (√s + ε)   (AdaGrad)."""
    sum_of_squares = sum_of_squares + g * g
    return g / (np.sqrt(sum_of_squares) + eps), sum_of_squares


def adadelta_kernel(g, p, nu, delta_nu, rho, eps):
    """s = ρ·s + (1 − ρ)·g²;  Δ = √(d + ε)/√(s + ε)·g;  d = ρ·d + (1 − ρ)·Δ²;  u = Δ."""
    nu = ewa_step(nu, g * g, rho)
    delta = np.sqrt(delta_nu + eps) / np.sqrt(nu + eps) * g
    delta_nu = ewa_step(delta_nu, delta * delta, rho)
    return delta, nu, delta_nu


def adam_kernel(g, p, mu, nu, beta1, beta2, eps, correction1, correction2):
    """m = EWA_β1(g);  v = EWA_β2(g²);  u = m̂ / (√v̂ + ε)   (hats: bias-corrected)."""
    mu = ewa_step(mu, g, beta1)
    nu = ewa_step(nu, g * g, beta2)
    return debias(mu, correction1) / (np.sqrt(debias(nu, correction2)) + eps), mu, nu


def amsgrad_kernel(g, p, mu, nu, nu_max, beta1, beta2, eps, correction1, correction2):
    """As Adam, with v_max = max(v_max, v) in the denominator (AMSGrad)."""
    mu = ewa_step(mu, g, beta1)
    nu = ewa_step(nu, g * g, beta2)
    nu_max = np.maximum(nu_max, nu)
    return debias(mu, correction1) / (np.sqrt(debias(nu_max, correction2)) + eps), mu, nu, nu_max


def adamax_kernel(g, p, mu, nu_inf, beta1, beta2, eps, correction1):
    """m = EWA_β1(g);  w = max(β2·w, |g| + ε);  u = m̂ / w   (Adam in the ∞-norm)."""
    mu = ewa_step(mu, g, beta1)
    nu_inf = np.maximum(beta2 * nu_inf, np.abs(g) + eps)
    return debias(mu, correction1) / nu_inf, mu, nu_inf


def nadam_kernel(g, p, mu, nu, beta1, beta2, eps, correction2, gradient_weight, momentum_weight):
    """u = (a_t·g + b_t·m) / (√v̂ + ε), a_t = (1 − μ_t)/(1 − Πμ), b_t = μ_{t+1}/(1 − Πμ·μ_{t+1})."""
    mu = ewa_step(mu, g, beta1)
    nu = ewa_step(nu, g * g, beta2)
    denominator = np.sqrt(debias(nu, correction2)) + eps
    return (gradient_weight * g + momentum_weight * mu) / denominator, mu, nu


def radam_kernel(g, p, mu, nu, beta1, beta2, eps, correction1, root_correction2, rectifier, plain):
    """u = m̂·(r_t·√(1 − β2^t)/(√v + ε))  once ρ_t > 5, else u = m̂  (plain = 1, r_t = 0)."""
    mu = ewa_step(mu, g, beta1)
    nu = ewa_step(nu, g * g, beta2)
    adaptive = root_correction2 / (np.sqrt(nu) + eps)
    return debias(mu, correction1) * (rectifier * adaptive + plain), mu, nu


def lion_kernel(g, p, mu, beta1, beta2):
    """u = sign(β1·m + (1 − β1)·g);  m = β2·m + (1 − β2)·g   (optax scale_by_lion)."""
    direction = np.sign(ewa_step(mu, g, beta1))
    return direction, ewa_step(mu, g, beta2)


def clip_kernel(g, p, max_value):
    """u = clip(g, −c, c)."""
    return (np.minimum(np.maximum(g, -max_value), max_value),)


# ---------------------------------------------------------------- transforms


def _constant(*values: float):
    """A coefficient function that ignores the count."""
    return lambda count, carry: (values, carry)


def scale(factor: float) -> Transform:
    """u = c·g."""
    factor = check_range("factor", factor, -math.inf)
    return elementwise(
        Rule(scale_kernel, coefficients=_constant(factor), static=True), "scale", factor=factor
    )


def scale_by_learning_rate(learning_rate: float | Schedule) -> Transform:
    """u = −α_t·g, the descent step; α may be a float or a schedule of the update count."""
    schedule = as_schedule(learning_rate)

    def coefficients(count: int, carry: tuple) -> tuple[tuple[float], tuple]:
        return (-schedule(count),), carry

    rule = Rule(scale_kernel, coefficients=coefficients, static=isinstance(schedule, constant))
    return elementwise(
        rule, "scale_by_learning_rate", schedule=schedule, learning_rate=learning_rate
    )


def add_decayed_weights(weight_decay: float) -> Transform:
    """u = g + λ·p: L2 weight decay coupled to the gradient (torch's `weight_decay`)."""
    weight_decay = check_range("weight_decay", weight_decay, 0.0)
    rule = Rule(decayed_weights_kernel, coefficients=_constant(weight_decay), static=True)
    return elementwise(rule, "add_decayed_weights", weight_decay=weight_decay)


def trace(decay: float, *, dampening: float = 0.0, nesterov: bool = False) -> Transform:
    """Momentum buffer with torch.optim.SGD semantics: b₁ = g₁, b_t = μ·b + (1 − d)·g_t."""
    decay = check_range("momentum", decay, 0.0)
    dampening = check_range("dampening", dampening, 0.0, 1.0, high_open=False)
    nesterov = check_bool("nesterov", nesterov)
    if nesterov and (decay <= 0 or dampening != 0):
        raise ValueError(
            f"nesterov needs momentum > 0 and dampening = 0, got momentum={decay:g}, "
            f"dampening={dampening:g}"
        )

    def coefficients(count: int, carry: tuple) -> tuple[tuple[float, float], tuple]:
        return (decay, 1.0 if count == 0 else 1.0 - dampening), carry

    kernel = nesterov_kernel if nesterov else trace_kernel
    rule = Rule(kernel, ("momentum_buffer",), coefficients)
    return elementwise(rule, "trace", momentum=decay, dampening=dampening, nesterov=nesterov)


def ema(beta: float, *, debias: bool = False) -> Transform:
    """The seeds' momentum: v = β·v + (1 − β)·g, optionally bias-corrected by 1 − β^t."""
    beta = check_range("beta", beta, 0.0, 1.0)
    debias = check_bool("debias", debias)

    def coefficients(count: int, carry: tuple) -> tuple[tuple[float, float], tuple]:
        return (beta, bias_correction(beta, count + 1) if debias else 1.0), carry

    return elementwise(Rule(ema_kernel, ("mu",), coefficients), "ema", beta=beta, debias=debias)


def scale_by_rms(rho: float = 0.9, eps: float = 1e-8, *, centered: bool = False) -> Transform:
    """Divide by the root of the EWA of g² (torch RMSprop: ε added outside the square root)."""
    rho = check_range("rho", rho, 0.0, 1.0)
    eps = check_range("eps", eps, 0.0)
    centered = check_bool("centered", centered)
    kernel, slots = (centered_rms_kernel, ("nu", "mu")) if centered else (rms_kernel, ("nu",))
    rule = Rule(kernel, slots, _constant(rho, eps), static=True)
    return elementwise(rule, "scale_by_rms", rho=rho, eps=eps, centered=centered)


def scale_by_rss(initial_accumulator: float = 0.0, eps: float = 1e-10) -> Transform:
    """AdaGrad: divide by the root of the running sum of squares, s₀ = initial_accumulator."""
    initial_accumulator = check_range("initial_accumulator", initial_accumulator, 0.0)
    eps = check_range("eps", eps, 0.0)
    rule = Rule(
        rss_kernel, ("sum_of_squares",), _constant(eps), fill=(initial_accumulator,), static=True
    )
    return elementwise(rule, "scale_by_rss", initial_accumulator=initial_accumulator, eps=eps)


def scale_by_adadelta(rho: float = 0.9, eps: float = 1e-6) -> Transform:
    """Adadelta's unit-correct step √(E[Δ²] + ε) / √(E[g²] + ε) · g."""
    rho = check_range("rho", rho, 0.0, 1.0, high_open=False)
    eps = check_range("eps", eps, 0.0)
    rule = Rule(adadelta_kernel, ("nu", "delta_nu"), _constant(rho, eps), static=True)
    return elementwise(rule, "scale_by_adadelta", rho=rho, eps=eps)


def _check_betas(beta1: float, beta2: float, eps: float) -> tuple[float, float, float]:
    return (
        check_range("beta1", beta1, 0.0, 1.0),
        check_range("beta2", beta2, 0.0, 1.0),
        check_range("eps", eps, 0.0),
    )


def scale_by_adam(
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    *,
    amsgrad: bool = False,
    bias_correction: bool = True,
) -> Transform:
    """Adam's direction m̂ / (√v̂ + ε) from two EWAs of g and g², bias-corrected by default."""
    beta1, beta2, eps = _check_betas(beta1, beta2, eps)
    amsgrad = check_bool("amsgrad", amsgrad)
    corrected = bias_correction = check_bool("bias_correction", bias_correction)

    def coefficients(count: int, carry: tuple) -> tuple[tuple[float, ...], tuple]:
        c1, c2 = _corrections(beta1, beta2, count + 1) if corrected else (1.0, 1.0)
        return (beta1, beta2, eps, c1, c2), carry

    kernel, slots = (
        (amsgrad_kernel, ("mu", "nu", "nu_max")) if amsgrad else (adam_kernel, ("mu", "nu"))
    )
    rule = Rule(kernel, slots, coefficients)
    hyper: dict[str, Any] = {"beta1": beta1, "beta2": beta2, "eps": eps, "amsgrad": amsgrad}
    return elementwise(rule, "scale_by_adam", bias_correction=bias_correction, **hyper)


def _corrections(beta1: float, beta2: float, step: int) -> tuple[float, float]:
    return bias_correction(beta1, step), bias_correction(beta2, step)


def scale_by_adamax(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Transform:
    """AdaMax: m̂ / max(β2·w, |g| + ε)."""
    beta1, beta2, eps = _check_betas(beta1, beta2, eps)

    def coefficients(count: int, carry: tuple) -> tuple[tuple[float, ...], tuple]:
        return (beta1, beta2, eps, bias_correction(beta1, count + 1)), carry

    rule = Rule(adamax_kernel, ("mu", "nu_inf"), coefficients)
    return elementwise(rule, "scale_by_adamax", beta1=beta1, beta2=beta2, eps=eps)


def scale_by_nadam(
    beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, *, momentum_decay: float = 4e-3
) -> Transform:
    """NAdam (torch): momentum schedule μ_t = β1·(1 − ½·0.96^(t·ψ)), carried product Πμ."""
    beta1, beta2, eps = _check_betas(beta1, beta2, eps)
    momentum_decay = check_range("momentum_decay", momentum_decay, 0.0)

    def mu_at(step: int) -> float:
        return beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))

    def coefficients(count: int, carry: tuple) -> tuple[tuple[float, ...], tuple]:
        step = count + 1
        mu, mu_next = mu_at(step), mu_at(step + 1)
        (mu_product,) = carry
        mu_product *= mu
        gradient_weight = (1.0 - mu) / (1.0 - mu_product)
        momentum_weight = mu_next / (1.0 - mu_product * mu_next)
        scalars = (
            beta1,
            beta2,
            eps,
            bias_correction(beta2, step),
            gradient_weight,
            momentum_weight,
        )
        return scalars, (mu_product,)

    rule = Rule(nadam_kernel, ("mu", "nu"), coefficients, carry=(1.0,))
    hyper: dict[str, Any] = {"beta1": beta1, "beta2": beta2, "eps": eps}
    return elementwise(rule, "scale_by_nadam", momentum_decay=momentum_decay, **hyper)


def scale_by_radam(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Transform:
    """RAdam: Adam with the variance rectifier r_t once ρ_t = ρ∞ − 2tβ2^t/(1 − β2^t) > 5."""
    beta1, beta2, eps = _check_betas(beta1, beta2, eps)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0

    def coefficients(count: int, carry: tuple) -> tuple[tuple[float, ...], tuple]:
        step = count + 1
        c1, c2 = _corrections(beta1, beta2, step)
        rho = rho_inf - 2.0 * step * beta2**step / c2
        if rho > 5.0:
            ratio = (rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)
            return (beta1, beta2, eps, c1, math.sqrt(c2), math.sqrt(ratio), 0.0), carry
        return (beta1, beta2, eps, c1, math.sqrt(c2), 0.0, 1.0), carry

    rule = Rule(radam_kernel, ("mu", "nu"), coefficients)
    return elementwise(rule, "scale_by_radam", beta1=beta1, beta2=beta2, eps=eps)


def scale_by_lion(beta1: float = 0.9, beta2: float = 0.99) -> Transform:
    """Lion (optax): sign of an interpolation of momentum and gradient."""
    beta1 = check_range("beta1", beta1, 0.0, 1.0)
    beta2 = check_range("beta2", beta2, 0.0, 1.0)
    rule = Rule(lion_kernel, ("mu",), _constant(beta1, beta2), static=True)
    return elementwise(rule, "scale_by_lion", beta1=beta1, beta2=beta2)


def clip_by_value(max_value: float) -> Transform:
    """u = clip(g, −c, c), each coordinate (torch.nn.utils.clip_grad_value_)."""
    max_value = check_range("max_value", max_value, 0.0, low_open=True)
    rule = Rule(clip_kernel, coefficients=_constant(max_value), static=True)
    return elementwise(rule, "clip_by_value", max_value=max_value)


def clip_by_global_norm(max_norm: float) -> Transform:
    """u = g·min(1, c / (‖g‖₂ + 10⁻⁶))   (torch.nn.utils.clip_grad_norm_).

    Elementwise once the factor is known; the factor needs the norm of the whole gradient,
    so the fused path computes it in a pass of its own first.
    """
    max_norm = check_range("max_norm", max_norm, 0.0, low_open=True)

    def factor(norm: float) -> tuple[float]:
        return (min(1.0, max_norm / (norm + CLIP_EPSILON)),)

    rule = Rule(scale_kernel, norm_coefficients=factor)
    return elementwise(rule, "clip_by_global_norm", max_norm=max_norm)

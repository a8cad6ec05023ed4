"""gdlab.codegen: kernels traced into straight-line code, in the reference order and dtypes."""

import numpy as np
import pytest

import gdlab as gd
from gdlab.averages import ewa_step
from gdlab.base import Rule
from gdlab.codegen import NotFusable, render, trace
from gdlab.transforms import adam_kernel, ema_kernel, scale_kernel


def test_the_ewa_kernel_is_recorded_operation_by_operation():
    """v = β·v + (1 − β)·g;  u = v·(1/c): scalars once per step, elements in the loop, in order."""
    program = trace([("ema", Rule(ema_kernel, ("mu",)))])
    assert program.slots == ("mu_0",)
    assert program.scalars == ("beta_0", "correction_0")
    assert program.scalar_lines == ("s0 = 1 - beta_0", "s1 = 1.0 / correction_0")
    assert program.casts == (("e0", "beta_0"), ("e1", "s0"), ("e2", "s1"))
    assert program.element_lines == (
        "t0 = e0 * mu_0_i",
        "t1 = e1 * g",
        "t2 = t0 + t1",
        "t3 = t2 * e2",  # the reciprocal of 1 − β^t is a per-step scalar: no division here
        "t4 = p + t3",
    )
    assert program.slot_results == ("t2",)  # the new v, written back to the slot
    assert program.result == "t4"  # x + u, as the reference path adds the update


def test_a_chain_feeds_each_update_to_the_next_link():
    program = trace([("ema", Rule(ema_kernel, ("mu",))), ("scale", Rule(scale_kernel))])
    assert program.links == ("ema", "scale")
    assert program.scalars == ("beta_0", "correction_0", "factor_1")
    assert program.element_lines[-2:] == ("t4 = e3 * t3", "t5 = p + t4")


def test_the_global_norm_clip_scales_the_gradient_first():
    program = trace([("scale", Rule(scale_kernel))], clipped=True)
    assert program.scalars[0] == "clip_factor"
    assert program.element_lines[0] == "t0 = g * e0"
    assert program.casts[0] == ("e0", "clip_factor")


def test_float32_loops_round_each_scalar_once_to_float32():
    """NumPy (NEP 50) rounds a Python float to the array's dtype where they meet."""
    program = trace([("adam", Rule(adam_kernel, ("mu", "nu")))])
    source32, source64 = render(program, "float32"), render(program, "float64")
    assert "e0 = np.float32(beta1_0)" in source32
    assert "e0 = np.float64(beta1_0)" in source64
    assert "s0 = 1 - beta1_0" in source32  # (1 − β1) in float64, like Python floats


def test_squares_and_square_roots_follow_numpy():
    def kernel(g, p, c):
        return (g**2 + g**0.5 + c**2,)

    program = trace([("powers", Rule(kernel))])
    assert "t0 = g * g" in program.element_lines
    assert "t1 = np.sqrt(g)" in program.element_lines
    assert "s0 = c_0 ** 2" in program.scalar_lines


def test_negative_constants_keep_their_sign_under_powers():
    program = trace([("negative", Rule(lambda g, p: ((-2.0) ** g,)))])
    assert program.element_lines[0] == "t0 = e0 ** g"
    assert program.casts == (("e0", "(-2.0)"),)


def test_the_rendered_module_runs_as_plain_python_and_matches_the_reference():
    """The generated text is ordinary Python: executed without numba it gives the same numbers."""
    optimizer = gd.adam(0.1, weight_decay=0.01)
    links = [(link.name, link.rule) for link in optimizer.links]
    namespace = {}
    exec(render(trace(links), "float64"), namespace)
    rng = np.random.default_rng(3)
    x, g = rng.normal(size=5), rng.normal(size=5)
    state = optimizer.init(x)
    updates, expected_state = optimizer.update(g, state, x)
    fused_x, mu, nu = x.copy(), *state[1].slots
    mu, nu = mu.copy(), nu.copy()
    scalars = [
        c
        for link, s in zip(optimizer.links, state, strict=True)
        for c in link.rule.coefficients(s.count, s.carry)[0]
    ]
    namespace["step"](fused_x, g, mu, nu, *scalars)
    assert np.array_equal(fused_x, x + updates)
    assert np.array_equal(mu, expected_state[1].slots[0])
    assert np.array_equal(nu, expected_state[1].slots[1])


@pytest.mark.parametrize(
    ("kernel", "reason"),
    [
        (lambda g, p: (g if g > 0 else -g,), "branch-free"),
        (lambda g, p: (np.exp(g),), "np.exp"),
        (lambda g, p: (g * np.float64(2.0),), "Python numbers only"),
        (lambda g, p: (g * float("inf"),), "finite constants"),
        (lambda g, p: (1.0,), "per-element values"),
        (lambda g, p: (g, g), r"a tuple \(u, \*slots\) of 1"),
        (lambda g, p: (float(g),), "branch-free"),
        (lambda g, p: (np.add(g, 1, dtype=np.float32),), "plainly"),
        (lambda g, p, *scalars: (g,), "plain positional"),
    ],
)
def test_kernels_a_loop_cannot_follow_are_refused_with_the_reason(kernel, reason):
    with pytest.raises(NotFusable, match=reason):
        trace([("mine", Rule(kernel))])


def test_a_numpy_function_of_scalars_only_is_float64_and_refused_for_float32():
    """np.sqrt(c) is a float64 NumPy scalar: NumPy would compute a float32 array in float64."""
    program = trace([("strong", Rule(lambda g, p, c: (g * np.sqrt(c),)))])
    assert "np.float64(s0)" in render(program, "float64")
    with pytest.raises(NotFusable, match="float64 NumPy scalar"):
        render(program, "float32")


def test_averages_helpers_are_traced_through():
    """Kernels average through gdlab.averages; the tracer follows the helper's arithmetic."""

    def kernel(g, p, v, b):
        v = ewa_step(v, g, b)
        return v, v

    program = trace([("ewa", Rule(kernel, ("v",)))])
    assert program.element_lines[:3] == ("t0 = e0 * v_0_i", "t1 = e1 * g", "t2 = t0 + t1")
    assert program.slot_results == ("t2",)
    assert program.scalar_lines == ("s0 = 1 - b_0",)


def test_only_float32_and_float64_loops_exist():
    with pytest.raises(NotFusable, match="float32 or float64"):
        render(trace([("scale", Rule(scale_kernel))]), "float16")


@pytest.mark.parametrize(
    ("function", "g"),
    [(np.maximum, [0.0, -0.0]), (np.minimum, [0.0, -0.0]), (np.sign, [-0.0, 0.0])],
)
def test_signed_zeros_come_out_as_numpy_gives_them(function, g):
    """Ties of −0 and +0 in max/min, and sign(±0): the compiled loop gives NumPy's zero.

    x = p + u with p = −0 keeps the sign of a zero u, so a wrong zero shows in x's sign bit.
    """
    from gdlab import kernels

    def kernel(g, p):
        return (function(g, p) if function is not np.sign else function(g),)

    optimizer = gd.base.elementwise(Rule(kernel), function.__name__)
    g, p = np.array(g), np.array([-0.0, -0.0])
    updates, _ = optimizer.update(g, optimizer.init(p), p)
    out = np.empty_like(p)
    fused = kernels.fuse(optimizer, threads=False)
    fused.step_into(p, g, fused.init(p), out)
    np.testing.assert_array_equal(np.signbit(out), np.signbit(p + updates))

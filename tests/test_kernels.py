"""gdlab.kernels: the fused step equals the reference path bit for bit, in place, no copies."""

import os
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest

import gdlab as gd
from gdlab import kernels, schedules
from gdlab.base import Rule, Transform, chain, elementwise
from gdlab.transforms import scale_kernel

STEPS = 40
OPTIMIZERS = {
    "sgd": lambda: gd.sgd(0.05),
    "sgd momentum dampening weight_decay": lambda: gd.sgd(
        0.05, momentum=0.9, dampening=0.1, weight_decay=0.01
    ),
    "sgd nesterov": lambda: gd.sgd(0.05, momentum=0.9, nesterov=True),
    "momentum debiased": lambda: gd.momentum(0.05, beta=0.8, debias=True),
    "adagrad all options": lambda: gd.adagrad(
        0.1, lr_decay=0.01, initial_accumulator=0.1, weight_decay=0.01
    ),
    "rmsprop": lambda: gd.rmsprop(0.01),
    "rmsprop centered momentum weight_decay": lambda: gd.rmsprop(
        0.01, centered=True, momentum=0.5, weight_decay=0.01
    ),
    "adadelta": lambda: gd.adadelta(1.0, rho=0.95, weight_decay=0.01),
    "adam": lambda: gd.adam(0.01),
    "adam amsgrad weight_decay": lambda: gd.adam(0.01, amsgrad=True, weight_decay=0.01),
    "adam without bias correction": lambda: gd.adam(0.01, bias_correction=False),
    "adamw amsgrad": lambda: gd.adamw(0.01, amsgrad=True),
    "adamax": lambda: gd.adamax(0.01, weight_decay=0.01),
    "nadam": lambda: gd.nadam(0.01, weight_decay=0.01),
    "radam": lambda: gd.radam(0.01, weight_decay=0.01),  # rectifier switches on at step 6
    "lion": lambda: gd.lion(0.001, weight_decay=0.1),
    "adam with a warm-up cosine schedule": lambda: gd.adam(
        schedules.warmup(schedules.cosine(0.01, total_steps=30), warmup_steps=5)
    ),
    "sgd with a plain callable schedule": lambda: gd.sgd(lambda t: 0.1 / (1 + t)),
    "clip by global norm then adam": lambda: chain(gd.clip_by_global_norm(1.0), gd.adam(0.01)),
    "clip by value then sgd": lambda: chain(gd.clip_by_value(0.5), gd.sgd(0.1)),
    "ewa then a negative scale": lambda: chain(gd.ema(0.9, debias=True), gd.scale(-0.05)),
}


def gradient(x):
    """A curved, coupled-free but non-quadratic gradient: 3·sin(3x) + x³."""
    return (3 * np.sin(3 * x) + x**3).astype(x.dtype)


def reference_run(optimizer, x, steps=STEPS):
    state = optimizer.init(x)
    for _ in range(steps):
        updates, state = optimizer.update(gradient(x), state, x)
        x = x + updates
    return x, state


def fused_run(fused, x, steps=STEPS, state=None):
    x = x.copy()
    state = fused.init(x) if state is None else state
    for _ in range(steps):
        state = fused.step(x, gradient(x), state)
    return x, state


def slot_arrays(state):
    states = state if isinstance(state, tuple) else (state,)
    return [array for link in states if link for array in link.slots]


def start(dtype, size=301):
    return np.random.default_rng(7).normal(size=size).astype(dtype)


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_equals_the_reference_bit_for_bit(name, dtype):
    optimizer = OPTIMIZERS[name]()
    fused = kernels.fuse(optimizer, threads=False)
    assert fused is not None
    x0 = start(dtype)
    expected, expected_state = reference_run(optimizer, x0)
    got, state = fused_run(fused, x0)
    assert got.dtype == dtype
    assert np.abs(expected - x0).max() > 1e-3, "the run must move for the test to mean anything"
    np.testing.assert_array_equal(got, expected)
    for ours, theirs in zip(slot_arrays(state), slot_arrays(expected_state), strict=True):
        np.testing.assert_array_equal(ours, theirs)


PLACED = ["adam amsgrad weight_decay", "sgd momentum dampening weight_decay", "rmsprop"]


@pytest.mark.parametrize("name", PLACED)
def test_fused_on_slots_placed_apart_equals_the_reference(name):
    """Slots of a page or more start apart from the parameters (gdlab.placement): the same
    numbers."""
    optimizer = OPTIMIZERS[name]()
    x0 = start(np.float32, size=5000)
    expected, expected_state = reference_run(optimizer, x0)
    fused = kernels.fuse(optimizer, threads=False)
    got, state = fused_run(fused, x0)
    assert all(array.base is not None for array in slot_arrays(fused.init(x0)))  # placed views
    np.testing.assert_array_equal(got, expected)
    for ours, theirs in zip(slot_arrays(state), slot_arrays(expected_state), strict=True):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name", ["adam amsgrad weight_decay", "nadam", "rmsprop"])
def test_threads_compute_the_same_numbers(name):
    x0 = start(np.float64, size=10_007)
    serial, _ = fused_run(kernels.fuse(OPTIMIZERS[name](), threads=False), x0, steps=5)
    threaded, _ = fused_run(kernels.fuse(OPTIMIZERS[name](), threads=True), x0, steps=5)
    np.testing.assert_array_equal(serial, threaded)


def test_states_move_between_the_reference_and_the_fused_path():
    """5 reference steps, 5 fused, 5 reference = 15 reference steps (checkpoints interoperate)."""
    optimizer = gd.nadam(0.01, weight_decay=0.01)  # carries a scalar (the μ product) too
    fused = kernels.fuse(optimizer)
    x0 = start(np.float64)
    expected, expected_state = reference_run(optimizer, x0, steps=15)
    x, state = reference_run(optimizer, x0, steps=5)
    x, state = fused_run(fused, x, steps=5, state=state)
    for _ in range(5):
        updates, state = optimizer.update(gradient(x), state, x)
        x = x + updates
    np.testing.assert_array_equal(x, expected)
    assert state[1].count == expected_state[1].count == 15
    assert state[1].carry == expected_state[1].carry


def test_the_step_is_in_place_and_returns_the_next_counts():
    optimizer = gd.adam(0.1)
    fused = kernels.fuse(optimizer)
    x = np.array([1.0, -2.0])
    state = fused.init(x)
    mu = state[0].slots[0]
    new_state = fused.step(x, np.array([0.5, 0.5]), state)
    assert new_state[0].count == 1 and state[0].count == 0
    assert new_state[0].slots[0] is mu  # the same arrays, updated in place
    np.testing.assert_allclose(mu, [0.05, 0.05])  # (1 − β1)·g
    np.testing.assert_allclose(x, [0.9, -2.1])  # Adam's first step is −α·sign(g)


def test_step_into_leaves_params_and_reports_non_finite_results():
    fused = kernels.fuse(gd.sgd(1.0))
    x = np.array([1.0, 2.0])
    out = np.empty_like(x)
    state, finite = fused.step_into(x, np.array([0.5, 1.0]), fused.init(x), out)
    assert finite and x.tolist() == [1.0, 2.0] and out.tolist() == [0.5, 1.0]
    _, finite = fused.step_into(x, np.array([np.inf, 0.0]), state, out)
    assert not finite


def test_no_parameter_sized_allocation_in_the_step():
    size = 1_000_000
    fused = kernels.fuse(chain(gd.clip_by_global_norm(1.0), gd.adam(0.01, weight_decay=0.1)))
    x, g = np.ones(size, dtype=np.float32), np.full(size, 0.5, dtype=np.float32)
    state = fused.step(x, g, fused.init(x))  # compile outside the measurement
    tracemalloc.start()
    for _ in range(3):
        state = fused.step(x, g, state)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < x.nbytes / 100


class NotARule:
    """A link without a Rule (e.g. a user's transform written with whole-array NumPy)."""

    @staticmethod
    def transform():
        return Transform(lambda p: (), lambda g, s, p: (g * 2, s), "doubling")


def test_what_cannot_be_fused_is_none():
    assert kernels.fuse(chain(NotARule.transform(), gd.sgd(0.1))) is None
    assert kernels.fuse(chain(gd.sgd(0.1), gd.clip_by_global_norm(1.0))) is None
    with pytest.raises(kernels.NotFusable, match="link 1"):
        kernels.program_of(chain(gd.sgd(0.1), gd.clip_by_global_norm(1.0)))
    with pytest.raises(TypeError, match="Transform"):
        kernels.fuse("adam")


@pytest.mark.parametrize(
    ("params", "grads", "match"),
    [
        (np.ones(4), np.ones(3), "shape"),
        (np.ones(4), np.ones(4, dtype=np.float32), "dtype"),
        (np.ones(8)[::2], np.ones(4), "C-contiguous"),
        (np.ones(4, dtype=np.int64), np.ones(4, dtype=np.int64), "float32 or float64"),
    ],
)
def test_arrays_are_checked_before_the_loop_runs(params, grads, match):
    fused = kernels.fuse(gd.sgd(0.1))
    with pytest.raises((ValueError, TypeError), match=match):
        fused.step(params, grads, fused.init(np.ones(4)))


def test_a_foreign_state_is_refused():
    fused = kernels.fuse(gd.adam(0.1))
    with pytest.raises(ValueError, match="state does not belong"):
        fused.step(np.ones(3), np.ones(3), (*gd.sgd(0.1, momentum=0.9).init(np.ones(3)), ()))
    frozen = np.ones(3)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        fused.step(frozen, np.ones(3), fused.init(np.ones(3)))


def test_the_source_shows_one_loop_per_chain():
    source = kernels.fuse(gd.adam(0.1, weight_decay=0.1)).source(np.float32)
    assert "add_decayed_weights → scale_by_adam → scale_by_learning_rate, for float32" in source
    step = source[source.index("def step(") : source.index("def step_threads(")]
    assert step.count("for i in range(params.size):") == 1
    assert "mu_1[i] = " in step and "params[i] = " in step


def test_distance_is_the_euclidean_norm_of_the_difference():
    assert kernels.distance(np.array([1.0, 1.0]), np.array([4.0, 5.0])) == 5.0
    assert kernels.distance(np.zeros(3, np.float32), np.full(3, 2.0, np.float32)) == np.sqrt(12)


def test_compiled_loops_are_cached_on_disk_for_the_next_process(tmp_path):
    """A second process loads the compiled step from GDLAB_CACHE_DIR instead of compiling."""
    script = textwrap.dedent(
        """
        import numpy as np, gdlab as gd
        from gdlab import kernels
        fused = kernels.fuse(gd.rmsprop(0.01, centered=True))
        x = np.ones(8)
        fused.step(x, np.ones(8), fused.init(x))
        stats = fused.compiled["float64"].step.stats
        print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
        """
    )
    environment = {**os.environ, "GDLAB_CACHE_DIR": str(tmp_path)}

    def run():
        output = subprocess.run(
            [sys.executable, "-c", script], env=environment, capture_output=True, text=True
        )
        assert output.returncode == 0, output.stderr
        return output.stdout.split()

    assert run() == ["0", "1"]  # compiled and written
    assert run() == ["1", "0"]  # loaded
    assert len(list(tmp_path.glob("gdlab_fused_*.py"))) == 1


# ---------------------------------------------------------------- gd.minimize takes the fused path


def quadratic_problem(x):
    """f = Σ (x − 1)²·c + x⁴/4, vectorised; float32 in, float32 out."""
    c = np.linspace(1.0, 3.0, x.shape[-1]).astype(x.dtype)
    return float(((x - 1) ** 2 * c + x**4 / 4).sum()), 2 * (x - 1) * c + x**3


def minimize_both(monkeypatch, objective=quadratic_problem, **arguments):
    """(reference result, fused result) of the same gd.minimize call."""
    monkeypatch.setattr(kernels, "FUSED_FROM", 10**12)
    reference = gd.minimize(objective, grad=True, **arguments)
    monkeypatch.setattr(kernels, "FUSED_FROM", 1)
    seen = []
    fused = gd.minimize(objective, grad=True, callback=lambda i: seen.append(i.x), **arguments)
    assert len({id(x) for x in seen}) == min(2, len(seen)), "the fused path swaps two buffers"
    return reference, fused


def assert_same_result(reference, fused):
    assert (fused.status, fused.nit, fused.message) == (
        reference.status,
        reference.nit,
        reference.message,
    )
    np.testing.assert_array_equal(fused.x, reference.x)
    assert fused.fun == reference.fun
    np.testing.assert_array_equal(fused.history.x, reference.history.x)
    np.testing.assert_array_equal(fused.history.loss, reference.history.loss)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_minimize_fused_equals_minimize_reference(monkeypatch, dtype):
    x0 = np.linspace(-2, 2, 50).astype(dtype)
    reference, fused = minimize_both(
        monkeypatch, x0=x0, optimizer=gd.adam(0.05, amsgrad=True), steps=60
    )
    assert fused.x.dtype == dtype
    assert_same_result(reference, fused)


def test_minimize_fused_stops_on_the_same_criteria(monkeypatch):
    x0 = np.linspace(-2, 2, 50)
    for criterion in ({"target": 30.0}, {"gtol": 5.0}, {"xtol": 1e-3}):
        reference, fused = minimize_both(
            monkeypatch, x0=x0, optimizer=gd.sgd(0.01, momentum=0.9), steps=500, **criterion
        )
        assert reference.status == "converged"
        assert_same_result(reference, fused)


def test_minimize_fused_keeps_the_last_finite_point_when_parameters_overflow(monkeypatch):
    def mean(x):
        return float((x / x.size).sum()), np.full_like(x, 1 / x.size)

    x0 = np.full(20, -1.7e308)
    reference, fused = minimize_both(monkeypatch, mean, x0=x0, optimizer=gd.sgd(1e308), steps=5)
    assert reference.status == fused.status == "diverged"
    assert "parameters became non-finite" in fused.message
    assert_same_result(reference, fused)


def test_minimize_fused_keeps_the_last_finite_point_when_the_loss_explodes(monkeypatch):
    x0 = np.full(20, 3.0)
    reference, fused = minimize_both(monkeypatch, x0=x0, optimizer=gd.sgd(10.0), steps=20)
    assert reference.status == "diverged" and np.isfinite(fused.x).all()
    assert_same_result(reference, fused)


def test_small_problems_keep_the_reference_path():
    seen = []
    gd.minimize(
        quadratic_problem,
        np.ones(3),
        grad=True,
        optimizer=gd.adam(0.1),
        steps=4,
        callback=lambda info: seen.append(info.x),
    )
    assert len({id(x) for x in seen}) == 5  # a new array per step: x + updates


def test_the_coefficient_table_holds_the_scalars_of_the_next_updates():
    """Row t = what the t-th step passes to the loop; the state after is the reference's."""
    optimizer = gd.nadam(0.01, weight_decay=0.1)  # a carried scalar: NAdam's μ product
    fused = kernels.fuse(optimizer)
    x = start(np.float64, size=4)
    _, expected_state = reference_run(optimizer, x, steps=5)
    table, state = fused.coefficient_table(optimizer.init(x), 5)
    expected = []
    carries = [link.rule.carry for link in optimizer.links]
    for count in range(5):
        row = []
        for index, link in enumerate(optimizer.links):
            scalars, carries[index] = link.rule.coefficients(count, carries[index])
            row += scalars
        expected.append(row)
    assert table.tolist() == expected
    assert [s.count for s in state] == [5, 5, 5]
    assert state[1].carry == expected_state[1].carry
    with pytest.raises(ValueError, match="clip_by_global_norm"):
        kernels.fuse(chain(gd.clip_by_global_norm(1.0), gd.sgd(0.1))).coefficient_table((), 1)


def test_the_coefficient_table_asks_a_constant_rule_once():
    """Rule.static: one call serves every row; a rule without coefficients adds no column."""
    asked = []

    def coefficients(count, carry):
        asked.append(count)
        return (0.5,), carry

    half = elementwise(Rule(scale_kernel, coefficients=coefficients, static=True), "half")
    identity = elementwise(Rule(lambda g, p: (g,)), "identity")
    optimizer = chain(identity, half, gd.sgd(0.1, momentum=0.9))
    table, state = kernels.fuse(optimizer).coefficient_table(optimizer.init(np.zeros(2)), 4)
    assert table.tolist() == [[0.5, 0.9, 1.0, -0.1]] * 4
    assert asked == [0] and [link.count for link in state] == [4, 4, 4, 4]

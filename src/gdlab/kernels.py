"""Fused optimizer steps: a whole chain as one compiled, in-place pass (layer L1).

The reference path makes one NumPy pass per operation and a new array per intermediate.  The
fused path runs every link's kernel per element, in one loop, and writes the parameters and
the slots in place:

    for i:  u = g_i;  for each link: u, slots_i = kernel(u, p_i, slots_i, coefficients);
            p_i ← p_i + u

The loop is generated from the Rules by `gdlab.codegen` (no second copy of any formula),
compiled by numba (error_model="numpy", no fastmath, cached on disk) and equal to the
reference path bit for bit, in float64 and float32.  Coefficients are computed in Python,
once per step, by each rule (`rule.coefficients(count, carry)`), exactly as the reference does.
A chain that starts with `clip_by_global_norm` takes two passes: the norm first (NumPy's own
`np.linalg.norm`, as the reference), then the fused pass with the clip factor as a scalar.

    fused = fuse(gd.adam(1e-3))            # None when a link has no Rule
    state = fused.init(params)             # the reference state: RuleStates, same arrays
    state = fused.step(params, grads, state)   # params and the slot arrays updated in place

States are interchangeable with the reference path (`optimizer.update`), so checkpoints work
with either.  `import numba` happens on the first compile, never at `import gdlab`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.base import Array, RuleState, Transform
from gdlab.codegen import NotFusable, Program, render, trace

FUNCTIONS = ("step", "step_threads", "step_into", "step_into_threads", "step_rows")
FUSED_FROM = 2**16  # elements: from here gd.minimize takes the fused path (docs/performance.md)
THREADS_FROM = 2**18  # elements: from here the loops run on numba's threads (measured to pay)


# ---------------------------------------------------------------- fusing a transform


def program_of(transform: Transform) -> Program:
    """The traced program of a transform, or NotFusable saying which link stops it."""
    links = transform.links or (transform,)
    clipped = False
    rules = []
    for index, link in enumerate(links):
        if link.rule is not None and not norm_driven(link):
            rules.append((link.name, link.rule))
        elif index == 0 and norm_driven(link):
            clipped = True  # a factor from the gradient's norm: a pass of its own first
        else:
            where = "first link" if index == 0 else f"link {index}"
            raise NotFusable(f"{link.name} ({where}) has no elementwise Rule")
    return trace(rules, clipped=clipped)


def fuse(transform: Transform, *, threads: bool | None = None) -> FusedOptimizer | None:
    """The fused step of `transform`, or None when it cannot be fused (a link without Rule).

    threads: True always runs the loop on numba's threads, False never; None (default) uses
    them from THREADS_FROM elements on, where they were measured to pay.
    """
    if not isinstance(transform, Transform):
        raise TypeError(f"fuse takes a gdlab Transform, got {type(transform).__name__}")
    try:
        program = program_of(transform)
    except NotFusable:
        return None
    return FusedOptimizer(transform, program, threads)


def norm_driven(link: Transform) -> bool:
    """Whether a link's coefficients come from the gradient's global norm (clip_by_global_norm)."""
    return link.rule is not None and link.rule.norm_coefficients is not None


def clip_factor(link: Transform, grads: Array) -> float:
    """The factor of a norm-driven first link (clip_by_global_norm), the pass before the fused
    one: its rule's norm_coefficients at NumPy's ‖g‖₂."""
    assert link.rule is not None and link.rule.norm_coefficients is not None
    (factor,) = link.rule.norm_coefficients(float(np.linalg.norm(grads)))
    return factor


@dataclass(frozen=True, eq=False)
class FusedOptimizer:
    """An optimizer whose step is one compiled pass over the parameters, in place.

    Attributes:
        transform: the optimizer (its links' Rules are what the loop was generated from).
        program: the traced chain (`source(dtype)` shows the generated module).
        threads: True, False or None (automatic, from THREADS_FROM elements on).
    """

    transform: Transform
    program: Program
    threads: bool | None = None
    compiled: dict[str, SimpleNamespace] = field(default_factory=dict, init=False, repr=False)

    def init(self, params: Array) -> Any:
        """The reference state (`transform.init`): the fused step updates its arrays in place."""
        return self.transform.init(params)

    def step(self, params: Array, grads: Array, state: Any) -> Any:
        """x ← x + u(g) in place; the slot arrays of `state` are updated in place too.

        Returns the state for the next step (new counts and carries around the same arrays).
        params, grads and the slots: C-contiguous float32/float64 arrays of one shape and dtype.
        """
        flat_params, flat_grads = _flat(params, "params", True), _flat(grads, "grads", False)
        _check_pair(params, grads)
        scalars, slots, state = self._advance(state, params, grads)
        loops = self._loops(params.dtype)
        loop = loops.step_threads if self._use_threads(params.size) else loops.step
        loop(flat_params, flat_grads, *slots, *scalars)
        return state

    def step_into(self, params: Array, grads: Array, state: Any, out: Array) -> tuple[Any, bool]:
        """out ← x + u(g), leaving params as they are; slots updated in place.

        Returns (state, whether every new parameter is finite) — for drivers that must keep
        the last finite point (gd.minimize swaps two buffers instead of copying).
        """
        flat_params, flat_grads = _flat(params, "params", False), _flat(grads, "grads", False)
        flat_out = _flat(out, "out", True)
        _check_pair(params, grads)
        _check_pair(params, out, "out")
        scalars, slots, state = self._advance(state, params, grads)
        loops = self._loops(params.dtype)
        loop = loops.step_into_threads if self._use_threads(params.size) else loops.step_into
        bad = loop(flat_params, flat_grads, flat_out, *slots, *scalars)
        return state, bad == 0

    def source(self, dtype: Any = np.float64) -> str:
        """The generated module for parameters of `dtype` (what numba compiles)."""
        return render(self.program, np.dtype(dtype).name)

    # ------------------------------------------------------------ internals

    def _use_threads(self, size: int) -> bool:
        return size >= THREADS_FROM if self.threads is None else self.threads

    def _loops(self, dtype: np.dtype[Any]) -> SimpleNamespace:
        """The compiled loops for this dtype, looked up once per optimizer and dtype."""
        loops = self.compiled.get(dtype.name)
        if loops is None:
            loops = self.compiled[dtype.name] = compiled_loops(self.program, dtype.name)
        return loops

    def _advance(
        self, state: Any, params: Array, grads: Array
    ) -> tuple[list[float], list[Array], Any]:
        """The step's scalars, the flat slot arrays, and the state after the step."""
        states = self._link_states(state)
        scalars, advanced = self._next(states, grads)
        slots = [
            _flat_slot(array, params, link.name)
            for link, link_state in zip(self.links, states, strict=True)
            if link.rule is not None
            for array in link_state.slots
        ]
        return scalars, slots, self._pack(advanced)

    def coefficient_table(self, state: Any, steps: int) -> tuple[NDArray[np.float64], Any]:
        """The scalars of the next `steps` updates, one row each, and the state after them.

        For compiled loops that make many updates in one call (training epochs): row t holds
        what `step` would pass to the loop at the t-th update from `state` (each rule asked
        once per update, or once for constant coefficients: ≈0.3 µs per row and link).
        Chains that start with clip_by_global_norm have no table (the factor depends on each
        gradient).
        """
        if self.program.scalars[:1] == ("clip_factor",):
            raise ValueError("clip_by_global_norm needs each gradient: no coefficient table")
        states = self._link_states(state)
        if steps == 0:
            return np.empty((0, len(self.program.scalars))), state
        columns, advanced = [], []
        for link, link_state in zip(self.links, states, strict=True):
            rows, carry = _coefficient_rows(link.rule, link_state.count, link_state.carry, steps)
            columns.append(rows)
            advanced.append(RuleState(link_state.count + steps, link_state.slots, carry))
        table = np.hstack(columns) if columns else np.empty((steps, 0))
        if table.shape[1] != len(self.program.scalars):
            raise ValueError(
                f"the rules gave {table.shape[1]} coefficients, their kernels take "
                f"{len(self.program.scalars)}"
            )
        return table, self._pack(advanced)

    @property
    def links(self) -> tuple[Transform, ...]:
        return self.transform.links or (self.transform,)

    def _link_states(self, state: Any) -> tuple[Any, ...]:
        states = state if self.transform.links else (state,)
        if not isinstance(states, tuple) or len(states) != len(self.links):
            raise ValueError(
                f"state does not belong to this optimizer: expected {len(self.links)} link states"
            )
        return states

    def _pack(self, states: Any) -> Any:
        return tuple(states) if self.transform.links else states[0]

    def _next(self, states: Any, grads: Array | None) -> tuple[list[float], list[Any]]:
        """Each link's coefficients (once per step, in Python, by its rule) and next state."""
        scalars: list[float] = []
        advanced: list[Any] = []
        for link, link_state in zip(self.links, states, strict=True):
            if norm_driven(link):  # the global-norm clip: a first pass for the norm
                assert grads is not None
                scalars.append(clip_factor(link, grads))
                advanced.append(link_state)
                continue
            assert link.rule is not None  # every link of a fused program has a rule
            coefficients, carry = link.rule.coefficients(link_state.count, link_state.carry)
            scalars.extend(float(value) for value in coefficients)
            advanced.append(RuleState(link_state.count + 1, link_state.slots, carry))
        if len(scalars) != len(self.program.scalars):
            raise ValueError(
                f"the rules gave {len(scalars)} coefficients, their kernels take "
                f"{len(self.program.scalars)}"
            )
        return scalars, advanced


def _coefficient_rows(
    rule: Any, count: int, carry: tuple[float, ...], steps: int
) -> tuple[NDArray[np.float64], tuple[float, ...]]:
    """(steps, C): one link's coefficients for the updates count, count + 1, …, and the carry
    after them — the rule asked once per update, or once when they are constant (Rule.static
    and no carry)."""
    values, carry = rule.coefficients(count, carry)
    rows = [values]
    if not (rule.static and not carry):
        for t in range(1, steps):
            values, carry = rule.coefficients(count + t, carry)
            rows.append(values)
    table = np.array(rows, dtype=np.float64).reshape(len(rows), len(rows[0]))
    return np.broadcast_to(table, (steps, table.shape[1])), carry


# ---------------------------------------------------------------- arrays


def _flat(array: Any, name: str, writeable: bool) -> Array:
    """A flat view (no copy) of a C-contiguous float32/float64 array, or a precise error."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(array).__name__}")
    if array.dtype not in (np.float32, np.float64):
        raise TypeError(f"{name} must be float32 or float64 for the fused step, got {array.dtype}")
    if not array.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous for the fused step (no copies are made)")
    if writeable and not array.flags.writeable:
        raise ValueError(f"{name} must be writeable: the fused step updates it in place")
    return array.reshape(-1)


def _check_pair(params: Array, other: Array, name: str = "grads") -> None:
    if other.shape != params.shape or other.dtype != params.dtype:
        raise ValueError(
            f"{name} must have the parameters' shape {params.shape} and dtype {params.dtype}, "
            f"got {other.shape} {other.dtype}"
        )


def _flat_slot(array: Any, params: Array, link: str) -> Array:
    flat = _flat(array, f"a {link} slot", True)
    _check_pair(params, array, f"a {link} slot")
    return flat


def distance(before: Array, after: Array) -> float:
    """‖after − before‖₂ in one compiled pass, without a temporary array (float64 sum)."""
    return float(_distance_loop()(before.reshape(-1), after.reshape(-1)))


def _euclidean_distance(before: Array, after: Array) -> float:
    total = 0.0
    for i in range(before.size):
        difference = np.float64(after[i]) - np.float64(before[i])
        total += difference * difference
    return np.sqrt(total)


@functools.cache
def _distance_loop() -> Any:
    return _jit(_euclidean_distance, cache=True)


# ---------------------------------------------------------------- compiling (cached)


def cache_directory() -> Path:
    """Where generated modules and numba's cache live: $GDLAB_CACHE_DIR, else the user cache."""
    if "GDLAB_CACHE_DIR" in os.environ:
        return Path(os.environ["GDLAB_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gdlab" / "kernels"


def compiled_loops(program: Program, dtype: str) -> SimpleNamespace:
    """The numba dispatchers of `render(program, dtype)` (compiled lazily, per function)."""
    return _compile(render(program, dtype), str(cache_directory()))


@functools.cache
def _compile(source: str, directory: str) -> SimpleNamespace:
    """Load the generated module (from a file when possible, so numba can cache) and jit it.

    Memoised per (source, directory): the same chain compiles once per process, and once per
    machine while the cache directory is kept (numba's on-disk cache, keyed by the file).
    """
    namespace, cached = load_generated(source, Path(directory))
    return SimpleNamespace(
        **{
            name: _jit(namespace[name], cache=cached, parallel=name.endswith("_threads"))
            for name in FUNCTIONS
        }
    )


def _jit(function: Any, *, cache: bool, parallel: bool = False) -> Any:
    """numba.njit with gdlab's options: NumPy's float semantics (inf/nan, no exceptions), no
    fastmath (no reassociation, no contraction: the reference path's rounding)."""
    import numba

    return numba.njit(function, cache=cache, parallel=parallel, error_model="numpy", fastmath=False)


def load_generated(source: str, directory: Path) -> tuple[dict[str, Any], bool]:
    """Import the source as a module file named by its hash; exec it when no file can be made."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:24]
    name = f"gdlab_fused_{digest}"
    path = directory / f"{name}.py"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != source:
            temporary = directory / f".{name}.{os.getpid()}.tmp"
            temporary.write_text(source, encoding="utf-8")
            os.replace(temporary, path)
    except OSError:
        namespace: dict[str, Any] = {"__name__": name}
        exec(compile(source, f"<{name}>", "exec"), namespace)
        return namespace, False
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # numba re-imports it by name when it loads a cached function
    spec.loader.exec_module(module)
    return vars(module), True

"""Trace elementwise Rules into straight-line code: one description, compiled loops (layer L1).

A Rule's kernel is written with arithmetic and a few NumPy functions (see `gdlab.base.Rule`).
Called with *tracers* in place of arrays, it records each operation once, in order:

    adam_kernel(g, p, mu, nu, beta1, …)   →   t0 = e0 * mu_0_i;  s0 = 1 - beta1_0;  …

The record of a whole chain is a `Program`; `render` writes it as the body of loops over the
elements (and over the rows of stacked runs) that `gdlab.kernels` compiles with numba.  There is
no second copy of any update rule: the loops are generated from the kernels themselves.

The numbers are those of the NumPy reference path, operation for operation:
- per-element values keep the parameters' dtype; scalars (coefficients, and what a kernel
  computes from them alone) are float64, evaluated once per step, like Python floats;
- where a scalar meets an element it is first rounded to the element dtype, as NumPy does
  with Python scalars (NEP 50), so a float32 run is float32 arithmetic, as in the reference;
- the operations keep their order; nothing is contracted or reassociated (no fastmath);
- an array squared is `x * x` and an array to the power 0.5 is `np.sqrt(x)`, as in NumPy.
So float64 and float32 results are bitwise equal to the reference path.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdlab.base import Rule

DTYPES = ("float32", "float64")
FUNCTIONS = {
    np.sqrt: "np.sqrt",
    np.absolute: "np.abs",
    np.sign: "np.sign",
    np.maximum: "np.maximum",
    np.minimum: "np.minimum",
}
OPERATORS = {np.add: "+", np.subtract: "-", np.multiply: "*", np.true_divide: "/", np.power: "**"}


class NotFusable(ValueError):
    """A transform that cannot be traced into a fused loop (the reason is the message)."""


# ---------------------------------------------------------------- tracing


@dataclass
class Tape:
    """The operations recorded while kernels run on tracers, in order."""

    scalar_lines: list[str] = field(default_factory=list)
    element_lines: list[str] = field(default_factory=list)
    casts: dict[str, str] = field(default_factory=dict)  # scalar text -> element-typed name
    strong: set[str] = field(default_factory=set)  # float64 NumPy scalars (results of ufuncs)

    def new(self, element: bool, expression: str, strong: bool = False) -> Traced:
        lines = self.element_lines if element else self.scalar_lines
        name = f"{'t' if element else 's'}{len(lines)}"
        lines.append(f"{name} = {expression}")
        if strong:
            self.strong.add(name)
        return Traced(self, name, element)

    def element_name(self, operand: Operand) -> str:
        """An element's name; a scalar is rounded once to the element dtype, as NumPy does."""
        if isinstance(operand, Traced) and operand.element:
            return operand.name
        text = _text(operand)
        return self.casts.setdefault(text, f"e{len(self.casts)}")


class Traced:
    """A value inside a kernel being traced: one element of an array, or a scalar."""

    __array_priority__ = 1000

    def __init__(self, tape: Tape, name: str, element: bool) -> None:
        self.tape = tape
        self.name = name
        self.element = element

    def __add__(self, other: Any) -> Traced:
        return _binary(self.tape, "+", self, other)

    def __radd__(self, other: Any) -> Traced:
        return _binary(self.tape, "+", other, self)

    def __sub__(self, other: Any) -> Traced:
        return _binary(self.tape, "-", self, other)

    def __rsub__(self, other: Any) -> Traced:
        return _binary(self.tape, "-", other, self)

    def __mul__(self, other: Any) -> Traced:
        return _binary(self.tape, "*", self, other)

    def __rmul__(self, other: Any) -> Traced:
        return _binary(self.tape, "*", other, self)

    def __truediv__(self, other: Any) -> Traced:
        return _binary(self.tape, "/", self, other)

    def __rtruediv__(self, other: Any) -> Traced:
        return _binary(self.tape, "/", other, self)

    def __pow__(self, other: Any) -> Traced:
        return _binary(self.tape, "**", self, other)

    def __rpow__(self, other: Any) -> Traced:
        return _binary(self.tape, "**", other, self)

    def __neg__(self) -> Traced:
        return self.tape.new(self.element, f"-{self.name}", self.name in self.tape.strong)

    def __pos__(self) -> Traced:
        return self

    def __abs__(self) -> Traced:
        return self.tape.new(self.element, f"abs({self.name})", self.name in self.tape.strong)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Traced:
        if method != "__call__" or kwargs:
            raise NotFusable(f"kernels may call NumPy functions plainly, got np.{ufunc.__name__}")
        if ufunc in OPERATORS:
            return _binary(self.tape, OPERATORS[ufunc], *inputs)
        if ufunc in FUNCTIONS:
            return _function(self.tape, FUNCTIONS[ufunc], [_operand(x) for x in inputs])
        allowed = ", ".join(f"np.{f.__name__}" for f in FUNCTIONS)
        raise NotFusable(f"kernels may use arithmetic and {allowed}; got np.{ufunc.__name__}")

    def _branch(self, *args: Any) -> Any:
        raise NotFusable(
            "kernels must be branch-free (no comparisons, no conversion to a number): "
            "use np.maximum, np.minimum, np.sign, np.abs"
        )

    __bool__ = __float__ = __int__ = __index__ = __array__ = _branch
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _branch
    __hash__ = None  # type: ignore[assignment]


Operand = Traced | int | float


def _operand(value: Any) -> Operand:
    """A tracer or a Python number (NumPy scalars would change dtypes under NEP 50: refused)."""
    if isinstance(value, Traced):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, (bool, np.generic)):
        if not np.isfinite(value) or abs(value) >= 2**63:
            raise NotFusable(f"kernels may use finite constants below 2**63 only, got {value}")
        return value
    raise NotFusable(
        f"kernels may combine their arguments with Python numbers only, got {type(value).__name__}"
    )


def _text(operand: Operand) -> str:
    if isinstance(operand, Traced):
        return operand.name
    return f"({operand!r})" if operand < 0 else repr(operand)


def _binary(tape: Tape, symbol: str, left: Any, right: Any) -> Traced:
    """Record `left ∘ right`: on scalars in float64, else on elements after rounding scalars."""
    left, right = _operand(left), _operand(right)
    if symbol == "**" and _is_element(left) and not isinstance(right, Traced):
        if right == 2:  # NumPy computes an array squared as x·x
            return tape.new(True, f"{left.name} * {left.name}")
        if right == 0.5:  # and an array to the power ½ as its square root
            return tape.new(True, f"np.sqrt({left.name})")
    if _is_element(left) or _is_element(right):
        expression = f"{tape.element_name(left)} {symbol} {tape.element_name(right)}"
        return tape.new(True, expression)
    strong = any(isinstance(x, Traced) and x.name in tape.strong for x in (left, right))
    return tape.new(False, f"{_text(left)} {symbol} {_text(right)}", strong)


def _function(tape: Tape, function: str, operands: Sequence[Operand]) -> Traced:
    """A NumPy function: on elements in their dtype; on scalars only, a float64 NumPy scalar.

    Signed zeros as NumPy: where max/min tie (−0 vs +0) NumPy returns the second operand and
    numba the first, so the operands are swapped; numba's sign(−0) is −0 and NumPy's +0, so
    +0 is added (which changes no other value, NaN included).
    """
    if not any(_is_element(x) for x in operands):
        return tape.new(False, f"{function}({', '.join(map(_text, operands))})", strong=True)
    names = [tape.element_name(x) for x in operands]
    if function in ("np.maximum", "np.minimum"):
        names.reverse()
    value = tape.new(True, f"{function}({', '.join(names)})")
    return _binary(tape, "+", value, 0) if function == "np.sign" else value


def _is_element(operand: Operand) -> bool:
    return isinstance(operand, Traced) and operand.element


# ---------------------------------------------------------------- programs


@dataclass(frozen=True)
class Program:
    """A traced chain: the arrays a fused loop reads and writes and the operations between.

    slots: the state arrays, one name per (link, slot), e.g. "mu_0"; scalars: the per-step
    scalar arguments in order (the clip factor, then each link's coefficients, e.g. "beta1_0");
    slot_results / result: the values written back to each slot and to the parameters.
    """

    links: tuple[str, ...]
    slots: tuple[str, ...]
    scalars: tuple[str, ...]
    scalar_lines: tuple[str, ...]
    casts: tuple[tuple[str, str], ...]  # (element-typed name, scalar text)
    element_lines: tuple[str, ...]
    slot_results: tuple[str, ...]
    result: str
    strong: frozenset[str]


def trace(links: Sequence[tuple[str, Rule]], *, clipped: bool = False) -> Program:
    """Trace a chain of rules: x ← x + u with u from each kernel in turn (after the clip factor).

    Raises NotFusable when a kernel is not branch-free arithmetic on its arguments.
    """
    tape = Tape()
    p, g = Traced(tape, "p", True), Traced(tape, "g", True)
    scalars = ["clip_factor"] if clipped else []
    if clipped:
        g = g * Traced(tape, "clip_factor", False)  # clip_by_global_norm: u = g·factor
    slots: list[str] = []
    slot_results: list[str] = []
    for index, (name, rule) in enumerate(links):
        coefficient_names = _coefficient_names(name, rule)
        link_slots = [f"{slot}_{index}" for slot in rule.slots]
        arguments = [Traced(tape, f"{slot}_i", True) for slot in link_slots]
        arguments += [Traced(tape, f"{c}_{index}", False) for c in coefficient_names]
        outputs = _run_kernel(name, rule, g, p, arguments)
        g = outputs[0]
        slots += link_slots
        slot_results += [value.name for value in outputs[1:]]
        scalars += [f"{c}_{index}" for c in coefficient_names]
    result = p + g  # the reference path: x = x + updates
    return Program(
        links=tuple(name for name, _ in links),
        slots=tuple(slots),
        scalars=tuple(scalars),
        scalar_lines=tuple(tape.scalar_lines),
        casts=tuple((name, text) for text, name in tape.casts.items()),
        element_lines=tuple(tape.element_lines),
        slot_results=tuple(slot_results),
        result=result.name,
        strong=frozenset(tape.strong),
    )


def _coefficient_names(name: str, rule: Rule) -> list[str]:
    """The kernel's parameters after (g, p, *slots): one scalar each."""
    for slot in rule.slots:
        if not slot.isidentifier():
            raise NotFusable(f"{name}: slot names must be identifiers, got {slot!r}")
    try:
        parameters = list(inspect.signature(rule.kernel).parameters.values())
    except (TypeError, ValueError) as error:
        raise NotFusable(f"{name}: cannot read the kernel's signature ({error})") from None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(parameter.kind not in positional for parameter in parameters):
        raise NotFusable(f"{name}: kernel parameters must be plain positional ones")
    count = len(parameters) - 2 - len(rule.slots)
    if count < 0:
        raise NotFusable(f"{name}: the kernel takes fewer arguments than (g, p, *slots)")
    return [parameter.name for parameter in parameters[len(parameters) - count :]]


def _run_kernel(
    name: str, rule: Rule, g: Traced, p: Traced, arguments: list[Traced]
) -> list[Traced]:
    try:
        outputs = rule.kernel(g, p, *arguments)
    except NotFusable as error:
        raise NotFusable(f"{name}: {error}") from None
    except Exception as error:  # the kernel did something a tracer cannot follow
        raise NotFusable(f"{name}: tracing the kernel failed: {error!r}") from None
    expected = 1 + len(rule.slots)
    if not isinstance(outputs, tuple) or len(outputs) != expected:
        raise NotFusable(f"{name}: the kernel must return a tuple (u, *slots) of {expected}")
    if not all(isinstance(value, Traced) and value.element for value in outputs):
        raise NotFusable(f"{name}: the kernel must return per-element values, not constants")
    return list(outputs)


# ---------------------------------------------------------------- rendering


def render(program: Program, dtype: str) -> str:
    """The module text of the compiled loops for parameters of `dtype` ("float32"/"float64").

    step(params, grads, *slots, *scalars)             in place: params and slots updated
    step_threads(…)                                    the same loop over threads (prange)
    step_into(params, grads, out, *slots, *scalars)    out = new params; returns #non-finite
    step_into_threads(…)                               the same over threads
    step_rows(params, grads, out, *slots, scalars, active)   K stacked runs, per-row scalars
    """
    if dtype not in DTYPES:
        raise NotFusable(f"fused loops take float32 or float64 parameters, got {dtype}")
    scalar_work = preamble(program, dtype)
    arrays = ", ".join(program.slots)
    scalars = ", ".join(program.scalars)
    flat = _join("params, grads", arrays, scalars)
    into = _join("params, grads, out", arrays, scalars)
    rows = _join("params, grads, out", arrays, "scalars, active")
    chain = " → ".join(program.links) or "(no link)"
    parts = [
        f'"""Generated by gdlab.codegen from the rules of {chain}, for {dtype} parameters.\n\n'
        'Do not edit: gdlab.kernels writes this file and numba caches beside it."""',
        "import numpy as np\nfrom numba import prange\n",
        _flat_function("step", flat, scalar_work, program, "range", into=False),
        _flat_function("step_threads", flat, scalar_work, program, "prange", into=False),
        _flat_function("step_into", into, scalar_work, program, "range", into=True),
        _flat_function("step_into_threads", into, scalar_work, program, "prange", into=True),
        _rows_function(rows, scalar_work, program),
    ]
    return "\n\n".join(parts)


def _join(*parts: str) -> str:
    return ", ".join(part for part in parts if part)


def preamble(program: Program, dtype: str) -> list[str]:
    """Scalar work once per step (float64), then each scalar that meets an element, rounded.

    With `body`, the building block of every loop here, and of loops written elsewhere (a
    compiled training epoch embeds the update after its gradient pass: scalars from
    `FusedOptimizer.coefficient_table`, then `preamble`, then `body` per parameter).
    """
    strong_casts = [text for _, text in program.casts if text in program.strong]
    if strong_casts and dtype != "float64":
        raise NotFusable(
            f"a NumPy function of scalars only ({strong_casts[0]}) is a float64 NumPy scalar, "
            f"which makes NumPy compute in float64, not {dtype}; compute it in Rule.coefficients"
        )
    lines = list(program.scalar_lines)
    return lines + [f"{name} = np.{dtype}({text})" for name, text in program.casts]


def body(program: Program, index: str, gradient: str | None = None) -> list[str]:
    """One element's update: load p, g and the slots at `index`, compute, write the slots back.

    g is grads[index], or the expression `gradient` (of p and what the caller defines); the
    new parameter value is `program.result`, which the caller stores where it wants.
    """
    loads = [f"p = params[{index}]", f"g = {gradient or f'grads[{index}]'}"]
    loads += [f"{slot}_i = {slot}[{index}]" for slot in program.slots]
    writes = [
        f"{s}[{index}] = {v}" for s, v in zip(program.slots, program.slot_results, strict=True)
    ]
    return loads + list(program.element_lines) + writes


def _indent(lines: list[str], depth: int) -> str:
    return "".join(f"{'    ' * depth}{line}\n" for line in lines)


def _flat_function(
    name: str, signature: str, scalar_work: list[str], program: Program, loop: str, *, into: bool
) -> str:
    lines = body(program, "i")
    if into:
        lines += [f"out[i] = {program.result}", f"bad += not (abs({program.result}) < np.inf)"]
    else:
        lines += [f"params[i] = {program.result}"]
    start = ["bad = 0"] if into else []
    text = f"def {name}({signature}):\n" + _indent(scalar_work + start, 1)
    text += f"    for i in {loop}(params.size):\n" + _indent(lines, 2)
    return text + ("    return bad\n" if into else "")


def _rows_function(signature: str, scalar_work: list[str], program: Program) -> str:
    unpack = [f"{name} = scalars[k, {j}]" for j, name in enumerate(program.scalars)]
    lines = [*body(program, "k, i"), f"out[k, i] = {program.result}"]
    rows = ["for k in range(params.shape[0]):", "    if not active[k]:", "        continue"]
    text = f"def step_rows({signature}):\n" + _indent(rows, 1)
    text += _indent(unpack + scalar_work, 2)
    return text + "        for i in range(params.shape[1]):\n" + _indent(lines, 3)

"""User expressions as Problems: a safe parser and a symbolic gradient.

    >>> import numpy as np
    >>> problem = expression("x**2 + 10*y^2")
    >>> problem.value(np.array([1.0, 2.0])), problem.grad(np.array([1.0, 2.0]))
    (np.float64(41.0), array([ 2., 40.]))
    >>> problem.params["gradient"]
    '[2*x, 20*y]'

The text is read by Python's tokenizer and `ast` (mode "eval") and checked against a whitelist:
real number literals, variables, the constants pi and e, + - * / ** (and ^ for power, rewritten
on the token stream), unary - and +, and calls of the functions in `FUNCTIONS`. The SymPy
expression is built from the whitelisted nodes; the text itself never reaches eval, exec,
sympify or parse_expr. SymPy differentiates, and `sympy.lambdify` turns the SymPy trees (not
the text) into NumPy code. A point where f is undefined (log of a negative number) gives NaN or
inf without a warning: the optimisation loop reports the divergence. docs/expressions.md has
the grammar, the limits and why this is safe. expression_grammar reads and checks the text,
expression_sympy builds f, differentiates and lambdifies; this module holds the public names,
the cache and the NumPy wrappers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gdlab.problems.arguments import check_points
from gdlab.problems.expression_grammar import (
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    MAX_VARIABLES,
    OPERATORS,
    check_variables,
    find_variables,
    read,
)
from gdlab.problems.expression_sympy import (
    MAX_BITS,
    MAX_EXPONENT,
    MAX_GRADIENT_SIZE,
    MAX_LITERAL,
    build,
    differentiate,
    lambdify,
    printer,
)
from gdlab.problems.problem import Array, Problem, Window

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_BITS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_GRADIENT_SIZE",
    "MAX_LENGTH",
    "MAX_LITERAL",
    "MAX_NODES",
    "MAX_VARIABLES",
    "OPERATORS",
    "ParsedExpression",
    "expression",
    "parse_expression",
]


@dataclass(frozen=True)
class ParsedExpression:
    """A checked expression: f and ∇f as text, as SymPy trees and as NumPy functions.

    `value` maps x of shape (..., n) to (...), `grad` to (..., n), in x's floating dtype.
    The SymPy trees are written in `symbols`, one real `sympy.Dummy` per variable, named
    after it (Dummy names keep the generated NumPy code apart from NumPy's own names).
    """

    text: str
    variables: tuple[str, ...]
    expression_text: str
    gradient_text: tuple[str, ...]
    symbols: tuple[Any, ...] = field(repr=False)
    expression: Any = field(repr=False)
    gradient: tuple[Any, ...] = field(repr=False)
    value: Callable[[Array], Array] = field(repr=False)
    grad: Callable[[Array], Array] = field(repr=False)


def _vectorise(
    value_code: Callable[..., Any], grad_code: Callable[..., Any], dim: int
) -> tuple[Callable[[Array], Array], Callable[[Array], Array]]:
    """value: (..., n) -> (...), grad: (..., n) -> (..., n); NumPy warnings silenced."""

    def value(x: Array) -> Array:
        x = check_points(x, dim, "expression")
        out = np.empty(x.shape[:-1], dtype=x.dtype)
        with np.errstate(all="ignore"):
            out[...] = value_code(*np.moveaxis(x, -1, 0))
        return out[()]

    def grad(x: Array) -> Array:
        x = check_points(x, dim, "expression")
        out = np.empty(x.shape, dtype=x.dtype)
        with np.errstate(all="ignore"):
            for index, part in enumerate(grad_code(*np.moveaxis(x, -1, 0))):
                out[..., index] = part  # a constant part broadcasts
        return out

    return value, grad


@functools.lru_cache(maxsize=256)
def _compile(text: str, variables: tuple[str, ...] | None) -> ParsedExpression:
    """Check, build, differentiate and lambdify; pure, so cached per (text, variables)."""
    import sympy as sp

    source, tree = read(text)
    short = source.text if len(source.text) <= 60 else source.text[:57] + "..."
    names = find_variables(tree) if variables is None else variables
    if len(names) > MAX_VARIABLES:
        raise ValueError(f"expression has {len(names)} variables {names}; at most {MAX_VARIABLES}")
    symbols = tuple(sp.Dummy(name, real=True) for name in names)
    expr = build(sp, source, tree, dict(zip(names, symbols, strict=True)))
    if not names:
        raise ValueError(f"expression {short!r} has no variables; pass variables=('x',) if meant")
    gradient = differentiate(sp, expr, symbols, names, short)
    value, grad = _vectorise(*lambdify(sp, symbols, expr, gradient), len(names))
    written = printer(sp)
    texts = tuple(written.doprint(part) for part in gradient)
    return ParsedExpression(
        source.text, names, written.doprint(expr), texts, symbols, expr, gradient, value, grad
    )


def parse_expression(text: str, *, variables: Sequence[str] | None = None) -> ParsedExpression:
    """Check `text` against the grammar and return f, ∇f as SymPy trees and NumPy functions.

    Variables are found in the text (x, y, z first, then sorted) unless `variables` gives them.
    Raises ValueError naming what is not allowed and its column.

    >>> parse_expression("sin(x)*cos(y)").gradient_text
    ('cos(x)*cos(y)', '-sin(x)*sin(y)')
    """
    if not isinstance(text, str):
        raise TypeError(f"expression text must be a str, got {type(text).__name__}")
    return _compile(text, None if variables is None else check_variables(variables))


def _window(window: Any, dim: int) -> Window:
    if window is None:
        return ((-3.0, 3.0),) * dim
    try:
        box = np.asarray(window, dtype=float)
    except (TypeError, ValueError):
        box = np.empty(0)
    if box.shape == (2,):
        box = np.tile(box, (dim, 1))
    if box.shape != (dim, 2) or not np.all(np.isfinite(box)) or not np.all(box[:, 0] < box[:, 1]):
        raise ValueError(
            f"window must be one finite (low, high) pair with low < high, or {dim} such pairs, "
            f"got {window!r}"
        )
    return tuple((float(low), float(high)) for low, high in box)


def _start(start: Any, window: Window) -> tuple[float, ...]:
    """Default: 4/5 of the way from the centre to the corner (low, high, high, ...)."""
    if start is None:
        first, *others = window
        low_corner = first[0] + (first[1] - first[0]) / 10
        return (low_corner, *(high - (high - low) / 10 for low, high in others))
    try:
        point = np.asarray(start, dtype=float)
    except (TypeError, ValueError):
        point = np.empty(0)
    if point.shape != (len(window),) or not np.all(np.isfinite(point)):
        raise ValueError(f"start must be {len(window)} finite numbers, got {start!r}")
    return tuple(float(v) for v in point)


def expression(
    text: str,
    *,
    variables: Sequence[str] | None = None,
    window: Any = None,
    start: Any = None,
    name: str | None = None,
) -> Problem:
    """The Problem f(x) given by `text`, with the gradient SymPy derives from it.

    f is unknown to gdlab, so minima == () and minimum is NaN. window defaults to (-3, 3) per
    variable; start to 0.8 of the way from the window's centre to its (low, high, ...) corner.
    params holds "text", "expression" (SymPy's form of f) and "gradient" (∇f as text).

    >>> problem = expression("(1-x)^2 + 100*(y-x^2)^2")
    >>> problem.dim, problem.start, problem.grad(np.array([1.0, 1.0]))
    (2, (-2.4, 2.4), array([0., 0.]))
    """
    parsed = parse_expression(text, variables=variables)
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ValueError(f"name must be a non-empty str, got {name!r}")
    box = _window(window, len(parsed.variables))
    params: dict[str, Any] = {
        "text": parsed.text,
        "expression": parsed.expression_text,
        "gradient": "[" + ", ".join(parsed.gradient_text) + "]",
    }
    return Problem(
        name=name or parsed.text,
        dim=len(parsed.variables),
        value=parsed.value,
        grad=parsed.grad,
        minima=(),
        minimum=math.nan,
        window=box,
        start=_start(start, box),
        description=f"user expression f({', '.join(parsed.variables)}) = {parsed.text}",
        variables=parsed.variables,
        params=params,
    )

"""Building f and ∇f in SymPy: constant parts that are undefined, numbers too large, calls of
the wrong kind and gradients that are not real, finite or small are rejected with the column
where the text allows one; powers never blow up; NumPy code never mixes a variable up with a
NumPy function; and random valid trees evaluate to what NumPy computes directly."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.problems.expressions import expression

HOSTILE = [
    ("f(x)", "function 'f' at column 1 of 'f(x)' is unknown; functions are sin,"),
    ("sin()", "sin at column 1 of 'sin()' takes 1 argument, got 0"),
    ("sin(x, y)", "takes 1 argument, got 2"),
    ("atan2(x)", "takes 2 arguments, got 1"),
    ("sin(*x)", "starred argument at column 5"),
    ("x, y", "tuple"),
    ("()", "tuple"),
    ("(x)(y)", "function 'x'"),
    ("2(x)", "function '2'"),
    ("sin + x", "function 'sin' at column 1 of 'sin + x' needs an argument"),
    ("x + 1/0", "division by zero at column 7"),
    ("x/(2 - 2)", "division by zero at column 4"),  # where the divisor's text starts
    ("x + 0**-1", "0 to a negative power"),
    ("x*log(-1)", "constant 'log(-1)' at column 3 of 'x*log(-1)' is undefined"),
    ("x*(-8)^(1/3)", "constant '(-8)**(1/3)' at column 3"),
    ("x*(-8)^(1/3)", "is not a finite real number"),
    ("x*exp(1000)", "constant 'exp(1000)' at column 3 of 'x*exp(1000)' is undefined"),
    ("x + 1e999", "number inf"),
    ("x + 1e16", "number 1e+16 at column 5 of 'x + 1e16' is larger than 1e+15"),
    ("x**1001", "exponent 1001 at column 4 of 'x**1001' is outside [-1000, 1000]"),
    ("x**-1e4", "exponent -10000"),
    ("((2*x)**1000)**1000", "makes numbers over 4096 bits"),
    ("(3*x)**1000", "number too large for a float"),
    ("(-2)**x", "df/dx of '(-2)**x' is not real and finite"),
    ("1/(x - x)", "f of '1/(x - x)' is not real and finite: SymPy gives zoo"),
    ("x*tan(pi/2)", "not real and finite"),
]


@pytest.mark.parametrize(("text", "fragment"), HOSTILE)
def test_hostile_trees_are_rejected(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        expression(text)


def test_huge_powers_are_rejected_quickly() -> None:
    start = time.perf_counter()
    for text in ("9**9**9", "x*9**9**9", "x**9**9**9", "(2*x)**999**999", "x^(9^9)"):
        with pytest.raises(ValueError, match=r"exponent|bits"):
            expression(text, variables=("x",))
    assert time.perf_counter() - start < 5.0


def test_a_blown_up_gradient_is_rejected() -> None:
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"gradient of .* terms written out; at most 10000"):
        expression("**".join(["(x+y)"] * 45))  # each level's chain rule copies the tower
    assert time.perf_counter() - start < 10.0


def test_variables_named_like_numpy_functions_do_not_shadow_them() -> None:
    problem = expression("abs(sign) + sqrt(angle^2 + 1)")  # ∂/∂sign is numpy.sign(sign)
    assert problem.variables == ("angle", "sign")
    np.testing.assert_allclose(problem.grad(np.array([0.0, -2.0])), [0.0, -1.0])


# --- hypothesis ---------------------------------------------------------------------------

Tree = tuple[str, Callable[[dict[str, np.ndarray]], np.ndarray], float]  # text, NumPy, bound


def _bounded(tree: Tree) -> Tree:
    """Wrap in tanh when |value| may exceed 1e3, so no overflow separates SymPy from NumPy."""
    text, evaluate, bound = tree
    if bound <= 1e3:
        return tree
    return f"tanh({text})", lambda v: np.tanh(evaluate(v)), 1.0


def _binary(operator: str, left: Tree, right: Tree) -> Tree:
    (a, f, m), (b, g, n) = left, right
    if operator == "+":
        return _bounded((f"({a}) + ({b})", lambda v: f(v) + g(v), m + n))
    if operator == "-":
        return _bounded((f"({a}) - ({b})", lambda v: f(v) - g(v), m + n))
    if operator == "*":
        return _bounded((f"({a})*({b})", lambda v: f(v) * g(v), m * n))
    return (f"({a})/(({b})**2 + 1)", lambda v: f(v) / (g(v) ** 2 + 1), m)


def _power(tree: Tree, exponent: int, caret: bool) -> Tree:
    text, f, bound = tree
    symbol = "^" if caret else "**"
    return _bounded((f"({text}){symbol}{exponent}", lambda v: f(v) ** exponent, bound**exponent))


UNARY: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray], Callable[[float], float]]] = {
    "sin": ("sin({})", np.sin, lambda m: 1.0),
    "cos": ("cos({})", np.cos, lambda m: 1.0),
    "tanh": ("tanh({})", np.tanh, lambda m: 1.0),
    "arctan": ("arctan({})", np.arctan, lambda m: 2.0),
    "sigmoid": ("sigmoid({})", lambda t: 1 / (1 + np.exp(-t)), lambda m: 1.0),
    "exp": ("exp(tanh({}))", lambda t: np.exp(np.tanh(t)), lambda m: math.e),
    "log": ("log(1 + ({})**2)", lambda t: np.log(1 + t**2), lambda m: math.log(1 + m * m)),
    "sqrt": ("sqrt(1 + ({})^2)", lambda t: np.sqrt(1 + t**2), lambda m: math.sqrt(1 + m * m)),
    "abs": ("abs({})", np.abs, lambda m: m),
    "neg": ("-({})", np.negative, lambda m: m),
}


def _unary(name: str, tree: Tree) -> Tree:
    text, f, bound = tree
    template, function, bounds = UNARY[name]
    return template.format(text), lambda v: function(f(v)), bounds(bound)


def _leaf(token: str) -> Tree:
    if token in ("x", "y", "z"):
        return token, lambda v: v[token], 1.5
    number = {"pi": math.pi, "e": math.e}.get(token) or float(token)
    return token, lambda v: np.full_like(v["x"], number), abs(number)


LEAVES = st.sampled_from(["x", "y", "z", "0", "1", "2", "7", "0.5", "2.25", "pi", "e"]).map(_leaf)


def _extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.builds(_binary, st.sampled_from(["+", "-", "*", "/"]), children, children),
        st.builds(_power, children, st.integers(0, 3), st.booleans()),
        st.builds(_unary, st.sampled_from(sorted(UNARY)), children),
    )


@settings(max_examples=150, deadline=timedelta(seconds=10))
@given(st.recursive(LEAVES, _extend, max_leaves=10))
def test_valid_trees_match_numpy(tree: Tree) -> None:
    text, evaluate, bound = tree
    problem = expression(text, variables=("x", "y", "z"))
    x = np.random.default_rng(2).uniform(-1.5, 1.5, (6, 3))
    expected = evaluate({"x": x[:, 0], "y": x[:, 1], "z": x[:, 2]})
    np.testing.assert_allclose(problem.value(x), expected, rtol=1e-9, atol=1e-9 * (1 + bound))

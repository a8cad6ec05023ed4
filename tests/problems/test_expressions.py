"""Expressions: values equal the hand-written NumPy formula, gradients pass check_grad, hostile
text is rejected with a ValueError that names what was found, and nothing ever hangs."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.gradcheck import check_grad
from gdlab.problems.expressions import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_VARIABLES,
    expression,
    parse_expression,
)

EXAMPLES: list[tuple[str, Callable[..., np.ndarray]]] = [
    ("x**2 + 10*y**2", lambda x, y: x**2 + 10 * y**2),
    ("(1-x)^2 + 100*(y-x^2)^2", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
    ("sin(x)*cos(y)", lambda x, y: np.sin(x) * np.cos(y)),
    ("x**2", lambda x: x**2),
    ("exp(-x^2-y^2)", lambda x, y: np.exp(-(x**2) - y**2)),
    ("abs(x) + sqrt(y^2 + 1)", lambda x, y: np.abs(x) + np.sqrt(y**2 + 1)),
    ("log(1 + x^2 + y^2)", lambda x, y: np.log(1 + x**2 + y**2)),
    ("pi*x**2 + e*y", lambda x, y: np.pi * x**2 + np.e * y),
    ("x/4 - 0.5*y + 1e-3", lambda x, y: x / 4 - 0.5 * y + 1e-3),
    ("tanh(x)*sinh(y) + cosh(x)/5", lambda x, y: np.tanh(x) * np.sinh(y) + np.cosh(x) / 5),
    ("arctan(x) + asin(y/3) + acos(x/3)",
     lambda x, y: np.arctan(x) + np.arcsin(y / 3) + np.arccos(x / 3)),
    ("sigmoid(x*y) + atan2(y, x + 3)",
     lambda x, y: 1 / (1 + np.exp(-x * y)) + np.arctan2(y, x + 3)),
    ("ln(2 + x) + tan(y/2)", lambda x, y: np.log(2 + x) + np.tan(y / 2)),
    ("x*y*z - z^3", lambda x, y, z: x * y * z - z**3),
    ("-x^2 + +y", lambda x, y: -(x**2) + y),
]  # fmt: skip


def points(dim: int, shape: tuple[int, ...] = (20,), seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.5, 1.5, (*shape, dim))


@pytest.mark.parametrize(("text", "formula"), EXAMPLES)
def test_value_is_the_numpy_formula(text: str, formula: Callable[..., np.ndarray]) -> None:
    problem = expression(text)
    x = points(problem.dim)
    np.testing.assert_allclose(problem.value(x), formula(*np.moveaxis(x, -1, 0)), rtol=1e-12)


@pytest.mark.parametrize(("text", "formula"), EXAMPLES)
def test_gradient_passes_check_grad(text: str, formula: Callable[..., np.ndarray]) -> None:
    problem = expression(text)
    for point in points(problem.dim, (8,), seed=1):
        result = check_grad(problem.value, problem.grad, point, rtol=1e-6, atol=1e-6)
        assert result.ok, (text, result)


def test_problem_fields() -> None:
    problem = expression("(1-x)^2 + 100*(y-x^2)^2")
    assert problem.name == "(1-x)**2 + 100*(y-x**2)**2"
    assert (problem.dim, problem.variables, problem.minima) == (2, ("x", "y"), ())
    assert math.isnan(problem.minimum)
    assert problem.window == ((-3.0, 3.0), (-3.0, 3.0))
    assert problem.start == (-2.4, 2.4)
    assert problem.description == "user expression f(x, y) = (1-x)**2 + 100*(y-x**2)**2"
    assert problem.params == {
        "text": "(1-x)**2 + 100*(y-x**2)**2",
        "expression": "(1 - x)**2 + 100*(-x**2 + y)**2",
        "gradient": "[-400*x*(-x**2 + y) + 2*x - 2, -200*x**2 + 200*y]",
    }


def test_parsed_expression_shows_the_gradient() -> None:
    parsed = parse_expression("x**2 + 10*y**2")
    assert parsed.gradient_text == ("2*x", "20*y")
    assert parsed.expression_text == "x**2 + 10*y**2"
    assert [symbol.name for symbol in parsed.symbols] == ["x", "y"]


def test_name_window_and_start_can_be_given() -> None:
    problem = expression("x*y", name="saddle", window=(-1, 2), start=[0.5, -0.5])
    assert (problem.name, problem.window, problem.start) == (
        "saddle",
        ((-1, 2), (-1, 2)),
        (0.5, -0.5),
    )
    problem = expression("x*y", window=[(-1, 1), (0, 10)])
    assert problem.window == ((-1.0, 1.0), (0.0, 10.0))
    assert problem.start == (-0.8, 9.0)  # a tenth of the width in from the (low, high) corner


@pytest.mark.parametrize(
    ("keywords", "fragment"),
    [
        ({"window": (1, -1)}, "window must be"),
        ({"window": [(0, 1)] * 3}, "window must be"),
        ({"window": "wide"}, "window must be"),
        ({"window": (0, math.inf)}, "window must be"),
        ({"start": (1.0,)}, "start must be 2 finite numbers"),
        ({"start": (1.0, math.nan)}, "start must be 2 finite numbers"),
        ({"name": ""}, "name must be a non-empty str"),
    ],
)
def test_bad_problem_arguments(keywords: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        expression("x*y", **keywords)  # type: ignore[arg-type]


def test_variables_are_found_x_y_z_first_then_sorted() -> None:
    assert parse_expression("b + a*z + x").variables == ("x", "z", "a", "b")
    assert parse_expression("sin(theta) + pi*e").variables == ("theta",)


def test_given_variables_set_the_order_and_may_be_unused() -> None:
    problem = expression("x + 2*y", variables=["y", "x", "t"])
    assert problem.variables == ("y", "x", "t")
    assert problem.value(np.array([1.0, 5.0, 7.0])) == 7.0
    np.testing.assert_array_equal(problem.grad(np.zeros((3, 3))), [[2.0, 1.0, 0.0]] * 3)


@pytest.mark.parametrize(
    ("variables", "fragment"),
    [
        ("xy", "sequence of names"),
        ((), "1 to 10 distinct names"),
        (("x", "x"), "1 to 10 distinct names"),
        (("x", "lambda"), "ASCII identifier"),
        (("x", "_y"), "ASCII identifier"),
        (("x", "θ"), "ASCII identifier"),
        (("x", 3), "ASCII identifier"),
        (("x", "sin"), "function or constant"),
        (("x", "pi"), "function or constant"),
        (("x",), "unknown name 'y'"),
    ],
)
def test_bad_variables(variables: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_expression("x + y", variables=variables)  # type: ignore[arg-type]


def test_too_many_variables() -> None:
    text = " + ".join(f"x{i}" for i in range(MAX_VARIABLES + 1))
    with pytest.raises(ValueError, match="has 11 variables"):
        expression(text)


def test_vectorised_shapes_match_pointwise_calls() -> None:
    problem = expression("exp(-x^2-y^2) + x*y")
    x = points(2, (4, 3))
    value, grad = problem.value_and_grad(x)
    assert (value.shape, grad.shape) == ((4, 3), (4, 3, 2))
    for index in np.ndindex(4, 3):
        assert value[index] == problem.value(x[index])
        np.testing.assert_array_equal(grad[index], problem.grad(x[index]))
    assert np.ndim(problem.value(x[0, 0])) == 0
    assert problem.grad(x[0, 0]).shape == (2,)


def test_constant_gradient_parts_broadcast() -> None:
    problem = expression("x - x + 3*y")  # SymPy cancels x: ∂f/∂x is the constant 0
    grad = problem.grad(points(2, (5, 2)))
    assert grad.shape == (5, 2, 2)
    np.testing.assert_array_equal(grad[..., 0], 0.0)
    np.testing.assert_array_equal(grad[..., 1], 3.0)
    constant = expression("2*pi", variables=("x",))
    np.testing.assert_array_equal(constant.value(np.zeros((3, 1))), [2 * np.pi] * 3)
    np.testing.assert_array_equal(constant.grad(np.zeros((3, 1))), [[0.0]] * 3)


def test_dtype_follows_x() -> None:
    problem = expression("sqrt(2)*x**2 + 10*y**2")  # sqrt(2) is a float64 NumPy scalar
    x32 = points(2).astype(np.float32)
    assert problem.value(x32).dtype == np.float32
    assert problem.grad(x32).dtype == np.float32
    np.testing.assert_allclose(problem.value(x32), problem.value(x32.astype(np.float64)), rtol=1e-6)
    assert problem.value(np.array([1, 2])).dtype == np.float64
    assert problem.grad(np.array([1, 2])).dtype == np.float64


@pytest.mark.parametrize("x", [np.zeros(3), np.zeros((4, 1)), np.float64(1.0), np.array([1j, 2j])])
def test_x_of_the_wrong_shape_or_kind(x: np.ndarray) -> None:
    problem = expression("x + y")
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)|real numbers"):
        problem.value(x)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)|real numbers"):
        problem.grad(x)


def test_caret_is_power_with_power_precedence() -> None:
    assert expression("x^2").name == "x**2"
    assert expression("2*x^2").value(np.array([3.0])) == 18.0  # not XOR's (2*x)^2
    assert expression("-x^2").value(np.array([3.0])) == -9.0
    assert expression("2^3^x").value(np.array([2.0])) == 2.0**9  # right-associative
    assert expression("x ^ 2 + y^ 2").params["expression"] == "x**2 + y**2"


def test_undefined_points_give_nan_or_inf_silently() -> None:
    # pytest turns warnings into errors: a RuntimeWarning from NumPy would fail here
    problem = expression("sqrt(x) + 1/y")
    value, grad = problem.value_and_grad(np.array([[-1.0, 1.0], [1.0, 0.0]]))
    assert np.isnan(value[0]) and np.isinf(value[1])
    assert np.isnan(grad[0, 0]) and np.isinf(grad[1, 1])
    assert expression("exp(x)").value(np.array([1000.0], dtype=np.float32)) == np.inf


def test_variables_named_like_numpy_functions_do_not_shadow_them() -> None:
    problem = expression("abs(sign) + sqrt(angle^2 + 1)")  # ∂/∂sign is numpy.sign(sign)
    assert problem.variables == ("angle", "sign")
    np.testing.assert_allclose(problem.grad(np.array([0.0, -2.0])), [0.0, -1.0])


def test_compiled_result_is_cached() -> None:
    assert parse_expression("x**3 - y") is parse_expression("x**3 - y")
    assert parse_expression("x - y", variables=["y", "x"]) is parse_expression(
        "x - y", variables=("y", "x")
    )


def test_importing_problems_does_not_import_sympy() -> None:
    code = "import sys, gdlab.problems; assert 'sympy' not in sys.modules, 'sympy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


HOSTILE = [
    ("__import__('os')", "name '__import__' at column 1"),
    ("().__class__", "operator '.' at column 3"),
    ("x.real", "operator '.' at column 2"),
    ("lambda: 1", "keyword 'lambda'"),
    ("[x for x in y]", "operator '['"),
    ("x[0]", "operator '['"),
    ('"abc"', "string"),
    ("f(x)", "function 'f' at column 1 of 'f(x)' is unknown; functions are sin,"),
    ("os.system('ls')", "operator '.'"),
    ("x if y else 1", "keyword 'if'"),
    ("x == y", "operator '=='"),
    ("x and y", "keyword 'and'"),
    ("not x", "keyword 'not'"),
    ("(x := 1)", "operator ':='"),
    ("1j", "complex number '1j'"),
    ("x + 2J", "complex number '2J'"),
    ("x; y", "operator ';'"),
    ("", "empty"),
    (" \t\n ", "empty"),
    ("sin()", "sin at column 1 of 'sin()' takes 1 argument, got 0"),
    ("sin(x, y)", "takes 1 argument, got 2"),
    ("atan2(x)", "takes 2 arguments, got 1"),
    ("exp(x=1)", "operator '='"),
    ("sin(*x)", "starred argument at column 5"),
    ("x, y", "tuple"),
    ("()", "tuple"),
    ("(x)(y)", "function 'x'"),
    ("2(x)", "function '2'"),
    ("sin + x", "function 'sin' at column 1 of 'sin + x' needs an argument"),
    ("True", "keyword 'True'"),
    ("None", "keyword 'None'"),
    ("...", "operator '...'"),
    ("{x}", "operator '{'"),
    ("f'{x}'", "string"),
    ("b'x'", "string"),
    ("x // y", "operator '//'"),
    ("x % y", "operator '%'"),
    ("x @ y", "operator '@'"),
    ("x & y | z", "operator '&'"),
    ("~x", "operator '~'"),
    ("x < y", "operator '<'"),
    ("x ^= 2", "operator '^='"),
    ("x # comment", "comment '# comment'"),
    ("x $ y", "character '$' at column 3"),
    ("x \\\n + y", "character '\\\\' at column 3"),
    ("x ? y", "character '?'"),
    ("`x`", "character '`'"),
    ("x − y", "character '−' (U+2212) at column 3 of 'x − y' is not ASCII"),
    ("θ + 1", "not ASCII"),
    ("_ + x", "name '_'"),
    ("__builtins__", "name '__builtins__'"),
    ("(x", "'(' at column 1 of '(x' is never closed"),
    ("x)", "')' at column 2 of 'x)' closes no '('"),
    ("x y", "syntax error at column 3"),
    ("1 + 2", "no variables"),
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
def test_hostile_text_is_rejected(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        expression(text)


def test_columns_refer_to_the_text_as_written() -> None:
    with pytest.raises(ValueError, match=re.escape("operator '.' at column 8 ")):
        expression("x  +  y.real")
    with pytest.raises(ValueError, match=re.escape("function 'f' at column 9 ")):
        expression("x^2 +   f(y)")  # after ^ became ** and spaces were collapsed


def test_huge_powers_are_rejected_quickly() -> None:
    start = time.perf_counter()
    for text in ("9**9**9", "x*9**9**9", "x**9**9**9", "(2*x)**999**999", "x^(9^9)"):
        with pytest.raises(ValueError, match=r"exponent|bits"):
            expression(text, variables=("x",))
    assert time.perf_counter() - start < 5.0


def test_size_and_nesting_limits() -> None:
    deep = "(" * 10_000 + "x" + ")" * 10_000
    with pytest.raises(ValueError, match="20001 characters; at most 2000"):
        expression(deep)
    with pytest.raises(ValueError, match="100000 characters"):
        expression("x" * 100_000)
    nested = "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(ValueError, match=r"'\(' at column 51 .* nests deeper than 50 levels"):
        expression(nested)
    expression("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)  # the limit itself is allowed
    with pytest.raises(ValueError, match="nests deeper than 50"):
        expression("-" * 60 + "x")
    with pytest.raises(ValueError, match="nests deeper than 50"):
        expression("sin(x + " * 30 + "x" + ")" * 30)  # call, sum, call, sum...: 60 levels
    with pytest.raises(ValueError, match="more than 500 terms"):
        expression("+".join(["x"] * 300))
    assert len("x" + "+x" * 249) < MAX_LENGTH
    assert expression("x" + "+x" * 249).value(np.array([1.0])) == 250.0  # a flat sum is shallow


def test_a_blown_up_gradient_is_rejected() -> None:
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"gradient of .* terms written out; at most 10000"):
        expression("**".join(["(x+y)"] * 45))  # each level's chain rule copies the tower
    assert time.perf_counter() - start < 10.0


def test_text_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        expression(b"x**2")  # type: ignore[arg-type]


# --- hypothesis ---------------------------------------------------------------------------

PIECES = [
    "x", "y", "z", "sin", "exp", "log", "atan2", "pi", "e", "foo", "__import__", "lambda", "os",
    "0", "1", "2", "9", "1.5", "1e308", "1j", "0x1F", " ", "+", "-", "*", "/", "**", "^", "(",
    ")", ",", ".", "[", "]", "=", ";", ":", "'", '"', "#", "@", "%", "<", "!", "\\", "\n", "−",
]  # fmt: skip


def _call_or_reject(text: str) -> None:
    try:
        problem = expression(text)
    except ValueError:
        return
    x = points(problem.dim, (3,))
    value, grad = problem.value_and_grad(x)  # may be NaN or inf, must not raise
    assert value.shape == (3,) and grad.shape == (3, problem.dim)


ARITHMETIC = st.text(alphabet=st.sampled_from(list("xyz0123456789+-*/^().,e ")), max_size=60)


@settings(max_examples=400, deadline=timedelta(seconds=10))
@given(st.one_of(st.lists(st.sampled_from(PIECES), max_size=30).map("".join), ARITHMETIC))
def test_fuzz_token_soup_gives_a_problem_or_value_error(text: str) -> None:
    _call_or_reject(text)


@settings(max_examples=200, deadline=timedelta(seconds=10))
@given(st.text(max_size=40))
def test_fuzz_any_text_gives_a_problem_or_value_error(text: str) -> None:
    _call_or_reject(text)


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
    x = points(3, (6,), seed=2)
    expected = evaluate({"x": x[:, 0], "y": x[:, 1], "z": x[:, 2]})
    np.testing.assert_allclose(problem.value(x), expected, rtol=1e-9, atol=1e-9 * (1 + bound))


def test_function_list_is_documented() -> None:
    text = (Path(__file__).parents[2] / "docs" / "expressions.md").read_text(encoding="utf-8")
    missing = [name for name in FUNCTIONS if f"`{name}" not in text]
    assert not missing

"""The expression grammar: hostile text is rejected with a ValueError that names what was found
and its column in the text as written, nesting and size are bounded before parsing, ^ is power,
variables are found or checked, and no text ever raises anything else or hangs."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.problems.expression_grammar import MAX_DEPTH, MAX_LENGTH, read
from gdlab.problems.expressions import expression, parse_expression

HOSTILE = [
    ("__import__('os')", "name '__import__' at column 1"),
    ("().__class__", "operator '.' at column 3"),
    ("x.real", "operator '.' at column 2"),
    ("lambda: 1", "keyword 'lambda'"),
    ("[x for x in y]", "operator '['"),
    ("x[0]", "operator '['"),
    ('"abc"', "string"),
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
    ("exp(x=1)", "operator '='"),
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
]


@pytest.mark.parametrize(("text", "fragment"), HOSTILE)
def test_hostile_text_is_rejected(text: str, fragment: str) -> None:
    for reader in (read, expression):  # rejected while reading, before SymPy sees anything
        with pytest.raises(ValueError, match=re.escape(fragment)):
            reader(text)


def test_columns_refer_to_the_text_as_written() -> None:
    with pytest.raises(ValueError, match=re.escape("operator '.' at column 8 ")):
        expression("x  +  y.real")
    with pytest.raises(ValueError, match=re.escape("function 'f' at column 9 ")):
        expression("x^2 +   f(y)")  # after ^ became ** and spaces were collapsed


def test_caret_is_power_with_power_precedence() -> None:
    assert expression("x^2").name == "x**2"
    assert expression("2*x^2").value(np.array([3.0])) == 18.0  # not XOR's (2*x)^2
    assert expression("-x^2").value(np.array([3.0])) == -9.0
    assert expression("2^3^x").value(np.array([2.0])) == 2.0**9  # right-associative
    assert expression("x ^ 2 + y^ 2").params["expression"] == "x**2 + y**2"


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


def test_text_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        expression(b"x**2")  # type: ignore[arg-type]


def test_variables_are_found_x_y_z_first_then_sorted() -> None:
    assert parse_expression("b + a*z + x").variables == ("x", "z", "a", "b")
    assert parse_expression("sin(theta) + pi*e").variables == ("theta",)


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
    x = np.random.default_rng(0).uniform(-1.5, 1.5, (3, problem.dim))
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

"""From a checked expression tree to SymPy: build f, differentiate, print and lambdify.

`build` turns each whitelisted `ast` node directly into SymPy objects (sympy.Add, Mul, Pow,
the functions of `FUNCTION_TABLE`, exact Integer and Rational numbers); a constant part is also
evaluated in floats on the way, so 1/0, log(-1) and 9**9**9 fail with their column, and the
integers SymPy may form are bounded before SymPy sees them. `differentiate` gives ∇f, bounded
in size and checked real and finite; `lambdify` prints NumPy code from the SymPy trees (never
from the text). SymPy is passed in as `sp` by the caller, which imports it when first needed.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gdlab.problems.expression_grammar import (
    ALLOWED_FUNCTIONS,
    CONSTANTS,
    FUNCTION_TABLE,
    FUNCTIONS,
    OPERATORS,
    Source,
)

MAX_LITERAL = 1e15  # |number| in the text
MAX_EXPONENT = 1000  # |constant exponent|
MAX_BITS = 4096  # bound on the size of the integers SymPy may form while simplifying
MAX_GRADIENT_SIZE = 10_000  # nodes of ∇f written out (the chain rule copies subtrees)

_NODE_NAMES = {
    "Attribute": "attribute access", "Subscript": "subscript", "Lambda": "lambda",
    "ListComp": "comprehension", "GeneratorExp": "comprehension", "Compare": "comparison",
    "BoolOp": "boolean operator", "IfExp": "conditional expression", "NamedExpr": "':='",
    "Starred": "starred argument", "Tuple": "tuple", "List": "list", "Dict": "dict",
    "Set": "set", "JoinedStr": "f-string",
}  # fmt: skip


@dataclass(frozen=True)
class _Built:
    """A converted subtree: SymPy expression, float value when constant, integer-size bound."""

    expr: Any
    value: float | None
    bits: float


def build(sp: Any, source: Source, tree: ast.expr, symbols: Mapping[str, Any]) -> Any:
    """The SymPy expression of a tree from `expression_grammar.read`, in the given symbols."""
    return _Converter(source, symbols, sp).convert(tree).expr


def _excerpt(source: Source, node: ast.expr) -> str:
    """The text of a node, shortened to 40 characters."""
    text = source.text[node.col_offset : node.end_col_offset]
    return text if len(text) <= 40 else text[:37] + "..."


def _constant(source: Source, node: ast.expr, compute: Callable[[], Any]) -> float:
    """The float value of a constant subtree; ValueError where it is undefined or overflows."""
    found = f"constant {_excerpt(source, node)!r}"
    try:
        value = compute()
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise source.error(node.col_offset, found, f"is undefined ({error})") from None
    if isinstance(value, complex) or not math.isfinite(value):
        raise source.error(node.col_offset, found, f"is not a finite real number ({value})")
    return float(value)


class _Converter:
    """Build the SymPy expression from whitelisted AST nodes, checking each node on the way.

    Each node gives a `_Built`: its SymPy expression, its float value when it has no variables
    (so 1/0, log(-1) and 9**9**9 fail here, with their column), and `bits`, a bound on the size
    of the integers SymPy may form from it (raising a number or a product to a power n
    multiplies it by n: (2x)**3 becomes 8x**3).
    """

    def __init__(self, source: Source, symbols: Mapping[str, Any], sp: Any) -> None:
        self.source, self.symbols, self.sp = source, symbols, sp

    def convert(self, node: ast.expr) -> _Built:
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            return self._sum(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            return self._product(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self._power(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            built = self.convert(node.operand)
            if isinstance(node.op, ast.UAdd):
                return built
            value = None if built.value is None else -built.value
            return _Built(-built.expr, value, built.bits)
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        kind = _NODE_NAMES.get(type(node).__name__, type(node).__name__)
        if isinstance(node, (ast.BinOp, ast.UnaryOp)):
            kind = f"operator {type(node.op).__name__}"
        raise self.source.error(
            node.col_offset,
            kind,
            "is not allowed; expressions use numbers, variables, pi, e, "
            f"{' '.join(OPERATORS)} and {ALLOWED_FUNCTIONS}",
        )

    def _chain(self, node: ast.expr, group: tuple[type, ...]) -> list[tuple[bool, _Built]]:
        """Operands of a left-leaning chain a ∘ b ∘ c, each with True where ∘ is - or /."""
        operands: list[tuple[bool, ast.expr]] = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, group):
            operands.append((isinstance(node.op, (ast.Sub, ast.Div)), node.right))
            node = node.left
        operands.append((False, node))
        return [(inverse, self.convert(operand)) for inverse, operand in reversed(operands)]

    def _sum(self, node: ast.BinOp) -> _Built:
        """a ± b ± c: Add(a, ±b, ±c)."""
        terms = self._chain(node, (ast.Add, ast.Sub))
        value = None
        if all(term.value is not None for _, term in terms):
            value = _constant(self.source, node, lambda: _fold(terms, add=True))
        bits = sum(term.bits for _, term in terms) + len(terms)
        expr = self.sp.Add(*(-term.expr if minus else term.expr for minus, term in terms))
        return _Built(expr, value, bits)

    def _product(self, node: ast.BinOp) -> _Built:
        """a * b / c: Mul(a, b, c**-1); a constant divisor must not be 0."""
        factors = self._chain(node, (ast.Mult, ast.Div))
        for (divide, factor), position in zip(factors, _chain_positions(node), strict=True):
            if divide and factor.value == 0:
                raise self.source.error(position, "division by zero", "is not allowed")
        value = None
        if all(factor.value is not None for _, factor in factors):
            value = _constant(self.source, node, lambda: _fold(factors, add=False))
        bits = sum(factor.bits for _, factor in factors)
        sp = self.sp
        expr = sp.Mul(*(sp.Pow(f.expr, -1) if divide else f.expr for divide, f in factors))
        return _Built(expr, value, bits)

    def _power(self, node: ast.BinOp) -> _Built:
        """a ** b, with |b| <= MAX_EXPONENT where b is constant and integers kept small."""
        base, exponent = self.convert(node.left), self.convert(node.right)
        power = exponent.value
        where = node.right.col_offset
        if power is not None and abs(power) > MAX_EXPONENT:
            limits = f"is outside [-{MAX_EXPONENT}, {MAX_EXPONENT}]"
            raise self.source.error(where, f"exponent {power:g}", limits)
        if base.value == 0 and power is not None and power < 0:
            raise self.source.error(node.col_offset, "0 to a negative power", "is undefined")
        # SymPy raises a number or the coefficient of a product: (2x)**3 -> 8x**3, never a sum's
        distributes = power is not None and (base.value is not None or base.expr.is_Mul)
        bits = base.bits * max(1.0, abs(power)) if distributes else base.bits  # type: ignore[arg-type]
        bits += exponent.bits
        if bits > MAX_BITS:
            raise self.source.error(where, "power", f"makes numbers over {MAX_BITS} bits")
        value = None
        if base.value is not None and power is not None:
            b = base.value
            value = _constant(self.source, node, lambda: b**power)
        return _Built(self.sp.Pow(base.expr, exponent.expr), value, bits)

    def _number(self, node: ast.Constant) -> _Built:
        number = node.value
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise self.source.error(node.col_offset, f"literal {number!r}", "is not a real number")
        if not abs(number) <= MAX_LITERAL:
            raise self.source.error(
                node.col_offset, f"number {number:g}", f"is larger than {MAX_LITERAL:g}"
            )
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        sp = self.sp
        exact = sp.Integer(number) if isinstance(number, int) else sp.Rational(repr(number))
        bits = int(exact.p).bit_length() + int(exact.q).bit_length()
        return _Built(exact, float(number), bits)

    def _name(self, node: ast.Name) -> _Built:
        name = node.id
        if name in CONSTANTS:
            return _Built(self.sp.pi if name == "pi" else self.sp.E, getattr(math, name), 0)
        if name in FUNCTIONS:
            raise self.source.error(node.col_offset, f"function {name!r}", "needs an argument")
        if name not in self.symbols:
            known = ", ".join(self.symbols)
            raise self.source.error(
                node.col_offset, f"unknown name {name!r}", f"is not a variable ({known})"
            )
        return _Built(self.symbols[name], None, 0)

    def _call(self, node: ast.Call) -> _Built:
        function = node.func
        name = function.id if isinstance(function, ast.Name) else _excerpt(self.source, function)
        if name not in FUNCTIONS:
            raise self.source.error(
                node.col_offset, f"function {name!r}", f"is unknown; {ALLOWED_FUNCTIONS}"
            )
        if node.keywords:
            raise self.source.error(node.col_offset, f"{name}(...)", "takes no keyword arguments")
        arity, numeric, builder = FUNCTION_TABLE[name]
        if len(node.args) != arity:
            plural = "s" if arity > 1 else ""
            raise self.source.error(
                node.col_offset, name, f"takes {arity} argument{plural}, got {len(node.args)}"
            )
        args = [self.convert(arg) for arg in node.args]
        value = None
        if all(arg.value is not None for arg in args):
            value = _constant(self.source, node, lambda: numeric(*(arg.value for arg in args)))
        bits = sum(arg.bits for arg in args)
        return _Built(builder(self.sp, *(arg.expr for arg in args)), value, bits)


def _chain_positions(node: ast.expr) -> list[int]:
    """Columns of the operands of a left-leaning * / chain, in reading order."""
    positions: list[int] = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        positions.append(node.right.col_offset)
        node = node.left
    positions.append(node.col_offset)
    return positions[::-1]


def _fold(operands: list[tuple[bool, _Built]], *, add: bool = False) -> float:
    """a ± b ± c (add) or a * b / c in floats, for operands that are all constant."""
    values = [(inverse, float(operand.value or 0.0)) for inverse, operand in operands]
    if add:
        return math.fsum(-value if minus else value for minus, value in values)
    result = 1.0
    for divide, value in values:
        result = result / value if divide else result * value
    return result


def differentiate(
    sp: Any, expr: Any, symbols: Sequence[Any], names: Sequence[str], short: str
) -> tuple[Any, ...]:
    """∇f = (∂f/∂s for s in symbols), at most MAX_GRADIENT_SIZE nodes; f and ∇f real, finite."""
    gradient = tuple(sp.diff(expr, symbol) for symbol in symbols)
    size = sum(_tree_size(part) for part in gradient)
    if size > MAX_GRADIENT_SIZE:
        raise ValueError(
            f"gradient of {short!r} has {size} terms written out; at most {MAX_GRADIENT_SIZE}"
        )
    _check_real(sp, expr, "f", short)
    for name, part in zip(names, gradient, strict=True):
        _check_real(sp, part, f"df/d{name}", short)
    return gradient


def _tree_size(expr: Any) -> int:
    """Nodes of a SymPy tree counted as printed (shared subtrees count each time), in O(DAG)."""
    sizes: dict[Any, int] = {}
    stack = [expr]
    while stack:
        node = stack[-1]
        pending = [arg for arg in node.args if arg not in sizes]
        if pending:
            stack.extend(pending)
            continue
        sizes[stack.pop()] = 1 + sum(sizes[arg] for arg in node.args)
    return sizes[expr]


def _check_real(sp: Any, expr: Any, what: str, text: str) -> None:
    """f and ∇f must be real and finite as SymPy trees, with numbers that fit a float."""
    if expr.has(sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo):
        shown = str(expr)[:200]
        raise ValueError(f"{what} of {text!r} is not real and finite: SymPy gives {shown}")
    for number in expr.atoms(sp.Rational):
        if max(abs(int(number.p)), int(number.q)).bit_length() > 1000:
            raise ValueError(f"{what} of {text!r} has a number too large for a float")


def lambdify(
    sp: Any, symbols: Sequence[Any], expr: Any, gradient: Sequence[Any]
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """NumPy code for f and for ∇f (one tuple of parts, common subexpressions shared)."""
    # the code is printed from the SymPy trees, never from the text; Dummy arguments print as
    # _Dummy_<n>, so a variable named like a NumPy function (sign, angle) cannot shadow it
    value_code = sp.lambdify(symbols, expr, modules="numpy", dummify=False)
    grad_code = sp.lambdify(symbols, gradient, modules="numpy", dummify=False, cse=True)
    return value_code, grad_code


def printer(sp: Any) -> Any:
    """SymPy's str printer, writing each variable's Dummy as its plain name."""

    class Printer(sp.printing.str.StrPrinter):
        def _print_Dummy(self, expr: Any) -> str:
            return str(expr.name)

    return Printer()

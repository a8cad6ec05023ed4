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
the grammar, the limits and why this is safe.
"""

from __future__ import annotations

import ast
import functools
import io
import keyword
import math
import tokenize
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from gdlab.problems.problem import Array, Problem, Window

MAX_LENGTH = 2000  # characters of text
MAX_NODES = 500  # numbers, names, operators and calls
MAX_DEPTH = 50  # nesting: parentheses, calls, powers, unary signs
MAX_VARIABLES = 10
MAX_LITERAL = 1e15  # |number| in the text
MAX_EXPONENT = 1000  # |constant exponent|
MAX_BITS = 4096  # bound on the size of the integers SymPy may form while simplifying
MAX_GRADIENT_SIZE = 10_000  # nodes of ∇f written out (the chain rule copies subtrees)
CONSTANTS = ("pi", "e")
OPERATORS = ("+", "-", "*", "/", "**", "^", "(", ")", ",")


def _sigmoid(t: float) -> float:
    return (1.0 + math.tanh(t / 2.0)) / 2.0


# name -> (number of arguments, float function for constants, SymPy builder)
_FUNCTIONS: Mapping[str, tuple[int, Callable[..., float], Callable[..., Any]]] = MappingProxyType(
    {
        "sin": (1, math.sin, lambda sp, t: sp.sin(t)),
        "cos": (1, math.cos, lambda sp, t: sp.cos(t)),
        "tan": (1, math.tan, lambda sp, t: sp.tan(t)),
        "arcsin": (1, math.asin, lambda sp, t: sp.asin(t)),
        "asin": (1, math.asin, lambda sp, t: sp.asin(t)),
        "arccos": (1, math.acos, lambda sp, t: sp.acos(t)),
        "acos": (1, math.acos, lambda sp, t: sp.acos(t)),
        "arctan": (1, math.atan, lambda sp, t: sp.atan(t)),
        "atan": (1, math.atan, lambda sp, t: sp.atan(t)),
        "arctan2": (2, math.atan2, lambda sp, s, t: sp.atan2(s, t)),
        "atan2": (2, math.atan2, lambda sp, s, t: sp.atan2(s, t)),
        "sinh": (1, math.sinh, lambda sp, t: sp.sinh(t)),
        "cosh": (1, math.cosh, lambda sp, t: sp.cosh(t)),
        "tanh": (1, math.tanh, lambda sp, t: sp.tanh(t)),
        "exp": (1, math.exp, lambda sp, t: sp.exp(t)),
        "log": (1, math.log, lambda sp, t: sp.log(t)),
        "ln": (1, math.log, lambda sp, t: sp.log(t)),
        "sqrt": (1, math.sqrt, lambda sp, t: sp.sqrt(t)),
        "abs": (1, abs, lambda sp, t: sp.Abs(t)),
        "sigmoid": (1, _sigmoid, lambda sp, t: (1 + sp.tanh(t / 2)) / 2),
    }
)
FUNCTIONS: Mapping[str, int] = MappingProxyType({k: v[0] for k, v in _FUNCTIONS.items()})

_STRING_TOKENS = {  # Python 3.12 reads f-strings as FSTRING_START ..., 3.14 t-strings as TSTRING_
    getattr(tokenize, kind, tokenize.STRING)
    for kind in ("STRING", "FSTRING_START", "TSTRING_START")
}
_BEFORE_UNARY = ("+", "-", "*", "/", "**", "^", "(", ",")
_ALLOWED_OPERATORS = "allowed operators are " + " ".join(OPERATORS)
_ALLOWED_FUNCTIONS = "functions are " + ", ".join(FUNCTIONS)
_NODE_NAMES = {
    "Attribute": "attribute access", "Subscript": "subscript", "Lambda": "lambda",
    "ListComp": "comprehension", "GeneratorExp": "comprehension", "Compare": "comparison",
    "BoolOp": "boolean operator", "IfExp": "conditional expression", "NamedExpr": "':='",
    "Starred": "starred argument", "Tuple": "tuple", "List": "list", "Dict": "dict",
    "Set": "set", "JoinedStr": "f-string",
}  # fmt: skip


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


@dataclass(frozen=True)
class _Source:
    """Text to read, and for each of its characters the index in the text the user wrote."""

    original: str
    text: str
    origin: tuple[int, ...]

    def error(self, index: int, found: str, rest: str) -> ValueError:
        origin = self.origin
        column = origin[index] + 1 if index < len(origin) else (origin[-1] + 2 if origin else 1)
        snippet = self.original.strip()
        if len(self.original) > 60:
            low = max(column - 30, 0)
            snippet = "..." + self.original[low : low + 60] + "..."
        return ValueError(f"{found} at column {column} of {snippet!r} {rest}")


@dataclass(frozen=True)
class _Built:
    """A converted subtree: SymPy expression, float value when constant, integer-size bound."""

    expr: Any
    value: float | None
    bits: float


def _normalise(text: str) -> _Source:
    """Strip, and collapse each run of whitespace to one space; keep where each char came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            continue
        if chars and origin[-1] != index - 1:
            chars.append(" ")
            origin.append(index - 1)
        chars.append(char)
        origin.append(index)
    return _Source(text, "".join(chars), tuple(origin))


def _check_text(text: object) -> _Source:
    if not isinstance(text, str):
        raise TypeError(f"expression text must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"expression text has {len(text)} characters; at most {MAX_LENGTH}")
    source = _normalise(text)
    if not source.text:
        raise ValueError("expression text is empty; write a formula such as 'x**2 + 10*y**2'")
    for index, char in enumerate(source.text):
        if not char.isascii():
            raise source.error(index, f"character {char!r} (U+{ord(char):04X})", "is not ASCII")
        if char in "$?`\\":  # in no token outside strings; tokenizers differ on them
            raise source.error(
                index, f"character {char!r}", f"is not allowed; {_ALLOWED_OPERATORS}"
            )
    return source


def _check_name(source: _Source, index: int, name: str) -> None:
    if keyword.iskeyword(name):
        raise source.error(index, f"keyword {name!r}", "is not allowed")
    if name.startswith("_"):
        raise source.error(index, f"name {name!r}", "is not allowed: names cannot start with '_'")


def _check_token(source: _Source, token: tokenize.TokenInfo) -> None:
    index, kind, string = token.start[1], token.type, token.string
    if kind == tokenize.NAME:
        _check_name(source, index, string)
    elif kind == tokenize.NUMBER and string[-1] in "jJ":
        raise source.error(index, f"complex number {string!r}", "is not allowed")
    elif kind == tokenize.OP and string not in OPERATORS:
        raise source.error(index, f"operator {string!r}", f"is not allowed; {_ALLOWED_OPERATORS}")
    elif kind in _STRING_TOKENS:
        raise source.error(index, f"string {string!r}", "is not allowed")
    elif kind not in (tokenize.NAME, tokenize.NUMBER, tokenize.OP, tokenize.NEWLINE):
        found = f"{'comment' if kind == tokenize.COMMENT else 'character'} {string.strip()!r}"
        raise source.error(index, found, f"is not allowed; {_ALLOWED_OPERATORS}")


def _read_tokens(source: _Source) -> list[tokenize.TokenInfo]:
    """Tokens of the text, checked one by one, with nesting and size bounded before parsing.

    Depth counts, for each open parenthesis, 1 plus the run of ** ^ and unary signs since the
    last + - * / or comma at that level: an upper bound on what the parser has to nest.
    """
    tokens: list[tokenize.TokenInfo] = []
    opened: list[int] = []
    runs = [0]
    previous, size = "(", 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source.text).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.NL) or not token.string.strip():
                continue
            _check_token(source, token)
            string, index = token.string, token.start[1]
            if string == "(":
                opened.append(index)
                runs.append(0)
            elif string == ")":
                if not opened:
                    raise source.error(index, "')'", "closes no '('")
                opened.pop()
                runs.pop()
            elif string in ("**", "^") or (string in ("+", "-") and previous in _BEFORE_UNARY):
                runs[-1] += 1
            elif string in ("+", "-", "*", "/", ","):
                runs[-1] = 0
            size += string not in ("(", ")", ",")
            if len(runs) + sum(runs) - 1 > MAX_DEPTH:
                raise source.error(index, f"{string!r}", f"nests deeper than {MAX_DEPTH} levels")
            if size > MAX_NODES:
                raise source.error(index, f"{string!r}", f"makes more than {MAX_NODES} terms")
            previous = string if token.type == tokenize.OP else "name"
            tokens.append(token)
    except (tokenize.TokenError, SyntaxError) as error:
        if opened:
            raise source.error(opened[-1], "'('", "is never closed") from None
        raise source.error(len(source.text), "text", f"cannot be read ({error})") from None
    return tokens


def _rewrite_powers(source: _Source, tokens: list[tokenize.TokenInfo]) -> _Source:
    """Replace each ^ operator token (Python's XOR) by ** ."""
    text, origin = source.text, list(source.origin)
    for token in reversed(tokens):
        if token.type == tokenize.OP and token.string == "^":
            index = token.start[1]
            text = text[:index] + "**" + text[index + 1 :]
            origin.insert(index, origin[index])
    return _Source(source.original, text, tuple(origin))


def _same_chain(parent: ast.AST, child: ast.AST) -> bool:
    """True where child continues parent's left-leaning chain of + - or of * /."""
    groups = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))
    if not (isinstance(parent, ast.BinOp) and isinstance(child, ast.BinOp)):
        return False
    return child is parent.left and any(
        isinstance(parent.op, group) and isinstance(child.op, group) for group in groups
    )


def _parse(source: _Source) -> ast.expr:
    try:
        tree = ast.parse(source.text, mode="eval").body
    except SyntaxError as error:
        index = (error.offset or 1) - 1
        raise source.error(index, "syntax error", f"({error.msg})") from None
    except (RecursionError, MemoryError):
        raise ValueError(f"expression {source.original[:60]!r} nests too deeply") from None
    nodes, stack = 0, [(tree, 1)]
    while stack:  # iterative: a deep tree cannot overflow the stack here
        node, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH or nodes > MAX_NODES:
            bound = f"nests deeper than {MAX_DEPTH}" if depth > MAX_DEPTH else "has too many terms"
            raise source.error(getattr(node, "col_offset", 0), "expression", bound)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                stack.append((child, depth + (not _same_chain(node, child))))
    return tree


def _find_variables(tree: ast.expr) -> tuple[str, ...]:
    """Names that are neither functions nor constants: x, y, z first, then sorted."""
    found = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS and node.id not in CONSTANTS
    }
    first = tuple(name for name in ("x", "y", "z") if name in found)
    return first + tuple(sorted(found - set(first)))


def _check_variables(variables: object) -> tuple[str, ...]:
    if isinstance(variables, str) or not isinstance(variables, Sequence):
        raise ValueError(f"variables must be a sequence of names, got {variables!r}")
    names = tuple(variables)
    if not 1 <= len(names) <= MAX_VARIABLES or len(set(names)) != len(names):
        raise ValueError(f"variables must be 1 to {MAX_VARIABLES} distinct names, got {names!r}")
    for name in names:
        valid = isinstance(name, str) and name.isascii() and name.isidentifier()
        if not valid or keyword.iskeyword(name) or name.startswith("_"):
            raise ValueError(f"variable {name!r} must be an ASCII identifier not starting with _")
        if name in FUNCTIONS or name in CONSTANTS:
            raise ValueError(f"variable {name!r} is the name of a function or constant")
    return names


def _excerpt(source: _Source, node: ast.expr) -> str:
    """The text of a node, shortened to 40 characters."""
    text = source.text[node.col_offset : node.end_col_offset]
    return text if len(text) <= 40 else text[:37] + "..."


def _constant(source: _Source, node: ast.expr, compute: Callable[[], Any]) -> float:
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

    def __init__(self, source: _Source, symbols: Mapping[str, Any], sp: Any) -> None:
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
            f"{' '.join(OPERATORS)} and {_ALLOWED_FUNCTIONS}",
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
                node.col_offset, f"function {name!r}", f"is unknown; {_ALLOWED_FUNCTIONS}"
            )
        if node.keywords:
            raise self.source.error(node.col_offset, f"{name}(...)", "takes no keyword arguments")
        arity, numeric, build = _FUNCTIONS[name]
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
        return _Built(build(self.sp, *(arg.expr for arg in args)), value, bits)


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


def _points(x: Any, dim: int) -> Array:
    """x as an array of shape (..., dim), keeping a floating dtype; integers become float64."""
    x = np.asarray(x)
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    elif x.dtype.kind != "f":
        raise ValueError(f"expression takes real numbers, got dtype {x.dtype}")
    if x.ndim == 0 or x.shape[-1] != dim:
        raise ValueError(f"expression takes x of shape (..., {dim}), got {x.shape}")
    return x


def _vectorise(
    value_code: Callable[..., Any], grad_code: Callable[..., Any], dim: int
) -> tuple[Callable[[Array], Array], Callable[[Array], Array]]:
    """value: (..., n) -> (...), grad: (..., n) -> (..., n); NumPy warnings silenced."""

    def value(x: Array) -> Array:
        x = _points(x, dim)
        out = np.empty(x.shape[:-1], dtype=x.dtype)
        with np.errstate(all="ignore"):
            out[...] = value_code(*np.moveaxis(x, -1, 0))
        return out[()]

    def grad(x: Array) -> Array:
        x = _points(x, dim)
        out = np.empty(x.shape, dtype=x.dtype)
        with np.errstate(all="ignore"):
            for index, part in enumerate(grad_code(*np.moveaxis(x, -1, 0))):
                out[..., index] = part  # a constant part broadcasts
        return out

    return value, grad


def _printer(sp: Any) -> Any:
    """SymPy's str printer, writing each variable's Dummy as its plain name."""

    class Printer(sp.printing.str.StrPrinter):
        def _print_Dummy(self, expr: Any) -> str:
            return str(expr.name)

    return Printer()


@functools.lru_cache(maxsize=256)
def _compile(text: str, variables: tuple[str, ...] | None) -> ParsedExpression:
    """Check, build, differentiate and lambdify; pure, so cached per (text, variables)."""
    import sympy as sp

    source = _check_text(text)
    source = _rewrite_powers(source, _read_tokens(source))
    tree = _parse(source)
    short = source.text if len(source.text) <= 60 else source.text[:57] + "..."
    names = _find_variables(tree) if variables is None else variables
    if len(names) > MAX_VARIABLES:
        raise ValueError(f"expression has {len(names)} variables {names}; at most {MAX_VARIABLES}")
    symbols = tuple(sp.Dummy(name, real=True) for name in names)
    expr = _Converter(source, dict(zip(names, symbols, strict=True)), sp).convert(tree).expr
    if not names:
        raise ValueError(f"expression {short!r} has no variables; pass variables=('x',) if meant")
    gradient = tuple(sp.diff(expr, symbol) for symbol in symbols)
    size = sum(_tree_size(part) for part in gradient)
    if size > MAX_GRADIENT_SIZE:
        raise ValueError(
            f"gradient of {short!r} has {size} terms written out; at most {MAX_GRADIENT_SIZE}"
        )
    _check_real(sp, expr, "f", short)
    for name, part in zip(names, gradient, strict=True):
        _check_real(sp, part, f"df/d{name}", short)
    # the code is printed from the SymPy trees, never from the text; Dummy arguments print as
    # _Dummy_<n>, so a variable named like a NumPy function (sign, angle) cannot shadow it
    value_code = sp.lambdify(symbols, expr, modules="numpy", dummify=False)
    grad_code = sp.lambdify(symbols, gradient, modules="numpy", dummify=False, cse=True)
    value, grad = _vectorise(value_code, grad_code, len(names))
    printer = _printer(sp)
    texts = tuple(printer.doprint(part) for part in gradient)
    return ParsedExpression(
        source.text, names, printer.doprint(expr), texts, symbols, expr, gradient, value, grad
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
    return _compile(text, None if variables is None else _check_variables(variables))


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

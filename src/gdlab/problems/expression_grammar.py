"""The expression language: Python's tokenizer and `ast` cut down to real arithmetic.

`read(text)` checks the text before any SymPy is built: its length and characters, then each
token against the whitelist (names, numbers, the operators in `OPERATORS`) with nesting and
size bounded on the token stream, then `^` rewritten to `**` on that stream, then
`ast.parse(mode="eval")` with nesting and size bounded again on the tree. Each error names
what it found and its column in the text as the user wrote it.

    >>> source, tree = read("x^2 +  y")
    >>> source.text, ast.dump(tree.left.op), find_variables(tree)
    ('x**2 + y', 'Pow()', ('x', 'y'))

`FUNCTIONS` and `CONSTANTS` are the names a text may use besides its variables;
gdlab.problems.expression_sympy turns the checked tree into SymPy.
"""

from __future__ import annotations

import ast
import io
import keyword
import math
import tokenize
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

MAX_LENGTH = 2000  # characters of text
MAX_NODES = 500  # numbers, names, operators and calls
MAX_DEPTH = 50  # nesting: parentheses, calls, powers, unary signs
MAX_VARIABLES = 10
CONSTANTS = ("pi", "e")
OPERATORS = ("+", "-", "*", "/", "**", "^", "(", ")", ",")


def _sigmoid(t: float) -> float:
    return (1.0 + math.tanh(t / 2.0)) / 2.0


# name -> (number of arguments, float function for constants, SymPy builder)
FUNCTION_TABLE: Mapping[str, tuple[int, Callable[..., float], Callable[..., Any]]] = (
    MappingProxyType(
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
)
FUNCTIONS: Mapping[str, int] = MappingProxyType({k: v[0] for k, v in FUNCTION_TABLE.items()})
ALLOWED_OPERATORS = "allowed operators are " + " ".join(OPERATORS)
ALLOWED_FUNCTIONS = "functions are " + ", ".join(FUNCTIONS)

_STRING_TOKENS = {  # Python 3.12 reads f-strings as FSTRING_START ..., 3.14 t-strings as TSTRING_
    getattr(tokenize, kind, tokenize.STRING)
    for kind in ("STRING", "FSTRING_START", "TSTRING_START")
}
_BEFORE_UNARY = ("+", "-", "*", "/", "**", "^", "(", ",")


@dataclass(frozen=True)
class Source:
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


def read(text: str) -> tuple[Source, ast.expr]:
    """The checked text (whitespace runs collapsed, ^ written **) and its expression tree."""
    source = _check_text(text)
    source = _rewrite_powers(source, _read_tokens(source))
    return source, _parse(source)


def _normalise(text: str) -> Source:
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
    return Source(text, "".join(chars), tuple(origin))


def _check_text(text: object) -> Source:
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
            raise source.error(index, f"character {char!r}", f"is not allowed; {ALLOWED_OPERATORS}")
    return source


def _check_name(source: Source, index: int, name: str) -> None:
    if keyword.iskeyword(name):
        raise source.error(index, f"keyword {name!r}", "is not allowed")
    if name.startswith("_"):
        raise source.error(index, f"name {name!r}", "is not allowed: names cannot start with '_'")


def _check_token(source: Source, token: tokenize.TokenInfo) -> None:
    index, kind, string = token.start[1], token.type, token.string
    if kind == tokenize.NAME:
        _check_name(source, index, string)
    elif kind == tokenize.NUMBER and string[-1] in "jJ":
        raise source.error(index, f"complex number {string!r}", "is not allowed")
    elif kind == tokenize.OP and string not in OPERATORS:
        raise source.error(index, f"operator {string!r}", f"is not allowed; {ALLOWED_OPERATORS}")
    elif kind in _STRING_TOKENS:
        raise source.error(index, f"string {string!r}", "is not allowed")
    elif kind not in (tokenize.NAME, tokenize.NUMBER, tokenize.OP, tokenize.NEWLINE):
        found = f"{'comment' if kind == tokenize.COMMENT else 'character'} {string.strip()!r}"
        raise source.error(index, found, f"is not allowed; {ALLOWED_OPERATORS}")


def _read_tokens(source: Source) -> list[tokenize.TokenInfo]:
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


def _rewrite_powers(source: Source, tokens: list[tokenize.TokenInfo]) -> Source:
    """Replace each ^ operator token (Python's XOR) by ** ."""
    text, origin = source.text, list(source.origin)
    for token in reversed(tokens):
        if token.type == tokenize.OP and token.string == "^":
            index = token.start[1]
            text = text[:index] + "**" + text[index + 1 :]
            origin.insert(index, origin[index])
    return Source(source.original, text, tuple(origin))


def _same_chain(parent: ast.AST, child: ast.AST) -> bool:
    """True where child continues parent's left-leaning chain of + - or of * /."""
    groups = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))
    if not (isinstance(parent, ast.BinOp) and isinstance(child, ast.BinOp)):
        return False
    return child is parent.left and any(
        isinstance(parent.op, group) and isinstance(child.op, group) for group in groups
    )


def _parse(source: Source) -> ast.expr:
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


def find_variables(tree: ast.expr) -> tuple[str, ...]:
    """Names that are neither functions nor constants: x, y, z first, then sorted."""
    found = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS and node.id not in CONSTANTS
    }
    first = tuple(name for name in ("x", "y", "z") if name in found)
    return first + tuple(sorted(found - set(first)))


def check_variables(variables: object) -> tuple[str, ...]:
    """Variables a caller names: 1 to MAX_VARIABLES distinct ASCII identifiers, none reserved."""
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

"""Objectives to minimise: named test functions, parsed expressions (and, in
`gdlab.problems.models`, the models `gd.fit` trains).

    >>> from gdlab import problems
    >>> problems.get("himmelblau").minimum
    0.0

Every objective is a `Problem` (value, analytic gradient, minima, plot window, start point);
`names()` lists the named ones, `get(name, **params)` builds one, `expression(text)` parses one.
"""

from gdlab.problems.expressions import expression
from gdlab.problems.functions import get, names
from gdlab.problems.problem import Problem

__all__ = ["Problem", "expression", "get", "names"]

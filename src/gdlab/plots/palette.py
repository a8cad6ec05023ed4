"""One look for every figure: a colour and a line style per optimizer (colour-blind-safe), the
figure factory, and the contour levels of a landscape.

Colours are the Okabe–Ito palette and Paul Tol's "muted" dark tones, chosen so that the seeds'
four main characters — plain GD (black), momentum (blue), RMSprop (vermillion) and Adam (bluish
green) — are the most distinct; Adam's variants are dashed or dotted, so no two optimizers differ
by hue alone.  Figures are `matplotlib.figure.Figure` objects (Agg, no pyplot, no global state).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
from matplotlib.figure import Figure

STYLES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "sgd": ("#000000", "-"),
        "momentum": ("#0072B2", "-"),
        "adagrad": ("#999933", "-"),
        "rmsprop": ("#D55E00", "-"),
        "adadelta": ("#56B4E9", "-"),
        "adam": ("#009E73", "-"),
        "adamw": ("#332288", "--"),
        "adamax": ("#E69F00", "--"),
        "nadam": ("#CC79A7", "--"),
        "radam": ("#882255", ":"),
        "lion": ("#777777", "-."),
    }
)
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#882255")
EXTRA = ("#44AA99", "#AA4499", "#117733", "#DDCC77", "#88CCEE", "#CC6677")
START: dict[str, Any] = {
    "marker": "o",
    "color": "white",
    "markeredgecolor": "black",
    "markersize": 9,
}
MINIMUM: dict[str, Any] = {
    "marker": "*",
    "color": "#F0E442",
    "markeredgecolor": "black",
    "markersize": 15,
}
BACKGROUND = "Greys"


def style(name: str, index: int = 0) -> dict[str, Any]:
    """Line colour and style for an optimizer (others: EXTRA colours by `index`, dashed)."""
    if name in STYLES:
        colour, line = STYLES[name]
    else:
        colour, line = EXTRA[index % len(EXTRA)], "--"
    return {"color": colour, "linestyle": line}


def series(index: int) -> dict[str, Any]:
    """A solid line of the index-th colour, for curves that are not optimizers (schedules)."""
    return {"color": SERIES[index % len(SERIES)], "linestyle": "-"}


def styles(labels: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """label → style, for runs labelled freely (label → optimizer name); a second run of the same
    optimizer keeps its colour and changes its line style."""
    seen: dict[str, int] = {}
    out: dict[str, dict[str, Any]] = {}
    lines = ("-", "--", ":", "-.")
    for index, (label, name) in enumerate(labels.items()):
        look = style(name, index)
        repeat = seen.get(name, 0)
        seen[name] = repeat + 1
        if repeat:
            look["linestyle"] = lines[repeat % len(lines)]
        out[label] = look
    return out


def figure(width: float = 7.0, height: float = 5.0) -> Figure:
    """A new Figure with constrained layout and readable font sizes."""
    fig = Figure(figsize=(width, height), layout="constrained", dpi=110)
    fig.set_facecolor("white")
    return fig


def quantile_levels(values: np.ndarray, count: int = 30) -> np.ndarray:
    """Contour levels at quantiles of the values: even where f spans many decades."""
    finite = values[np.isfinite(values)]
    levels = np.unique(np.quantile(finite, np.linspace(0.0, 0.98, count) ** 1.5))
    return levels if levels.size >= 2 else np.array([finite.min(), finite.max() + 1.0])

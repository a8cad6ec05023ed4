"""Figures (layer L5): matplotlib Figures built without pyplot (Agg), never shown.

    fig = plots.contour(problem, {"adam": path}, names={"adam": "adam"})
    plots.save(fig, "paths.png")

Every function returns a `matplotlib.figure.Figure`; `save` writes it (PNG, SVG or PDF by the
suffix) and releases it.  One colour and line style per optimizer across every figure
(`plots.STYLES`, colour-blind-safe; see `gdlab.plots.palette`).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from matplotlib.figure import Figure

from gdlab.history import write_bytes_atomic
from gdlab.plots.animation import animate, frame_steps
from gdlab.plots.curves import (
    batch_noise,
    data_vs_prediction,
    ewa_figure,
    loss_curves,
    lr_find,
    noisy_series,
    schedules,
    sensitivity,
)
from gdlab.plots.landscape import contour, grid, internals, surface
from gdlab.plots.palette import STYLES, style, styles

FORMATS = (".png", ".svg", ".pdf")


def save(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write the figure to `path` (PNG, SVG or PDF by the suffix) atomically: rendered in
    memory, then a temporary file renamed over `path`.  The folder must exist."""
    target = Path(path)
    if target.suffix.lower() not in FORMATS:
        raise ValueError(f"a figure file must end in {', '.join(FORMATS)}, got {str(path)!r}")
    if not target.parent.is_dir():
        raise ValueError(f"the folder {target.parent} of {str(path)!r} does not exist")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=target.suffix.lower()[1:], bbox_inches="tight")
    fig.clear()
    write_bytes_atomic(target, buffer.getvalue())
    return target


__all__ = [
    "STYLES",
    "animate",
    "batch_noise",
    "contour",
    "data_vs_prediction",
    "ewa_figure",
    "frame_steps",
    "grid",
    "internals",
    "loss_curves",
    "lr_find",
    "noisy_series",
    "save",
    "schedules",
    "sensitivity",
    "style",
    "styles",
    "surface",
]

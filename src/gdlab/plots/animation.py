"""GIF animation: the paths drawn step by step over the contour (Agg frames, Pillow GIF)."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from gdlab.history import write_bytes_atomic
from gdlab.plots.landscape import Paths, draw_contour
from gdlab.plots.palette import START, figure, styles
from gdlab.problems import Problem


def frame_steps(steps: int, frames: int) -> np.ndarray:
    """The step shown in each frame: eased (quadratic), so the fast early moves get more frames."""
    if frames < 2:
        raise ValueError(f"frames must be >= 2, got {frames}")
    fractions = np.linspace(0.0, 1.0, frames) ** 2
    return np.unique(np.round(fractions * steps).astype(int))


def animate(
    problem: Problem,
    paths: Paths,
    out: str | os.PathLike[str],
    *,
    names: Mapping[str, str] | None = None,
    frames: int = 60,
    fps: int = 15,
    dpi: int = 80,
) -> Path:
    """Write a GIF of the paths (label → (steps + 1, n) trajectory) growing over the contour."""
    from PIL import Image

    if problem.dim < 2:
        raise ValueError(f"animate needs 2 or more variables, {problem.name} has {problem.dim}")
    if not paths:
        raise ValueError("animate needs at least one path, got none")
    if fps < 1:
        raise ValueError(f"fps must be >= 1, got {fps}")
    kind = Image.registered_extensions().get(Path(out).suffix.lower())
    if kind not in ("GIF", "PNG", "WEBP"):
        raise ValueError(f"an animation file must end in .gif, .png or .webp, got {str(out)!r}")
    if not Path(out).parent.is_dir():
        raise ValueError(f"the folder {Path(out).parent} of {str(out)!r} does not exist")
    fig = figure(6.4, 5.2)
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    draw_contour(ax, problem)
    looks = styles({label: (names or {}).get(label, label) for label in paths})
    arrays = {label: np.asarray(path, dtype=float) for label, path in paths.items()}
    lines = {
        label: ax.plot([], [], linewidth=1.8, label=label, **looks[label])[0] for label in arrays
    }
    heads = {label: ax.plot([], [], "o", color=looks[label]["color"])[0] for label in arrays}
    first = next(iter(arrays.values()))
    ax.plot(first[0, 0], first[0, 1], linestyle="none", label="start", **START)
    ax.legend(loc="upper left", fontsize=8, frameon=True)
    longest = max(len(path) for path in arrays.values()) - 1
    images = []
    for step in frame_steps(longest, frames):
        for label, path in arrays.items():
            shown = path[: min(step, len(path) - 1) + 1]
            lines[label].set_data(shown[:, 0], shown[:, 1])
            heads[label].set_data(shown[-1:, 0], shown[-1:, 1])
        ax.set_title(f"{problem.name}: step {step}")
        canvas.draw()
        images.append(Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB"))
    target, buffer = Path(out), io.BytesIO()
    palette = [image.quantize(colors=128, method=Image.Quantize.MEDIANCUT) for image in images]
    palette[0].save(
        buffer, format=kind, save_all=True, append_images=palette[1:],
        duration=int(1000 / fps), loop=0,
    )  # fmt: skip
    write_bytes_atomic(target, buffer.getvalue())  # a temporary file renamed over `out`
    return target

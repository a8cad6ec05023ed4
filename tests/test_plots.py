"""Figures: every one is a Figure that saves to a valid, non-empty image; one look per optimizer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image

import gdlab as gd
from gdlab import catalog, experiments, lrfind, plots, schedules, sweeps
from gdlab.plots import palette


def saved(fig: Figure, path: Path) -> tuple[int, int]:
    assert isinstance(fig, Figure)
    plots.save(fig, path)
    assert path.stat().st_size > 2000
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        return image.size


def _paths(problem, steps: int = 40) -> dict[str, np.ndarray]:
    runs = {"sgd": gd.sgd(0.002), "adam": gd.adam(0.1), "momentum": gd.momentum(0.01)}
    found = experiments.compare(problem, runs, steps=steps)
    return {run.label: run.result.history.x for run in found.runs}


def test_one_distinct_colour_blind_safe_look_per_optimizer() -> None:
    assert set(palette.STYLES) == set(catalog.OPTIMIZERS)
    looks = {(to_hex(colour), line) for colour, line in palette.STYLES.values()}
    assert len(looks) == len(catalog.OPTIMIZERS)
    okabe_ito = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#0072b2", "#d55e00", "#cc79a7"}
    tol_muted_dark = {"#332288", "#882255", "#999933"}
    colours = {to_hex(colour) for colour, _ in palette.STYLES.values()}
    assert colours - {"#777777"} <= okabe_ito | tol_muted_dark
    solid = {to_hex(c) for c, line in palette.STYLES.values() if line == "-"}
    assert len(solid) == sum(line == "-" for _, line in palette.STYLES.values())  # hue differs


def test_styles_keep_the_colour_of_an_optimizer_run_twice() -> None:
    looks = palette.styles({"adam a": "adam", "adam b": "adam", "other": "mine"})
    assert looks["adam a"]["color"] == looks["adam b"]["color"] == palette.STYLES["adam"][0]
    assert looks["adam a"]["linestyle"] != looks["adam b"]["linestyle"]
    assert looks["other"]["color"] in palette.EXTRA


@pytest.mark.parametrize("name", ["rosenbrock", "parabola", "quadratic:dim"])
def test_contour_with_paths(tmp_path: Path, name: str) -> None:
    problem = gd.problems.get("quadratic", dim=3) if name == "quadratic:dim" else (
        gd.problems.get(name)
    )  # fmt: skip
    figure = plots.contour(problem, _paths(problem), names={"sgd": "sgd"})
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels[:3] == ["sgd", "adam", "momentum"]
    saved(figure, tmp_path / "c.png")


def test_surface_and_its_limits(tmp_path: Path) -> None:
    problem = gd.problems.get("himmelblau")
    saved(plots.surface(problem, _paths(problem)), tmp_path / "s.png")
    with pytest.raises(ValueError, match="a surface needs 2 or more variables"):
        plots.surface(gd.problems.get("parabola"))


def test_loss_curves_per_step_and_per_epoch(tmp_path: Path) -> None:
    problem = gd.problems.get("six_hump_camel")  # f* < 0: the curves are f − f*
    found = experiments.compare(problem, {"sgd": gd.sgd(0.01), "adam": gd.adam(0.1)}, steps=50)
    histories = {run.label: run.result.history for run in found.runs}
    figure = plots.loss_curves(histories, minimum=problem.minimum)
    ax = figure.axes[0]
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "f(x) − f*"
    first = ax.get_lines()[0].get_ydata()
    np.testing.assert_allclose(first, np.maximum(found.runs[0].result.history.loss
                                                 - problem.minimum, 1e-300))  # fmt: skip
    saved(figure, tmp_path / "l.png")
    ds = gd.data.load("linear")
    fitted = gd.fit(gd.models.LinearRegression(), ds.X, ds.y, optimizer=gd.sgd(0.1),
                    batch_size=10, epochs=5)  # fmt: skip
    saved(plots.loss_curves({"sgd": fitted.history}, per="epoch"), tmp_path / "e.png")
    with pytest.raises(ValueError, match="per='epoch' needs a history from fit"):
        plots.loss_curves(histories, per="epoch")
    with pytest.raises(ValueError, match="per must be 'step' or 'epoch'"):
        plots.loss_curves(histories, per="batch")


def test_schedules_ewa_and_batch_noise(tmp_path: Path) -> None:
    curves = {"cosine": schedules.cosine(0.1, 100), "exp": schedules.exponential_decay(0.1, 0.9)}
    figure = plots.schedules(curves, 100)
    assert figure.axes[0].get_yscale() == "log"  # 0.1 → 0.1·0.9⁹⁹ spans > 100×
    saved(figure, tmp_path / "s.png")
    ewa = plots.ewa_figure(betas=(0.5, 0.9, 0.98))
    saved(ewa, tmp_path / "ewa.png")
    ds = gd.data.load("linear", n_samples=64)
    histories = {
        f"batch {b}": gd.fit(gd.models.LinearRegression(), ds.X, ds.y, optimizer=gd.sgd(0.05),
                             batch_size=b, epochs=4).history
        for b in (1, 8, 64)
    }  # fmt: skip
    saved(plots.batch_noise(histories), tmp_path / "noise.png")


def test_sensitivity_and_lr_find(tmp_path: Path) -> None:
    problem = gd.problems.get("rosenbrock")
    found = sweeps.sweep(problem, ["sgd", "adam"], np.geomspace(1e-4, 1, 6), steps=100, seeds=2)
    figure = plots.sensitivity(found)
    assert figure.axes[0].get_xscale() == "log"
    saved(figure, tmp_path / "sens.png")
    test = lrfind.lr_find(gd.problems.get("quadratic"), gd.sgd, steps=80)
    figure = plots.lr_find(test)
    assert {line.get_label() for line in figure.axes[0].get_lines()} >= {"loss"}
    saved(figure, tmp_path / "lr.png")


def test_data_vs_prediction(tmp_path: Path) -> None:
    x = np.linspace(0, 1, 20)[:, None]
    y = 2 * x[:, 0] ** 2
    saved(plots.data_vs_prediction(x, y, y + 0.1), tmp_path / "one.png")
    X = np.random.default_rng(0).normal(size=(30, 3))
    saved(plots.data_vs_prediction(X, X[:, 0], X[:, 0] * 0.9), tmp_path / "many.png")
    labels = (X[:, 0] > 0).astype(int)
    saved(plots.data_vs_prediction(X, labels, 1 - labels, task="classification"),
          tmp_path / "cls.png")  # fmt: skip


def test_internals_overlay(tmp_path: Path) -> None:
    problem = gd.problems.get("quadratic")
    for optimizer in (gd.adam(0.1), gd.momentum(0.05), gd.rmsprop(0.01), gd.sgd(0.05)):
        run = experiments.trace_internals(problem, optimizer, steps=40)
        figure = plots.internals(problem, run, learning_rate=0.1)
        assert len(figure.axes) == 2
        saved(figure, tmp_path / f"{optimizer.name}.png")


def test_animation_is_a_gif(tmp_path: Path) -> None:
    problem = gd.problems.get("rosenbrock")
    out = plots.animate(problem, _paths(problem, 30), tmp_path / "a.gif", frames=6, fps=5)
    with Image.open(out) as image:
        assert image.format == "GIF" and image.n_frames == 6
        assert image.info["duration"] == 200
    with pytest.raises(ValueError, match="at least one path"):
        plots.animate(problem, {}, tmp_path / "b.gif")
    with pytest.raises(ValueError, match="frames must be >= 2"):
        plots.frame_steps(10, 1)
    assert plots.frame_steps(100, 5).tolist() == [0, 6, 25, 56, 100]


def test_save_checks_the_suffix(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"a figure file must end in \.png, \.svg, \.pdf"):
        plots.save(plots.ewa_figure(), tmp_path / "x.gif")
    plots.save(plots.ewa_figure(), tmp_path / "x.svg")
    assert (tmp_path / "x.svg").read_text().startswith("<?xml")

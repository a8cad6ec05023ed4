"""Files: the data a run reads is never modified; every file gdlab writes appears whole — through
a temporary file in the same folder renamed over the target — and a failed write leaves the
previous file as it was."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import gdlab as gd
from gdlab import checkpoints, data, plots, tracking
from gdlab.cli import app
from gdlab.sklearn import GDClassifier

REAL_REPLACE = os.replace


@pytest.fixture
def renames(monkeypatch) -> list[tuple[Path, Path]]:
    """Every os.replace(source, target) made, in order (and made for real)."""
    made: list[tuple[Path, Path]] = []

    def replace(source: Any, target: Any) -> None:
        made.append((Path(source), Path(target)))
        REAL_REPLACE(source, target)

    monkeypatch.setattr(os, "replace", replace)
    return made


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def assert_renamed_into_place(path: Path, made: list[tuple[Path, Path]]) -> None:
    sources = [source for source, target in made if target == path]
    assert sources, f"{path.name} was not written through a rename"
    source = sources[-1]
    assert source.parent == path.parent and source.name.startswith(f".{path.name}.")
    assert source.suffix == ".tmp" and not source.exists()


# ---------------------------------------------------------------- data files are only read


def test_reading_a_table_and_fitting_it_never_modify_the_file(tmp_path):
    ds = data.make_classification(n_samples=60, n_features=3, seed=0)
    frame = {f"x{i}": ds.X[:, i] for i in range(3)} | {"label": ds.y}
    import pandas as pd

    csv, parquet = tmp_path / "d.csv", tmp_path / "d.parquet"
    pd.DataFrame(frame).to_csv(csv, index=False)
    pd.DataFrame(frame).to_parquet(parquet)
    before = {path: fingerprint(path) for path in (csv, parquet)}
    for path in (csv, parquet):
        table = data.read_table(path, "label", task="classification")
        gd.fit(gd.models.LogisticRegression(), table.X, table.y, optimizer=gd.adam(0.1), epochs=3)
        GDClassifier(epochs=3, tol=None).fit(table.X, table.y)
        result = CliRunner().invoke(
            app, ["fit", str(path), "--target", "label", "--task", "classification",
                  "--model", "logistic", "--epochs", "2", "--out", str(tmp_path / "out")],
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
    assert {path: fingerprint(path) for path in (csv, parquet)} == before


def test_arrays_given_to_fit_and_the_estimators_are_never_written():
    ds = data.make_classification(n_samples=50, n_features=3, seed=1)
    X, y = ds.X.copy(), ds.y.copy()
    X.flags.writeable = y.flags.writeable = False
    gd.fit(gd.models.LogisticRegression(), X, y, optimizer=gd.adam(0.1), batch_size=7, epochs=2)
    model = GDClassifier(batch_size=8, epochs=2, tol=None).fit(X, y)
    model.partial_fit(X, y)
    np.testing.assert_array_equal(X, ds.X)
    np.testing.assert_array_equal(y, ds.y)


# ---------------------------------------------------------------- every writer renames into place


def small_fit() -> gd.Result:
    ds = data.make_linear(n_samples=20, n_features=2, seed=0)
    return gd.fit(gd.models.LinearRegression(), ds.X, ds.y, optimizer=gd.sgd(0.1), epochs=3)


def history_csv(path: Path) -> None:
    small_fit().history.to_csv(path)


def history_json(path: Path) -> None:
    small_fit().history.to_json(path)


def jsonl_export(path: Path) -> None:
    tracking.write_jsonl(small_fit().history, path)


def live_csv(path: Path) -> None:
    with tracking.writer(path) as write:
        gd.minimize(gd.problems.get("booth"), [0.0, 0.0], optimizer=gd.adam(0.1), steps=5,
                    callback=write)  # fmt: skip


def figure(path: Path) -> None:
    plots.save(plots.loss_curves({"run": small_fit().history}), path)


def animation(path: Path) -> None:
    booth = gd.problems.get("booth")
    run = gd.minimize(booth, [0.0, 0.0], optimizer=gd.adam(0.1), steps=5)
    plots.animate(booth, {"adam": run.history.x}, path, frames=3)


def checkpoint(path: Path) -> None:
    ds = data.make_linear(n_samples=20, n_features=2, seed=0)
    gd.fit(gd.models.LinearRegression(), ds.X, ds.y, optimizer=gd.sgd(0.1), epochs=2,
           checkpoint=path)  # fmt: skip


WRITERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "History.to_csv": (history_csv, "history.csv"),
    "History.to_json": (history_json, "history.json"),
    "tracking.write_jsonl": (jsonl_export, "history.jsonl"),
    "tracking.writer (live CSV)": (live_csv, "steps.csv"),
    "plots.save PNG": (figure, "loss.png"),
    "plots.save SVG": (figure, "loss.svg"),
    "plots.animate GIF": (animation, "paths.gif"),
    "checkpoints.save": (checkpoint, "run.ckpt"),
}


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_writer_renames_a_temporary_file_into_place(tmp_path, renames, name):
    write, filename = WRITERS[name]
    path = tmp_path / filename
    write(path)
    assert_renamed_into_place(path, renames)
    assert path.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [filename]


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_failed_write_leaves_the_previous_file_whole(tmp_path, monkeypatch, name):
    write, filename = WRITERS[name]
    path = tmp_path / filename
    path.write_bytes(b"the previous version")

    def broken(source: Any, target: Any) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="no space left"):
        write(path)
    assert path.read_bytes() == b"the previous version"


def test_the_command_line_writes_every_output_through_a_rename(tmp_path, renames):
    runner = CliRunner()
    out = tmp_path / "out"
    commands = [
        ["fit", "wine", "--model", "softmax", "-O", "adam:lr=0.05", "--epochs", "3",
         "--out", str(out / "fit"), "--checkpoint", str(out / "run.ckpt")],
        ["compare", "booth", "-O", "sgd,adam", "--steps", "20", "--out", str(out / "compare")],
        ["sweep", "booth", "-O", "sgd", "--steps", "10", "--out", str(out / "sweep")],
        ["minimize", "booth", "--steps", "10", "--plot", str(out / "path.svg"),
         "--history", str(out / "steps.jsonl")],
        ["animate", "booth", "-O", "adam", "--steps", "10", "--frames", "3",
         "--out", str(out / "paths.gif")],
    ]  # fmt: skip
    (out / "fit").mkdir(parents=True)
    for command in commands:
        result = runner.invoke(app, command)
        assert result.exit_code == 0, (command, result.stderr)
    written = [path for path in out.rglob("*") if path.is_file()]
    assert len(written) >= 12
    for path in written:
        assert_renamed_into_place(path, renames)


def test_a_checkpoint_write_interrupted_before_the_rename_keeps_the_old_one(tmp_path, monkeypatch):
    ds = data.make_linear(n_samples=20, n_features=2, seed=0)
    path = tmp_path / "run.ckpt"
    gd.fit(gd.models.LinearRegression(), ds.X, ds.y, optimizer=gd.sgd(0.1), epochs=2,
           checkpoint=path)  # fmt: skip
    first = path.read_bytes()
    monkeypatch.setattr(os, "fsync", lambda descriptor: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        gd.fit(gd.models.LinearRegression(), ds.X, ds.y, optimizer=gd.sgd(0.1), epochs=4,
               checkpoint=path)  # fmt: skip
    assert path.read_bytes() == first and checkpoints.load(path).epoch == 2
    assert [p.name for p in tmp_path.iterdir()] == ["run.ckpt"]

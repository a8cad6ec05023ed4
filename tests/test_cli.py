"""The command line: every command through CliRunner, --json shapes, exit codes 0/1/2, one-line
errors on stderr, and the main job (`gdlab compare`) as a real subprocess in a fresh folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import gdlab as gd
from gdlab import catalog
from gdlab.cli import app, main

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def document(result) -> dict:
    """--json prints exactly one JSON document and nothing else on stdout."""
    assert result.stdout.count("\n") == 1, result.stdout[:500]
    return json.loads(result.stdout)


def valid_image(path: str | Path) -> tuple[str, int]:
    """A non-empty image file Pillow can read: (format, number of frames)."""
    path = Path(path)
    assert path.stat().st_size > 1000
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        image.load()
        return str(image.format), int(getattr(image, "n_frames", 1))


def bad_input(result, *fragments: str) -> None:
    """Exit 2, nothing on stdout, one line on stderr naming the problem, no traceback."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gdlab: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


# ---------------------------------------------------------------- compare


def test_compare_with_no_arguments_runs_every_optimizer(tmp_path: Path) -> None:
    result = invoke("compare", "--out", str(tmp_path), "--json")
    assert result.exit_code == 0, result.stderr
    found = document(result)
    assert found["problem"] == catalog.DEFAULT_PROBLEM
    assert found["steps"] == catalog.DEFAULT_STEPS
    assert [run["optimizer"] for run in found["runs"]] == list(catalog.OPTIMIZERS)
    for run in found["runs"]:
        tuned = catalog.suggested_learning_rate(run["optimizer"], "rosenbrock")
        assert run["hyperparams"]["learning_rate"] == tuned
        assert run["status"] == "max_steps" and run["nit"] == catalog.DEFAULT_STEPS
    for name in ("paths.png", "loss.png"):
        valid_image(tmp_path / name)
    assert json.loads((tmp_path / "compare.json").read_text())["runs"] == found["runs"]
    rows = (tmp_path / "compare.csv").read_text().splitlines()
    assert rows[0] == "optimizer,step,loss,grad_norm,learning_rate,x_0,x_1"
    assert len(rows) == 1 + len(catalog.OPTIMIZERS) * (catalog.DEFAULT_STEPS + 1)


def test_compare_table_matches_separate_minimize_runs(tmp_path: Path) -> None:
    result = invoke("compare", "quadratic", "-O", "sgd:lr=0.1,adam:0.2", "-n", "50",
                    "--out", str(tmp_path), "--json")  # fmt: skip
    found = document(result)
    problem = gd.problems.get("quadratic")
    for run, optimizer in zip(found["runs"], (gd.sgd(0.1), gd.adam(0.2)), strict=True):
        alone = gd.minimize(problem, list(problem.start), optimizer=optimizer, steps=50)
        assert run["final_loss"] == alone.fun
        assert run["x"] == alone.x.tolist()


def test_compare_table_is_printed(tmp_path: Path) -> None:
    result = invoke("compare", "booth", "-O", "sgd", "-O", "adam", "--out", str(tmp_path))
    assert result.exit_code == 0
    assert "steps to tol." in result.stdout and "adam" in result.stdout
    assert f"wrote {tmp_path / 'paths.png'}" in result.stdout


def test_compare_exits_1_when_a_run_diverges(tmp_path: Path) -> None:
    result = invoke("compare", "-O", "sgd:lr=1,adam", "--out", str(tmp_path), "--json")
    assert result.exit_code == 1
    statuses = {run["label"]: run["status"] for run in document(result)["runs"]}
    assert statuses == {"sgd:lr=1": "diverged", "adam": "max_steps"}
    assert result.stderr.strip() == "gdlab: diverged: sgd:lr=1"
    valid_image(tmp_path / "paths.png")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("compare", "rosenbrok"), "unknown problem 'rosenbrok'"),
        (("compare", "-O", "adamm"), "unknown optimizer 'adamm'"),
        (("compare", "-O", "adam:beta1=1.5"), "beta1 must be in [0, 1), got 1.5"),
        (("compare", "-O", "adam:bogus=1"), "adam has no parameter 'bogus'"),
        (("compare", "--steps", "0"), "--steps"),
        (("compare", "--start", "1,x"), "--start must be numbers"),
        (("compare", "--start", "1,2,3"), "start must have 2 coordinates"),
        (("compare", "x +* y"), "x +* y"),
        (("compare", "__import__('os')"), "__import__"),
        (("compare", "--nope"), "No such option"),
        (("nosuch",), "No such command"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], fragment: str) -> None:
    bad_input(invoke(*args), fragment)


# ---------------------------------------------------------------- minimize


def test_minimize_json_is_the_result(tmp_path: Path) -> None:
    history = tmp_path / "steps.csv"
    result = invoke("minimize", "x**2 + 10*y**2", "-O", "sgd", "--lr", "0.05", "--start",
                    "1,1", "-n", "20", "--history", str(history), "--plot",
                    str(tmp_path / "path.png"), "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    found = document(result)
    problem = gd.problems.expression("x**2 + 10*y**2")
    alone = gd.minimize(problem, [1.0, 1.0], optimizer=gd.sgd(0.05), steps=20)
    assert found["x"] == alone.x.tolist() and found["nit"] == 20
    assert found["history"]["loss"] == alone.history.loss.tolist()
    assert found["optimizer"]["learning_rate"] == 0.05
    assert len(history.read_text().splitlines()) == 22  # header + x0 … x20
    valid_image(tmp_path / "path.png")


def test_minimize_with_set_and_schedule() -> None:
    result = invoke("minimize", "quadratic", "-O", "adam", "-p", "beta1=0.8", "--lr", "0.1",
                    "--schedule", "exponential:gamma=0.99", "-n", "30", "--json")  # fmt: skip
    found = document(result)
    assert found["optimizer"]["beta1"] == 0.8
    rates = found["history"]["learning_rate"]
    assert rates[:3] == pytest.approx([0.1, 0.099, 0.09801])


def test_minimize_diverged_exits_1() -> None:
    result = invoke("minimize", "rosenbrock", "-O", "sgd", "--lr", "1", "--json")
    assert result.exit_code == 1
    assert document(result)["status"] == "diverged"


def test_minimize_lr_given_twice_is_bad_input() -> None:
    bad_input(invoke("minimize", "rosenbrock", "-O", "adam:lr=0.1", "--lr", "0.2"), "twice")


# ---------------------------------------------------------------- sweep, lr-find, schedule


def test_sweep_json_csv_and_plot(tmp_path: Path) -> None:
    result = invoke("sweep", "quadratic", "-O", "sgd,adam", "--lr", "1e-3:1:4", "--seeds", "2",
                    "-n", "100", "--out", str(tmp_path), "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    found = document(result)
    assert found["learning_rates"] == pytest.approx([1e-3, 1e-2, 1e-1, 1.0])
    assert len(found["runs"]) == 2 * 4 * 2
    assert set(found["best"]) == {"sgd", "adam"}
    csv_rows = (tmp_path / "sweep.csv").read_text().splitlines()
    assert csv_rows[0] == "optimizer,learning_rate,seed,final_loss,nit,status"
    assert len(csv_rows) == 1 + 16
    valid_image(tmp_path / "sensitivity.png")


def test_sweep_bad_grid_is_bad_input(tmp_path: Path) -> None:
    bad_input(invoke("sweep", "--lr", "1:0.1:5", "--out", str(tmp_path)), "learning rates")


def test_lr_find_json_has_the_raw_arrays(tmp_path: Path) -> None:
    result = invoke("lr-find", "quadratic", "-O", "sgd", "-n", "80", "--plot",
                    str(tmp_path / "lr.png"), "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    found = document(result)
    assert len(found["learning_rates"]) == len(found["losses"]) == len(found["smoothed"])
    assert set(found["suggestions"]) == {"steepest", "valley", "minimum/10"}
    valid_image(tmp_path / "lr.png")


def test_lr_find_refuses_a_learning_rate() -> None:
    bad_input(invoke("lr-find", "quadratic", "-O", "adam:lr=0.1"), "lr-find chooses")


def test_schedule_values(tmp_path: Path) -> None:
    result = invoke("schedule", "exponential:gamma=0.5", "step:every=2", "--lr", "0.8",
                    "-n", "4", "--plot", str(tmp_path / "s.png"), "--json")  # fmt: skip
    found = document(result)
    values = {item["spec"]: item["values"] for item in found["schedules"]}
    assert values["exponential:gamma=0.5"] == [0.8, 0.4, 0.2, 0.1]
    assert values["step:every=2"] == pytest.approx([0.8, 0.8, 0.08, 0.08])
    valid_image(tmp_path / "s.png")


def test_schedule_unknown_lists_names() -> None:
    bad_input(invoke("schedule", "expo"), "unknown schedule 'expo'", "exponential")


# ---------------------------------------------------------------- animate, list, fit, demo


def test_animate_writes_a_gif(tmp_path: Path) -> None:
    out = tmp_path / "a.gif"
    result = invoke("animate", "-O", "sgd,adam", "-n", "40", "--frames", "8", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert valid_image(out) == ("GIF", 8)


def test_list_every_group() -> None:
    found = document(invoke("list", "--json"))
    assert list(found) == list(catalog.GROUPS)
    assert [row["name"] for row in found["optimizers"]] == list(catalog.OPTIMIZERS)
    assert [row["name"] for row in found["problems"]] == list(gd.problems.names())
    table = invoke("list", "schedules")
    assert table.exit_code == 0 and "exponential_decay" in table.stdout


def test_list_unknown_group() -> None:
    bad_input(invoke("list", "nothing"), "unknown catalog group")


def test_fit_named_data_set(tmp_path: Path) -> None:
    result = invoke("fit", "linear", "--epochs", "30", "--out", str(tmp_path), "--json")
    assert result.exit_code == 0, result.stderr
    found = document(result)
    assert found["metrics"]["r2"] > 0.95
    assert set(found["params"]) == {"coef", "intercept"}
    for name in ("loss.png", "prediction.png"):
        valid_image(tmp_path / name)
    assert json.loads((tmp_path / "params.json").read_text())["params"] == found["params"]
    assert (tmp_path / "history.csv").read_text().startswith("epoch,")


def test_fit_csv_file_and_classification(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    label = (x[:, 0] + x[:, 1] > 0).astype(int)
    table = "a,b,label\n" + "".join(f"{p},{q},{c}\n" for (p, q), c in zip(x, label, strict=True))
    (tmp_path / "d.csv").write_text(table)
    result = invoke("fit", str(tmp_path / "d.csv"), "--target", "label", "--task",
                    "classification", "--model", "logistic", "-O", "adam:0.1", "--out",
                    str(tmp_path / "out"), "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert document(result)["metrics"]["accuracy"] > 0.9


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("fit", "nosuch"), "unknown data set 'nosuch'"),
        (("fit", "missing.csv", "--target", "y"), "missing.csv"),
        (("fit", "iris", "--model", "logistic"), "label 2"),
        (("fit", "iris", "--model", "tree"), "unknown model 'tree'"),
    ],
)
def test_fit_bad_input(args: tuple[str, ...], fragment: str) -> None:
    bad_input(invoke(*args), fragment)


def test_fit_diverged_exits_1(tmp_path: Path) -> None:
    result = invoke("fit", "diabetes", "-O", "sgd:lr=10", "--out", str(tmp_path), "--json")
    assert result.exit_code == 1
    assert document(result)["status"] == "diverged"


def test_demo_seed_000(tmp_path: Path) -> None:
    result = invoke("demo", "seed-000", "--plot", str(tmp_path / "d.png"), "--json")
    found = document(result)
    assert found["epochs"] == 50
    assert np.round(found["weights"], 5).tolist() == [2.18870, 2.75347, 4.06002]
    valid_image(tmp_path / "d.png")


def test_demo_unknown() -> None:
    bad_input(invoke("demo", "seed-999"), "unknown demo 'seed-999'")


def test_help_and_no_arguments() -> None:
    assert invoke().exit_code == 0
    assert "compare" in invoke("--help").stdout
    assert main(["--help"]) == 0


def test_main_returns_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["minimize", "rosenbrok"]) == 2
    assert capsys.readouterr().err.startswith("gdlab: unknown problem")


# ---------------------------------------------------------------- a real process


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    source = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": source + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("GDLAB_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "gdlab", *args], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_main_job_in_a_fresh_folder(tmp_path: Path) -> None:
    done = _run(["compare"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar when stdout is not a terminal
    for name in ("paths.png", "loss.png", "compare.json", "compare.csv"):
        assert (tmp_path / "gdlab-out" / name).stat().st_size > 0
    assert "adam" in done.stdout


def test_a_real_process_reports_bad_input_in_one_line(tmp_path: Path) -> None:
    done = _run(["minimize", "rosenbrock", "-O", "adam:beta1=2"], tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "gdlab: 'adam:beta1=2': beta1 must be in [0, 1), got 2\n"
